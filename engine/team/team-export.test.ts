// A team project exports what its desktop project exports (issue 21): the export fixture (images,
// depth maps, masks, graphs, QA with approvals, rejections and an edit by two reviewers) copied to
// a throwaway PostgreSQL cluster with `sqw project copy`, then every format exported from the
// desktop folder and from the team project (the team server's exports RPC, and `sqw export
// --database`): the files are byte for byte the same, and each export is recorded in its project;
// a bench export is scored against predictions the same way on both (exports.evaluate).
import { readFileSync, readdirSync, renameSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExportOptionsInput } from '../../contract/exports';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { createEngine } from '../engine';
import { exportProject } from '../export/export';
import { EXPORT_MARKER } from '../export/safe-output';
import { runSqw, tempDir } from '../test/helpers';
import { answerFirstHalf } from '../export/test-fixture';
import { layer } from '../test/layer';
import { createTeamEngine, type TeamEngine } from './team-engine';
import { copiedExportProject } from './testing/export-project';

const postgres = usePostgresCluster();

/** Every format, with the media and naming options that change what it reads. */
const EXPORTS: Array<Omit<ExportOptionsInput, 'outDir'>> = [
  { format: 'spatialrgpt', depth: 'osd8' },
  { format: 'spatialrgpt-bench', depth: 'mm16' },
  { format: 'llava' },
  { format: 'llava', naming: 'region', phrasingsPerFact: 'all' },
  { format: 'hf', depth: 'mm16' },
  { format: 'coco' },
  { format: 'scenegraph' },
  { format: 'qa-jsonl', include: ['proposed', 'rejected'], phrasingsPerFact: 'all' },
  { format: 'qa-jsonl', reviewers: ['bo'], include: ['rejected'] },
];

/** Every file of an export folder, path -> bytes; the marker without its time. */
function filesOf(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path).toString('base64'));
    }
  };
  walk(root);
  const marker = JSON.parse(readFileSync(join(root, EXPORT_MARKER), 'utf8'));
  delete marker.created_at;
  out.set(EXPORT_MARKER, JSON.stringify(marker));
  return out;
}

describe.skipIf(postgres.skipReason)('exports of a team project (PostgreSQL)', () => {
  let dir: ReturnType<typeof tempDir>;
  let desktop: ProjectStore;
  let team: TeamEngine;
  let url: string;
  let blobs: string;
  const call = async (method: string, input: Record<string, unknown>) => {
    const res = (await team.dispatch(method, { projectId: team.project.id, ...input })) as any;
    if (!res.ok) throw new Error(`${method}: ${res.error.code}: ${res.error.message}`);
    return res.result;
  };

  beforeAll(async () => {
    dir = tempDir('sqw-team-export-');
    let folder: string;
    ({ folder, url, blobs } = await copiedExportProject(dir.path, () =>
      postgres.cluster().createDatabase(),
    ));
    desktop = ProjectStore.open(folder);
    team = await createTeamEngine({ database: url, blobs });
  }, 60_000);
  afterAll(async () => {
    vi.useRealTimers();
    desktop?.close();
    await team?.close();
    dir?.remove();
  });

  it('writes every format byte for byte as the desktop project does, and records each export', async () => {
    // coco and the hf dataset card carry the export's date.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
    for (const [i, options] of EXPORTS.entries()) {
      const what = `${options.format} ${JSON.stringify(options)}`;
      const mine = join(dir.path, `desktop-${i}`);
      const theirs = join(dir.path, `team-${i}`);
      const local = await exportProject(desktop, { ...options, outDir: mine });
      const { jobId } = await call('exports.start', { options: { ...options, outDir: theirs } });
      await team.project.exportJobs.idle();
      const remote = await call('exports.result', { jobId });
      expect(remote, what).toMatchObject({ checksum: local.checksum, qa: local.qa });
      expect(remote.images, what).toBe(local.images);
      const [a, b] = [filesOf(mine), filesOf(theirs)];
      expect([...b.keys()].sort(), what).toEqual([...a.keys()].sort());
      for (const [path, bytes] of a) expect(b.get(path), `${what}: ${path}`).toBe(bytes);
    }
    vi.useRealTimers();
    // Media came through the shared folder: images, depth maps (as stored and as OSD's 8 bits).
    expect(
      [...filesOf(join(dir.path, 'team-0')).keys()].filter((p) => /^depth\//.test(p)),
    ).not.toEqual([]);
    const recorded = await call('exports.list', {});
    expect(recorded.map((e: any) => e.format).reverse()).toEqual(EXPORTS.map((e) => e.format));
    expect(recorded[0].checksum).toBe((await layer(desktop).exports.exports())[0]!.checksum);
  });

  it('refuses the shared blob folder as the output, and links to files it does not have', async () => {
    await expect(
      call('exports.start', { options: { format: 'coco', outDir: blobs, force: true } }),
    ).rejects.toThrow(/invalid-input: refusing to export into .*shared blob folder/);
    await expect(
      call('exports.start', {
        options: { format: 'llava', images: 'link', outDir: join(dir.path, 'linked') },
      }),
    ).rejects.toThrow(/images 'link' needs the image files on this machine/);
    expect(readdirSync(dir.path)).not.toContain('linked');
  });

  it('fails an export whose colour source is not in the shared folder, saying which and what to run', async () => {
    const sources = join(blobs, 'sources');
    const [first] = readdirSync(sources);
    renameSync(join(sources, first!), join(dir.path, 'moved-source'));
    try {
      const events: any[] = [];
      const stop = team.events.subscribe((e) => events.push(e));
      const outDir = join(dir.path, 'no-source');
      const { jobId } = await call('exports.start', { options: { format: 'llava', outDir } });
      await team.project.exportJobs.idle();
      stop();
      expect(await call('exports.result', { jobId })).toBeNull();
      const last = events.filter((e) => e.type === 'job' && e.job.id === jobId).at(-1);
      expect(last.job.status).toBe('failed');
      expect(last.job.message).toMatch(
        new RegExp(
          `not in the shared blob folder \\(sources/${first}\\).*sqw project share-sources`,
        ),
      );
      expect(readdirSync(dir.path)).not.toContain('no-source');
    } finally {
      renameSync(join(dir.path, 'moved-source'), join(sources, first!));
    }
  });

  it('evaluates predictions against its bench export as the desktop does (exports.evaluate)', async () => {
    // EXPORTS[1] is the spatialrgpt-bench export, written by both projects in the first test.
    const [mine, theirs] = ['desktop-1', 'team-1'].map((d) => join(dir.path, d, 'bench.json'));
    const predictionsPath = join(dir.path, 'predictions.jsonl');
    const { total, answered } = answerFirstHalf(theirs!, predictionsPath);
    expect(total).toBeGreaterThan(1);
    const report = await call('exports.evaluate', { benchPath: theirs, predictionsPath });
    expect(report.overall.n).toBe(total);
    expect(report.items.filter((i: any) => i.correct).length).toBe(answered);
    const engine = await createEngine({ transport: 'http', projectFolders: [desktop.folder] });
    try {
      const local = await engine.dispatch('exports.evaluate', { benchPath: mine, predictionsPath });
      expect(local).toEqual({ ok: true, result: report });
      const bad = { benchPath: predictionsPath, predictionsPath };
      const [a, b] = [
        await engine.dispatch('exports.evaluate', bad),
        await team.dispatch('exports.evaluate', bad),
      ];
      expect(b).toEqual(a);
      expect(b).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    } finally {
      await engine.close();
    }
  });

  it('`sqw export --database` writes what the desktop writes', async () => {
    const mine = join(dir.path, 'cli-desktop');
    const theirs = join(dir.path, 'cli-team');
    const args = ['--format', 'spatialrgpt', '--depth', 'osd8', '--json'];
    const a = await runSqw(['export', '--project', desktop.folder, ...args, '--out', mine]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runSqw([
      'export',
      '--database',
      url,
      '--blobs',
      blobs,
      ...args,
      '--out',
      theirs,
    ]);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).checksum).toBe(JSON.parse(a.stdout).checksum);
    expect(filesOf(theirs)).toEqual(filesOf(mine));
    // `--project postgres://…` is the same team project; copying files needs the shared folder.
    const without = await runSqw(['export', '--project', url, ...args, '--out', `${theirs}-2`]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/--blobs <dir>/);
  }, 30_000);
});
