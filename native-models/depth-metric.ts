// A Depth Anything slot must prove that its export is metric. The relative export
// (onnx-community/depth-anything-v2-small) has the same inputs, outputs and preprocessing as the
// metric ones and outputs ~0–10, inside the range guard, so its inverse relative depth would be
// stored as metres. Two pieces of evidence, either suffices, neither may contradict:
//  - config.json (transformers): `depth_estimation_type` must be "metric" — transformers'
//    DepthAnythingConfig defaults to "relative" when the key is absent — with `max_depth`;
//  - the graph: the depth output must come from Sigmoid × a constant (the metric head, HF
//    modeling_depth_anything.py `activation2(x) * max_depth`, upstream metric_depth/dpt.py),
//    reached backwards through shape-only ops (Squeeze, Reshape, …). The relative head is
//    ReLU × 1 and is refused outright.
// The proven max_depth must equal the manifest's `params.maxDepth` (20 indoor, 80 outdoor) when it
// has one: the outdoor export in the indoor slot would label its range wrongly.
import { existsSync, readFileSync } from 'node:fs';
import type { ModelManifest } from './manifest';
import { readOnnxGraph, type OnnxGraphSummary } from './onnx-graph';

export interface MetricProof {
  maxDepth: number;
  /** What proved it, for messages and `models verify`. */
  evidence: string;
}

export class NotMetricError extends Error {
  override name = 'NotMetricError';
}

/** Ops that move or relabel values without changing them. */
const SHAPE_ONLY = new Set(['Squeeze', 'Unsqueeze', 'Reshape', 'Identity', 'Flatten', 'Cast']);

export type HeadTail =
  | { kind: 'sigmoid-scale'; scale: number }
  | { kind: 'relative'; description: string }
  | { kind: 'unknown'; description: string };

/** How the graph computes `output`: Sigmoid × constant, a ReLU head, or something else. */
export function depthHeadTail(graph: OnnxGraphSummary, output: string): HeadTail {
  const producer = new Map<string, (typeof graph.nodes)[number]>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const through = (name: string) => {
    let node = producer.get(name);
    for (let i = 0; node && SHAPE_ONLY.has(node.opType) && i < 32; i++) {
      node = producer.get(node.inputs[0]!);
    }
    return node;
  };
  const constant = (name: string): number | null => {
    const direct = graph.constants.get(name);
    const v = direct ?? through(name)?.value ?? null;
    return v && v.length === 1 ? v[0]! : null;
  };
  const last = through(output);
  if (!last) return { kind: 'unknown', description: `no node computes ${output}` };
  if (last.opType === 'Relu') return { kind: 'relative', description: 'ends in Relu' };
  if (last.opType !== 'Mul' || last.inputs.length !== 2) {
    return { kind: 'unknown', description: `ends in ${last.opType}` };
  }
  for (const [k, other] of [
    [0, 1],
    [1, 0],
  ] as const) {
    const scale = constant(last.inputs[k]!);
    if (scale === null) continue;
    const op = through(last.inputs[other]!)?.opType ?? 'an input';
    if (op === 'Sigmoid') return { kind: 'sigmoid-scale', scale };
    if (op === 'Relu') return { kind: 'relative', description: `ends in Relu × ${scale}` };
    return { kind: 'unknown', description: `ends in ${op} × ${scale}` };
  }
  return { kind: 'unknown', description: 'ends in a Mul of two computed tensors' };
}

type ConfigEvidence =
  | { kind: 'absent' }
  | { kind: 'metric'; maxDepth: number }
  | { kind: 'not-metric'; reason: string };

function readConfig(path: string | null): ConfigEvidence {
  if (!path || !existsSync(path)) return { kind: 'absent' };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return { kind: 'not-metric', reason: `config.json is not JSON (${(err as Error).message})` };
  }
  const c = (raw ?? {}) as { depth_estimation_type?: unknown; max_depth?: unknown };
  if (c.depth_estimation_type !== 'metric') {
    const type =
      c.depth_estimation_type === undefined
        ? 'no depth_estimation_type (transformers reads that as "relative")'
        : `depth_estimation_type ${JSON.stringify(c.depth_estimation_type)}`;
    return { kind: 'not-metric', reason: `config.json has ${type}: a relative-depth model` };
  }
  if (typeof c.max_depth !== 'number' || !(c.max_depth > 0)) {
    return {
      kind: 'not-metric',
      reason: `config.json says metric but has no positive max_depth (${JSON.stringify(c.max_depth)})`,
    };
  }
  return { kind: 'metric', maxDepth: c.max_depth };
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));

/**
 * Proof that the Depth Anything export at `onnxPath` outputs metres, or a NotMetricError whose
 * message says why not. `configPath`: the model folder's config.json (may be missing).
 */
export function proveMetricDepth(
  manifest: ModelManifest,
  onnxPath: string,
  configPath: string | null,
  outputName: string,
): MetricProof {
  const expected = typeof manifest.params.maxDepth === 'number' ? manifest.params.maxDepth : null;
  const refuse = (why: string) =>
    new NotMetricError(
      `model ${manifest.id}: not a metric depth model: ${why}. A relative-depth export (e.g. onnx-community/depth-anything-v2-small) outputs inverse relative depth, not metres`,
    );
  const config = readConfig(configPath);
  if (config.kind === 'not-metric') throw refuse(config.reason);

  let tail: HeadTail;
  try {
    tail = depthHeadTail(readOnnxGraph(onnxPath), outputName);
  } catch (err) {
    tail = { kind: 'unknown', description: `graph not readable (${(err as Error).message})` };
  }
  if (tail.kind === 'relative') throw refuse(`the graph's ${outputName} ${tail.description}`);

  const checkMax = (value: number, where: string) => {
    if (expected !== null && !same(value, expected)) {
      throw refuse(
        `${where} gives max_depth ${value} m, this slot expects ${expected} m (an indoor/outdoor mix-up?)`,
      );
    }
  };
  const evidence: string[] = [];
  let maxDepth: number | null = null;
  if (config.kind === 'metric') {
    checkMax(config.maxDepth, 'config.json');
    maxDepth = config.maxDepth;
    evidence.push(`config.json depth_estimation_type "metric", max_depth ${config.maxDepth}`);
  }
  if (tail.kind === 'sigmoid-scale') {
    checkMax(tail.scale, 'the graph (Sigmoid × constant)');
    if (maxDepth !== null && !same(tail.scale, maxDepth)) {
      throw refuse(`config.json max_depth ${maxDepth} but the graph scales by ${tail.scale}`);
    }
    maxDepth = tail.scale;
    evidence.push(`graph ends in Sigmoid × ${tail.scale}`);
  }
  if (maxDepth !== null) return { maxDepth, evidence: evidence.join('; ') };
  // Here the config was absent and the graph's head unrecognised.
  const ends = tail.kind === 'unknown' ? tail.description : `ends in Sigmoid × ${tail.scale}`;
  throw refuse(
    `no config.json with depth_estimation_type "metric", and the graph's ${outputName} ${ends} (not Sigmoid × max_depth)`,
  );
}

/** A Depth Anything manifest (a depth model without Metric3D's normals output). */
export function isDepthAnything(manifest: ModelManifest): boolean {
  return (
    manifest.task === 'depth' &&
    !manifest.contracts.some((c) => c.outputs.some((t) => t.name === 'predicted_normal'))
  );
}
