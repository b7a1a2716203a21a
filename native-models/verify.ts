// `models verify`: load each graph of an installed model in a child process (with a timeout) and
// compare what it declares with the manifest's contract.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkContract, type ContractReport, type DeclaredGraph } from './contract-check';
import { isDepthAnything, proveMetricDepth } from './depth-metric';
import type { ModelManifest } from './manifest';
import type { Device } from './providers';
import type { LoadReport } from './session-pool';
import { checkInstalledFiles } from './file-check';
import type { FileCheck, ModelStore } from './store';

export interface GraphVerification {
  graph: string;
  file: string;
  ok: boolean;
  /** Load failure, timeout or crash; null when the file loaded. */
  error: string | null;
  contract: ContractReport | null;
  load: LoadReport | null;
}

export interface ModelVerification {
  id: string;
  ok: boolean;
  graphs: GraphVerification[];
  /** Each installed file against its sha256 recorded at install and the manifest's pins. */
  files: FileCheck[];
}

export interface VerifyOptions {
  device?: Device;
  /** Per graph; default 60 s. */
  timeoutMs?: number;
}

interface WorkerReply {
  ok: boolean;
  declared?: DeclaredGraph;
  error?: string;
  load: LoadReport | null;
}

export async function verifyModel(
  manifest: ModelManifest,
  store: ModelStore,
  opts: VerifyOptions = {},
): Promise<ModelVerification> {
  const graphs: GraphVerification[] = [];
  for (const c of manifest.contracts) {
    const file = store.filePath(manifest, c.file);
    const base = { graph: c.graph, file };
    if (!existsSync(file)) {
      graphs.push({
        ...base,
        ok: false,
        error: `model ${manifest.id}: ${c.file} is not installed`,
        contract: null,
        load: null,
      });
      continue;
    }
    const reply = await inspectInChild(
      manifest.id,
      file,
      opts.device ?? 'auto',
      opts.timeoutMs ?? 60_000,
    );
    if (!reply.ok || !reply.declared) {
      graphs.push({
        ...base,
        ok: false,
        error: reply.error ?? 'no reply',
        contract: null,
        load: reply.load,
      });
      continue;
    }
    const contract = checkContract(c, reply.declared);
    if (contract.ok && isDepthAnything(manifest)) {
      // A relative export declares the same I/O: the depth slot must also prove it outputs metres.
      const output = c.outputs[0]!.name ?? reply.declared.outputs[0]?.name ?? '';
      try {
        proveMetricDepth(manifest, file, store.filePath(manifest, 'config.json'), output);
      } catch (err) {
        contract.ok = false;
        contract.problems.push((err as Error).message);
      }
    }
    graphs.push({ ...base, ok: contract.ok, error: null, contract, load: reply.load });
  }
  const files = await checkInstalledFiles(manifest, store);
  return {
    id: manifest.id,
    ok: graphs.every((g) => g.ok) && files.every((f) => f.ok),
    graphs,
    files,
  };
}

const WORKER = fileURLToPath(new URL('./verify-worker.ts', import.meta.url));

/** Load `file` in a child Node process through tsx; kill it after `timeoutMs`. */
export function inspectInChild(
  modelId: string,
  file: string,
  device: Device,
  timeoutMs: number,
): Promise<WorkerReply> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolvePromise) => {
    const child = fork(WORKER, [], {
      execPath: process.execPath,
      execArgv: ['--import', tsx],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let reply: WorkerReply | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({
        ok: false,
        error: `model ${modelId}: loading ${file} took longer than ${timeoutMs / 1000} s`,
        load: null,
      });
    }, timeoutMs);
    let settled = false;
    const done = (r: WorkerReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(r);
    };
    child.on('message', (m) => {
      reply = m as WorkerReply;
    });
    child.on('error', (err) =>
      done({ ok: false, error: `model ${modelId}: ${err.message}`, load: null }),
    );
    child.on('exit', (code, signal) => {
      if (reply) done(reply);
      else {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        const tail = stderr.trim().split('\n').pop() ?? '';
        done({
          ok: false,
          error: `model ${modelId}: the loader process died (${why}) ${tail}`.trim(),
          load: null,
        });
      }
    });
    child.send({ modelId, file, device });
  });
}
