// Symbolic links of an export, made in sequence in batches: a small export's links are made here
// at the end, a large one's by a worker thread while records are still being written (see
// link-worker.mjs for why not the thread pool).
import { symlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./link-worker.mjs', import.meta.url);
const BATCH = 512;
/** Batches posted and not yet done before add() waits: bounds memory, keeps the worker busy. */
const MAX_IN_FLIGHT = 4;

export class LinkBatcher {
  private batch: Array<[string, string]> = [];
  private worker: Worker | null = null;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(): void; reject(e: Error): void }>();
  private readonly inflight = new Map<number, Promise<void>>();
  private failure: Error | null = null;

  /** Queues a link at `path` to `target` (both absolute); throws an earlier batch's failure. */
  async add(target: string, path: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.batch.push([target, path]);
    if (this.batch.length < BATCH) return;
    this.post();
    if (this.inflight.size >= MAX_IN_FLIGHT) await Promise.race(this.inflight.values());
    if (this.failure) throw this.failure;
  }

  /** Makes every queued link; throws the first failure (naming the link). */
  async drain(): Promise<void> {
    if (this.worker) {
      if (this.batch.length > 0) this.post();
      await Promise.all(this.inflight.values());
    } else {
      for (const [target, path] of this.batch.splice(0)) symlinkSync(target, path);
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private post(): void {
    const links = this.batch;
    this.batch = [];
    const seq = ++this.seq;
    const done = new Promise<void>((resolve, reject) => this.waiting.set(seq, { resolve, reject }))
      .catch((err: Error) => {
        this.failure ??= err;
      })
      .finally(() => this.inflight.delete(seq));
    this.inflight.set(seq, done);
    this.spawn().postMessage({ seq, links });
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('message', (msg: { seq: number; error?: string }) => {
      const p = this.waiting.get(msg.seq);
      this.waiting.delete(msg.seq);
      if (msg.error !== undefined) p?.reject(new Error(`could not link an image: ${msg.error}`));
      else p?.resolve();
    });
    w.on('error', (err) => this.failAll(err));
    w.on('exit', (code) => {
      if (this.waiting.size > 0) this.failAll(new Error(`link worker exited (code ${code})`));
    });
    this.worker = w;
    return w;
  }

  private failAll(err: Error): void {
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
  }
}
