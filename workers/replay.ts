// Owns the replay loop a poller runs when there are no X credentials (or REPLAY_ENABLED=1): the bundled or configured TWCS file, looped.
import type { Deps } from '../src/deps.ts';
import { BUNDLED_REPLAY_FILE } from '../src/config.ts';
import { replayFile } from '../src/ingest/replay.ts';

/**
 * Starts replaying in the background and returns its stop function. Every pass starts at "now" with ids shifted
 * past the previous pass, so the demo keeps producing fresh cases. Several poller processes would each replay:
 * run the demo with one.
 */
export async function startReplay(deps: Deps): Promise<() => Promise<void>> {
  const file = deps.config.replay.file ?? BUNDLED_REPLAY_FILE;
  const controller = new AbortController();
  const log = deps.log.child({ name: 'replay' });
  const running = replayFile(deps.db, { file, speed: deps.config.replay.speed, loop: true, clock: deps.clock, signal: controller.signal, log }).then(
    (r) => log.info(r, 'replay stopped'),
    (err) => log.error({ err }, 'replay failed; fix the file or set REPLAY_ENABLED=0'),
  );
  return async () => {
    controller.abort();
    await running;
  };
}
