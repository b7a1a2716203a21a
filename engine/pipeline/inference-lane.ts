// The one lane model stages run in: calls are serialised, so one image's inference has the
// accelerator (or ORT's CPU thread pool) to itself, while later images' decoding proceeds in
// parallel (sharp decodes on libuv threads) and is ready when their turn comes: prefetch.
export class InferenceLane {
  private tail: Promise<unknown> = Promise.resolve();
  /** Time the lane spent running models (busy share = busyMs / wall time). */
  busyMs = 0;
  calls = 0;

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(async () => {
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        this.busyMs += performance.now() - t0;
        this.calls++;
      }
    });
    this.tail = next.catch(() => undefined);
    return next;
  }
}
