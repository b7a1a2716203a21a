// Serving beyond loopback: refused without TLS (or a reverse proxy) and accounts; over HTTPS with a
// self-signed certificate made here, account tokens work and the shared token does not work from
// another machine's address.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../db/store/access-store';
import { sqliteHandle } from '../../db/store/connect';
import { addAccount } from '../access/account-tokens';
import { createEngine, type Engine } from '../engine';
import { tempDir } from '../test/helpers';
import { startHttpServer } from './http-server';

let dir: ReturnType<typeof tempDir>;
let engine: Engine;
let cert: Buffer;
let key: Buffer;
let aliceToken: string;
const staticRoot = join(tmpdir(), 'sqw-no-ui');

/** This machine's first non-loopback IPv4 address (a peer that is not loopback), if any. */
const externalIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

function httpsRpc(
  host: string,
  port: number,
  token: string | null,
  method: string,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: '/api/rpc',
        method: 'POST',
        ca: cert,
        // The certificate names 127.0.0.1; from the external address the name check is ours.
        checkServerIdentity: () => undefined,
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ method, input: {} }));
  });
}

beforeAll(async () => {
  dir = tempDir();
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir.path, 'key.pem'),
      '-out',
      join(dir.path, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  cert = readFileSync(join(dir.path, 'cert.pem'));
  key = readFileSync(join(dir.path, 'key.pem'));
  engine = await createEngine({ transport: 'http', projectFolders: [join(dir.path, 'p')] });
  aliceToken = (await addAccount(accounts(), 'alice', 'reviewer')).token;
}, 60_000);
afterAll(async () => {
  await engine.close();
  dir.remove();
});

const accounts = () => new AccountStore(sqliteHandle(engine.projects.list()[0]!.db));

describe('serving beyond loopback', () => {
  it('refuses without TLS, without accounts, and behind a proxy without accounts', async () => {
    await expect(startHttpServer({ engine, staticRoot, host: '0.0.0.0' })).rejects.toThrow(
      /without TLS: pass --tls-cert and --tls-key, or keep the server on loopback behind a TLS-terminating reverse proxy with --behind-proxy/,
    );
    await expect(
      startHttpServer({ engine, staticRoot, host: '0.0.0.0', tls: { cert, key } }),
    ).rejects.toThrow(/without reviewer accounts: start with --accounts/);
    await expect(startHttpServer({ engine, staticRoot, behindProxy: true })).rejects.toThrow(
      /without reviewer accounts/,
    );
    await expect(
      startHttpServer({ engine, staticRoot, host: '0.0.0.0', behindProxy: true }),
    ).rejects.toThrow(/reverse proxy must reach the server on loopback/);
  });

  it('serves HTTPS on 127.0.0.1 with a self-signed certificate; account tokens work', async () => {
    const server = await startHttpServer({
      engine,
      staticRoot,
      tls: { cert, key },
      accounts: accounts(),
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/#token=/);
      const res = await httpsRpc('127.0.0.1', server.port, aliceToken, 'projects.list');
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect((await httpsRpc('127.0.0.1', server.port, null, 'projects.list')).status).toBe(401);
      // Plain HTTP to the TLS port gets no API answer.
      const plain = await fetch(`http://127.0.0.1:${server.port}/api/rpc`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${aliceToken}` },
        body: '{"method":"projects.list","input":{}}',
      }).then(
        (r) => r.status,
        () => 'refused',
      );
      expect(plain).not.toBe(200);
    } finally {
      await server.close();
    }
  });

  it.skipIf(!externalIp)(
    'on 0.0.0.0 the shared token is refused from another address; account tokens work there',
    async () => {
      const server = await startHttpServer({
        engine,
        staticRoot,
        host: '0.0.0.0',
        tls: { cert, key },
        accounts: accounts(),
      });
      try {
        const shared = await httpsRpc(externalIp!, server.port, server.token, 'projects.list');
        expect(shared.status).toBe(401);
        expect(shared.body.error.message).toMatch(
          /shared token is accepted only from this machine/,
        );
        const alice = await httpsRpc(externalIp!, server.port, aliceToken, 'projects.list');
        expect(alice.status).toBe(200);
        // From loopback the shared token is the local user's, as before.
        expect(
          (await httpsRpc('127.0.0.1', server.port, server.token, 'projects.list')).status,
        ).toBe(200);
      } finally {
        await server.close();
      }
    },
  );

  it('behind a reverse proxy issues no shared token at all', async () => {
    const server = await startHttpServer({
      engine,
      staticRoot,
      behindProxy: true,
      accounts: accounts(),
    });
    try {
      expect(server.token).toBeNull();
      expect(server.url).not.toContain('token');
      // As the proxy forwards it: the public name in Host, from a loopback address.
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/api/rpc',
            method: 'POST',
            headers: {
              Host: 'review.lab.example',
              Origin: 'https://review.lab.example',
              Authorization: `Bearer ${aliceToken}`,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end('{"method":"projects.list","input":{}}');
      });
      expect(status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
