// transformers.js (npm @huggingface/transformers, a dev dependency) loaded strictly offline on the
// reference fixtures, and the images both sides are given, for the differential tests beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { ImageInput } from '../../adapters/runtime';
import { tempDir } from '../fixtures';
import { kitImage, modelFiles, type Family } from '../reference/reference-data';

type Tjs = typeof import('@huggingface/transformers');

const here = dirname(fileURLToPath(import.meta.url));

/**
 * model_type for the fixtures that hold no config.json (CLIP and Grounding DINO: our adapters read
 * only the processor and tokenizer files). transformers.js picks the model class from it
 * (src/models/registry.js: 'clip' → CLIPModel/CLIPVisionModelWithProjection, 'grounding-dino').
 */
const MODEL_TYPE: Partial<Record<Family, string>> = { clip: 'clip', gdino: 'grounding-dino' };

let loaded: Promise<{ tjs: Tjs; root: string }> | null = null;

/**
 * The library with every remote path shut: allowRemoteModels = false makes a missing local file a
 * ModelFileNotFoundError (src/utils/hub.js) instead of a download; no file-system cache is written.
 * The models load from a temp folder holding one sub-folder per fixture (`family` below).
 */
export function transformersJs(): Promise<{ tjs: Tjs; root: string }> {
  loaded ??= (async () => {
    const tjs = await import('@huggingface/transformers');
    const root = tempDir('sqw-tfjs-');
    tjs.env.allowRemoteModels = false;
    tjs.env.allowLocalModels = true;
    tjs.env.localModelPath = root;
    tjs.env.useFSCache = false;
    tjs.env.useBrowserCache = false;
    // Belt and braces: a fetch that slipped past the flags would go nowhere, fast.
    tjs.env.remoteHost = 'http://127.0.0.1:9/';
    for (const f of ['clip', 'owlv2', 'gdino', 'slimsam', 'depth'] as const) {
      for (const [path, bytes] of Object.entries(modelFiles(f))) {
        mkdirSync(dirname(join(root, f, path)), { recursive: true });
        writeFileSync(join(root, f, path), bytes);
      }
      const type = MODEL_TYPE[f];
      if (type) writeFileSync(join(root, f, 'config.json'), JSON.stringify({ model_type: type }));
    }
    return { tjs, root };
  })();
  return loaded;
}

/** Our decoded bytes as a transformers.js RawImage: both sides start from the same pixels. */
export async function rawImage(image: ImageInput) {
  const { tjs } = await transformersJs();
  return new tjs.RawImage(new Uint8ClampedArray(image.data), image.width, image.height, 3);
}

/**
 * The test images: the reference kit's two PNGs (juneau.png is ../shared/data/photos/Juneau.jpg
 * decoded, 800×489: both sides shrink it), crate.jpg (320×320, copied from ../shared/data/photos),
 * and a small synthetic one (37×23, every side enlarged: edges and a gradient).
 */
export const IMAGES = ['corridor.png', 'juneau.png', 'crate.jpg', 'synthetic 37×23'] as const;
export type ImageName = (typeof IMAGES)[number];

const decoded = new Map<ImageName, Promise<ImageInput>>();
export function testImage(name: ImageName): Promise<ImageInput> {
  if (!decoded.has(name)) decoded.set(name, decode(name));
  return decoded.get(name)!;
}

async function decode(name: ImageName): Promise<ImageInput> {
  if (name === 'crate.jpg') {
    const { data, info } = await sharp(join(here, 'images', name))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
  }
  if (name === 'synthetic 37×23') return synthetic(37, 23);
  return kitImage(name);
}

/** A diagonal gradient with a white square and a black bar: sharp edges for the filters. */
function synthetic(width: number, height: number): ImageInput {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const square = x >= 5 && x < 15 && y >= 4 && y < 14;
      const bar = x >= 24 && x < 27;
      data[i] = square ? 255 : bar ? 0 : Math.round((255 * x) / (width - 1));
      data[i + 1] = square ? 255 : bar ? 0 : Math.round((255 * y) / (height - 1));
      data[i + 2] = square ? 255 : bar ? 0 : 128;
    }
  }
  return { data, width, height, channels: 3 };
}
