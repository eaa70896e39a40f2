// Owns the `send_digest` job: folds a channel's burst or quiet-hours deliveries into one message and sends it.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import { sendDigest } from '../src/alerts/digest.ts';

export function sendDigestTask(deps: Deps): Task {
  return async (payload) => {
    const { channel } = payload as { channel: string };
    await sendDigest(deps, channel);
  };
}
