// Tiny ONNX graphs with the exact input/output names, dtypes and ranks of the public exports each
// adapter runs (contracts: ../shared/research/onnx-models.md, quoted in each adapter's header).
// Their arithmetic is simple and known, so tests can predict every output: boxes come back where a
// correct coordinate transform puts them, masks are the prompted box, depth is the mean pixel value.
import { buildModel, DataType, type NodeSpec, type TensorSpec } from '../onnx-builder';

type Ints = { kind: 'ints'; value: number[] };
type Int = { kind: 'int'; value: number };
const ints = (value: number[]): Ints => ({ kind: 'ints', value });
const int = (value: number): Int => ({ kind: 'int', value });
const f32 = (name: string, dims: number[], values: ArrayLike<number>): TensorSpec => ({
  name,
  dims,
  data: Float32Array.from(values),
});
const i64 = (name: string, dims: number[], values: number[]): TensorSpec => ({
  name,
  dims,
  data: BigInt64Array.from(values.map(BigInt)),
});
const node = (
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes?: NodeSpec['attributes'],
): NodeSpec => ({ opType, inputs, outputs, attributes });
const F = DataType.FLOAT;
const I = DataType.INT64;

// --- CLIP --------------------------------------------------------------------------------------

/**
 * CLIP text: input_ids [batch, sequence] (+ attention_mask when asked) → text_embeds [batch, 512]
 * = mean over tokens of table[id] (table: vocab × 512).
 */
export function clipTextModel(table: Float32Array, opts: { attentionMask?: boolean } = {}) {
  const vocab = table.length / 512;
  const nodes = [
    node('Gather', ['table', 'input_ids'], ['rows'], { axis: int(0) }),
    node('ReduceMean', ['rows'], [opts.attentionMask ? 'mean' : 'text_embeds'], {
      axes: ints([1]),
      keepdims: int(0),
    }),
  ];
  const inputs = [{ name: 'input_ids', elemType: I, dims: ['batch', 'sequence'] }];
  const initializers = [f32('table', [vocab, 512], table)];
  if (opts.attentionMask) {
    inputs.push({ name: 'attention_mask', elemType: I, dims: ['batch', 'sequence'] });
    // Uses the mask (so a wrong shape fails) without changing the result: + 0 · mean(mask).
    nodes.push(
      node('Cast', ['attention_mask'], ['maskf'], { to: int(F) }),
      node('ReduceMean', ['maskf'], ['maskmean'], { keepdims: int(0) }),
      node('Mul', ['maskmean', 'zero'], ['nothing']),
      node('Add', ['mean', 'nothing'], ['text_embeds']),
    );
    initializers.push(f32('zero', [], [0]));
  }
  return buildModel({
    name: 'tiny_clip_text',
    inputs,
    outputs: [{ name: 'text_embeds', elemType: F, dims: ['batch', 512] }],
    nodes,
    initializers,
  });
}

/** CLIP vision: pixel_values [batch,3,224,224] → image_embeds = channel means · W (3 × 512). */
export function clipVisionModel(w: Float32Array) {
  return buildModel({
    name: 'tiny_clip_vision',
    inputs: [{ name: 'pixel_values', elemType: F, dims: ['batch', 3, 224, 224] }],
    outputs: [{ name: 'image_embeds', elemType: F, dims: ['batch', 512] }],
    nodes: [
      node('ReduceMean', ['pixel_values'], ['means'], { axes: ints([2, 3]), keepdims: int(0) }),
      node('MatMul', ['means', 'w'], ['image_embeds']),
    ],
    initializers: [f32('w', [3, 512], w)],
  });
}

// --- Grounding DINO ----------------------------------------------------------------------------

/**
 * Grounding DINO: pixel_values [b,3,H,W], pixel_mask i64 [b,H,W], input_ids / token_type_ids /
 * attention_mask i64 [b,T] → logits [b,900,256], pred_boxes [b,900,4].
 * logits[q, t] = table[input_ids[t], q] for t < T, −∞ after (HF GroundingDino's ContrastiveEmbedding
 * pads to max_text_len 256 with −inf, and the export keeps that);
 * pred_boxes are the constant `boxes` (900 × 4, cxcywh normalised). pixel_mask is multiplied with
 * the channel mean of pixel_values, so a mask of the wrong size fails the run.
 */
export function groundingDinoModel(
  table: Float32Array,
  boxes: Float32Array,
  opts: { inputName?: string; nan?: boolean } = {},
) {
  const vocab = table.length / 900;
  const pixels = opts.inputName ?? 'pixel_values';
  return buildModel({
    name: 'tiny_grounding_dino',
    inputs: [
      { name: pixels, elemType: F, dims: ['batch', 3, 'height', 'width'] },
      { name: 'pixel_mask', elemType: I, dims: ['batch', 'height', 'width'] },
      { name: 'input_ids', elemType: I, dims: ['batch', 'sequence'] },
      { name: 'token_type_ids', elemType: I, dims: ['batch', 'sequence'] },
      { name: 'attention_mask', elemType: I, dims: ['batch', 'sequence'] },
    ],
    outputs: [
      { name: 'logits', elemType: F, dims: ['batch', 900, 256] },
      { name: 'pred_boxes', elemType: F, dims: ['batch', 900, 4] },
    ],
    nodes: [
      node('Gather', ['table', 'input_ids'], ['tok'], { axis: int(0) }), // [1,T,900]
      node('Transpose', ['tok'], ['qt'], { perm: ints([0, 2, 1]) }), // [1,900,T]
      node('Shape', ['input_ids'], ['ids_shape']),
      node('Gather', ['ids_shape', 'one_idx'], ['T'], { axis: int(0) }), // [1]
      node('Sub', ['n256', 'T'], ['padlen']),
      node('Concat', ['zeros5', 'padlen'], ['pads'], { axis: int(0) }),
      node('Pad', ['qt', 'pads', 'minus_inf'], ['raw_logits'], {
        mode: { kind: 'string', value: 'constant' },
      }),
      // Use the image inputs and the other text inputs: + 0 · (mean(pixels · mask) + mean(types) + mean(attn)).
      node('ReduceMean', [pixels], ['chmean'], { axes: ints([1]), keepdims: int(0) }),
      node('Cast', ['pixel_mask'], ['maskf'], { to: int(F) }),
      node('Mul', ['chmean', 'maskf'], ['masked']),
      node('ReduceMean', ['masked'], ['m1'], { keepdims: int(0) }),
      node('Cast', ['token_type_ids'], ['typesf'], { to: int(F) }),
      node('ReduceMean', ['typesf'], ['m2'], { keepdims: int(0) }),
      node('Cast', ['attention_mask'], ['attnf'], { to: int(F) }),
      node('ReduceMean', ['attnf'], ['m3'], { keepdims: int(0) }),
      node('Sum', ['m1', 'm2', 'm3'], ['msum']),
      node('Mul', ['msum', opts.nan ? 'nan' : 'zero'], ['nothing']),
      node('Add', ['raw_logits', 'nothing'], ['logits']),
      node('Identity', ['boxes'], ['pred_boxes']),
    ],
    initializers: [
      f32('table', [vocab, 900], table),
      f32('boxes', [1, 900, 4], boxes),
      i64('one_idx', [1], [1]),
      i64('n256', [1], [256]),
      i64('zeros5', [5], [0, 0, 0, 0, 0]),
      f32('minus_inf', [], [-Infinity]),
      opts.nan ? f32('nan', [], [NaN]) : f32('zero', [], [0]),
    ],
  });
}

// --- OWLv2 -------------------------------------------------------------------------------------

/**
 * OWLv2: input_ids / attention_mask i64 [Q,S], pixel_values [1,3,960,960] → logits [1,P,Q],
 * pred_boxes [1,P,4]. logits[p, q] = max over the query's tokens of table[id, p] (table: vocab × P);
 * pred_boxes constant (P × 4, cxcywh normalised to the padded square).
 */
export function owlv2Model(table: Float32Array, boxes: Float32Array, size = 960) {
  const patches = boxes.length / 4;
  const vocab = table.length / patches;
  return buildModel({
    name: 'tiny_owlv2',
    inputs: [
      { name: 'input_ids', elemType: I, dims: ['queries', 'sequence'] },
      { name: 'attention_mask', elemType: I, dims: ['queries', 'sequence'] },
      { name: 'pixel_values', elemType: F, dims: ['batch', 3, size, size] },
    ],
    outputs: [
      { name: 'logits', elemType: F, dims: ['batch', 'patches', 'queries'] },
      { name: 'pred_boxes', elemType: F, dims: ['batch', 'patches', 4] },
    ],
    nodes: [
      node('Gather', ['table', 'input_ids'], ['tok'], { axis: int(0) }), // [Q,S,P]
      node('Cast', ['attention_mask'], ['attnf'], { to: int(F) }),
      node('Unsqueeze', ['attnf', 'axis2'], ['attn3']), // [Q,S,1]
      // Padding tokens must not count: subtract 1000 where the mask is 0.
      node('Sub', ['attn3', 'one'], ['offm']),
      node('Mul', ['offm', 'thousand'], ['penalty']),
      node('Add', ['tok', 'penalty'], ['masked']),
      node('ReduceMax', ['masked'], ['qp'], { axes: ints([1]), keepdims: int(0) }), // [Q,P]
      node('Transpose', ['qp'], ['pq'], { perm: ints([1, 0]) }),
      node('Unsqueeze', ['pq', 'axis0'], ['raw']),
      node('ReduceMean', ['pixel_values'], ['pm'], { keepdims: int(0) }),
      node('Mul', ['pm', 'zero'], ['nothing']),
      node('Add', ['raw', 'nothing'], ['logits']),
      node('Identity', ['boxes'], ['pred_boxes']),
    ],
    initializers: [
      f32('table', [vocab, patches], table),
      f32('boxes', [1, patches, 4], boxes),
      i64('axis0', [1], [0]),
      i64('axis2', [1], [2]),
      f32('one', [], [1]),
      f32('thousand', [], [1000]),
      f32('zero', [], [0]),
    ],
  });
}

// --- SAM (Meta format) -------------------------------------------------------------------------

/** Encoder: input_image [H,W,3] → image_embeddings [1,256,64,64] filled with mean(input_image). */
export function samEncoderModel() {
  return buildModel({
    name: 'tiny_sam_encoder',
    inputs: [{ name: 'input_image', elemType: F, dims: ['height', 'width', 3] }],
    outputs: [{ name: 'image_embeddings', elemType: F, dims: [1, 256, 64, 64] }],
    nodes: [
      node('ReduceMean', ['input_image'], ['m'], { keepdims: int(0) }),
      node('Expand', ['m', 'shape'], ['image_embeddings']),
    ],
    initializers: [i64('shape', [4], [1, 256, 64, 64])],
  });
}

/**
 * Decoder in Meta's format (segment_anything/utils/onnx.py SamOnnxModel). Mask token 0 (the
 * single-mask output SAM was trained to give for boxes and multi-point prompts) is the signed
 * distance, in original pixels, from each pixel centre to the edge of the box given by points 0
 * and 1 after undoing ResizeLongestSide per axis (newW = floor(W·1024/max + 0.5)); tokens 1–3 (the
 * multimask outputs) are that box shrunk by 20 px, grown by 20 and grown by 40, with predicted
 * IoUs [0.93, 0.5, 0.97, 0.7] — so "best IoU" picks the grown box, not the box. − 1000 unless the
 * first two labels are 2 and 3. Pixels on the edge get exactly 0, so ≥ 0 instead of > 0 shows.
 * `singleMask` (export with --return-single-mask): masks [1,1,H,W] chosen as the export does,
 * argmax of iou + (num_points − 2.5) · 1000 · [1,0,0,0] — token 0 with a padding point (3 points),
 * the best multimask token with the two corners alone. Otherwise all 4 tokens come back.
 */
export function samDecoderModel(opts: { singleMask?: boolean } = {}) {
  const n = (op: string, i: string[], o: string, a?: NodeSpec['attributes']) => node(op, i, [o], a);
  const select = opts.singleMask
    ? [
        n('Shape', ['point_labels'], 'lshape'),
        n('Gather', ['lshape', 'idx1'], 'npoints', { axis: int(0) }),
        n('Cast', ['npoints'], 'npf', { to: int(F) }),
        n('Sub', ['npf', 'two_half'], 'excess'),
        n('Mul', ['excess', 'reweight'], 'bonus'), // [4]: (N − 2.5)·1000 on token 0
        n('Add', ['iou', 'bonus'], 'score'), // [1,4]
        n('ArgMax', ['score'], 'best', { axis: int(1), keepdims: int(0) }), // [1]
        n('Gather', ['all_masks', 'best'], 'masks', { axis: int(1) }), // [1,1,H,W]
        n('Gather', ['iou', 'best'], 'iou_predictions', { axis: int(1) }), // [1,1]
        n('Expand', ['zero', 'low_shape1'], 'low_res_masks'),
      ]
    : [
        n('Identity', ['all_masks'], 'masks'),
        n('Identity', ['iou'], 'iou_predictions'),
        n('Expand', ['zero', 'low_shape4'], 'low_res_masks'),
      ];
  return buildModel({
    name: 'tiny_sam_decoder',
    inputs: [
      { name: 'image_embeddings', elemType: F, dims: [1, 256, 64, 64] },
      { name: 'point_coords', elemType: F, dims: [1, 'points', 2] },
      { name: 'point_labels', elemType: F, dims: [1, 'points'] },
      { name: 'mask_input', elemType: F, dims: [1, 1, 256, 256] },
      { name: 'has_mask_input', elemType: F, dims: [1] },
      { name: 'orig_im_size', elemType: F, dims: [2] },
    ],
    outputs: [
      { name: 'masks', elemType: F, dims: [1, 'masks', 'height', 'width'] },
      { name: 'iou_predictions', elemType: F, dims: [1, 'masks'] },
      { name: 'low_res_masks', elemType: F, dims: [1, 'masks', 256, 256] },
    ],
    nodes: [
      n('Gather', ['orig_im_size', 'idx0'], 'H', { axis: int(0) }),
      n('Gather', ['orig_im_size', 'idx1'], 'W', { axis: int(0) }),
      n('Max', ['H', 'W'], 'longest'),
      n('Div', ['n1024', 'longest'], 'scale'),
      n('Mul', ['W', 'scale'], 'ws'),
      n('Add', ['ws', 'half'], 'ws5'),
      n('Floor', ['ws5'], 'newW'),
      n('Div', ['newW', 'W'], 'fx'),
      n('Mul', ['H', 'scale'], 'hs'),
      n('Add', ['hs', 'half'], 'hs5'),
      n('Floor', ['hs5'], 'newH'),
      n('Div', ['newH', 'H'], 'fy'),
      // corners: point_coords[0, 0|1, 0|1] / (fx | fy)
      n('Reshape', ['point_coords', 'flat_shape'], 'pc'), // [2N]
      n('Gather', ['pc', 'idx0'], 'px0', { axis: int(0) }),
      n('Gather', ['pc', 'idx1'], 'py0', { axis: int(0) }),
      n('Gather', ['pc', 'idx2'], 'px1', { axis: int(0) }),
      n('Gather', ['pc', 'idx3'], 'py1', { axis: int(0) }),
      n('Div', ['px0', 'fx'], 'x0'),
      n('Div', ['py0', 'fy'], 'y0'),
      n('Div', ['px1', 'fx'], 'x1'),
      n('Div', ['py1', 'fy'], 'y1'),
      n('Squeeze', ['W', 'idx0'], 'W_s'),
      n('Squeeze', ['H', 'idx0'], 'H_s'),
      n('Range', ['half_s', 'W_s', 'one_s'], 'gx'), // pixel centres 0.5 … W − 0.5
      n('Range', ['half_s', 'H_s', 'one_s'], 'gy'),
      n('Unsqueeze', ['gy', 'axis1'], 'gy2'), // [H,1]
      n('Sub', ['gx', 'x0'], 'dl'),
      n('Sub', ['x1', 'gx'], 'dr'),
      n('Sub', ['gy2', 'y0'], 'dt'),
      n('Sub', ['y1', 'gy2'], 'db'),
      n('Min', ['dl', 'dr'], 'dx'),
      n('Min', ['dt', 'db'], 'dy'),
      n('Min', ['dx', 'dy'], 'dist'), // [H,W]
      n('Reshape', ['point_labels', 'flat_shape'], 'pl'),
      n('Slice', ['pl', 'idx0', 'idx2', 'idx0'], 'pl2'), // the first two labels
      n('Sub', ['pl2', 'want_labels'], 'ldiff'),
      n('Abs', ['ldiff'], 'labs'),
      n('ReduceSum', ['labs'], 'lsum', { keepdims: int(0) }),
      n('Mul', ['lsum', 'minus1000'], 'lpen'),
      n('Add', ['dist', 'lpen'], 'masked'),
      n('Unsqueeze', ['masked', 'axes01'], 'box_mask'), // [1,1,H,W]
      n('Add', ['box_mask', 'token_offsets'], 'all_masks'), // [1,4,H,W]
      ...select,
    ],
    initializers: [
      i64('idx0', [1], [0]),
      i64('idx1', [1], [1]),
      i64('idx2', [1], [2]),
      i64('idx3', [1], [3]),
      i64('flat_shape', [1], [-1]),
      i64('axis1', [1], [1]),
      i64('axes01', [2], [0, 1]),
      i64('low_shape1', [4], [1, 1, 256, 256]),
      i64('low_shape4', [4], [1, 4, 256, 256]),
      f32('n1024', [1], [1024]),
      f32('half', [1], [0.5]),
      f32('half_s', [], [0.5]),
      f32('one_s', [], [1]),
      f32('two_half', [1], [2.5]),
      f32('reweight', [4], [1000, 0, 0, 0]),
      f32('want_labels', [2], [2, 3]),
      f32('minus1000', [], [-1000]),
      f32('zero', [], [0]),
      f32('token_offsets', [1, 4, 1, 1], [0, -20, 20, 40]),
      f32('iou', [1, 4], [0.93, 0.5, 0.97, 0.7]),
    ],
  });
}

// --- SlimSAM (HF format, "boxes" revision) -----------------------------------------------------

/** vision_encoder: pixel_values [b,3,1024,1024] → both embeddings [b,256,64,64] (mean-filled). */
export function slimSamEncoderModel() {
  return buildModel({
    name: 'tiny_slimsam_encoder',
    inputs: [{ name: 'pixel_values', elemType: F, dims: ['batch', 3, 1024, 1024] }],
    outputs: [
      { name: 'image_embeddings', elemType: F, dims: ['batch', 256, 64, 64] },
      { name: 'image_positional_embeddings', elemType: F, dims: ['batch', 256, 64, 64] },
    ],
    nodes: [
      node('ReduceMean', ['pixel_values'], ['m'], { keepdims: int(0) }),
      node('Expand', ['m', 'shape'], ['image_embeddings']),
      node('Expand', ['zero', 'shape'], ['image_positional_embeddings']),
    ],
    initializers: [i64('shape', [4], [1, 256, 64, 64]), f32('zero', [], [0])],
  });
}

/**
 * prompt_encoder_mask_decoder: pred_masks [1,nb,3,256,256] where mask k of box i is the signed
 * distance (in 1024-frame pixels) from each low-res pixel centre ((x + 0.5) · 4) to the edge of
 * input_boxes[i], plus (k − 1) · 40: mask 1 is the box, 0 is shrunk, 2 grown. iou_scores favour
 * mask 1 ([0.5, 0.9, 0.7]). input_points / input_labels are declared (and must be fed) like the
 * hosted export's.
 */
export function slimSamDecoderModel() {
  const n = (op: string, i: string[], o: string, a?: NodeSpec['attributes']) => node(op, i, [o], a);
  const grid = Float32Array.from({ length: 256 }, (_, i) => (i + 0.5) * 4);
  return buildModel({
    name: 'tiny_slimsam_decoder',
    inputs: [
      { name: 'image_embeddings', elemType: F, dims: ['batch', 256, 64, 64] },
      { name: 'image_positional_embeddings', elemType: F, dims: ['batch', 256, 64, 64] },
      { name: 'input_points', elemType: F, dims: ['batch', 'point_batch', 'points', 2] },
      { name: 'input_labels', elemType: I, dims: ['batch', 'point_batch', 'points'] },
      { name: 'input_boxes', elemType: F, dims: ['batch', 'boxes', 4] },
    ],
    outputs: [
      { name: 'iou_scores', elemType: F, dims: ['batch', 'point_batch', 3] },
      { name: 'pred_masks', elemType: F, dims: ['batch', 'point_batch', 3, 256, 256] },
    ],
    nodes: [
      // boxes [1,nb,4] → x0,y0,x1,y1 each [1,nb,1,1,1]
      n('Unsqueeze', ['input_boxes', 'axes234'], 'b5'), // [1,nb,1,1,1,4]
      n('Slice', ['b5', 's0', 's1', 'last'], 'x0'),
      n('Slice', ['b5', 's1', 's2', 'last'], 'y0'),
      n('Slice', ['b5', 's2', 's3', 'last'], 'x1'),
      n('Slice', ['b5', 's3', 's4', 'last'], 'y1'),
      n('Squeeze', ['x0', 'last'], 'X0'),
      n('Squeeze', ['y0', 'last'], 'Y0'),
      n('Squeeze', ['x1', 'last'], 'X1'),
      n('Squeeze', ['y1', 'last'], 'Y1'),
      n('Sub', ['gx', 'X0'], 'dl'),
      n('Sub', ['X1', 'gx'], 'dr'),
      n('Sub', ['gy', 'Y0'], 'dt'),
      n('Sub', ['Y1', 'gy'], 'db'),
      n('Min', ['dl', 'dr'], 'dx'),
      n('Min', ['dt', 'db'], 'dy'),
      n('Min', ['dx', 'dy'], 'dist'), // [1,nb,1,256,256]
      n('Add', ['dist', 'offsets'], 'pred_masks'), // offsets [1,1,3,1,1]
      // iou_scores [1,nb,3]: Expand the constant to the box count.
      n('Shape', ['input_boxes'], 'bshape'),
      n('Slice', ['bshape', 'z1', 'two1', 'z1'], 'lead'), // [1, nb]
      n('Concat', ['lead', 'three'], 'ishape', { axis: int(0) }),
      n('Expand', ['iou', 'ishape'], 'iou_scores_raw'),
      // Feed checks: the points/labels inputs must arrive (empty is fine).
      n('ReduceSum', ['input_points'], 'ps', { keepdims: int(0) }),
      n('Cast', ['input_labels'], 'lf', { to: int(F) }),
      n('ReduceSum', ['lf'], 'ls', { keepdims: int(0) }),
      n('Add', ['ps', 'ls'], 'pls'),
      n('Mul', ['pls', 'zero'], 'nothing'),
      n('Add', ['iou_scores_raw', 'nothing'], 'iou_scores'),
    ],
    initializers: [
      i64('axes234', [3], [2, 3, 4]),
      i64('s0', [1], [0]),
      i64('s1', [1], [1]),
      i64('s2', [1], [2]),
      i64('s3', [1], [3]),
      i64('s4', [1], [4]),
      i64('last', [1], [-1]),
      i64('z1', [1], [0]),
      i64('two1', [1], [2]),
      i64('three', [1], [3]),
      f32('gx', [256], grid),
      f32('gy', [256, 1], grid),
      f32('offsets', [1, 1, 3, 1, 1], [-40, 0, 40]),
      f32('iou', [3], [0.5, 0.9, 0.7]),
      f32('zero', [], [0]),
    ],
  });
}

/** Radius, in 1024-frame pixels, of the disc a click adds or removes in slimSamClickDecoderModel. */
export const CLICK_RADIUS_1024 = 80;

/**
 * prompt_encoder_mask_decoder that honours clicks, for click-to-refine: the three masks of the one
 * box are slimSamDecoderModel's (box distance + (k − 1) · 40), then each positive click (label 1)
 * adds the disc of radius CLICK_RADIUS_1024 around it and each negative one (label 0) cuts it out:
 * logits = min(max(box, R − |p − c+|), |p − c−| − R), in 1024-frame pixels. Needs at least one
 * click (ReduceMax over no clicks is not defined).
 */
export function slimSamClickDecoderModel() {
  const n = (op: string, i: string[], o: string, a?: NodeSpec['attributes']) => node(op, i, [o], a);
  const grid = Float32Array.from({ length: 256 }, (_, i) => (i + 0.5) * 4);
  return buildModel({
    name: 'tiny_slimsam_click_decoder',
    inputs: [
      { name: 'image_embeddings', elemType: F, dims: ['batch', 256, 64, 64] },
      { name: 'image_positional_embeddings', elemType: F, dims: ['batch', 256, 64, 64] },
      { name: 'input_points', elemType: F, dims: ['batch', 'point_batch', 'points', 2] },
      { name: 'input_labels', elemType: I, dims: ['batch', 'point_batch', 'points'] },
      { name: 'input_boxes', elemType: F, dims: ['batch', 'boxes', 4] },
    ],
    outputs: [
      { name: 'iou_scores', elemType: F, dims: ['batch', 'point_batch', 3] },
      { name: 'pred_masks', elemType: F, dims: ['batch', 'point_batch', 3, 256, 256] },
    ],
    nodes: [
      // The box, as in slimSamDecoderModel: [1,nb,3,256,256].
      n('Unsqueeze', ['input_boxes', 'axes234'], 'b5'),
      n('Slice', ['b5', 's0', 's1', 'last'], 'x0'),
      n('Slice', ['b5', 's1', 's2', 'last'], 'y0'),
      n('Slice', ['b5', 's2', 's3', 'last'], 'x1'),
      n('Slice', ['b5', 's3', 's4', 'last'], 'y1'),
      n('Squeeze', ['x0', 'last'], 'X0'),
      n('Squeeze', ['y0', 'last'], 'Y0'),
      n('Squeeze', ['x1', 'last'], 'X1'),
      n('Squeeze', ['y1', 'last'], 'Y1'),
      n('Sub', ['gx', 'X0'], 'dl'),
      n('Sub', ['X1', 'gx'], 'dr'),
      n('Sub', ['gy', 'Y0'], 'dt'),
      n('Sub', ['Y1', 'gy'], 'db'),
      n('Min', ['dl', 'dr'], 'dx'),
      n('Min', ['dt', 'db'], 'dy'),
      n('Min', ['dx', 'dy'], 'dist'),
      n('Add', ['dist', 'offsets'], 'box_masks'),
      // Clicks [1,1,P,2] → centres [1,1,P,1,1]; distance of every low-res pixel to each: [1,1,P,256,256].
      n('Slice', ['input_points', 's0', 's1', 'last'], 'cx4'),
      n('Slice', ['input_points', 's1', 's2', 'last'], 'cy4'),
      n('Unsqueeze', ['cx4', 'last'], 'cx'),
      n('Unsqueeze', ['cy4', 'last'], 'cy'),
      n('Sub', ['gx', 'cx'], 'ddx'),
      n('Sub', ['gy', 'cy'], 'ddy'),
      n('Mul', ['ddx', 'ddx'], 'ddx2'),
      n('Mul', ['ddy', 'ddy'], 'ddy2'),
      n('Add', ['ddx2', 'ddy2'], 'd2'),
      n('Sqrt', ['d2'], 'd'),
      n('Sub', ['radius', 'd'], 'disc'), // > 0 inside the click's disc
      // Labels [1,1,P] → [1,1,P,1,1]: pos = label, neg = 1 − label; the other kind is pushed far out.
      n('Cast', ['input_labels'], 'lf', { to: int(F) }),
      n('Unsqueeze', ['lf', 'axes34'], 'pos'),
      n('Sub', ['one', 'pos'], 'neg'),
      n('Sub', ['pos', 'one'], 'pos_off'),
      n('Mul', ['pos_off', 'big'], 'pos_far'),
      n('Mul', ['disc', 'pos'], 'pos_disc0'),
      n('Add', ['pos_disc0', 'pos_far'], 'pos_disc'),
      n('Sub', ['neg', 'one'], 'neg_off'),
      n('Mul', ['neg_off', 'big'], 'neg_far'),
      n('Mul', ['disc', 'neg'], 'neg_disc0'),
      n('Add', ['neg_disc0', 'neg_far'], 'neg_disc'),
      n('ReduceMax', ['pos_disc'], 'add_disc', { axes: ints([2]), keepdims: int(1) }),
      n('ReduceMax', ['neg_disc'], 'cut_disc', { axes: ints([2]), keepdims: int(1) }),
      n('Neg', ['cut_disc'], 'keep'),
      n('Max', ['box_masks', 'add_disc'], 'grown'),
      n('Min', ['grown', 'keep'], 'pred_masks'),
      n('Shape', ['input_boxes'], 'bshape'),
      n('Slice', ['bshape', 'z1', 'two1', 'z1'], 'lead'),
      n('Concat', ['lead', 'three'], 'ishape', { axis: int(0) }),
      n('Expand', ['iou', 'ishape'], 'iou_scores'),
    ],
    initializers: [
      i64('axes234', [3], [2, 3, 4]),
      i64('axes34', [2], [3, 4]),
      i64('s0', [1], [0]),
      i64('s1', [1], [1]),
      i64('s2', [1], [2]),
      i64('s3', [1], [3]),
      i64('s4', [1], [4]),
      i64('last', [1], [-1]),
      i64('z1', [1], [0]),
      i64('two1', [1], [2]),
      i64('three', [1], [3]),
      f32('gx', [256], grid),
      f32('gy', [256, 1], grid),
      f32('offsets', [1, 1, 3, 1, 1], [-40, 0, 40]),
      f32('iou', [3], [0.5, 0.9, 0.7]),
      f32('radius', [], [CLICK_RADIUS_1024]),
      f32('one', [], [1]),
      f32('big', [], [1e4]),
    ],
  });
}

// --- Metric3D ----------------------------------------------------------------------------------

/**
 * Metric3D v2 (onnx-community): pixel_values [b,3,h,w] raw 0–255 → predicted_depth [b,h,w] = mean
 * of the three channels (canonical-camera units), predicted_normal [b,4,h,w] = (0, 0, −2, 0.5)
 * everywhere (a non-unit normal towards the camera, confidence 0.5). Variants an unverified real
 * export may be: other output names (`depthName`, `normalName`), depth with its channel dim kept
 * ([b,1,h,w], `depthRank4`), no normals output (`normals: false`).
 */
export function metric3dModel(
  opts: {
    nan?: boolean;
    depthName?: string;
    normalName?: string;
    depthRank4?: boolean;
    normals?: boolean;
  } = {},
) {
  const depthName = opts.depthName ?? 'predicted_depth';
  const normalName = opts.normalName ?? 'predicted_normal';
  const withNormals = opts.normals ?? true;
  return buildModel({
    name: 'tiny_metric3d',
    inputs: [{ name: 'pixel_values', elemType: F, dims: ['batch', 3, 'height', 'width'] }],
    outputs: [
      {
        name: depthName,
        elemType: F,
        dims: opts.depthRank4 ? ['batch', 1, 'height', 'width'] : ['batch', 'height', 'width'],
      },
      ...(withNormals
        ? [{ name: normalName, elemType: F, dims: ['batch', 'channels', 'height', 'width'] }]
        : []),
    ],
    nodes: [
      node('ReduceMean', ['pixel_values'], [opts.nan ? 'm' : depthName], {
        axes: ints([1]),
        keepdims: int(opts.depthRank4 ? 1 : 0),
      }),
      ...(opts.nan ? [node('Mul', ['m', 'nan'], [depthName])] : []),
      ...(withNormals
        ? [
            node('ReduceMean', ['pixel_values'], ['mk'], { axes: ints([1]), keepdims: int(1) }),
            node('Mul', ['mk', 'zero'], ['z']),
            node('Add', ['z', 'normal'], [normalName]),
          ]
        : []),
    ],
    initializers: [
      f32('zero', [], [0]),
      ...(opts.nan ? [f32('nan', [], [NaN])] : []),
      f32('normal', [1, 4, 1, 1], [0, 0, -2, 0.5]),
    ],
  });
}

// --- GeoCalib ----------------------------------------------------------------------------------

/**
 * GeoCalib fields: any-named input [1,3,h,w] → the four given constant fields (h × w each); the
 * confidences (1,1,h,w), or (1,h,w) as upstream returns them with `confidenceRank3`.
 */
export function geocalibModel(fields: {
  width: number;
  height: number;
  up: Float32Array;
  latitude: Float32Array;
  confidence?: number;
  confidenceRank3?: boolean;
}) {
  const { width: w, height: h } = fields;
  const conf = new Float32Array(w * h).fill(fields.confidence ?? 1);
  const confDims = fields.confidenceRank3 ? [1, 'height', 'width'] : [1, 1, 'height', 'width'];
  return buildModel({
    name: 'tiny_geocalib',
    inputs: [{ name: 'image', elemType: F, dims: [1, 3, 'height', 'width'] }],
    outputs: [
      { name: 'up_field', elemType: F, dims: [1, 2, 'height', 'width'] },
      { name: 'up_confidence', elemType: F, dims: confDims },
      { name: 'latitude_field', elemType: F, dims: [1, 1, 'height', 'width'] },
      { name: 'latitude_confidence', elemType: F, dims: confDims },
    ],
    nodes: [
      node('Identity', ['up'], ['up_field']),
      node('Identity', ['conf'], ['up_confidence']),
      node('Identity', ['lat'], ['latitude_field']),
      node('Identity', ['conf'], ['latitude_confidence']),
    ],
    initializers: [
      f32('up', [1, 2, h, w], fields.up),
      f32('lat', [1, 1, h, w], fields.latitude),
      f32('conf', fields.confidenceRank3 ? [1, h, w] : [1, 1, h, w], conf),
    ],
  });
}
