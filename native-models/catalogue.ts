// Built-in manifests for the usual models. Contracts come from ../shared/research/onnx-models.md
// (section numbers in `source`). Pins (revision, exact size) come from the hub pages we read (the
// file shown at that commit; HF prints sizes under 1 kB exactly, larger ones rounded): a file is
// pinned only where such a page showed it, its size only where the page gave it in bytes. The rest
// keeps null and shows as "unpinned"; the rounded size is kept as `approxSize` for people. No
// sha256 is recorded here (none of the pages read gave one for these files): the first download
// records it in the install record, and `models verify` checks the files against it.
import { parseManifest, type ModelManifest, type ModelManifestInput } from './manifest';

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];
const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

const hf = (repo: string, path: string, revision = 'main') =>
  `https://huggingface.co/${repo}/resolve/${revision}/${path}`;

interface Pin {
  /** Commit the file is pinned to; null = follows a branch. */
  revision?: string | null;
  size?: number | null;
  approxSize?: string | null;
}

function file(
  path: string,
  url: string | null,
  license: string,
  graph: string | null = null,
  pin: Pin = {},
) {
  return {
    path,
    url,
    size: pin.size ?? null,
    sha256: null,
    revision: pin.revision ?? null,
    approxSize: pin.approxSize ?? null,
    license,
    graph,
  };
}

/** A hub file pinned to `revision` (the URL resolves that commit, not a branch). */
function hubFile(
  repo: string,
  path: string,
  license: string,
  graph: string | null,
  pin: Pin & { revision: string | null; branch?: string },
) {
  return file(path, hf(repo, path, pin.revision ?? pin.branch ?? 'main'), license, graph, pin);
}

// Commits read on the hub (each page named in native-models/README.md "Pinned files").
const CLIP_ONNX_REV = '4c1807b705b1d015fb032789cc4d221b23025a6f';
const CLIP_PREP_REV = '5cc7f82c9a885a73d718909a342c037d6f7e8134';
const GDINO_REV = 'ff690b0a8050566c290287545bd059350f3e9096';
const OWLV2_ONNX_REV = '5085aedd52b561eb12ebc138f79d305eabecc386';
const METRIC3D_ONNX_REV = '672e63a9d45ee93c39a3f59cdfd0edf648187f37';
const METRIC3D_PREP_REV = '57458715941991f340c6fbcd76f22dc09a8d5074';
const METRIC3D_CONFIG_REV = 'f57fb97ab4e2c019497fc57b8e445f863fbac7fa';

const f32 = (name: string | null, shape: (string | number)[]) => ({
  name,
  dtype: 'float32' as const,
  shape,
});
const i64 = (name: string | null, shape: (string | number)[]) => ({
  name,
  dtype: 'int64' as const,
  shape,
});

function depthAnythingMetric(kind: 'indoor' | 'outdoor'): ModelManifestInput {
  const maxDepth = kind === 'indoor' ? 20 : 80;
  const hfRepo = `depth-anything/Depth-Anything-V2-Metric-${kind === 'indoor' ? 'Indoor' : 'Outdoor'}-Small-hf`;
  return {
    id: `depth-anything-v2-metric-${kind}-small`,
    task: 'depth',
    displayName: `Depth Anything V2 metric ${kind} (small)`,
    source: `ONNX export of ${hfRepo} made with "sqw models export" (native-models/export/export_depth_anything_metric.py) — onnx-models.md §4a`,
    files: [
      file('onnx/model.onnx', null, 'apache-2.0', 'model'),
      file('preprocessor_config.json', null, 'apache-2.0'),
      // Evidence that the export is metric (depth-metric.ts); optional: the graph can prove it too.
      file('config.json', null, 'apache-2.0'),
    ],
    contracts: [
      {
        graph: 'model',
        file: 'onnx/model.onnx',
        inputs: [f32('pixel_values', ['batch', 3, 'height', 'width'])],
        outputs: [f32('predicted_depth', ['batch', 'height', 'width'])],
      },
    ],
    preprocessing: {
      resize: 'keep-aspect-multiple',
      size: 518,
      multipleOf: 14,
      interpolation: 'bicubic',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      rescale: true,
    },
    verifiedChecksum: false,
    notes: [
      `The metric head is Sigmoid × max_depth (${maxDepth} m) inside the graph (HF modeling_depth_anything.py and the upstream metric_depth DPT head): predicted_depth is already metres.`,
      'The export must prove it is metric before it runs: config.json with depth_estimation_type "metric" and max_depth, or a graph whose output is Sigmoid × max_depth; the relative export (same I/O) is refused.',
      `Only safetensors are hosted for the -hf checkpoints and no released optimum exports them: "sqw models export ${`depth-anything-v2-metric-${kind}-small`}" runs the repository's export script (torch + transformers) and imports the result; or use the fabio-sim v2.0.0 release (depth-anything-v2-metric-${kind}-small-release).`,
      'Some self-made metric exports output all zeros (fabio-sim/Depth-Anything-ONNX#16): check a known scene.',
    ],
    params: { maxDepth },
  };
}

/**
 * The fabio-sim/Depth-Anything-ONNX v2.0.0 release assets: the same network under the names its
 * export gives (input "image", output "depth" — dynamo.py's legacy-exporter branch) with the
 * upstream repository's sizing (Resize lower_bound: both sides ≥ 518, multiples of 14). The asset
 * file names are not recorded in a source we read (issue #29 says only that the metric ones have
 * "indoor"/"outdoor" in their names), so there is no URL: download the asset and import it.
 */
function depthAnythingMetricRelease(kind: 'indoor' | 'outdoor'): ModelManifestInput {
  const maxDepth = kind === 'indoor' ? 20 : 80;
  return {
    id: `depth-anything-v2-metric-${kind}-small-release`,
    task: 'depth',
    displayName: `Depth Anything V2 metric ${kind} (small, fabio-sim release)`,
    source:
      'fabio-sim/Depth-Anything-ONNX release v2.0.0 (https://github.com/fabio-sim/Depth-Anything-ONNX/releases/tag/v2.0.0, issue #29) — onnx-models.md §4a',
    files: [file('model.onnx', null, 'apache-2.0', 'model')],
    contracts: [
      {
        graph: 'model',
        file: 'model.onnx',
        inputs: [f32('image', ['batch', 3, 'height', 'width'])],
        outputs: [f32('depth', ['batch', 'height', 'width'])],
      },
    ],
    preprocessing: {
      resize: 'lower-bound-multiple',
      size: 518,
      multipleOf: 14,
      interpolation: 'bicubic',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      rescale: true,
    },
    verifiedChecksum: false,
    notes: [
      `Metric head Sigmoid × ${maxDepth} m in the graph (dynamo.py passes max_depth ${maxDepth} for ${kind}).`,
      'Upstream resizes with cv2 INTER_CUBIC (no antialiasing); we resize with PIL-style antialiased bicubic: equal when enlarging, smoother when shrinking.',
      'An asset exported through the dynamo path has a fixed 518×518 input: "sqw models verify" shows the declared shape; such a file needs a stretch to 518×518, which this entry does not do [verify on the asset].',
    ],
    params: { maxDepth },
  };
}

const entries: ModelManifestInput[] = [
  {
    id: 'clip-vit-base-patch32',
    task: 'scene-filter',
    displayName: 'CLIP ViT-B/32 (text + vision)',
    source: 'Xenova/clip-vit-base-patch32 — onnx-models.md §5',
    files: [
      hubFile('Xenova/clip-vit-base-patch32', 'onnx/text_model.onnx', 'mit', 'text', {
        revision: CLIP_ONNX_REV,
        approxSize: '254 MB',
      }),
      hubFile('Xenova/clip-vit-base-patch32', 'onnx/vision_model.onnx', 'mit', 'vision', {
        revision: CLIP_ONNX_REV,
        approxSize: '352 MB',
      }),
      hubFile('Xenova/clip-vit-base-patch32', 'tokenizer.json', 'mit', null, { revision: null }),
      hubFile('Xenova/clip-vit-base-patch32', 'preprocessor_config.json', 'mit', null, {
        revision: CLIP_PREP_REV,
      }),
      hubFile('Xenova/clip-vit-base-patch32', 'config.json', 'mit', null, { revision: null }),
    ],
    contracts: [
      {
        graph: 'text',
        file: 'onnx/text_model.onnx',
        // attention_mask: declared by some exports, not by others (fed only when declared).
        inputs: [
          i64('input_ids', ['batch', 'sequence']),
          { ...i64('attention_mask', ['batch', 'sequence']), optional: true },
        ],
        outputs: [f32('text_embeds', ['batch', 512])],
      },
      {
        graph: 'vision',
        file: 'onnx/vision_model.onnx',
        inputs: [f32('pixel_values', ['batch', 3, 224, 224])],
        outputs: [f32('image_embeds', ['batch', 512])],
      },
    ],
    preprocessing: {
      resize: 'shortest-edge',
      size: 224,
      centerCrop: 224,
      interpolation: 'bicubic',
      mean: CLIP_MEAN,
      std: CLIP_STD,
      rescale: true,
    },
    verifiedChecksum: false,
    notes: [
      'Tokenizer: byte-level BPE, context 77. logits = 100 · cosine similarity, softmax over prompts.',
      'The text graph may also declare attention_mask: it is optional in the contract and fed when declared.',
    ],
    params: { contextLength: 77, logitScale: 100 },
  },
  {
    id: 'grounding-dino-tiny',
    task: 'detection',
    displayName: 'Grounding DINO tiny',
    source: 'onnx-community/grounding-dino-tiny-ONNX — onnx-models.md §1a',
    files: [
      hubFile('onnx-community/grounding-dino-tiny-ONNX', 'onnx/model.onnx', 'apache-2.0', 'model', {
        revision: GDINO_REV,
        approxSize: '719 MB',
      }),
      hubFile('onnx-community/grounding-dino-tiny-ONNX', 'tokenizer.json', 'apache-2.0', null, {
        revision: GDINO_REV,
        approxSize: '711 kB',
      }),
      hubFile(
        'onnx-community/grounding-dino-tiny-ONNX',
        'preprocessor_config.json',
        'apache-2.0',
        null,
        {
          revision: GDINO_REV,
          size: 496,
        },
      ),
      hubFile('onnx-community/grounding-dino-tiny-ONNX', 'config.json', 'apache-2.0', null, {
        revision: GDINO_REV,
        approxSize: '1.58 kB',
      }),
    ],
    contracts: [
      {
        graph: 'model',
        file: 'onnx/model.onnx',
        inputs: [
          f32('pixel_values', ['batch', 3, 'height', 'width']),
          i64('pixel_mask', ['batch', 'height', 'width']),
          i64('input_ids', ['batch', 'sequence']),
          i64('token_type_ids', ['batch', 'sequence']),
          i64('attention_mask', ['batch', 'sequence']),
        ],
        outputs: [f32('logits', ['batch', 900, 256]), f32('pred_boxes', ['batch', 900, 4])],
      },
    ],
    preprocessing: {
      resize: 'shortest-edge',
      size: 800,
      maxSize: 1333,
      interpolation: 'bilinear',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      rescale: true,
    },
    verifiedChecksum: false,
    notes: [
      'Multi-phrase prompts are scored wrongly by this export: run one phrase per pass.',
      'Prompt lowercased and ending with "."; boxes cxcywh normalised; no NMS in the export.',
    ],
    params: { boxThreshold: 0.25, textThreshold: 0.25 },
  },
  {
    id: 'owlv2-base-patch16',
    task: 'detection',
    displayName: 'OWLv2 B/16',
    source: 'Xenova/owlv2-base-patch16 — onnx-models.md §1b',
    files: [
      hubFile('Xenova/owlv2-base-patch16', 'onnx/model.onnx', 'apache-2.0', 'model', {
        revision: OWLV2_ONNX_REV,
        approxSize: '614 MB',
      }),
      hubFile('Xenova/owlv2-base-patch16', 'tokenizer.json', 'apache-2.0', null, {
        revision: null,
      }),
      hubFile('Xenova/owlv2-base-patch16', 'preprocessor_config.json', 'apache-2.0', null, {
        revision: null,
      }),
      hubFile('Xenova/owlv2-base-patch16', 'config.json', 'apache-2.0', null, { revision: null }),
    ],
    contracts: [
      {
        graph: 'model',
        file: 'onnx/model.onnx',
        inputs: [
          i64('input_ids', ['queries', 'sequence']),
          i64('attention_mask', ['queries', 'sequence']),
          f32('pixel_values', ['batch', 3, 960, 960]),
        ],
        outputs: [
          f32('logits', ['batch', 'patches', 'queries']),
          f32('pred_boxes', ['batch', 'patches', 4]),
        ],
      },
    ],
    preprocessing: {
      resize: 'stretch',
      size: 960,
      interpolation: 'bilinear',
      mean: CLIP_MEAN,
      std: CLIP_STD,
      rescale: true,
      pad: 'bottom-right',
    },
    verifiedChecksum: false,
    notes: [
      'Box convention: the adapter (adapters/owlv2.ts) pads to a max(W,H) square with black (0, as transformers ≥ 5 and the scenic original; 4.x used 0.5 grey) at the bottom/right and resizes it to 960, as the Python Owlv2ImageProcessor does, so boxes × max(W,H) are pixels; transformers.js stretches instead (boxes × [W,H,W,H]).',
      'No NMS in the export: add class-wise NMS.',
    ],
    params: {},
  },
  {
    id: 'sam-vit-b',
    task: 'segmentation',
    displayName: 'SAM ViT-B (Meta encoder/decoder format)',
    source: 'X-AnyLabeling release v0.2.0 (samexporter) — onnx-models.md §3a',
    files: [
      file(
        'sam_vit_b_01ec64.encoder.onnx',
        'https://github.com/CVHub520/X-AnyLabeling/releases/download/v0.2.0/sam_vit_b_01ec64.encoder.onnx',
        'apache-2.0',
        'encoder',
      ),
      file(
        'sam_vit_b_01ec64.decoder.onnx',
        'https://github.com/CVHub520/X-AnyLabeling/releases/download/v0.2.0/sam_vit_b_01ec64.decoder.onnx',
        'apache-2.0',
        'decoder',
      ),
    ],
    contracts: [
      {
        graph: 'encoder',
        file: 'sam_vit_b_01ec64.encoder.onnx',
        inputs: [f32('input_image', ['height', 'width', 3])],
        outputs: [f32('image_embeddings', [1, 256, 64, 64])],
      },
      {
        graph: 'decoder',
        file: 'sam_vit_b_01ec64.decoder.onnx',
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('point_coords', [1, 'points', 2]),
          f32('point_labels', [1, 'points']),
          f32('mask_input', [1, 1, 256, 256]),
          f32('has_mask_input', [1]),
          f32('orig_im_size', [2]),
        ],
        outputs: [
          f32('masks', [1, 'masks', 'height', 'width']),
          f32('iou_predictions', [1, 'masks']),
          f32('low_res_masks', [1, 'masks', 256, 256]),
        ],
      },
    ],
    preprocessing: {
      resize: 'longest-edge',
      size: 1024,
      interpolation: 'bilinear',
      mean: null,
      std: null,
      rescale: false,
      pad: 'bottom-right',
    },
    verifiedChecksum: false,
    notes: [
      'Encoder exported with samexporter --use-preprocess: RGB 0–255 HWC, normalisation and padding inside the graph [verify against the release file].',
      'Box prompt: corners with labels 2 and 3 in the 1024-long-side frame; orig_im_size (H,W); mask threshold > 0.',
      'Release asset URLs follow the X-AnyLabeling v0.2.0 names [verify].',
    ],
    params: { maskThreshold: 0 },
  },
  {
    id: 'slimsam-77-uniform',
    task: 'segmentation',
    displayName: 'SlimSAM-77 (boxes revision)',
    source: 'Xenova/slimsam-77-uniform, revision "boxes" — onnx-models.md §3b',
    files: [
      // The "boxes" branch's commit is known only abbreviated (9e3d7e8): not pinned.
      hubFile('Xenova/slimsam-77-uniform', 'onnx/vision_encoder.onnx', 'apache-2.0', 'encoder', {
        revision: null,
        branch: 'boxes',
        approxSize: '23.3 MB',
      }),
      hubFile(
        'Xenova/slimsam-77-uniform',
        'onnx/prompt_encoder_mask_decoder.onnx',
        'apache-2.0',
        'decoder',
        {
          revision: null,
          branch: 'boxes',
          approxSize: '16.6 MB',
        },
      ),
      hubFile('Xenova/slimsam-77-uniform', 'preprocessor_config.json', 'apache-2.0', null, {
        revision: null,
        branch: 'boxes',
      }),
      hubFile('Xenova/slimsam-77-uniform', 'config.json', 'apache-2.0', null, {
        revision: null,
        branch: 'boxes',
      }),
    ],
    contracts: [
      {
        graph: 'encoder',
        file: 'onnx/vision_encoder.onnx',
        inputs: [f32('pixel_values', ['batch', 3, 1024, 1024])],
        outputs: [
          f32('image_embeddings', ['batch', 256, 64, 64]),
          f32('image_positional_embeddings', ['batch', 256, 64, 64]),
        ],
      },
      {
        graph: 'decoder',
        file: 'onnx/prompt_encoder_mask_decoder.onnx',
        inputs: [
          f32('image_embeddings', ['batch', 256, 64, 64]),
          f32('image_positional_embeddings', ['batch', 256, 64, 64]),
          // Box-only prompts feed these empty where the export declares them.
          { ...f32('input_points', ['batch', 'point_batch', 'points', 2]), optional: true },
          { ...i64('input_labels', ['batch', 'point_batch', 'points']), optional: true },
          f32('input_boxes', ['batch', 'boxes', 4]),
        ],
        outputs: [
          f32('iou_scores', ['batch', 'point_batch', 3]),
          f32('pred_masks', ['batch', 'point_batch', 3, 256, 256]),
        ],
      },
    ],
    preprocessing: {
      resize: 'longest-edge',
      size: 1024,
      interpolation: 'bilinear',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      rescale: true,
      pad: 'bottom-right',
    },
    verifiedChecksum: false,
    notes: [
      'input_boxes exists only on the "boxes" revision; main lacks it (transformers.js PR #1141).',
      'pred_masks are 256² low-res logits: bilinear → 1024², crop, bilinear → original, > 0.',
    ],
    params: { maskThreshold: 0 },
  },
  // Metric3D first: the pipeline takes the first installed model of a task, and it is the
  // downloadable metric depth model for photos (no hosted ONNX exists for the others).
  {
    id: 'metric3d-vit-small',
    task: 'depth',
    displayName: 'Metric3D v2 ViT-S (depth + normals)',
    source: 'onnx-community/metric3d-vit-small — onnx-models.md §4b',
    files: [
      // Licence: the model card's (cc0-1.0). The preprocessor pin is the raw 0–255 version
      // (do_normalize/do_rescale false, 288 B); the first one (16a821e, 436 B) normalised.
      hubFile('onnx-community/metric3d-vit-small', 'onnx/model.onnx', 'cc0-1.0', 'model', {
        revision: METRIC3D_ONNX_REV,
        approxSize: '151 MB',
      }),
      hubFile('onnx-community/metric3d-vit-small', 'preprocessor_config.json', 'cc0-1.0', null, {
        revision: METRIC3D_PREP_REV,
        size: 288,
      }),
      hubFile('onnx-community/metric3d-vit-small', 'config.json', 'cc0-1.0', null, {
        revision: METRIC3D_CONFIG_REV,
        size: 30,
      }),
    ],
    contracts: [
      {
        graph: 'model',
        file: 'onnx/model.onnx',
        inputs: [f32('pixel_values', ['batch', 3, 'height', 'width'])],
        // Names and ranks are not recorded from the hosted file: the upstream names (pred_depth,
        // prediction_normal) and a kept channel dim ([b,1,h,w]) are accepted; normals optional.
        outputs: [
          {
            ...f32('predicted_depth', ['batch', 'height', 'width']),
            aliases: ['pred_depth', 'depth'],
            otherRanks: [4],
          },
          {
            ...f32('predicted_normal', ['batch', 'channels', 'height', 'width']),
            aliases: ['pred_normal', 'prediction_normal', 'normal'],
            optional: true,
          },
        ],
      },
    ],
    preprocessing: {
      resize: 'keep-aspect-multiple',
      size: 518,
      multipleOf: 14,
      interpolation: 'bicubic',
      mean: null,
      std: null,
      rescale: false,
    },
    verifiedChecksum: false,
    notes: [
      "Canonical camera: depth_m = prediction · fx'/1000 with fx' the focal length in network-input pixels, clamped to [0, 300].",
      'Output names predicted_depth / predicted_normal are expected, not read from the file [verify via verify]; aliases and a [b,1,h,w] depth are accepted, and an export without normals gives depth only.',
      'Licence: cc0-1.0 as the onnx-community model card states (the upstream YvanYin/Metric3D code is BSD-2-Clause).',
    ],
    params: { canonicalFocal: 1000, maxDepth: 300 },
  },
  depthAnythingMetric('indoor'),
  depthAnythingMetric('outdoor'),
  depthAnythingMetricRelease('indoor'),
  depthAnythingMetricRelease('outdoor'),
  {
    id: 'geocalib-fields',
    task: 'calibration',
    displayName: 'GeoCalib fields (up vector + latitude)',
    source: 'mprib/geocalib-fields-onnx (network stage only) — onnx-models.md §6',
    files: [file('model.onnx', null, 'apache-2.0', 'model')],
    contracts: [
      {
        graph: 'model',
        file: 'model.onnx',
        inputs: [f32(null, [1, 3, 'height', 'width'])],
        outputs: [
          f32('up_field', [1, 2, 'height', 'width']),
          // Upstream GeoCalib returns the confidences as (B,H,W).
          { ...f32('up_confidence', [1, 1, 'height', 'width']), otherRanks: [3] },
          f32('latitude_field', [1, 1, 'height', 'width']),
          { ...f32('latitude_confidence', [1, 1, 'height', 'width']), otherRanks: [3] },
        ],
      },
    ],
    preprocessing: {
      resize: 'shortest-edge',
      size: 320,
      multipleOf: 32,
      interpolation: 'bilinear',
      mean: null,
      std: null,
      rescale: true,
    },
    verifiedChecksum: false,
    notes: [
      'The file name and input name in the hosted repository are not recorded: import the file; the input is matched by position.',
      'Roll, pitch (and focal) come from a Levenberg–Marquardt fit on the fields; principal point at the centre; roll and pitch signs as upstream Gravity.from_rp.',
      'Input as upstream ImagePreprocessor: short side 320 (aspect kept), centre crop to multiples of 32.',
    ],
    params: {},
  },
];

export const CATALOGUE: readonly ModelManifest[] = entries.map((e) =>
  parseManifest(e, `built-in manifest ${e.id}`),
);

export function findManifest(id: string, extra: readonly ModelManifest[] = []): ModelManifest {
  const m = [...extra, ...CATALOGUE].find((x) => x.id === id);
  if (!m) {
    const known = CATALOGUE.map((x) => x.id).join(', ');
    throw new Error(`unknown model "${id}" (built-in: ${known})`);
  }
  return m;
}
