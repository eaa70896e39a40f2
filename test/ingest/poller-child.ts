// A poller process for the crash and concurrency tests: the real service with only the poller role, configured by env.
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startService, stopOnSignals } from '../../src/runtime.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);
const service = await startService(['poller'], { config, log });
stopOnSignals(service, log);
process.stdout.write('ready\n');
