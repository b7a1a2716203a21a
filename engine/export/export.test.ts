import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { decode as decodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportOptionsInput } from '../../contract/exports';
import { ProjectStore } from '../../db/project-store';
import {
  factIdsWithRecords,
  firstLiveObjectId,
  setObjectDeletedAt,
} from '../../db/store/testing/desktop-rows';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { tempDir } from '../test/helpers';
import { decodeRle, type CocoRle } from '../../spatial/geometry/mask-rle';
import { exportProject } from './export';
import {
  BenchRecord,
  CocoInstances,
  HfRecord,
  LlavaRecord,
  QaJsonlRecord,
  SceneGraphRecord,
  SpatialRgptRecord,
} from './schemas';
import { buildExportFixture, type ExportFixture } from './test-fixture';
import { layer } from '../test/layer';

const dir = tempDir('sqw-export-');
let fx: ExportFixture;
let store: ProjectStore;
let n = 0;
const out = () => join(dir.path, `out-${++n}`);
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const exportAt = async (format: 'coco') => {
  const o = out();
  await exportProject(store, { format, outDir: o });
  return { dir: o };
};
/** Fact ids with an approved or edited phrasing (or any phrasing, with `all`). */
const reviewedFacts = (all = false) => new Set(factIdsWithRecords(store.db, all));
const countBy = <T>(items: T[], key: (t: T) => string) => {
  const out = new Map<string, number>();
  for (const t of items) out.set(key(t), (out.get(key(t)) ?? 0) + 1);
  return out;
};

beforeAll(async () => {
  fx = await buildExportFixture(dir.path);
  store = fx.store;
});
afterAll(() => {
  store.close();
  dir.remove();
});

describe('dataset export formats', () => {
  it('spatialrgpt: one OSD record per image, one rle and bbox per <mask>, answers name turn-local regions', async () => {
    const o = out();
    const r = await exportProject(store, {
      format: 'spatialrgpt',
      outDir: o,
      include: ['proposed'],
    });
    const records = json(join(o, 'spatialrgpt.json'));
    expect(records.length).toBe(3);
    expect(r.records).toBe(3);
    expect(r.skipped['region without a mask']).toBeGreaterThan(0);
    for (const rec of records) {
      SpatialRgptRecord.parse(rec);
      expect(rec.conversations[0].value.startsWith('<image>\n')).toBe(true);
      expect(existsSync(join(o, 'images', `${rec.filename}.jpg`))).toBe(true);
      let masks = 0;
      for (let t = 0; t < rec.conversations.length; t += 2) {
        expect(rec.conversations[t].from).toBe('human');
        const inTurn = (rec.conversations[t].value.match(/<mask>/g) ?? []).length;
        for (const m of rec.conversations[t + 1].value.matchAll(/Region \[(\d+)\]/g))
          expect(Number(m[1])).toBeLessThan(inTurn);
        expect(rec.conversations[t + 1].value).not.toMatch(/<region|<mask>/);
        masks += inTurn;
      }
      expect(rec.rle.length).toBe(masks);
      expect(rec.bbox.length).toBe(masks);
      for (const [i, rle] of rec.rle.entries()) {
        const decoded = decodeRle(rle);
        expect([decoded.width, decoded.height]).toEqual([rec.width, rec.height]);
        // The mask lies inside its box.
        const [x0, y0, x1, y1] = rec.bbox[i];
        for (let p = 0; p < decoded.mask.length; p++)
          if (decoded.mask[p]) {
            const x = p % rec.width;
            const y = (p - x) / rec.width;
            expect(x >= x0 && x < x1 && y >= y0 && y < y1).toBe(true);
          }
      }
    }
    expect(existsSync(join(o, 'MANIFEST.sha256'))).toBe(true);
  });

  it('spatialrgpt-bench: one record per reviewed region QA with the machine answer', async () => {
    const o = out();
    const r = await exportProject(store, { format: 'spatialrgpt-bench', outDir: o });
    const records = json(join(o, 'bench.json'));
    expect(records.length).toBe(r.records);
    expect(records.length).toBeGreaterThan(0);
    for (const rec of records) {
      BenchRecord.parse(rec);
      expect(existsSync(join(o, 'images', rec.image_info.file_path))).toBe(true);
      expect(rec.text_q).not.toMatch(/<region|<mask>/);
      const masks = (rec.conversations[0].value.match(/<mask>/g) ?? []).length;
      expect(rec.rle.length).toBe(masks);
      const gt = rec.ground_truth;
      if (gt.value_type === 'meters') {
        expect(rec.qa_info.type).toBe('quantitative');
        expect(typeof gt.value).toBe('number');
      }
      if (gt.value_type === 'object') expect(gt.regions[0]).toBeLessThan(masks);
    }
    // Only approved and edited facts by default, at most 4 region phrasings each (the default).
    expect(records.length).toBeLessThanOrEqual(4 * reviewedFacts().size);
  });

  it('llava: multi-turn conversations by referring expression; region naming carries a region table', async () => {
    const o = out();
    const r = await exportProject(store, {
      format: 'llava',
      outDir: o,
      include: ['proposed'],
      images: 'link',
    });
    const recs = lines(join(o, 'llava.jsonl'));
    expect(recs.length).toBe(r.records);
    for (const rec of recs) {
      LlavaRecord.parse(rec);
      expect(rec.conversations.map((c: any) => c.from).join()).toMatch(/^(human,gpt,?)+$/);
      expect(JSON.stringify(rec.conversations)).not.toMatch(/<region/);
      expect(lstatSync(join(o, rec.image)).isSymbolicLink()).toBe(true);
    }
    const o2 = out();
    await exportProject(store, {
      format: 'llava',
      outDir: o2,
      include: ['proposed'],
      naming: 'region',
    });
    for (const rec of lines(join(o2, 'llava.jsonl'))) {
      const used = new Set(
        [...JSON.stringify(rec.conversations).matchAll(/<region(\d+)>/g)].map((m) => Number(m[1])),
      );
      expect([...used].sort()).toEqual(rec.regions.map((g: any) => g.region).sort());
    }
  });

  it('hf: imagefolder splits by image with a seed, metadata messages and a dataset card', async () => {
    const o = out();
    const opts = {
      format: 'hf' as const,
      include: ['proposed' as const],
      seed: '7',
      depth: 'osd8' as const,
    };
    const r = await exportProject(store, { ...opts, outDir: o });
    let images = 0;
    const splitOf = new Map<number, string>();
    for (const split of ['train', 'validation', 'test']) {
      const file = join(o, split, 'metadata.jsonl');
      if (!existsSync(file)) continue;
      for (const rec of lines(file)) {
        HfRecord.parse(rec);
        images++;
        splitOf.set(rec.image_id, split);
        expect(existsSync(join(o, split, rec.file_name))).toBe(true);
        expect(rec.messages[0].content[0]).toEqual({ index: 0, text: null, type: 'image' });
        expect(rec.messages.filter((m: any) => m.role === 'assistant').length).toBe(rec.qa.length);
        if (rec.depth_file) {
          const png = decodePng(readFileSync(join(o, rec.depth_file)));
          expect([png.depth, png.channels]).toEqual([8, 3]);
        }
      }
    }
    expect(images).toBe(r.images);
    const card = readFileSync(join(o, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\n/);
    expect(card).toContain(`- images: ${r.images}`);
    expect(card).toContain(`- QA pairs: ${r.qa}`);
    expect(card).toMatch(/approval rate/);
    expect(card).toMatch(/spatial\/qa/);
    // Same seed, same splits.
    const o2 = out();
    await exportProject(store, { ...opts, outDir: o2 });
    for (const split of ['train', 'validation', 'test']) {
      const file = join(o2, split, 'metadata.jsonl');
      if (existsSync(file))
        for (const rec of lines(file)) expect(splitOf.get(rec.image_id)).toBe(split);
    }
    await expect(
      exportProject(store, { format: 'hf', outDir: out(), images: 'none' }),
    ).rejects.toThrow(/hf format needs its images/);
  });

  it('coco: pycocotools fields, RLE string or list, area = mask pixels, box polygon without a mask', async () => {
    for (const rle of ['string', 'list'] as const) {
      const o = out();
      const r = await exportProject(store, { format: 'coco', outDir: o, rle, depth: 'mm16' });
      const coco = CocoInstances.parse(json(join(o, 'annotations.json')));
      expect(coco.images.length).toBe(3);
      expect(coco.annotations.length).toBe(r.objects);
      const catIds = new Set(coco.categories.map((c) => c.id));
      const imgIds = new Set(coco.images.map((i) => i.id));
      expect(catIds.size).toBe(coco.categories.length);
      for (const a of coco.annotations) {
        expect(catIds.has(a.category_id) && imgIds.has(a.image_id)).toBe(true);
        if (Array.isArray(a.segmentation)) {
          expect(a.area).toBe(a.bbox[2]! * a.bbox[3]!);
          continue;
        }
        expect(typeof a.segmentation.counts).toBe(rle === 'string' ? 'string' : 'object');
        const m = decodeRle(a.segmentation as CocoRle).mask;
        expect(a.area).toBe(m.reduce((s, v) => s + v, 0));
      }
      for (const img of coco.images)
        expect(existsSync(join(o, 'images', img.file_name))).toBe(true);
      expect(readdirSync(o).filter((f) => f.endsWith('.part'))).toEqual([]);
      expect(readdirSync(join(o, 'depth')).length).toBe(2);
    }
  });

  it('coco: an object deleted in review is not exported', async () => {
    const before = CocoInstances.parse(json(join((await exportAt('coco')).dir, 'annotations.json')))
      .annotations.length;
    const victim = firstLiveObjectId(store.db);
    setObjectDeletedAt(store.db, victim, 'now');
    try {
      const after = CocoInstances.parse(
        json(join((await exportAt('coco')).dir, 'annotations.json')),
      ).annotations;
      expect(after.length).toBe(before - 1);
    } finally {
      setObjectDeletedAt(store.db, victim, null);
    }
  });

  it('qa-jsonl and scenegraph keep their records; filters by family, label and reviewer', async () => {
    const o = out();
    const r = await exportProject(store, { format: 'qa-jsonl', outDir: o });
    const recs = lines(join(o, 'qa.jsonl'));
    recs.forEach((l) => QaJsonlRecord.parse(l));
    // Every reviewed fact, in at most 4 phrasings (the default), the edited one among them.
    expect(r.qa).toBe(recs.length);
    expect(new Set(recs.map((l) => l.fact_id))).toEqual(reviewedFacts());
    expect(Math.max(...countBy(recs, (l) => l.fact_id).values())).toBeLessThanOrEqual(4);
    expect(recs.some((l) => l.status === 'edited')).toBe(true);
    const o3 = out();
    const everything = await exportProject(store, {
      format: 'qa-jsonl',
      outDir: o3,
      include: ['proposed', 'rejected'],
    });
    expect(new Set(lines(join(o3, 'qa.jsonl')).map((l) => l.fact_id))).toEqual(reviewedFacts(true));

    const family = recs[0].family;
    const byFamily = await exportProject(store, {
      format: 'qa-jsonl',
      outDir: out(),
      families: [family],
    });
    expect(byFamily.qa).toBe(recs.filter((l) => l.family === family).length);

    const byReviewer = await exportProject(store, {
      format: 'qa-jsonl',
      outDir: out(),
      include: ['rejected'],
      reviewers: ['bo'],
    });
    expect(byReviewer.qa).toBeGreaterThan(0);
    expect(byReviewer.qa).toBeLessThan(everything.qa);

    const label = (await layer(store).browse.objects(recs[0].image_id))[0]!.label;
    const o2 = out();
    await exportProject(store, { format: 'qa-jsonl', outDir: o2, labels: [label] });
    const labelled = lines(join(o2, 'qa.jsonl'));
    expect(labelled.length).toBeGreaterThan(0);
    for (const l of labelled) {
      const labels = (await layer(store).browse.objects(l.image_id))
        .filter((ob) => l.subjects.includes(ob.id))
        .map((ob) => ob.label);
      expect(labels).toContain(label);
    }

    const sgDir = out();
    const sg = await exportProject(store, { format: 'scenegraph', outDir: sgDir });
    expect(sg.records).toBe(3);
    const graphs = readdirSync(sgDir).filter((f) => /^\d{6}-.*\.json$/.test(f));
    expect(graphs.length).toBe(3);
    for (const f of graphs) {
      const rec = SceneGraphRecord.parse(json(join(sgDir, f)));
      // Issue 20: extents changed meaning (noise-reduced), then camera_height (also above a
      // support plane), then hidden_ends was added, so the record says which version.
      expect(rec.format_version).toBe(4);
      const [row] = await layer(store).catalog.imagesNamed(rec.image);
      expect(rec.notes).toEqual((await layer(store).scene.graph(row!.id))!.notes);
    }
  });
});

describe('streaming source', () => {
  it("pages smaller than one image's QA give the same images and QA", async () => {
    const { qaItems } = await import('./project-source');
    const { desktopExportProject } = await import('./export-project');
    const rows = desktopExportProject(store).rows;
    const filter = { statuses: ['approved', 'edited', 'proposed'] };
    const collect = async (page: number) => {
      const out: string[] = [];
      for await (const item of qaItems(rows, filter, undefined, page))
        out.push(`${item.image.id}:${item.qa.map((q) => q.rowId).join(',')}`);
      return out;
    };
    const whole = await collect(4096);
    expect(whole.length).toBe(3);
    expect(await collect(7)).toEqual(whole);
    expect(await collect(1)).toEqual(whole);
  });
});

describe('export shards (worker threads over ranges of images)', () => {
  /** Every file of an export folder: content, or the target of a link. */
  const tree = (root: string) => {
    const files: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const name of readdirSync(join(root, rel))) {
        const path = rel ? `${rel}/${name}` : name;
        const st = lstatSync(join(root, path));
        if (st.isDirectory()) walk(path);
        else if (st.isSymbolicLink()) files[path] = `-> ${readlinkSync(join(root, path))}`;
        else if (name !== 'sqw-export.json') files[path] = readFileSync(join(root, path), 'utf8');
      }
      // The dataset card says when it was written; nothing else may differ.
      if (files['README.md']) {
        files['README.md'] = files['README.md'].replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME');
        files['MANIFEST.sha256'] = files['MANIFEST.sha256']!.replace(/^.*README\.md\n/m, '');
      }
    };
    walk('');
    return files;
  };

  it('write byte for byte what one thread writes, with the same counts', async () => {
    const cases: Array<Omit<ExportOptionsInput, 'outDir'>> = [
      { format: 'hf', images: 'link', include: ['proposed'] },
      { format: 'hf', images: 'copy', naming: 'region' },
      { format: 'spatialrgpt', images: 'copy', depth: 'osd8', include: ['proposed'] },
    ];
    for (const c of cases) {
      const one = await exportProject(store, { ...c, outDir: out() }, { shards: 1 });
      const three = await exportProject(store, { ...c, outDir: out() }, { shards: 3 });
      expect(one.qa).toBeGreaterThan(0);
      expect(tree(three.outDir)).toEqual(tree(one.outDir));
      const same = { id: 0, outDir: '', seconds: 0, checksum: '' };
      expect({ ...three, ...same }).toEqual({ ...one, ...same });
      expect(existsSync(join(three.outDir, '.shards'))).toBe(false);
    }
  });

  it('a cancelled sharded export stops its threads and leaves nothing behind', async () => {
    const o = out();
    const ctl = new AbortController();
    const run = exportProject(
      store,
      { format: 'hf', images: 'copy', outDir: o },
      { shards: 2, signal: ctl.signal, onProgress: () => ctl.abort(new Error('stop')) },
    );
    await expect(run).rejects.toThrow(/stop/);
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => /partial/.test(f))).toEqual([]);
  });
});

describe('safe writing', () => {
  it('refuses to overwrite without --force, and --force only replaces an earlier export', async () => {
    const o = out();
    await exportProject(store, { format: 'qa-jsonl', outDir: o });
    await expect(exportProject(store, { format: 'qa-jsonl', outDir: o })).rejects.toThrow(
      /not empty.*choose to replace it/,
    );
    await exportProject(store, { format: 'llava', outDir: o, force: true });
    expect(existsSync(join(o, 'llava.jsonl')) && !existsSync(join(o, 'qa.jsonl'))).toBe(true);
    const foreign = join(dir.path, 'my-documents');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'thesis.tex'), 'precious');
    await expect(
      exportProject(store, { format: 'qa-jsonl', outDir: foreign, force: true }),
    ).rejects.toThrow(/not written by an export/);
    expect(readFileSync(join(foreign, 'thesis.tex'), 'utf8')).toBe('precious');
    await expect(
      exportProject(store, { format: 'qa-jsonl', outDir: dir.path, force: true }),
    ).rejects.toThrow(/refusing to export into/);
    expect(readdirSync(dir.path).filter((f) => /partial|\.old-/.test(f))).toEqual([]);
  });

  it('records each export with options, counts and the checksum of its manifest', async () => {
    const o = out();
    const r = await exportProject(store, { format: 'coco', outDir: o, labels: [] });
    const manifest = readFileSync(join(o, 'MANIFEST.sha256'), 'utf8');
    expect(createHash('sha256').update(manifest).digest('hex')).toBe(r.checksum);
    for (const line of manifest.trim().split('\n')) {
      const [hash, path] = line.split('  ');
      expect(
        createHash('sha256')
          .update(readFileSync(join(o, path!)))
          .digest('hex'),
      ).toBe(hash);
    }
    const marker = json(join(o, 'sqw-export.json'));
    expect(marker).toMatchObject({
      format: 'coco',
      checksum: r.checksum,
      counts: { objects: r.objects },
    });
    // Newest first.
    const recorded = (await layer(store).exports.exports())[0]!;
    expect(recorded).toMatchObject({ format: 'coco', outDir: o, checksum: r.checksum });
  });

  it('a failing export leaves nothing behind and records nothing', async () => {
    const before = (await layer(store).exports.exports()).length;
    const o = out();
    const controller = new AbortController();
    controller.abort();
    await expect(
      exportProject(store, { format: 'llava', outDir: o }, { signal: controller.signal }),
    ).rejects.toThrow();
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => /partial/.test(f))).toEqual([]);
    expect((await layer(store).exports.exports()).length).toBe(before);
  });
});

describe('import back', () => {
  it('coco export -> import into a fresh project loses no box, mask or label', async () => {
    const o = out();
    await exportProject(store, { format: 'coco', outDir: o, rle: 'string' });
    // A fresh project from the exported images (file names differ: matched by content hash).
    const other = ProjectStore.openOrCreate(join(dir.path, 'project-b'), 'b');
    try {
      await importBatch(other, { folder: join(o, 'images') });
      const r = await importCocoFile(other, join(o, 'annotations.json'));
      expect(r.issues).toEqual([]);
      const key = async (s: ProjectStore, imageId: number) =>
        (await layer(s).scene.objectsWithMasks(imageId))
          .map((ob) => ({
            label: ob.label,
            box: ob.box.map((v) => Math.round(v * 1e6) / 1e6),
            score: ob.score,
            mask: ob.maskRle ? Array.from(decodeRle(JSON.parse(ob.maskRle)).mask).join('') : null,
          }))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const others = (await layer(other).catalog.queryImages({ offset: 0, limit: 10 })).items;
      for (const img of (await layer(store).catalog.queryImages({ offset: 0, limit: 10 })).items) {
        const twin = others.find((o) => o.sha256 === img.sha256)!;
        expect(twin).toBeDefined();
        expect(await key(other, twin.id)).toEqual(await key(store, img.id));
      }
      expect(r.objectsAdded).toBe(12);
      // Importing the same file again adds nothing.
      expect((await importCocoFile(other, join(o, 'annotations.json'))).objectsAdded).toBe(0);
    } finally {
      other.close();
    }
  });
});

describe('sqw export', () => {
  it('maps its flags to the options and reports counts as JSON; bad flags fail with one line', async () => {
    const { main } = await import('../cli/main');
    const { vi } = await import('vitest');
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((t) => ((stdout += String(t)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => ((stderr += String(t)), true));
    try {
      const o = out();
      const project = join(dir.path, 'project');
      const code = await main([
        'export',
        '--project',
        project,
        '--format',
        'hf',
        '--out',
        o,
        '--include',
        'proposed',
        '--images',
        'link',
        '--splits',
        '0.5,0.5,0',
        '--seed',
        'x',
        '--json',
      ]);
      expect(code, stderr).toBe(0);
      const r = JSON.parse(stdout);
      expect(r).toMatchObject({ format: 'hf', outDir: o });
      expect(existsSync(join(o, 'test'))).toBe(false);
      const recorded = json(join(o, 'sqw-export.json'));
      expect(recorded.options).toMatchObject({ images: 'link', seed: 'x', include: ['proposed'] });
      for (const [args, pattern] of [
        [['--splits', '1,2'], /--splits/],
        [['--images', 'teleport'], /images/],
        [['--include', 'maybe'], /unknown status 'maybe'/],
      ] as Array<[string[], RegExp]>) {
        stderr = '';
        const c = await main([
          'export',
          '--project',
          project,
          '--format',
          'hf',
          '--out',
          out(),
          ...args,
        ]);
        expect(c).not.toBe(0);
        expect(stderr).toMatch(pattern);
      }
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('bench -> eval', () => {
  it('our own verified answers, read back by the parser, score perfectly', async () => {
    const { loadBench } = await import('../eval/load');
    const { scoreBench } = await import('../eval/score');
    const o = out();
    await exportProject(store, { format: 'spatialrgpt-bench', outDir: o, include: ['proposed'] });
    const bench = await loadBench(join(o, 'bench.json'));
    const answers = new Map<string, string>(
      json(join(o, 'bench.json')).map((r: any) => [r.id, r.conversations[1].value]),
    );
    const report = scoreBench(bench, answers);
    const wrong = report.items.filter((i) => !i.correct);
    expect(wrong, JSON.stringify(wrong)).toEqual([]);
    expect(report.overall.n).toBe(bench.length);
  });
});
