// Synthetic indoor frames for pipeline tests and benchmarks: a floor seen from 1.3 m, a back wall,
// and upright boxes standing on the floor, with matching 16-bit depth (mm) and COCO boxes. The
// colour gets brighter with distance, so the tiny Depth Anything test model (depth grows with
// brightness) also yields a floor-like depth map.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../../../spatial/geometry/rng';

export interface SyntheticBatch {
  colorDir: string;
  depthDir: string;
  cocoFile: string;
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  names: string[];
}

const CAMERA_HEIGHT = 1.3;
const WALL = 6;
const LABELS = ['chair', 'table', 'cabinet', 'box'];

export async function writeSyntheticBatch(
  dir: string,
  opts: { count: number; width?: number; height?: number; objects?: number; seed?: number },
): Promise<SyntheticBatch> {
  const width = opts.width ?? 160;
  const height = opts.height ?? 120;
  const fx = width * 0.8;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const colorDir = join(dir, 'color');
  const depthDir = join(dir, 'depth');
  mkdirSync(colorDir, { recursive: true });
  mkdirSync(depthDir, { recursive: true });
  // Seeded, so every run builds the same batch.
  const random = mulberry32(opts.seed ?? 7);
  const coco = {
    images: [] as Array<{ id: number; file_name: string; width: number; height: number }>,
    categories: LABELS.map((name, i) => ({ id: i + 1, name })),
    annotations: [] as Array<{ id: number; image_id: number; category_id: number; bbox: number[] }>,
  };
  const names: string[] = [];
  let annId = 1;
  for (let n = 0; n < opts.count; n++) {
    const depth = new Float32Array(width * height);
    for (let v = 0; v < height; v++) {
      const floor = v > cy ? (CAMERA_HEIGHT * fx) / (v - cy) : Infinity;
      const d = Math.min(floor, WALL);
      for (let u = 0; u < width; u++) depth[v * width + u] = d;
    }
    const objects = opts.objects ?? 3;
    for (let k = 0; k < objects; k++) {
      const d = 1.8 + random() * 3;
      const w = 0.4 + random() * 0.6;
      const h = 0.5 + random() * 0.7;
      const xc = (random() - 0.5) * 2.2;
      const u0 = Math.max(0, Math.round(cx + ((xc - w / 2) * fx) / d));
      const u1 = Math.min(width, Math.round(cx + ((xc + w / 2) * fx) / d));
      const vb = Math.min(height, Math.round(cy + (CAMERA_HEIGHT * fx) / d));
      const vt = Math.max(0, Math.round(cy + ((CAMERA_HEIGHT - h) * fx) / d));
      if (u1 - u0 < 3 || vb - vt < 3) continue;
      for (let v = vt; v < vb; v++)
        for (let u = u0; u < u1; u++) depth[v * width + u] = Math.min(depth[v * width + u]!, d);
      coco.annotations.push({
        id: annId++,
        image_id: n + 1,
        category_id: (k % LABELS.length) + 1,
        bbox: [u0, vt, u1 - u0, vb - vt],
      });
    }
    const mm = new Uint16Array(width * height);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < mm.length; i++) {
      mm[i] = Math.round(depth[i]! * 1000);
      const g = Math.min(255, Math.round((depth[i]! / WALL) * 200) + 30);
      rgb.set([g, Math.max(0, g - 20), Math.min(255, g + 10)], i * 3);
    }
    const name = `frame-${String(n).padStart(5, '0')}.png`;
    names.push(name);
    await sharp(rgb, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(join(colorDir, name));
    await sharp(mm, { raw: { width, height, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toFile(join(depthDir, name));
    coco.images.push({ id: n + 1, file_name: name, width, height });
  }
  const cocoFile = join(dir, 'annotations.coco.json');
  writeFileSync(cocoFile, JSON.stringify(coco));
  return { colorDir, depthDir, cocoFile, intrinsics: { fx, fy: fx, cx, cy }, names };
}
