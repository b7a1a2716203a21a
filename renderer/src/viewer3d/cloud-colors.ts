// Point colours for the three colour modes, written into a Uint8 RGB buffer the GPU reads as is.
// Selection and highlight tint on top of every mode, so the selected object stands out in each.
import { turboTable } from '../../../spatial/colormap';

export type ColorMode = 'rgb' | 'object' | 'depth';

export interface ColorSource {
  colors: Uint8Array;
  depth: Float32Array;
  objectIds: Int32Array;
}

export interface ColorOptions {
  selectedId: number | null;
  highlightIds: ReadonlySet<number>;
  depthRange: { min: number; max: number } | null;
}

/** Distinct, readable colours for object ids (golden-angle hues). */
export function objectColor(id: number): [number, number, number] {
  const h = ((id * 137.508) % 360) / 360;
  return hslToRgb(h, 0.7, 0.55);
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const SELECTED: [number, number, number] = [255, 214, 10];
const HIGHLIGHT: [number, number, number] = [255, 110, 40];
const BACKGROUND_OBJECT = 70;

/**
 * Fills `out` (3 bytes per point) for `count` points. `pick` maps an output point to its source
 * index (identity for the full cloud, a stride for the level-of-detail copy).
 */
export function fillColors(
  mode: ColorMode,
  src: ColorSource,
  out: Uint8Array,
  count: number,
  opts: ColorOptions,
  pick: (i: number) => number = (i) => i,
): void {
  const lut = turboTable();
  const lo = opts.depthRange?.min ?? 0;
  const span = Math.max(1e-6, (opts.depthRange?.max ?? 1) - lo);
  const palette = new Map<number, [number, number, number]>();
  const tinting = opts.selectedId !== null || opts.highlightIds.size > 0;
  for (let i = 0; i < count; i++) {
    const j = pick(i);
    const id = src.objectIds[j]!;
    let r: number;
    let g: number;
    let b: number;
    if (mode === 'rgb') {
      r = src.colors[j * 3]!;
      g = src.colors[j * 3 + 1]!;
      b = src.colors[j * 3 + 2]!;
    } else if (mode === 'object') {
      if (id === 0) r = g = b = BACKGROUND_OBJECT;
      else {
        let c = palette.get(id);
        if (!c) palette.set(id, (c = objectColor(id)));
        [r, g, b] = c;
      }
    } else {
      // Near = red end of the ramp, far = blue end, like the 2D depth overlay.
      const t = 1 - Math.min(1, Math.max(0, (src.depth[j]! - lo) / span));
      const k = Math.round(t * 255) * 3;
      r = lut[k]!;
      g = lut[k + 1]!;
      b = lut[k + 2]!;
    }
    if (tinting && id !== 0) {
      const tint = id === opts.selectedId ? SELECTED : opts.highlightIds.has(id) ? HIGHLIGHT : null;
      if (tint) {
        r = (r + tint[0] * 2) / 3;
        g = (g + tint[1] * 2) / 3;
        b = (b + tint[2] * 2) / 3;
      }
    }
    out[i * 3] = r;
    out[i * 3 + 1] = g;
    out[i * 3 + 2] = b;
  }
}
