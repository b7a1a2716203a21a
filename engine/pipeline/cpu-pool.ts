// A fixed pool of worker threads for the CPU stages (depth decode, lifting, clean-up, graph, QA).
// Tasks queue in order; a worker that dies fails only its own task and is replaced. Size 0 runs
// tasks inline (tests, and the overhead benchmark's baseline).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runCpuTask, type CpuTask, type CpuTaskResult } from './cpu-task';

const WORKER_URL = new URL('./workers/cpu-worker.mjs', import.meta.url);

interface Pending {
  id: number;
  task: CpuTask;
  resolve(r: CpuTaskResult): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  ready: boolean;
}

/** One thread stays for the owning thread (SQLite writes, inference lane). */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export class CpuPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number = defaultPoolSize()) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  run(task: CpuTask): Promise<CpuTaskResult> {
    if (this.closed) return Promise.reject(new Error('CPU pool is closed'));
    if (this.size === 0) return runCpuTask(task);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('CPU pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, busy: null, ready: false };
    worker.unref();
    worker.on(
      'message',
      (msg: { ready?: true; id?: number; result?: CpuTaskResult; error?: string }) => {
        if (msg.ready) {
          slot.ready = true;
          this.pump();
          return;
        }
        const p = slot.busy;
        slot.busy = null;
        if (p && msg.id === p.id) {
          if (msg.error !== undefined) p.reject(new Error(msg.error));
          else p.resolve(msg.result!);
        }
        this.pump();
      },
    );
    worker.on('error', (err) => {
      // The task in flight fails (its image is recorded as failed); a fresh worker takes the slot.
      const p = slot.busy;
      slot.busy = null;
      p?.reject(new Error(`CPU worker crashed: ${err.message}`));
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
    });
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.busy) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      const transfer =
        p.task.depth && 'metres' in p.task.depth ? [p.task.depth.metres.buffer as ArrayBuffer] : [];
      slot.worker.postMessage({ id: p.id, task: p.task }, transfer);
    }
    // Idle workers must not keep the process alive; busy ones must.
    for (const s of this.slots) {
      if (s.busy || this.queue.length > 0) s.worker.ref();
      else s.worker.unref();
    }
  }
}
