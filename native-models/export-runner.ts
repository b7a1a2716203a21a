// `models export <id>`: make a model's ONNX from its PyTorch checkpoint with the repository's
// export script (native-models/export/*.py, torch + transformers), then import the result. Where
// Python or those packages are missing, say what to install instead of failing inside Python.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importModel, type ImportResult } from './import-local';
import type { ModelManifest } from './manifest';
import type { ModelStore } from './store';

export interface ExportRecipe {
  script: string;
  /** The checkpoint the script loads by default (hub id). */
  checkpoint: string;
  packages: string[];
}

const DA_SCRIPT = fileURLToPath(
  new URL('./export/export_depth_anything_metric.py', import.meta.url),
);

/** Models the repository can export, by catalogue id. */
export const EXPORT_RECIPES: Record<string, ExportRecipe> = {
  'depth-anything-v2-metric-indoor-small': {
    script: DA_SCRIPT,
    checkpoint: 'depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf',
    packages: ['torch', 'transformers', 'onnxruntime'],
  },
  'depth-anything-v2-metric-outdoor-small': {
    script: DA_SCRIPT,
    checkpoint: 'depth-anything/Depth-Anything-V2-Metric-Outdoor-Small-hf',
    packages: ['torch', 'transformers', 'onnxruntime'],
  },
};

export class ExportToolsMissing extends Error {}

export function installHint(python: string, packages: readonly string[]): string {
  return [
    `install them for ${python}:`,
    `  ${python} -m pip install ${packages.join(' ')}`,
    '  (CPU-only torch, smaller: pip install torch --index-url https://download.pytorch.org/whl/cpu)',
    'or point --python (or $SQW_PYTHON) at an interpreter that has them',
  ].join('\n');
}

/** Whether `python` runs and imports the recipe's packages; throws ExportToolsMissing with what to install. */
export function checkExportTools(python: string, recipe: ExportRecipe): void {
  const probe = spawnSync(
    python,
    [
      '-c',
      `import importlib.util,sys; m=[p for p in ${JSON.stringify(recipe.packages)} if importlib.util.find_spec(p) is None]; print(",".join(m)); sys.exit(1 if m else 0)`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (probe.error) {
    throw new ExportToolsMissing(
      `no Python at "${python}" (${probe.error.message}); the export needs Python 3 with ${recipe.packages.join(', ')}\n${installHint('python3', recipe.packages)}`,
    );
  }
  if (probe.status !== 0) {
    const missing = probe.stdout.trim() || recipe.packages.join(',');
    throw new ExportToolsMissing(
      `${python} lacks ${missing.split(',').join(', ')}\n${installHint(python, missing.split(','))}`,
    );
  }
}

export interface ExportOptions {
  python?: string;
  /** Hub id or local folder; default the recipe's checkpoint. */
  checkpoint?: string;
  revision?: string;
  onOutput?: (line: string) => void;
  signal?: AbortSignal;
}

export async function exportModel(
  manifest: ModelManifest,
  store: ModelStore,
  opts: ExportOptions = {},
): Promise<ImportResult & { report: unknown }> {
  const recipe = EXPORT_RECIPES[manifest.id];
  if (!recipe) {
    const known = Object.keys(EXPORT_RECIPES).join(', ');
    throw new Error(
      `model ${manifest.id}: the repository has no export script for it (exportable: ${known})`,
    );
  }
  const python = opts.python ?? process.env.SQW_PYTHON ?? 'python3';
  checkExportTools(python, recipe);
  const out = mkdtempSync(join(tmpdir(), `sqw-export-${manifest.id}-`));
  try {
    const args = [
      recipe.script,
      '--checkpoint',
      opts.checkpoint ?? recipe.checkpoint,
      '--out',
      out,
    ];
    if (opts.revision) args.push('--revision', opts.revision);
    const { code, stdout, stderr } = await run(python, args, opts);
    if (code !== 0) {
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      throw new Error(`model ${manifest.id}: the export script failed (exit ${code}):\n${tail}`);
    }
    const last = stdout.trim().split('\n').pop() ?? '';
    let report: unknown = null;
    try {
      report = JSON.parse(last);
    } catch {
      report = last;
    }
    const imported = await importModel(manifest, out, store);
    return { ...imported, report };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function run(
  cmd: string,
  args: string[],
  opts: ExportOptions,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, rejectPromise) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr = (stderr + text).slice(-20_000);
      for (const line of text.split('\n')) if (line.trim()) opts.onOutput?.(line);
    });
    child.on('error', rejectPromise);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
