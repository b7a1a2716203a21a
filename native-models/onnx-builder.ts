// A minimal ONNX protobuf encoder: just enough of onnx.proto (ModelProto, GraphProto, NodeProto,
// AttributeProto, ValueInfoProto, TensorProto) to build small graphs: the tests' models with exactly
// the input/output names, dtypes and ranks of public exports, and the resize graphs the adapters run
// on the model's execution provider (adapters/resize-graph.ts). Protobuf is varints plus
// length-delimited fields, so no package is needed. Field numbers follow onnx/onnx.proto (IR version 8, opset 17).

export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A dimension: a fixed size, or a symbolic name such as "batch". */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  /** null: shape left unspecified. */
  dims: Dim[] | null;
}

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  /** FLOAT → Float32Array (raw_data little-endian); INT64 → BigInt64Array. */
  data: Float32Array | BigInt64Array;
}

export interface GraphSpec {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  opset?: number;
  irVersion?: number;
  producer?: string;
}

// --- wire format -------------------------------------------------------------------------------

class Writer {
  private chunks: number[] = [];
  private parts: Uint8Array[] = [];

  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) byte |= 0x80;
      this.chunks.push(byte);
    } while (n > 0n);
    return this;
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wireType);
  }

  int(field: number, v: number | bigint): this {
    return this.tag(field, 0).varint(v);
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    if (data.length < 256) {
      for (const b of data) this.chunks.push(b);
    } else {
      // Large payloads (weights) are kept as slices, not pushed byte by byte.
      this.parts.push(Uint8Array.from(this.chunks), data);
      this.chunks = [];
    }
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  float32(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.chunks.push(x);
    return this;
  }

  finish(): Uint8Array {
    if (this.parts.length === 0) return Uint8Array.from(this.chunks);
    const all = [...this.parts, Uint8Array.from(this.chunks)];
    const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of all) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

// --- onnx.proto messages -------------------------------------------------------------------------

function valueInfo(v: ValueInfo): Writer {
  // TypeProto.Tensor { elem_type = 1; shape = 2 }, TensorShapeProto { dim = 1 },
  // Dimension { dim_value = 1; dim_param = 2 }, TypeProto { tensor_type = 1 },
  // ValueInfoProto { name = 1; type = 2 }.
  const tensorType = new Writer().int(1, v.elemType);
  if (v.dims) {
    const shape = new Writer();
    for (const d of v.dims) {
      const dim = typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d);
      shape.message(1, dim);
    }
    tensorType.message(2, shape);
  }
  const type = new Writer().message(1, tensorType);
  return new Writer().string(1, v.name).message(2, type);
}

function attribute(name: string, a: AttributeValue): Writer {
  // AttributeProto { name = 1; f = 2; i = 3; s = 4; floats = 7; ints = 8; type = 20 }
  // AttributeType: FLOAT = 1, INT = 2, STRING = 3, FLOATS = 6, INTS = 7.
  const w = new Writer().string(1, name);
  switch (a.kind) {
    case 'float':
      return w.float32(2, a.value).int(20, 1);
    case 'int':
      return w.int(3, a.value).int(20, 2);
    case 'string':
      return w.bytes(4, new TextEncoder().encode(a.value)).int(20, 3);
    case 'floats':
      for (const f of a.value) w.float32(7, f);
      return w.int(20, 6);
    case 'ints':
      for (const i of a.value) w.int(8, i);
      return w.int(20, 7);
  }
}

function node(n: NodeSpec, index: number): Writer {
  // NodeProto { input = 1; output = 2; name = 3; op_type = 4; attribute = 5 }
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.opType}_${index}`);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attribute(k, v));
  return w;
}

function tensor(t: TensorSpec): Writer {
  // TensorProto { dims = 1; data_type = 2; name = 8; raw_data = 9 }
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  const isFloat = t.data instanceof Float32Array;
  w.int(2, isFloat ? DataType.FLOAT : DataType.INT64);
  w.string(8, t.name);
  // Typed arrays are little-endian on every platform onnxruntime-node ships for.
  const raw = new Uint8Array(
    t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength),
  );
  w.bytes(9, raw);
  return w;
}

/** Serialise a model: ModelProto { ir_version = 1; producer_name = 2; graph = 7; opset_import = 8 }. */
export function buildModel(spec: GraphSpec): Uint8Array {
  // GraphProto { node = 1; name = 2; initializer = 5; input = 11; output = 12 }
  const graph = new Writer();
  spec.nodes.forEach((n, i) => graph.message(1, node(n, i)));
  graph.string(2, spec.name);
  for (const t of spec.initializers ?? []) graph.message(5, tensor(t));
  for (const i of spec.inputs) graph.message(11, valueInfo(i));
  for (const o of spec.outputs) graph.message(12, valueInfo(o));
  // OperatorSetIdProto { domain = 1; version = 2 } (empty domain = ai.onnx)
  const opset = new Writer().string(1, '').int(2, spec.opset ?? 17);
  return new Writer()
    .int(1, spec.irVersion ?? 8)
    .string(2, spec.producer ?? 'sqw-onnx-builder')
    .message(7, graph)
    .message(8, opset)
    .finish();
}

export function scalar(name: string, value: number): TensorSpec {
  return { name, dims: [], data: Float32Array.of(value) };
}
