// The installed files against what was recorded when they arrived (sha256, size) and what the
// manifest pins: a file changed on disk, swapped by hand, or a record from another revision.
import { existsSync, statSync } from 'node:fs';
import { hashFile } from './download';
import type { ModelManifest } from './manifest';
import type { FileCheck, ModelStore } from './store';

export async function checkInstalledFiles(
  manifest: ModelManifest,
  store: ModelStore,
): Promise<FileCheck[]> {
  const record = store.readRecord(manifest.id);
  const checks: FileCheck[] = [];
  for (const f of manifest.files) {
    const path = store.filePath(manifest, f.path);
    const rec = record?.files.find((r) => r.path === f.path) ?? null;
    if (!existsSync(path)) {
      // Aux files an import did not find are optional; graphs are reported by the graph checks.
      if (rec)
        checks.push({ path: f.path, ok: false, problem: 'recorded at install, now missing' });
      continue;
    }
    const problems: string[] = [];
    const size = statSync(path).size;
    const sha256 = await hashFile(path);
    if (!rec) problems.push('no sha256 was recorded at install (install the model again)');
    else if (rec.sha256 !== sha256) {
      problems.push(`sha256 ${rec.sha256} recorded at install, now ${sha256}`);
    }
    if (f.sha256 && f.sha256 !== sha256) problems.push(`the manifest pins sha256 ${f.sha256}`);
    if (f.size !== null && f.size !== size) {
      problems.push(`${size} bytes, the manifest pins ${f.size}`);
    }
    if (rec && f.revision && rec.revision && rec.revision !== f.revision) {
      problems.push(`installed from revision ${rec.revision}, the manifest pins ${f.revision}`);
    }
    checks.push({ path: f.path, ok: problems.length === 0, problem: problems.join('; ') || null });
  }
  return checks;
}
