import type { Command } from 'commander';
import { printable } from '../../printable';
import { CliError, createOutput } from '../output';

interface CommonFlags {
  modelsDir?: string;
  json?: boolean;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

interface FileRow {
  path: string;
  size: number | null;
  approxSize: string | null;
  revision: string | null;
  sha256: string | null;
  installedSha256: string | null;
}

/** One file of `models list`: pin, size and the sha256 recorded at install (or the pinned one). */
export function fileLine(f: FileRow): string {
  const rev = f.revision ? `@${f.revision.slice(0, 12)}` : 'unpinned';
  const size = f.size !== null ? `${f.size} B` : f.approxSize ? `≈${f.approxSize}` : 'size unknown';
  const sha = f.installedSha256
    ? `sha256 ${f.installedSha256.slice(0, 16)}…`
    : f.sha256
      ? `pinned sha256 ${f.sha256.slice(0, 16)}…`
      : 'sha256 recorded at install';
  return `${f.path}  ${rev}  ${size}  ${sha}`;
}

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('list, download, import, verify and remove perception models');

  const load = async () => {
    const [catalogue, store, download, importLocal, verify, providers, info, recommend, exporter] =
      await Promise.all([
        import('../../../native-models/catalogue'),
        import('../../../native-models/store'),
        import('../../../native-models/download'),
        import('../../../native-models/import-local'),
        import('../../../native-models/verify'),
        import('../../../native-models/providers'),
        import('../../../native-models/model-info'),
        import('../../../native-models/recommend'),
        import('../../../native-models/export-runner'),
      ]);
    const manifest = (id: string) => {
      try {
        return catalogue.findManifest(id);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
    };
    return {
      catalogue,
      store,
      download,
      importLocal,
      verify,
      providers,
      info,
      recommend,
      exporter,
      manifest,
    };
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
            `  ${r.installed ? '✓' : r.partial.length ? '…' : ' '} ${r.id.padEnd(40)} ${r.task.padEnd(13)} ${r.displayName}${r.downloadable ? '' : ' (import only)'}${r.pinned ? '' : ' (unpinned)'}${status(r) ? `\n      ${status(r)}` : ''}` +
            r.files.map((f) => `\n      ${fileLine(f)}`).join(''),
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
      for (const f of v.files) {
        lines.push(`  ${f.path}: ${f.ok ? 'sha256 as recorded' : `CHANGED: ${f.problem}`}`);
      }
      const out = createOutput(Boolean(flags.json));
      out.result(lines.join('\n'), v);
      if (!v.ok) {
        const first = v.graphs.find((g) => !g.ok);
        const file = v.files.find((f) => !f.ok);
        throw new CliError(
          `model ${id} failed verification: ${first ? (first.error ?? first.contract?.problems.join('; ')) : `${file?.path}: ${file?.problem}`}`,
        );
      }
    });

  common(
    models
      .command('get')
      .description(
        'the smallest set of models that makes photos work (detector, box-to-mask, metric depth): list it, and download it with --yes',
      ),
  )
    .option('--yes', 'download the recommended models now (resumes partial files)')
    .option('--idle-timeout <s>', 'give up on a server silent for this long', '30')
    .action(async (flags: CommonFlags & { yes?: boolean; idleTimeout: string }) => {
      const m = await load();
      const store = new m.store.ModelStore(flags.modelsDir);
      const plan = m.recommend.recommendForPhotos(m.catalogue.CATALOGUE, store);
      const out = createOutput(Boolean(flags.json));
      const size = (b: number | null, exact: boolean) =>
        b === null ? 'size unknown' : `${exact ? '' : '≈'}${mb(b)}`;
      const lines = [
        ...plan.installed.map((i) => `  ✓ ${i.task}: ${i.id} (installed)`),
        ...plan.missingModels.map(
          (r) =>
            `  ↓ ${r.task}: ${r.id} — ${r.displayName}, ${size(r.bytes, r.sizeExact)}, licence ${r.licenses.join(' + ')}${r.pinned ? '' : ', unpinned'}`,
        ),
        ...plan.importOnly.map(
          (t) => `  ! ${t}: no built-in model downloads; import one with "sqw models import"`,
        ),
      ];
      if (plan.missingModels.length === 0) {
        out.result(['Photos have what they need:', ...lines].join('\n'), { plan, downloaded: [] });
        return;
      }
      const total = size(
        plan.totalBytes,
        plan.missingModels.every((r) => r.sizeExact),
      );
      if (!flags.yes) {
        out.result(
          [
            `Photos need ${plan.missingModels.length} model(s), ${total} in all:`,
            ...lines,
            'Download them with: sqw models get --yes',
          ].join('\n'),
          { plan, downloaded: [] },
        );
        return;
      }
      const ac = new AbortController();
      const onSigint = () => ac.abort();
      process.once('SIGINT', onSigint);
      try {
        const records = await m.download.downloadModels(
          plan.missingModels.map((r) => m.manifest(r.id)),
          store,
          {
            signal: ac.signal,
            idleTimeoutMs: Number(flags.idleTimeout) * 1000,
            onProgress: (p) =>
              out.progress(
                Math.round(p.received / 1e6),
                p.total ? Math.round(p.total / 1e6) : 0,
                `${p.modelIndex + 1}/${p.modelCount} ${p.id} ${p.file} (MB)`,
              ),
          },
        );
        out.endProgress();
        out.result(
          [
            `Installed ${records.map((r) => r.id).join(', ')}.`,
            'Re-run the pipeline on the images it skipped for want of models:',
            '  sqw run -p <project> --only-pending',
          ].join('\n'),
          { plan, downloaded: records },
        );
      } catch (err) {
        out.endProgress();
        throw new CliError(
          ac.signal.aborted
            ? `${(err as Error).message}; run "sqw models get --yes" again to resume`
            : (err as Error).message,
        );
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  common(
    models
      .command('export <id>')
      .description(
        "make a model's ONNX from its PyTorch checkpoint with the repository's export script (needs Python with torch + transformers), then import it",
      ),
  )
    .option('--python <exe>', 'Python interpreter (default $SQW_PYTHON or python3)')
    .option(
      '--checkpoint <id-or-folder>',
      "hub id or local folder (default: the model's -hf checkpoint)",
    )
    .option('--revision <sha>', 'hub commit of the checkpoint to load')
    .action(
      async (
        id: string,
        flags: CommonFlags & { python?: string; checkpoint?: string; revision?: string },
      ) => {
        const m = await load();
        const man = m.manifest(id);
        const store = new m.store.ModelStore(flags.modelsDir);
        const out = createOutput(Boolean(flags.json));
        try {
          const r = await m.exporter.exportModel(man, store, {
            python: flags.python,
            checkpoint: flags.checkpoint,
            revision: flags.revision,
            onOutput: (line) => out.info(line),
          });
          out.result(
            [
              `${id}: exported and imported ${r.copied.length} files into ${printable(store.modelDir(id))}`,
              `check it: sqw models verify ${id}`,
            ].join('\n'),
            { ...r },
          );
        } catch (err) {
          const missing = err instanceof m.exporter.ExportToolsMissing;
          if (!missing) m.info.recordFailure(store, id, 'export', (err as Error).message);
          throw new CliError((err as Error).message, missing ? 3 : 1);
        }
      },
    );

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
