// Child process of verify.ts: load one ONNX file with onnxruntime-node and report what it declares.
// Run through tsx (`node --import tsx verify-worker.ts`); talks over the fork IPC channel. A crash
// or hang here (truncated file, broken provider) cannot take the engine down.
import { SessionPool } from './session-pool';
import { describeSession } from './contract-check';
import { parseDevice } from './providers';

interface Request {
  modelId: string;
  file: string;
  device: string;
}

process.once('message', (msg: Request) => {
  void (async () => {
    const pool = new SessionPool();
    try {
      const { session, report } = await pool.get(msg.modelId, msg.file, parseDevice(msg.device));
      process.send?.({ ok: true, declared: describeSession(session), load: report });
      await pool.release();
    } catch (err) {
      const load = pool.loadReports()[0] ?? null;
      process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err), load });
    }
    process.disconnect?.();
  })();
});
