// Which of an object's extents were observed and which only bounded: a side of the object's image
// outline that meets a nearer surface (an occluder) or the image border hides where the object
// ends, so the extent across that side is a lower bound. Image left/right sides bound the width,
// top/bottom the height (camera roll is small next to the sides' 90 degrees); the depth extent is
// seen only when the camera looks down on the object's top (the top face spans front to back) and
// the top side is not hidden. DEFINITIONS.md "Observed and bounded extents".
import type { ExtentStatus, ExtentStatuses, HiddenEnds } from './scene-graph';
import { ascendingPixelBounds, ascendingPixels, pixelListBounds } from '../geometry/mask-rle';

/** Share of a side's outline pixels that must meet an occluder (or the border) to bound it. */
const BOUNDED_SHARE = 0.1;
/** Up to this many missing-depth pixels are skipped when looking past the outline. */
const HOLE_SKIP = 3;

// Per column of the object's box: first and last row holding an object pixel (-1: none).
let colTop = new Int32Array(0);
let colBottom = new Int32Array(0);

export interface OutlineInput {
  depth: Float32Array;
  width: number;
  height: number;
  /** The object's pixels (row-major indices, valid depth). */
  pixels: ArrayLike<number>;
  count: number;
  /** Depth difference (m) at the object's range beyond which a neighbour counts as in front. */
  gate: (z: number) => number;
}

type Side = 'left' | 'right' | 'top' | 'bottom';

/** Per side: outline pixels, and those meeting a nearer surface or the image border. */
export function outlineSides(o: OutlineInput): Record<Side, ExtentStatus> {
  const { depth, width: W, height: H, count } = o;
  // One pass for the usual ascending list; any other order is sorted first.
  const bounds = count > 0 ? ascendingPixelBounds(o.pixels, count, W) : null;
  const pixels = bounds ? o.pixels : ascendingPixels(o.pixels, count);
  const { u0, u1 } = bounds ?? pixelListBounds(pixels, count, W);
  const w = u1 - u0 + 1;
  if (colTop.length < w) {
    colTop = new Int32Array(w * 2);
    colBottom = new Int32Array(w * 2);
  }
  colTop.fill(-1, 0, w);
  // Walks from an outline pixel (u, v) outwards by (du, dv): border, occluder or neither.
  const beyond = (u: number, v: number, du: number, dv: number): 0 | 1 | 2 => {
    const z = depth[v * W + u]!;
    let uu = u + du;
    let vv = v + dv;
    for (let s = 0; s <= HOLE_SKIP; s++, uu += du, vv += dv) {
      if (uu < 0 || vv < 0 || uu >= W || vv >= H) return 2;
      const zn = depth[vv * W + uu]!;
      if (zn > 0 && zn < Infinity) return zn < z - o.gate(z) ? 1 : 0;
    }
    return 0;
  };
  const tally = { left: [0, 0, 0], right: [0, 0, 0], top: [0, 0, 0], bottom: [0, 0, 0] };
  // Ascending pixels: a row's first and last pixels are its left and right outline; per column
  // the first row seen is its top, the last its bottom.
  for (let i = 0; i < count;) {
    const v = Math.floor(pixels[i]! / W);
    const rowEnd = (v + 1) * W;
    const first = i;
    for (; i < count && pixels[i]! < rowEnd; i++) {
      const x = pixels[i]! - v * W - u0;
      if (colTop[x]! < 0) colTop[x] = v;
      colBottom[x] = v;
    }
    tally.left[beyond(pixels[first]! - v * W, v, -1, 0)]!++;
    tally.right[beyond(pixels[i - 1]! - v * W, v, 1, 0)]!++;
  }
  for (let x = 0; x < w; x++) {
    if (colTop[x]! < 0) continue;
    tally.top[beyond(x + u0, colTop[x]!, 0, -1)]!++;
    tally.bottom[beyond(x + u0, colBottom[x]!, 0, 1)]!++;
  }
  const status = (t: number[]): ExtentStatus => {
    const n = t[0]! + t[1]! + t[2]!;
    if (t[2]! > 0) return 'image-border';
    return t[1]! >= Math.max(1, BOUNDED_SHARE * n) ? 'occluded' : 'observed';
  };
  return {
    left: status(tally.left),
    right: status(tally.right),
    top: status(tally.top),
    bottom: status(tally.bottom),
  };
}

/** The worse of two sides' statuses (a border cut outranks an occluder). */
function worse(a: ExtentStatus, b: ExtentStatus): ExtentStatus {
  if (a === 'image-border' || b === 'image-border') return 'image-border';
  if (a === 'occluded' || b === 'occluded') return 'occluded';
  return 'observed';
}

/**
 * Statuses of width, height and depth. `topVisible`: the camera is above the object's top
 * (aligned frame), so its top face spans the depth extent.
 */
export function extentStatuses(
  sides: Record<Side, ExtentStatus>,
  topVisible: boolean,
): ExtentStatuses {
  return {
    width: worse(sides.left, sides.right),
    height: worse(sides.top, sides.bottom),
    depth: topVisible ? (sides.top === 'observed' ? 'observed' : sides.top) : 'occluded',
  };
}

/** Which ends of the extents are hidden, from the same sides and statuses (HiddenEnds). */
export function hiddenEnds(
  sides: Record<Side, ExtentStatus>,
  statuses: ExtentStatuses,
): HiddenEnds {
  const hidden = <S extends Side>(...ss: S[]): S[] => ss.filter((x) => sides[x] !== 'observed');
  const cutBeside = hidden('left', 'right', 'bottom').length > 0;
  return {
    width: hidden('left', 'right'),
    height: hidden('top', 'bottom'),
    depth: statuses.depth === 'observed' ? [] : cutBeside ? ['near', 'far'] : ['far'],
  };
}
