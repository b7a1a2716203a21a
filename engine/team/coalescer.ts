// One flush for many pokes: the queue's notices (db/queue/queue-notices.ts) come many a second
// while workers store images, and each one told to a server's clients (team-live.ts) or drawn by
// `sqw run --database` (engine/cli/commands/team-run.ts) costs a read of the queue.

/**
 * Runs `flush` on `poke`, at once when the last run was `intervalMs` ago or more, else once that
 * time has passed; never two at a time (a slow flush spaces the next one out), and pokes during a
 * flush give one more after it, so the latest state is always told. A failed flush goes to
 * `onError`.
 */
export class Coalescer {
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  poke(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, wait);
  }

  private run(): void {
    this.last = Date.now();
    this.running = this.flush()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** No more flushes; the one running (if any) is waited for. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
