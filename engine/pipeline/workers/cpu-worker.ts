// One CPU-pool worker: runs image tasks (decode depth, lift, graph, QA) one at a time and posts the
// results back; it never opens the project database (writes stay in the owning thread).
import { parentPort } from 'node:worker_threads';
import { runCpuTask, type CpuTask } from '../cpu-task';

const port = parentPort;
if (!port) throw new Error('cpu-worker must run in a worker thread');
port.on('message', (msg: { id: number; task: CpuTask }) => {
  runCpuTask(msg.task).then(
    (result) => port.postMessage({ id: msg.id, result }),
    (err: unknown) =>
      port.postMessage({ id: msg.id, error: (err as Error).message ?? String(err) }),
  );
});
port.postMessage({ ready: true });
