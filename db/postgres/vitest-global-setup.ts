// Vitest global setup: makes sure the PostgreSQL server programs are there before any test file
// starts a throwaway cluster (test-cluster.ts). Where they are missing and this process can install
// Debian's package (root with apt-get) it installs it, once, like .ci/run; elsewhere the PostgreSQL
// half of the two-database suites is skipped and this prints one line saying why.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { canInstallWithApt, findServerBinaries } from './server-binaries';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the PostgreSQL tests cannot run here; null when they can. */
    postgresSkipReason: string | null;
  }
}

function ensureServerBinaries(): string | null {
  if (process.env.SQW_SKIP_POSTGRES === '1') return 'SQW_SKIP_POSTGRES=1 is set';
  if (findServerBinaries()) return null;
  if (!canInstallWithApt()) {
    return 'PostgreSQL server programs (initdb, pg_ctl) not found and this user cannot apt-get install postgresql (set SQW_PG_BIN to their folder)';
  }
  console.log('[postgres] installing Debian postgresql for the team-mode tests (apt-get)');
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'inherit', env });
  } catch (err) {
    return `apt-get install postgresql failed: ${(err as Error).message}`;
  }
  return findServerBinaries() ? null : 'postgresql installed but initdb still not found';
}

export default function setup(project: TestProject): void {
  const reason = ensureServerBinaries();
  if (reason && process.env.SQW_REQUIRE_POSTGRES === '1') {
    throw new Error(`SQW_REQUIRE_POSTGRES=1 but the PostgreSQL tests cannot run: ${reason}`);
  }
  if (reason) {
    // Loud on purpose: a skipped database is a hole in the run that must be seen.
    console.warn(`\n[postgres] SKIPPING every PostgreSQL test: ${reason}\n`);
  }
  project.provide('postgresSkipReason', reason);
}
