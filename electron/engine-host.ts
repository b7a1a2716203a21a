// Runs the engine (dist/engine/ipc-entry.cjs) in an Electron utilityProcess and adapts it to the
// EnginePort the protocol client expects. All protocol logic lives in engine-client.ts.
import { utilityProcess } from 'electron';
import {
  EngineClient,
  type EngineClientOptions,
  type EnginePort,
  type EnginePortHandlers,
} from './engine-client';

export interface EngineHostOptions extends Omit<EngineClientOptions, 'spawn'> {
  /** Absolute path of the bundled engine entry. */
  entry: string;
  /** Passed as `--project <dir>` when set. */
  projectDir?: string;
}

const STDERR_TAIL_LINES = 20;

export function createEngineHost(options: EngineHostOptions): EngineClient {
  const { entry, projectDir, ...clientOptions } = options;
  const args = projectDir ? ['--project', projectDir] : [];
  return new EngineClient({
    ...clientOptions,
    spawn: (handlers) => forkEngine(entry, args, handlers),
  });
}

function forkEngine(entry: string, args: string[], handlers: EnginePortHandlers): EnginePort {
  const child = utilityProcess.fork(entry, args, {
    serviceName: 'SQW Engine',
    // Piped so a crash report can quote the engine's last words.
    stdio: 'pipe',
  });
  const tail: string[] = [];
  const forward = (stream: NodeJS.ReadableStream | null, write: (line: string) => void) => {
    if (!stream) return;
    let partial = '';
    stream.on('data', (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        write(`[engine] ${line}`);
        tail.push(line);
        if (tail.length > STDERR_TAIL_LINES) tail.shift();
      }
    });
  };
  forward(child.stdout, (line) => console.log(line));
  forward(child.stderr, (line) => console.error(line));

  child.on('message', (message: unknown) => handlers.onMessage(message));
  child.on('error', (type, location) => {
    tail.push(`${type} at ${location}`);
  });
  child.once('exit', (code) => {
    const detail = tail.length > 0 ? `last output:\n${tail.slice(-5).join('\n')}` : undefined;
    handlers.onExit(code, detail);
  });
  return {
    postMessage: (message) => child.postMessage(message),
    kill: () => {
      child.kill();
    },
  };
}
