// `models import <id> <path>`: copy a local export into the store. <path> is either a folder in
// the transformers.js layout (config.json, preprocessor_config.json, tokenizer.json,
// onnx/model*.onnx) or a single .onnx file for a one-graph model.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hashFile } from './download';
import type { ModelManifest } from './manifest';
import type { InstallRecord, ModelStore } from './store';

export interface ImportResult {
  record: InstallRecord;
  /** Manifest files not found in the source (aux files such as tokenizer.json). */
  skipped: string[];
  /** Source file → destination path inside the model folder. */
  copied: { from: string; to: string }[];
}

export async function importModel(
  manifest: ModelManifest,
  source: string,
  store: ModelStore,
): Promise<ImportResult> {
  if (!existsSync(source)) throw new Error(`model ${manifest.id}: ${source} does not exist`);
  const plan = statSync(source).isDirectory()
    ? planFolder(manifest, source)
    : planSingleFile(manifest, source);

  const copied: ImportResult['copied'] = [];
  const files: InstallRecord['files'] = [];
  for (const { from, to } of plan.copies) {
    const spec = manifest.files.find((f) => f.path === to);
    const sha256 = await hashFile(from);
    if (spec?.sha256 && spec.sha256 !== sha256) {
      throw new Error(
        `model ${manifest.id}: checksum mismatch for ${from}: expected sha256 ${spec.sha256}, got ${sha256}`,
      );
    }
    const dest = store.filePath(manifest, to);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(from, `${dest}.part`);
    renameSync(`${dest}.part`, dest);
    copied.push({ from, to });
    files.push({ path: to, size: statSync(dest).size, sha256 });
  }
  const record: InstallRecord = {
    id: manifest.id,
    installedAt: new Date().toISOString(),
    how: 'import',
    source,
    files,
  };
  store.writeRecord(record);
  return { record, skipped: plan.skipped, copied };
}

interface Plan {
  copies: { from: string; to: string }[];
  skipped: string[];
}

function planSingleFile(manifest: ModelManifest, file: string): Plan {
  if (!file.endsWith('.onnx')) {
    throw new Error(`model ${manifest.id}: ${file} is not an .onnx file or a folder`);
  }
  if (manifest.contracts.length !== 1) {
    throw new Error(
      `model ${manifest.id} has ${manifest.contracts.length} graphs (${manifest.contracts.map((c) => c.graph).join(', ')}): import a folder holding ${manifest.contracts.map((c) => c.file).join(', ')}`,
    );
  }
  const target = manifest.contracts[0]!.file;
  return {
    copies: [{ from: file, to: target }],
    skipped: manifest.files.map((f) => f.path).filter((p) => p !== target),
  };
}

function planFolder(manifest: ModelManifest, folder: string): Plan {
  const copies: Plan['copies'] = [];
  const skipped: string[] = [];
  const graphFiles = new Set(manifest.contracts.map((c) => c.file));
  for (const f of manifest.files) {
    const direct = join(folder, f.path);
    if (existsSync(direct)) {
      copies.push({ from: direct, to: f.path });
      continue;
    }
    if (graphFiles.has(f.path)) {
      const alt = findGraphFile(folder, f.path, manifest.contracts.length === 1);
      if (!alt) {
        throw new Error(
          `model ${manifest.id}: ${folder} has no ${f.path} (expected the transformers.js layout: onnx/${basename(f.path)})`,
        );
      }
      copies.push({ from: alt, to: f.path });
      continue;
    }
    skipped.push(f.path);
  }
  return { copies, skipped };
}

/**
 * A graph file under another name: the same file name at the top level or in onnx/, or — for a
 * one-graph model — the only onnx/model*.onnx (or *.onnx at the top) in the folder. Several
 * candidates (model.onnx, model_fp16.onnx, …) are ambiguous: prefer fp32 `model.onnx`.
 */
function findGraphFile(folder: string, path: string, singleGraph: boolean): string | null {
  const name = basename(path);
  for (const p of [join(folder, name), join(folder, 'onnx', name)]) if (existsSync(p)) return p;
  if (!singleGraph) return null;
  for (const sub of [join(folder, 'onnx'), folder]) {
    if (!existsSync(sub) || !statSync(sub).isDirectory()) continue;
    const onnx = readdirSync(sub).filter((n) => n.endsWith('.onnx'));
    const models = onnx.filter((n) => n.startsWith('model'));
    const pick = models.includes('model.onnx')
      ? 'model.onnx'
      : models.length === 1
        ? models[0]
        : onnx.length === 1
          ? onnx[0]
          : undefined;
    if (pick) return join(sub, pick);
  }
  return null;
}
