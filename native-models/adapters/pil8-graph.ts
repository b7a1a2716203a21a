// Pillow's 8-bit resample as an ONNX graph, bit for bit. ONNX Resize cannot be it: ORT computes its
// antialiased coefficients in float32 and rounds them to fixed point from there, so on uint8 input
// (its port of Pillow) or as two float Resize passes with a rounding between, ~0.01–1 % of values
// land one level off Pillow (measured on the kit images). Here the coefficients are inputs, Pillow's
// own 22-bit ones from resample.ts, and each pass is integer arithmetic: gather the taps, multiply,
// sum, + 2^21, clip, ÷ 2^22 (clip8), the horizontal pass first. Each pass gathers along the
// outermost spatial axis (the other one transposed inside), so Gather copies whole rows.
import { buildModel, DataType, type NodeSpec } from '../onnx-builder';
import { resampleWeights, type Filter } from './resample';

/** Channel-planar (CHW) or interleaved (HWC) network input. */
export type Layout = 'chw' | 'hwc';

const i64 = (values: number[]) => BigInt64Array.from(values.map((v) => BigInt(v)));

export interface Taps {
  /** [out, taps]: the input index of each tap (past a pixel's last tap: its first, weight 0). */
  index: BigInt64Array;
  /** [out, taps]: Pillow's fixed-point coefficient of each tap. */
  coeff: Int32Array;
  taps: number;
}

const cache = new Map<string, Taps>();

/** One axis' taps as graph inputs: every output pixel padded to the widest window. */
export function pil8Taps(inSize: number, outSize: number, filter: Filter): Taps {
  const key = `${inSize}:${outSize}:${filter}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const w = resampleWeights(inSize, outSize, filter);
  const taps = Math.max(1, ...w.count);
  const index = new BigInt64Array(outSize * taps);
  const coeff = new Int32Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    for (let t = 0; t < taps; t++) {
      const inside = t < w.count[i]!;
      index[i * taps + t] = BigInt(w.start[i]! + (inside ? t : 0));
      coeff[i * taps + t] = inside ? w.k[i * w.ksize + t]! : 0;
    }
  }
  const r = { index, coeff, taps };
  if (cache.size > 64) cache.clear();
  cache.set(key, r);
  return r;
}

const node = (
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes?: NodeSpec['attributes'],
): NodeSpec => ({ opType, inputs, outputs, attributes });

/**
 * One pass: gather the taps along `axis` ([.., out, taps, ..]), × coefficients, sum over the taps,
 * then clip8 (+ 2^21, clip to 0 … 2^30 − 1, ÷ 2^22: 0–255, floor as Pillow's shift).
 */
function pass(input: string, index: string, coeff: string, axis: number, out: string): NodeSpec[] {
  return [
    node('Gather', [input, index], [`${out}_taps`], { axis: { kind: 'int', value: axis } }),
    node('Mul', [`${out}_taps`, coeff], [`${out}_products`]),
    node('ReduceSum', [`${out}_products`, `after_${axis}`], [`${out}_sum`], {
      keepdims: { kind: 'int', value: 0 },
    }),
    node('Add', [`${out}_sum`, 'half'], [`${out}_rounded`]),
    node('Clip', [`${out}_rounded`, 'zero', 'top'], [`${out}_clipped`]),
    node('Div', [`${out}_clipped`, 'one'], [out]),
  ];
}

/**
 * uint8 [1,h,w,channels] → (RGBA: the first three channels) → int32 → constant pad (`pads`, begins
 * then ends of [1,h,w,3]; `pad_value` 0–255) → horizontal pass (`x_index`/`x_coeff`) → vertical
 * pass (`y_index`/`y_coeff`) → float. CHW ends × scale + bias per channel; HWC leaves the affine
 * to the caller (SAM's encoder takes 0–255). Coefficients: [out, taps, 1] for CHW, [out, taps, 1,
 * 1] for HWC, to broadcast over what follows the gathered axis.
 */
export function pil8ResizeGraph(channels: 3 | 4, layout: Layout): Uint8Array {
  const chw = layout === 'chw';
  // The pass's axis is outermost after the batch: CHW works on [1,3,w,h] then [1,3,h,ow], HWC on
  // [1,w,h,3] then [1,h,ow,3].
  const axis = chw ? 2 : 1;
  const swap = chw ? [0, 1, 3, 2] : [0, 2, 1, 3];
  const nodes: NodeSpec[] = [];
  if (channels === 4) {
    nodes.push(node('Slice', ['rgba', 'first', 'three', 'last_axis'], ['rgb']));
  }
  nodes.push(
    node('Cast', ['rgb'], ['wide'], { to: { kind: 'int', value: DataType.INT32 } }),
    node('Pad', ['wide', 'pads', 'pad_value'], ['padded']),
    node('Transpose', ['padded'], ['columns'], {
      perm: { kind: 'ints', value: chw ? [0, 3, 2, 1] : swap },
    }),
    ...pass('columns', 'x_index', 'x_coeff', axis, 'across'),
    node('Transpose', ['across'], ['rows'], { perm: { kind: 'ints', value: swap } }),
    ...pass('rows', 'y_index', 'y_coeff', axis, 'resized'),
    node('Cast', ['resized'], [chw ? 'levels' : 'pixel_values'], {
      to: { kind: 'int', value: DataType.FLOAT },
    }),
  );
  if (chw) {
    nodes.push(
      node('Mul', ['levels', 'scale'], ['scaled']),
      node('Add', ['scaled', 'bias'], ['pixel_values']),
    );
  }
  const coeffDims = (out: string) => (chw ? [out, 'taps', 1] : [out, 'taps', 1, 1]);
  return buildModel({
    name: `sqw_resize_pil8_${layout}_${channels}`,
    opset: 18,
    inputs: [
      {
        name: channels === 4 ? 'rgba' : 'rgb',
        elemType: DataType.UINT8,
        dims: [1, 'h', 'w', channels],
      },
      { name: 'pads', elemType: DataType.INT64, dims: [8] },
      { name: 'pad_value', elemType: DataType.INT32, dims: [] },
      { name: 'x_index', elemType: DataType.INT64, dims: ['ow', 'x_taps'] },
      { name: 'x_coeff', elemType: DataType.INT32, dims: coeffDims('ow') },
      { name: 'y_index', elemType: DataType.INT64, dims: ['oh', 'y_taps'] },
      { name: 'y_coeff', elemType: DataType.INT32, dims: coeffDims('oh') },
      ...(chw
        ? [
            { name: 'scale', elemType: DataType.FLOAT, dims: [1, 3, 1, 1] },
            { name: 'bias', elemType: DataType.FLOAT, dims: [1, 3, 1, 1] },
          ]
        : []),
    ],
    outputs: [
      {
        name: 'pixel_values',
        elemType: DataType.FLOAT,
        dims: chw ? [1, 3, 'oh', 'ow'] : [1, 'oh', 'ow', 3],
      },
    ],
    nodes,
    initializers: [
      { name: `after_${axis}`, dims: [1], data: i64([axis + 1]) },
      { name: 'half', dims: [], data: Int32Array.of(1 << 21) },
      { name: 'zero', dims: [], data: Int32Array.of(0) },
      // 256 · 2^22 − 1: everything above 255.99… clips to 255, as Pillow's clip8.
      { name: 'top', dims: [], data: Int32Array.of(2 ** 30 - 1) },
      { name: 'one', dims: [], data: Int32Array.of(1 << 22) },
      ...(channels === 4
        ? [
            { name: 'first', dims: [1], data: i64([0]) },
            { name: 'three', dims: [1], data: i64([3]) },
            { name: 'last_axis', dims: [1], data: i64([3]) },
          ]
        : []),
    ],
  });
}
