// Worker thread that creates an export's symbolic links, a batch per message, one after another.
// Links made concurrently on the thread pool contend for the same folder's lock in the kernel:
// measured here, 10k links took 2-5 s of system time from 32 in flight, 0.1-0.9 s in sequence.
// Plain JavaScript (no tsx): it only needs node:fs and starts in milliseconds.
import { symlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (/** @type {{ seq: number, links: [string, string][] }} */ msg) => {
  try {
    for (const [target, path] of msg.links) symlinkSync(target, path);
    parentPort.postMessage({ seq: msg.seq });
  } catch (err) {
    parentPort.postMessage({
      seq: msg.seq,
      error: err instanceof Error ? err.message : String(err),
    });
  }
});
