// The engine as a child process of Electron's main process (utilityProcess.fork, or
// child_process.fork). Messages follow contract/engine-messages.ts; every call goes through the same
// dispatcher as the HTTP server.
import { ToEngineMessage, type FromEngineMessage } from '../contract/engine-messages';
import { resolveBlob } from './blobs';
import { createEngine } from './engine';
import { ENGINE_VERSION } from './version';

interface Port {
  post(message: FromEngineMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

function parentPort(): Port {
  const utility = (
    process as unknown as {
      parentPort?: {
        postMessage(m: unknown): void;
        on(e: 'message', l: (e: { data: unknown }) => void): void;
      };
    }
  ).parentPort;
  if (utility) {
    return {
      post: (m) => utility.postMessage(m),
      onMessage: (l) => utility.on('message', (e) => l(e.data)),
    };
  }
  if (process.send) {
    return { post: (m) => process.send!(m), onMessage: (l) => process.on('message', l) };
  }
  throw new Error('engine/ipc-entry must be started as a child process with an IPC channel');
}

function projectFolders(argv: string[]): string[] {
  const folders: string[] = [];
  for (let i = 0; i < argv.length; i++)
    if (argv[i] === '--project' && argv[i + 1]) folders.push(argv[++i]!);
  return folders;
}

async function main(): Promise<void> {
  const port = parentPort();
  const engine = await createEngine({
    transport: 'ipc',
    projectFolders: projectFolders(process.argv.slice(2)),
  });
  engine.events.subscribe((event) => port.post({ type: 'event', event }));

  port.onMessage(async (raw) => {
    const parsed = ToEngineMessage.safeParse(raw);
    if (!parsed.success) return; // Main validates before sending; anything else is dropped.
    const msg = parsed.data;
    switch (msg.type) {
      case 'call':
        port.post({
          type: 'result',
          id: msg.id,
          response: await engine.dispatch(msg.method, msg.input),
        });
        break;
      case 'blob': {
        const file = await resolveBlob(engine.projects, msg.ref);
        port.post({
          type: 'blob-file',
          id: msg.id,
          path: file?.path ?? null,
          contentType: file?.contentType ?? null,
        });
        break;
      }
      case 'shutdown':
        await engine.close();
        process.exit(0);
    }
  });

  port.post({ type: 'ready', version: ENGINE_VERSION });
}

// A project that cannot be opened ends the engine with its reason on stderr (Electron's main
// process forwards it), as an uncaught error at start-up would.
main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
