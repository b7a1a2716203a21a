// Hostile clients against a real `sqw serve` process: a token holder who sends malformed WebSocket
// frames or an oversized RPC body is answered or dropped, and the server keeps serving everyone else.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';

const ROOT = resolve(import.meta.dirname, '../..');
const SQW = resolve(ROOT, 'bin/sqw.mjs');

interface Served {
  child: ChildProcess;
  port: number;
  token: string;
  stderr: string[];
}

async function startServe(projectDir: string): Promise<Served> {
  const child = spawn(process.execPath, [SQW, 'serve', '--project', projectDir, '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const first = await new Promise<string>((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`sqw serve exited ${code}: ${stderr.join('')}`)));
  });
  const { port, token } = JSON.parse(first) as { port: number; token: string };
  return { child, port, token, stderr };
}

/** One client frame, built by hand so it can break the rules a real client library keeps. */
function frame(opts: {
  opcode: number;
  payload: Buffer;
  masked?: boolean;
  /** Claim this payload length in the header instead of the real one. */
  declaredLength?: number;
}): Buffer {
  const { opcode, payload, masked = true } = opts;
  const len = opts.declaredLength ?? payload.length;
  const head: number[] = [0x80 | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(len));
    head.push(...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

/**
 * Opens the event socket with a raw TCP handshake, sends `bytes`, and resolves with how the server
 * ended the connection (the close frame's status code, or 'closed' if it just hung up).
 */
function sendRawFrame(s: Served, bytes: Buffer): Promise<{ closeCode: number | null }> {
  return new Promise((resolveSent, reject) => {
    const socket = connect(s.port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    let closeCode: number | null = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('server neither answered nor dropped the bad client within 5 s'));
    }, 5000);
    socket.on('connect', () => {
      socket.write(
        [
          `GET /api/events?token=${s.token} HTTP/1.1`,
          `Host: 127.0.0.1:${s.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buffered.subarray(0, end).toString().split('\r\n')[0]!;
        if (!status.includes(' 101 ')) {
          socket.destroy();
          return reject(new Error(`handshake refused: ${status}`));
        }
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        socket.write(bytes);
      }
      // A close frame from the server: opcode 8, unmasked, 2-byte status code first.
      if (buffered.length >= 4 && (buffered[0]! & 0x0f) === 8) closeCode = buffered.readUInt16BE(2);
    });
    socket.on('error', () => undefined); // the server may reset us; that is the point
    socket.on('close', () => {
      clearTimeout(timer);
      if (!upgraded) reject(new Error('connection closed before the handshake'));
      else resolveSent({ closeCode });
    });
  });
}

async function rpcStatus(s: Served): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${s.port}/api/rpc`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ method: 'projects.list', input: {} }),
  });
  return res.status;
}

describe('sqw serve against hostile clients', () => {
  let dir: ReturnType<typeof tempDir>;
  let s: Served;

  // A fresh server per case, so each malformed frame is shown to be survivable on its own.
  beforeEach(async () => {
    dir = tempDir();
    s = await startServe(dir.path);
  }, 60_000);
  afterEach(() => {
    s?.child.kill('SIGTERM');
    dir?.remove();
  });

  const MAX_PAYLOAD = 64 * 1024;
  const cases: Array<[string, () => Buffer, number]> = [
    [
      'an oversized frame',
      () => frame({ opcode: 0x2, payload: Buffer.alloc(16), declaredLength: 4 * MAX_PAYLOAD }),
      1009,
    ],
    [
      'a text frame that is not UTF-8',
      () => frame({ opcode: 0x1, payload: Buffer.from([0xc3, 0x28, 0xff, 0xfe]) }),
      1007,
    ],
    [
      'an unmasked frame',
      () => frame({ opcode: 0x1, payload: Buffer.from('hi'), masked: false }),
      1002,
    ],
    ['a reserved opcode', () => frame({ opcode: 0x3, payload: Buffer.from('hi') }), 1002],
  ];

  for (const [what, bytes, expectedClose] of cases) {
    it(`drops a client that sends ${what} and keeps serving`, async () => {
      const { closeCode } = await sendRawFrame(s, bytes());
      // ws answers a protocol error with the close code the RFC names before it hangs up.
      expect(closeCode).toBe(expectedClose);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.child.exitCode, s.stderr.join('')).toBeNull();
      expect(await rpcStatus(s)).toBe(200);
    });
  }

  it('answers an RPC body over the limit with 413 and a JSON error, and keeps serving', async () => {
    const res = await fetch(`http://127.0.0.1:${s.port}/api/rpc`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.token}` },
      body: JSON.stringify({ method: 'projects.list', input: { pad: 'x'.repeat(1_200_000) } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('invalid-input');
    expect(body.error.message).toMatch(/larger than 1000000 bytes/);
    expect(await rpcStatus(s)).toBe(200);
  });
});
