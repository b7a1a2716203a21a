import type { Command } from 'commander';
import { printable } from '../../printable';
import { CliError, createOutput } from '../output';

interface CommonFlags {
  modelsDir?: string;
  json?: boolean;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('list, download, import, verify and remove perception models');

  const load = async () => {
    const [catalogue, store, download, importLocal, verify, providers, info] = await Promise.all([
      import('../../../native-models/catalogue'),
      import('../../../native-models/store'),
      import('../../../native-models/download'),
      import('../../../native-models/import-local'),
      import('../../../native-models/verify'),
      import('../../../native-models/providers'),
      import('../../../native-models/model-info'),
    ]);
    const manifest = (id: string) => {
      try {
        return catalogue.findManifest(id);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
    };
    return { catalogue, store, download, importLocal, verify, providers, info, manifest };
  };
  const common = (c: Command) =>
    c
      .option('--models-dir <dir>', 'models folder (default $SQW_MODELS_DIR or ~/.sqw/models)')
      .option('--json', 'print as JSON');

  common(models.command('list').description('built-in models and what is installed')).action(
    async (flags: CommonFlags) => {
      const m = await load();
      const store = new m.store.ModelStore(flags.modelsDir);
      const rows = m.catalogue.CATALOGUE.map((man) => {
        const s = store.state(man);
        return {
          ...m.info.modelInfo(man, store),
          missing: s.missing,
          partial: s.partial,
        };
      });
      const status = (r: (typeof rows)[number]) =>
        [
          r.verification ? (r.verification.ok ? 'verified' : 'verify FAILED') : '',
          r.provider ? `on ${r.provider}` : '',
          r.lastError ? `last error (${r.lastError.operation}): ${r.lastError.message}` : '',
        ]
          .filter(Boolean)
          .join(', ');
      const human = [
        `models folder: ${printable(store.dir)}`,
        ...rows.map(
          (r) =>
            `  ${r.installed ? '✓' : r.partial.length ? '…' : ' '} ${r.id.padEnd(40)} ${r.task.padEnd(13)} ${r.displayName}${r.downloadable ? '' : ' (import only)'}${status(r) ? `\n      ${status(r)}` : ''}`,
        ),
      ].join('\n');
      createOutput(Boolean(flags.json)).result(human, { modelsDir: store.dir, models: rows });
    },
  );

  common(
    models.command('download <id>').description('download a model (resumes a partial download)'),
  )
    .option('--idle-timeout <s>', 'give up on a server silent for this long', '30')
    .action(async (id: string, flags: CommonFlags & { idleTimeout: string }) => {
      const m = await load();
      const man = m.manifest(id);
      const store = new m.store.ModelStore(flags.modelsDir);
      const out = createOutput(Boolean(flags.json));
      const ac = new AbortController();
      const onSigint = () => ac.abort();
      process.once('SIGINT', onSigint);
      try {
        const record = await m.download.downloadModel(man, store, {
          signal: ac.signal,
          idleTimeoutMs: Number(flags.idleTimeout) * 1000,
          onProgress: (p) =>
            out.progress(
              Math.round(p.received / 1e6),
              p.total ? Math.round(p.total / 1e6) : 0,
              `${p.fileIndex + 1}/${p.fileCount} ${p.file} (MB)`,
            ),
        });
        out.endProgress();
        const total = record.files.reduce((s, f) => s + f.size, 0);
        out.result(
          `${id}: ${record.files.length} files, ${mb(total)} in ${printable(store.modelDir(id))}`,
          record,
        );
      } catch (err) {
        out.endProgress();
        if (!ac.signal.aborted) m.info.recordFailure(store, id, 'download', (err as Error).message);
        throw new CliError((err as Error).message);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  common(
    models
      .command('import <id> <path>')
      .description('import a local export: a transformers.js folder or a single .onnx file'),
  ).action(async (id: string, path: string, flags: CommonFlags) => {
    const m = await load();
    const man = m.manifest(id);
    const store = new m.store.ModelStore(flags.modelsDir);
    try {
      const r = await m.importLocal.importModel(man, path, store);
      const human = [
        `${id}: imported ${r.copied.length} files into ${printable(store.modelDir(id))}`,
        ...r.copied.map((c) => `  ${c.to} ← ${printable(c.from)}`),
        ...(r.skipped.length ? [`  not in the source (optional): ${r.skipped.join(', ')}`] : []),
      ].join('\n');
      createOutput(Boolean(flags.json)).result(human, r);
    } catch (err) {
      m.info.recordFailure(store, id, 'import', (err as Error).message);
      throw new CliError((err as Error).message);
    }
  });

  common(
    models
      .command('verify <id>')
      .description('load the model in a child process and check its inputs and outputs'),
  )
    .option('--device <device>', 'auto | webgpu | cuda | cpu | dml | coreml', 'auto')
    .option('--timeout <s>', 'per graph', '60')
    .action(async (id: string, flags: CommonFlags & { device: string; timeout: string }) => {
      const m = await load();
      const man = m.manifest(id);
      let device;
      try {
        device = m.providers.parseDevice(flags.device);
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      const store = new m.store.ModelStore(flags.modelsDir);
      const v = await m.verify.verifyModel(man, store, {
        device,
        timeoutMs: Number(flags.timeout) * 1000,
      });
      m.info.recordVerification(store, v, device);
      const lines = [`${id}: ${v.ok ? 'OK' : 'FAILED'}`];
      for (const g of v.graphs) {
        const load = g.load;
        const via = load?.provider
          ? ` on ${load.provider}` +
            load.attempts
              .filter((a) => !a.ok)
              .map((a) => ` (${a.provider} failed: ${a.error})`)
              .join('')
          : '';
        lines.push(`  ${g.graph}: ${g.ok ? 'ok' : 'FAILED'}${via}`);
        if (g.error) lines.push(`    ${g.error}`);
        for (const p of g.contract?.problems ?? []) lines.push(`    ${p}`);
      }
      const out = createOutput(Boolean(flags.json));
      out.result(lines.join('\n'), v);
      if (!v.ok) {
        const first = v.graphs.find((g) => !g.ok);
        throw new CliError(
          `model ${id} failed verification: ${first?.error ?? first?.contract?.problems.join('; ') ?? 'unknown'}`,
        );
      }
    });

  common(models.command('remove <id>').description('delete an installed model')).action(
    async (id: string, flags: CommonFlags) => {
      const m = await load();
      m.manifest(id);
      const store = new m.store.ModelStore(flags.modelsDir);
      const r = store.remove(id);
      if (!r.removed) throw new CliError(`model ${id} is not installed in ${store.dir}`);
      createOutput(Boolean(flags.json)).result(`${id}: removed (${mb(r.bytes)} freed)`, {
        id,
        ...r,
      });
    },
  );
}
