// A throwaway PostgreSQL cluster for tests and benches: initdb in a temp folder, a server listening
// only on a unix socket in that folder (no TCP port to collide with), stopped and deleted at the end.
// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findServerBinaries } from './server-binaries';

export interface TestCluster {
  /** Connection string to the `postgres` database (superuser `sqw`, trust auth, socket only). */
  url: string;
  /** A new empty database, for one test; returns its connection string. */
  createDatabase(name?: string): Promise<string>;
  stop(): void;
}

const PORT = 5432; // only names the socket file; nothing listens on TCP

function runAsOwner(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid, gid };
}

/** Connection string for a database of a cluster whose socket lies in `socketDir`. */
export function socketUrl(socketDir: string, database: string, user = 'sqw'): string {
  return `postgresql://${user}@localhost:${PORT}/${database}?host=${encodeURIComponent(socketDir)}`;
}

export function startTestCluster(): TestCluster {
  const found = findServerBinaries();
  if (!found) throw new Error('PostgreSQL server programs not found (initdb, pg_ctl)');
  const dir = mkdtempSync(join(tmpdir(), 'sqw-pg-'));
  const owner = runAsOwner();
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  const run = (program: string, args: string[]) => {
    const [cmd, ...rest] = [...owner.prefix, join(found.bin, program), ...args];
    execFileSync(cmd!, rest, { stdio: 'pipe' });
  };
  const data = join(dir, 'data');
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        // Immediate: the data is thrown away, so there is nothing to flush.
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', stop);
  };
  try {
    run('initdb', [
      '-D',
      data,
      '-U',
      'sqw',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const options = [
      `-k ${dir}`,
      "-c listen_addresses=''",
      `-p ${PORT}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', 'start']);
    started = true;
  } catch (err) {
    stop();
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `could not start a test PostgreSQL cluster: ${e.stderr?.toString() || e.message}`,
    );
  }
  // A test run that dies without its teardown still stops the server.
  process.on('exit', stop);
  let n = 0;
  return {
    url: socketUrl(dir, 'postgres'),
    async createDatabase(name = `t${process.pid}_${++n}`) {
      const client = new pg.Client({ connectionString: socketUrl(dir, 'postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return socketUrl(dir, name);
    },
    stop,
  };
}
