// Point colours for the three colour modes, written into a Uint8 RGB buffer the GPU reads as is.
// Objects take the 2D canvas's colours (lib/objects objectColors), so an object is one colour in
// 2D and 3D. Selection and highlight tint the RGB and depth modes; in the object mode they keep their
// colour and every other object is dimmed instead, so the tint never changes an object's colour.
import { turboTable } from '../../../spatial/colormap';
import { hexRgb, objectColors } from '../lib/objects';

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
  /** Object id -> `#rrggbb`, the 2D canvas's colours; ids not in it are drawn as unknown (grey). */
  objectColors: ReadonlyMap<number, string>;
}

/** The 2D rule applied to the ids a 3D view knows, for a viewer shown without the 2D canvas. */
export function colorsForIds(ids: Iterable<number>): Map<number, string> {
  return objectColors([...ids].map((id) => ({ id })));
}

const SELECTED: [number, number, number] = [255, 214, 10];
const HIGHLIGHT: [number, number, number] = [255, 110, 40];
const BACKGROUND_OBJECT = 70;
const UNKNOWN_OBJECT = 150;
/** What is left of an unselected object's colour in the object mode while something is selected. */
const DIMMED = 0.35;

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
  const palette = new Map<number, readonly number[]>();
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
        if (!c) {
          const hex = opts.objectColors.get(id);
          c = hex ? hexRgb(hex) : [UNKNOWN_OBJECT, UNKNOWN_OBJECT, UNKNOWN_OBJECT];
          palette.set(id, c);
        }
        [r, g, b] = c as [number, number, number];
      }
    } else {
      // Near = red end of the ramp, far = blue end, like the 2D depth overlay.
      const t = 1 - Math.min(1, Math.max(0, (src.depth[j]! - lo) / span));
      const k = Math.round(t * 255) * 3;
      r = lut[k]!;
      g = lut[k + 1]!;
      b = lut[k + 2]!;
    }
    if (tinting && mode === 'object') {
      if (id !== opts.selectedId && !opts.highlightIds.has(id)) {
        r *= DIMMED;
        g *= DIMMED;
        b *= DIMMED;
      }
    } else if (tinting && id !== 0) {
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
