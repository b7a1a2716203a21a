// A minimal ONNX protobuf reader: the graph's nodes, its small constants and its output names,
// read from the file with positional reads so weights (hundreds of MB) are skipped, not loaded.
// Enough to see how a graph computes an output (e.g. whether a depth head ends in Sigmoid ×
// max_depth). Field numbers follow onnx/onnx.proto, as onnx-builder.ts writes them.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  /** A Constant node's value, when it is a small float tensor. */
  value: number[] | null;
}

export interface OnnxGraphSummary {
  nodes: OnnxNode[];
  /** Small float initializers (≤ 16 values) by name; larger ones are skipped. */
  constants: Map<string, number[]>;
  outputs: string[];
}

const SMALL = 16;

/** Buffered positional reads over [pos, end) of an open file. */
class Cursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    private readonly fd: number,
    public pos: number,
    public readonly end: number,
  ) {}

  private byte(): number {
    const off = this.pos - this.bufStart;
    if (off < 0 || off >= this.buf.length) {
      this.buf = Buffer.alloc(Math.min(1 << 16, Math.max(1, this.end - this.pos)));
      const n = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (n <= 0) throw new Error(`unexpected end of file at byte ${this.pos}`);
      this.buf = this.buf.subarray(0, n);
      this.bufStart = this.pos;
    }
    const b = this.buf[this.pos - this.bufStart]!;
    this.pos++;
    return b;
  }

  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7n;
      if (shift > 63n) throw new Error(`bad varint at byte ${this.pos}`);
    }
    return Number(BigInt.asIntN(64, result));
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.byte();
    return out;
  }

  sub(len: number): Cursor {
    if (this.pos + len > this.end) throw new Error(`field runs past its message at ${this.pos}`);
    const c = new Cursor(this.fd, this.pos, this.pos + len);
    this.pos += len;
    return c;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const len = this.varint(); // read first: `this.pos += this.varint()` would drop its bytes
      this.pos += len;
    } else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire} at byte ${this.pos}`);
  }

  /** Calls `on(field, wire)` for each field; `on` must consume the value or return false to skip it. */
  fields(on: (field: number, wire: number) => boolean): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (!on(field, wire)) this.skip(wire);
    }
  }

  string(): string {
    return this.bytes(this.varint()).toString('utf8');
  }
}

// TensorProto.DataType: FLOAT 1, FLOAT16 10, DOUBLE 11.
function decodeFloats(type: number, raw: Buffer): number[] | null {
  const out: number[] = [];
  if (type === 1) for (let i = 0; i + 4 <= raw.length; i += 4) out.push(raw.readFloatLE(i));
  else if (type === 11) for (let i = 0; i + 8 <= raw.length; i += 8) out.push(raw.readDoubleLE(i));
  else if (type === 10)
    for (let i = 0; i + 2 <= raw.length; i += 2) out.push(half(raw.readUInt16LE(i)));
  else return null;
  return out;
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** TensorProto { dims 1, data_type 2, float_data 4, int32_data 5, name 8, raw_data 9, double_data 10 }. */
function readTensor(c: Cursor): { name: string; values: number[] | null } {
  let name = '';
  let type = 0;
  let raw: Buffer | null = null;
  let large = false;
  const floats: number[] = [];
  const halves: number[] = [];
  c.fields((field, wire) => {
    if (field === 2 && wire === 0) type = c.varint();
    else if (field === 8 && wire === 2) name = c.string();
    else if (field === 9 && wire === 2) {
      const len = c.varint();
      if (len > SMALL * 8) {
        large = true;
        c.pos += len;
      } else raw = c.bytes(len);
    } else if (field === 4 && wire === 5) floats.push(c.bytes(4).readFloatLE(0));
    else if (field === 4 && wire === 2) {
      const len = c.varint();
      if (len > SMALL * 4) {
        large = true;
        c.pos += len;
      } else {
        const b = c.bytes(len);
        for (let i = 0; i + 4 <= len; i += 4) floats.push(b.readFloatLE(i));
      }
    } else if (field === 5 && wire === 0) halves.push(c.varint());
    else if (field === 5 && wire === 2) {
      const s = c.sub(c.varint());
      while (s.pos < s.end) halves.push(s.varint());
    } else return false;
    return true;
  });
  if (large) return { name, values: null };
  if (raw) return { name, values: decodeFloats(type, raw) };
  if (floats.length) return { name, values: floats };
  // FLOAT16 values may sit in int32_data as their bit patterns.
  if (type === 10 && halves.length) return { name, values: halves.map(half) };
  return { name, values: null };
}

/** NodeProto { input 1, output 2, op_type 4, attribute 5 }; AttributeProto { name 1, f 2, t 5 }. */
function readNode(c: Cursor): OnnxNode {
  const node: OnnxNode = { opType: '', inputs: [], outputs: [], value: null };
  c.fields((field, wire) => {
    if (wire !== 2) return false;
    if (field === 1) node.inputs.push(c.string());
    else if (field === 2) node.outputs.push(c.string());
    else if (field === 4) node.opType = c.string();
    else if (field === 5) {
      const a = c.sub(c.varint());
      let attrName = '';
      let value: number[] | null = null;
      a.fields((f, w) => {
        if (f === 1 && w === 2) attrName = a.string();
        else if (f === 2 && w === 5) value = [a.bytes(4).readFloatLE(0)];
        else if (f === 5 && w === 2) value = readTensor(a.sub(a.varint())).values;
        else return false;
        return true;
      });
      if (attrName === 'value' || attrName === 'value_float') node.value = value;
    } else return false;
    return true;
  });
  return node;
}

/** GraphProto { node 1, initializer 5, output 12 } of ModelProto { graph 7 }. */
export function readOnnxGraph(file: string): OnnxGraphSummary {
  const fd = openSync(file, 'r');
  try {
    const summary: OnnxGraphSummary = { nodes: [], constants: new Map(), outputs: [] };
    const model = new Cursor(fd, 0, fstatSync(fd).size);
    let sawGraph = false;
    model.fields((field, wire) => {
      if (field !== 7 || wire !== 2) return false;
      sawGraph = true;
      const g = model.sub(model.varint());
      g.fields((f, w) => {
        if (w !== 2) return false;
        if (f === 1) summary.nodes.push(readNode(g.sub(g.varint())));
        else if (f === 5) {
          const t = readTensor(g.sub(g.varint()));
          if (t.values && t.values.length <= SMALL) summary.constants.set(t.name, t.values);
        } else if (f === 12) {
          const v = g.sub(g.varint());
          v.fields((vf, vw) => {
            if (vf !== 1 || vw !== 2) return false;
            summary.outputs.push(v.string());
            return true;
          });
        } else return false;
        return true;
      });
      return true;
    });
    if (!sawGraph) throw new Error(`${file} holds no ONNX graph`);
    return summary;
  } finally {
    closeSync(fd);
  }
}
