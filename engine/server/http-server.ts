// Headless mode: the same API as Electron IPC, over HTTP (calls) and WebSocket (events), bound to
// loopback with a random token, plus the built UI and image blobs. Team mode (docs/TEAM-REVIEWERS.md)
// adds reviewer accounts with roles, and may serve beyond loopback only with TLS (or behind a
// TLS-terminating reverse proxy on loopback) and accounts.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseBlobPath, type BlobRef } from '../../contract/blobs';
import { resolveBlob } from '../blobs';
import type { AccountDirectory } from '../access/account-tokens';
import { authenticate, type AuthOutcome } from '../access/authenticate';
import { accessOf, roleAllows } from '../access/method-access';
import type { Engine } from '../engine';
import { NotFoundError } from '../errors';
import {
  SECURITY_HEADERS,
  bearerToken,
  desktopCorsHeaders,
  isAllowedHost,
  isDesktopAppOrigin,
  isAllowedOrigin,
  isAllowedPublicHost,
  isLoopbackAddress,
  isSameOrigin,
  newToken,
} from './security';
import { serveStatic } from './static-files';

const MAX_BODY_BYTES = 1_000_000;
/** Event-socket frames: clients only listen, so anything bigger is hostile. */
const MAX_WS_PAYLOAD_BYTES = 64 * 1024;
/**
 * How much of an oversized body is read and thrown away so the client can read its 413 instead of
 * a connection reset; a client that keeps sending past this is cut off.
 */
const MAX_DISCARDED_BYTES = 16 * MAX_BODY_BYTES;

/**
 * What the server serves: a desktop engine (project folders: blobs are files of its projects) or a
 * team engine (engine/team/team-engine.ts: blobs are read from the shared blob store).
 */
export type ServedEngine = Pick<Engine, 'dispatch' | 'events'> &
  (
    | Pick<Engine, 'projects'>
    | {
        readBlob(ref: BlobRef): Promise<{ contentType: string; data: Buffer } | undefined>;
      }
  );

export interface HttpServerOptions {
  engine: ServedEngine;
  /** Folder of the built renderer (dist/renderer). */
  staticRoot: string;
  host?: string;
  port?: number;
  token?: string;
  /**
   * Accounts mode: reviewer accounts (db/store/access-store.ts, a desktop folder's or a team
   * project's) sign in with their own tokens and every call is checked against
   * engine/access/method-access.ts. Required beyond loopback.
   */
  accounts?: AccountDirectory;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * A TLS-terminating reverse proxy on this machine forwards to us on loopback: the server takes
   * any Host the proxy forwards (or only `publicHosts`), issues no shared token (every request
   * comes from the proxy's loopback address) and requires accounts.
   */
  behindProxy?: boolean;
  /** The names reviewers reach the server by, checked against the Host header beyond loopback. */
  publicHosts?: string[];
}

export interface RunningServer {
  url: string;
  port: number;
  /** The shared token of the local user; null behind a reverse proxy (accounts only). */
  token: string | null;
  /** Accounts mode is on: reviewers sign in with their own tokens. */
  accounts: boolean;
  close(): Promise<void>;
}

/**
 * Why a server with these options must not start; null when it may. `activeAccounts`: how many
 * active accounts `opts.accounts` holds.
 */
export function refusalToServe(opts: HttpServerOptions, activeAccounts = 0): string | null {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopbackAddress(host);
  if (opts.behindProxy && !loopback)
    return `refusing to listen on ${host} with --behind-proxy: the reverse proxy must reach the server on loopback (--host 127.0.0.1)`;
  if (!loopback && !opts.tls)
    return `refusing to listen on ${host} without TLS: pass --tls-cert and --tls-key, or keep the server on loopback behind a TLS-terminating reverse proxy with --behind-proxy (docs/TEAM-REVIEWERS.md)`;
  if ((!loopback || opts.behindProxy) && !opts.accounts)
    return `refusing to serve beyond loopback without reviewer accounts: start with --accounts (docs/TEAM-REVIEWERS.md)`;
  if ((!loopback || opts.behindProxy) && opts.accounts && activeAccounts === 0)
    return `refusing to serve beyond loopback: the project has no active reviewer accounts; add one with \`sqw users add <name> --role admin --project <dir>\``;
  return null;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const refusal = refusalToServe(opts, opts.accounts ? await opts.accounts.activeCount() : 0);
  if (refusal) throw new Error(refusal);
  // Beyond loopback (bound publicly, or reached through a proxy): Host and Origin are the public
  // names, not loopback ones.
  const remote = !isLoopbackAddress(host) || Boolean(opts.behindProxy);
  const scheme: 'http' | 'https' = opts.tls || opts.behindProxy ? 'https' : 'http';
  const token = opts.behindProxy ? null : (opts.token ?? newToken());
  const accounts = opts.accounts ?? null;
  const publicHosts = opts.publicHosts ?? [];
  const { engine } = opts;
  let port = 0;

  const hostOk = (h: string | undefined) =>
    remote ? isAllowedHost(h, port) || isAllowedPublicHost(h, publicHosts) : isAllowedHost(h, port);
  const originOk = (req: IncomingMessage) =>
    isDesktopAppOrigin(req.headers.origin) ||
    (remote
      ? isSameOrigin(req.headers.origin, req.headers.host, scheme)
      : isAllowedOrigin(req.headers.origin, port) ||
        (scheme === 'https' && isSameOrigin(req.headers.origin, req.headers.host, 'https')));
  const who = (req: IncomingMessage, presented: string | null | undefined): Promise<AuthOutcome> =>
    authenticate({ sharedToken: token, accounts }, presented, req.socket.remoteAddress);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent)
        json(res, 500, { ok: false, error: { code: 'failed', message: err.message } });
      else res.destroy();
    });
  };
  const server: Server = opts.tls
    ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest)
    : createServer(onRequest);
  // Node closes an idle keep-alive socket after 5 s; a client that reuses it at that moment gets
  // ECONNRESET on its POST (seen under load from API clients, which do not retry a POST). Keep
  // idle sockets longer than clients' typical pauses between calls.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostOk(req.headers.host))
      return json(res, 421, {
        ok: false,
        error: { code: 'unauthorized', message: 'unexpected Host header' },
      });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const cors = desktopCorsHeaders(req.headers.origin);
    // On every answer, refusals included, so the desktop app can read why.
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (url.pathname === '/api/rpc') {
      // The desktop app's preflight: it posts JSON with a bearer token from app://sqw.
      if (req.method === 'OPTIONS' && isDesktopAppOrigin(req.headers.origin)) {
        res.writeHead(204, {
          ...SECURITY_HEADERS,
          ...cors,
          'Access-Control-Allow-Methods': 'POST',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
      if (req.method !== 'POST')
        return json(res, 405, { ok: false, error: { code: 'failed', message: 'use POST' } });
      if (!originOk(req))
        return json(res, 403, {
          ok: false,
          error: { code: 'unauthorized', message: 'cross-origin request refused' },
        });
      const caller = await who(req, bearerToken(req.headers.authorization));
      if ('refused' in caller) {
        return json(res, 401, {
          ok: false,
          error: { code: 'unauthorized', message: caller.refused },
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          // Closed after the answer: the rest of the body is drained, never parsed.
          res.setHeader('Connection', 'close');
          return json(res, 413, {
            ok: false,
            error: { code: 'invalid-input', message: `request body: ${err.message}` },
          });
        }
        return json(res, 400, {
          ok: false,
          error: { code: 'invalid-input', message: `request body: ${(err as Error).message}` },
        });
      }
      const { method, input } = (body ?? {}) as { method?: unknown; input?: unknown };
      if (typeof method !== 'string')
        return json(res, 400, {
          ok: false,
          error: {
            code: 'invalid-input',
            message: 'body must be {"method": string, "input": object}',
          },
        });
      let callInput = input;
      if (caller.kind === 'account') {
        // One place decides who may call what, before anything runs (engine/access/method-access.ts).
        const access = accessOf(method);
        const { account } = caller;
        if (access && !roleAllows(account.role, access.role))
          return json(res, 403, {
            ok: false,
            error: {
              code: 'forbidden',
              message: `${method} needs the ${access.role} role; ${account.name.slice(0, 60)} is a ${account.role}`,
            },
          });
        // The acting person is the signed-in account, whatever name the client sent.
        if (access?.actor && typeof input === 'object' && input !== null && !Array.isArray(input))
          callInput = { ...input, reviewer: account.name };
      }
      const response = await engine.dispatch(method, callInput);
      return json(res, 200, response);
    }
    if (url.pathname.startsWith('/blob/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return json(res, 405, { ok: false, error: { code: 'failed', message: 'use GET' } });
      const caller = await who(
        req,
        bearerToken(req.headers.authorization) ?? url.searchParams.get('token'),
      );
      if ('refused' in caller)
        return json(res, 401, {
          ok: false,
          error: { code: 'unauthorized', message: caller.refused },
        });
      const ref = parseBlobPath(url.pathname.slice('/blob/'.length));
      if (ref && 'readBlob' in engine) {
        let blob;
        try {
          blob = await engine.readBlob(ref);
        } catch (err) {
          // A blob that should be there and is not (a team image's original): the reason, which
          // the image view shows beside the thumbnail it falls back to.
          if (!(err instanceof NotFoundError)) throw err;
          return json(res, 404, { ok: false, error: { code: 'not-found', message: err.message } });
        }
        if (!blob)
          return json(res, 404, {
            ok: false,
            error: { code: 'not-found', message: 'no such blob' },
          });
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': blob.contentType,
          'Cache-Control': 'private, max-age=60',
          'Content-Length': blob.data.length,
        });
        res.end(req.method === 'HEAD' ? undefined : blob.data);
        return;
      }
      const file = ref && 'projects' in engine && (await resolveBlob(engine.projects, ref));
      if (!file)
        return json(res, 404, { ok: false, error: { code: 'not-found', message: 'no such blob' } });
      const stream = createReadStream(file.path);
      stream.once('open', () => {
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': file.contentType,
          'Cache-Control': 'private, max-age=60',
        });
        if (req.method === 'HEAD') {
          stream.destroy();
          res.end();
        } else stream.pipe(res);
      });
      stream.once('error', (err) => {
        if (!res.headersSent)
          json(res, 404, {
            ok: false,
            error: { code: 'not-found', message: `blob unreadable: ${err.message}` },
          });
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { ok: false, error: { code: 'failed', message: 'use GET' } });
    serveStatic(opts.staticRoot, url.pathname, res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    // Node hands an upgrading socket over with no 'error' listener: without one, a client that
    // resets mid-handshake would be an uncaught exception that ends the whole server.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const refuse = () => {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
    };
    if (url.pathname !== '/api/events' || !hostOk(req.headers.host) || !originOk(req))
      return refuse();
    who(req, url.searchParams.get('token')).then(
      (caller) => ('refused' in caller ? refuse() : upgrade(req, socket, head)),
      () => refuse(),
    );
  });
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // A malformed frame (oversized, invalid UTF-8, unmasked, unknown opcode) is emitted as
      // 'error'; unhandled, it would crash the server. ws has already sent the close code, so the
      // bad client is simply dropped rather than waited on for its closing handshake.
      ws.on('error', () => {
        sockets.delete(ws);
        ws.terminate();
      });
      // Clients only listen; anything they send is ignored.
      ws.on('message', () => undefined);
    });
  };
  const unsubscribe = engine.events.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === 'localhost' ? '127.0.0.1' : host;

  return {
    url: `${scheme}://${urlHost}:${port}/${token === null ? '' : `#token=${token}`}`,
    port,
    token,
    accounts: accounts !== null,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

class BodyTooLarge extends Error {}

/**
 * The request body as text, up to MAX_BODY_BYTES. Past that it rejects with BodyTooLarge at once
 * and drains (discards) the rest, so the caller can still answer 413 on an intact connection.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const refuse = () => {
      tooLarge = true;
      chunks.length = 0;
      reject(new BodyTooLarge(`larger than ${MAX_BODY_BYTES} bytes`));
    };
    if (declared > MAX_BODY_BYTES) refuse();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > MAX_DISCARDED_BYTES) req.destroy();
        return;
      }
      if (size > MAX_BODY_BYTES) return refuse();
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolveBody(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
