// Serves the built renderer. Only files under the root, only known types.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { SECURITY_HEADERS } from './security';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function serveStatic(root: string, urlPath: string, res: ServerResponse): void {
  const rootDir = resolve(root);
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
  } catch {
    return send(res, 400, 'bad path');
  }
  const full = resolve(join(rootDir, normalize(rel)));
  if (full !== rootDir && !full.startsWith(rootDir + sep)) return send(res, 403, 'forbidden');
  if (!existsSync(join(rootDir, 'index.html'))) {
    return send(
      res,
      503,
      'The UI is not built yet: run `npm run build:renderer` (npm start does this for you).',
    );
  }
  if (!existsSync(full) || !statSync(full).isFile()) return send(res, 404, 'not found');
  const type = TYPES[extname(full).toLowerCase()];
  if (!type) return send(res, 404, 'not found');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Cache-Control': full.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
  });
  createReadStream(full).pipe(res);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
