import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOGUE, findManifest } from './catalogue';
import { importModel } from './import-local';
import { parseManifest } from './manifest';
import { ModelStore, resolveModelsDir } from './store';
import { removeTempDirs, tempDir, writeFile } from './testing/fixtures';
import {
  depthAnythingConfig,
  depthAnythingMetricModel,
  depthAnythingRelativeModel,
} from './testing/test-models';
import { verifyModel } from './verify';

afterAll(() => removeTempDirs());

const indoor = findManifest('depth-anything-v2-metric-indoor-small');

describe('catalogue and manifests', () => {
  it('has the usual models, none with an invented checksum', () => {
    expect(CATALOGUE.map((m) => m.id)).toEqual([
      'clip-vit-base-patch32',
      'grounding-dino-tiny',
      'owlv2-base-patch16',
      'sam-vit-b',
      'slimsam-77-uniform',
      // Before Depth Anything: the pipeline takes the first installed depth model.
      'metric3d-vit-small',
      'depth-anything-v2-metric-indoor-small',
      'depth-anything-v2-metric-outdoor-small',
      'depth-anything-v2-metric-indoor-small-release',
      'depth-anything-v2-metric-outdoor-small-release',
      'geocalib-fields',
    ]);
    for (const m of CATALOGUE) {
      expect(m.verifiedChecksum).toBe(false);
      expect(m.files.every((f) => f.sha256 === null)).toBe(true);
    }
  });

  it('pins hub files only to commits a source showed, with the URL resolving that commit', () => {
    const pins = CATALOGUE.flatMap((m) =>
      m.files.map((f) => ({
        id: m.id,
        path: f.path,
        revision: f.revision,
        size: f.size,
        url: f.url,
      })),
    );
    for (const p of pins) {
      if (p.revision) expect(p.url).toContain(`/resolve/${p.revision}/`);
      // An unpinned hub URL follows a branch: it must not pass for a pin.
      else if (p.url?.includes('huggingface.co'))
        expect(p.url).toMatch(/\/resolve\/(main|boxes)\//);
    }
    // Exact sizes only where the hub page printed bytes (files under 1 kB).
    expect(pins.filter((p) => p.size !== null).map((p) => [p.id, p.path, p.size])).toEqual([
      ['grounding-dino-tiny', 'preprocessor_config.json', 496],
      ['metric3d-vit-small', 'preprocessor_config.json', 288],
      ['metric3d-vit-small', 'config.json', 30],
    ]);
    const pinned = (id: string) =>
      findManifest(id)
        .files.filter((f) => f.revision)
        .map((f) => f.path);
    expect(pinned('grounding-dino-tiny')).toEqual([
      'onnx/model.onnx',
      'tokenizer.json',
      'preprocessor_config.json',
      'config.json',
    ]);
    expect(pinned('metric3d-vit-small')).toEqual([
      'onnx/model.onnx',
      'preprocessor_config.json',
      'config.json',
    ]);
    expect(pinned('clip-vit-base-patch32')).toEqual([
      'onnx/text_model.onnx',
      'onnx/vision_model.onnx',
      'preprocessor_config.json',
    ]);
    expect(pinned('owlv2-base-patch16')).toEqual(['onnx/model.onnx']);
    expect(pinned('slimsam-77-uniform')).toEqual([]);
    expect(pinned('sam-vit-b')).toEqual([]);
    // The Metric3D pin is the raw-pixel preprocessor, as the catalogue's preprocessing says.
    expect(findManifest('metric3d-vit-small').preprocessing).toMatchObject({
      mean: null,
      std: null,
      rescale: false,
    });
    expect(findManifest('metric3d-vit-small').files[0]?.license).toBe('cc0-1.0');
  });

  it('refuses a pin whose URL resolves another ref', () => {
    const f = findManifest('metric3d-vit-small').files[0]!;
    expect(() =>
      parseManifest({
        ...findManifest('metric3d-vit-small'),
        files: [{ ...f, url: f.url!.replace(f.revision!, 'main') }],
      }),
    ).toThrow(
      /onnx\/model\.onnx is pinned to 672e63a9d45ee93c39a3f59cdfd0edf648187f37 but its URL is/,
    );
    expect(findManifest('depth-anything-v2-metric-outdoor-small').params.maxDepth).toBe(80);
    // The onnx-community model card's licence (metadata "license: cc0-1.0"), not the upstream code's.
    expect(new Set(findManifest('metric3d-vit-small').files.map((f) => f.license))).toEqual(
      new Set(['cc0-1.0']),
    );
    expect(findManifest('slimsam-77-uniform').contracts[1]?.inputs.map((t) => t.name)).toContain(
      'input_boxes',
    );
  });

  it('rejects bad manifests with the failing field', () => {
    expect(() => parseManifest({ ...indoor, id: 'Bad Id' })).toThrow(/^invalid manifest at id: /);
    expect(() =>
      parseManifest({ ...indoor, files: [{ ...indoor.files[0]!, path: '../x.onnx' }] }),
    ).toThrow(/^invalid manifest at files\.0\.path: a relative path/);
    expect(() => parseManifest({ ...indoor, verifiedChecksum: true })).toThrow(
      'invalid manifest: verifiedChecksum is true but a file has no sha256',
    );
    expect(() => findManifest('nope')).toThrow(
      /^unknown model "nope" \(built-in: clip-vit-base-patch32, /,
    );
  });

  it('resolves the models folder from argument, then SQW_MODELS_DIR, then ~/.sqw/models', () => {
    expect(resolveModelsDir('/a/b', { SQW_MODELS_DIR: '/c' })).toBe('/a/b');
    expect(resolveModelsDir(null, { SQW_MODELS_DIR: '/c' })).toBe('/c');
    expect(resolveModelsDir(null, {})).toMatch(/\.sqw[\\/]models$/);
  });
});

describe('import, verify, remove', () => {
  it('imports a transformers.js folder, verifies it in a child process, and removes it', async () => {
    const src = tempDir();
    writeFile(join(src, 'config.json'), depthAnythingConfig('metric', 20));
    writeFile(join(src, 'preprocessor_config.json'), '{"size":{"height":518,"width":518}}');
    writeFile(join(src, 'onnx', 'model.onnx'), depthAnythingMetricModel());
    writeFile(join(src, 'onnx', 'model_fp16.onnx'), 'not used');
    const store = new ModelStore(tempDir());
    const r = await importModel(indoor, src, store);
    expect(r.copied.map((c) => c.to)).toEqual([
      'onnx/model.onnx',
      'preprocessor_config.json',
      'config.json',
    ]);
    expect(store.state(indoor)).toMatchObject({ installed: true, missing: [] });
    expect(r.record.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const v = await verifyModel(indoor, store, { device: 'auto', timeoutMs: 20_000 });
    expect(v.ok).toBe(true);
    expect(v.graphs[0]?.contract?.actual).toEqual({
      inputs: ['pixel_values'],
      outputs: ['predicted_depth'],
    });
    expect(v.graphs[0]?.load?.provider).toBe('cpu');
    expect(v.graphs[0]?.load?.attempts.filter((a) => !a.ok).map((a) => a.provider)).toEqual([
      'cuda',
      'webgpu',
    ]);

    const removed = store.remove(indoor.id);
    expect(removed.removed).toBe(true);
    expect(removed.bytes).toBeGreaterThan(100);
    expect(existsSync(store.modelDir(indoor.id))).toBe(false);
    expect(store.remove(indoor.id).removed).toBe(false);
  });

  it('reports wrong inputs and a truncated file clearly', async () => {
    const store = new ModelStore(tempDir());
    const wrong = writeFile(
      join(tempDir(), 'export.onnx'),
      depthAnythingMetricModel({ inputName: 'image' }),
    );
    await importModel(indoor, wrong, store);
    expect(readFileSync(store.graphPath(indoor)).length).toBeGreaterThan(0);
    const v = await verifyModel(indoor, store, { device: 'cpu', timeoutMs: 20_000 });
    expect(v.ok).toBe(false);
    expect(v.graphs[0]?.contract?.problems).toEqual([
      'inputs do not match: expected [pixel_values], got [image]',
    ]);

    const truncated = writeFile(
      join(tempDir(), 'model.onnx'),
      depthAnythingMetricModel().subarray(0, 50),
    );
    await importModel(indoor, truncated, store);
    const t = await verifyModel(indoor, store, { device: 'cpu', timeoutMs: 20_000 });
    expect(t.ok).toBe(false);
    expect(t.graphs[0]?.error).toMatch(
      /^model depth-anything-v2-metric-indoor-small: could not load .*model\.onnx on cpu: cpu: /,
    );
  });

  it('fails verification of a relative-depth export imported into a metric slot, saying why', async () => {
    // The onnx-community/depth-anything-v2-small layout: same I/O, relative config and head.
    const src = tempDir();
    writeFile(join(src, 'config.json'), depthAnythingConfig('relative', 1));
    writeFile(join(src, 'onnx', 'model.onnx'), depthAnythingRelativeModel());
    const store = new ModelStore(tempDir());
    await importModel(indoor, src, store);
    const v = await verifyModel(indoor, store, { device: 'cpu', timeoutMs: 20_000 });
    expect(v.ok).toBe(false);
    expect(v.graphs[0]?.contract?.problems).toEqual([
      expect.stringMatching(
        /^model depth-anything-v2-metric-indoor-small: not a metric depth model: config\.json has depth_estimation_type "relative": a relative-depth model\./,
      ),
    ]);
  });

  it('refuses a single file for a two-graph model and a folder without the graph', async () => {
    const store = new ModelStore(tempDir());
    const one = writeFile(join(tempDir(), 'm.onnx'), depthAnythingMetricModel());
    await expect(importModel(findManifest('sam-vit-b'), one, store)).rejects.toThrow(
      'model sam-vit-b has 2 graphs (encoder, decoder): import a folder holding sam_vit_b_01ec64.encoder.onnx, sam_vit_b_01ec64.decoder.onnx',
    );
    const empty = tempDir();
    writeFile(join(empty, 'config.json'), '{}');
    await expect(importModel(indoor, empty, store)).rejects.toThrow(
      `model depth-anything-v2-metric-indoor-small: ${empty} has no onnx/model.onnx (expected the transformers.js layout: onnx/model.onnx)`,
    );
  });

  it('kills a loader that takes longer than the timeout', async () => {
    const store = new ModelStore(tempDir());
    writeFile(store.graphPath(indoor), depthAnythingMetricModel());
    const v = await verifyModel(indoor, store, { device: 'cpu', timeoutMs: 1 });
    expect(v.graphs[0]?.error).toBe(
      `model depth-anything-v2-metric-indoor-small: loading ${store.graphPath(indoor)} took longer than 0.001 s`,
    );
  });
});
