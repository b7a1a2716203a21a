// Where this machine's PostgreSQL server programs are (initdb, pg_ctl), and whether they can be
// installed here. Used by the test setup and by the team-setup scripts; never installs anything.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerBinaries {
  /** Folder holding initdb, pg_ctl and postgres. */
  bin: string;
}

function hasServer(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
}

/**
 * `SQW_PG_BIN`, else Debian's /usr/lib/postgresql/<newest>/bin, else `pg_config --bindir`, else
 * initdb on PATH. Debian keeps the server programs off PATH, so PATH alone misses them.
 */
export function findServerBinaries(env: NodeJS.ProcessEnv = process.env): ServerBinaries | null {
  if (env.SQW_PG_BIN) return hasServer(env.SQW_PG_BIN) ? { bin: env.SQW_PG_BIN } : null;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions)
      if (hasServer(join(debian, v, 'bin'))) return { bin: join(debian, v, 'bin') };
  }
  for (const probe of [
    () => execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim(),
    () => {
      const initdb = execFileSync('sh', ['-c', 'command -v initdb'], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
      return initdb.trim().replace(/\/initdb$/, '');
    },
  ]) {
    try {
      const dir = probe();
      if (dir && hasServer(dir)) return { bin: dir };
    } catch {
      // not there: try the next place
    }
  }
  return null;
}

/** True when Debian's `postgresql` package can be installed by this process (root with apt-get). */
export function canInstallWithApt(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
