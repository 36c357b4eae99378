// A minimal ONNX protobuf writer: just the messages a graph of standard ops with initializers needs
// (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto), field numbers from
// onnx/onnx.proto. Messages are kept as lists of byte chunks so a 500 MB initializer is referenced, not
// copied, until the one final Buffer.concat.
'use strict';

const FLOAT = 1, INT64 = 7;   // TensorProto.DataType

class Message {
  constructor() { this.parts = []; this.length = 0; }
  push(buf) { this.parts.push(buf); this.length += buf.length; return this; }
  tag(field, wire) { return this.push(varint((field << 3) | wire)); }
  int(field, value) { return this.tag(field, 0).push(varint(value)); }
  float(field, value) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    return this.tag(field, 5).push(b);
  }
  bytes(field, buf) { return this.tag(field, 2).push(varint(buf.length)).push(buf); }
  string(field, s) { return this.bytes(field, Buffer.from(s, 'utf8')); }
  message(field, m) {
    this.tag(field, 2).push(varint(m.length));
    for (const p of m.parts) this.push(p);
    return this;
  }
  toBuffer() { return Buffer.concat(this.parts, this.length); }
}

// Base-128 varint of an int64 (negative values as 64-bit two's complement, as protobuf writes them).
function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const out = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Buffer.from(out);
}

// {name, dims, dataType, raw: Buffer|TypedArray} -> TensorProto.
function tensor({ name, dims, dataType = FLOAT, raw }) {
  const m = new Message();
  for (const d of dims) m.int(1, d);
  m.int(2, dataType);
  m.string(8, name);
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return m.bytes(9, bytes);
}

// value: number (INT, or FLOAT when {float: true}), number[] (INTS), string (STRING).
function attribute(name, value, { float = false } = {}) {
  const m = new Message().string(1, name);
  if (Array.isArray(value)) {
    for (const v of value) m.int(8, v);
    return m.int(20, 7);
  }
  if (typeof value === 'string') return m.bytes(4, Buffer.from(value)).int(20, 3);
  if (float) return m.float(2, value).int(20, 1);
  return m.int(3, value).int(20, 2);
}

// {op, inputs, outputs, attrs: [[name, value, options]]} -> NodeProto.
function node({ op, inputs, outputs, name = '', attrs = [] }) {
  const m = new Message();
  for (const i of inputs) m.string(1, i);
  for (const o of outputs) m.string(2, o);
  if (name) m.string(3, name);
  m.string(4, op);
  for (const [n, v, o] of attrs) m.message(5, attribute(n, v, o));
  return m;
}

// dims: numbers or strings (symbolic dimensions).
function valueInfo(name, elemType, dims) {
  const shape = new Message();
  for (const d of dims) shape.message(1, typeof d === 'string' ? new Message().string(2, d) : new Message().int(1, d));
  const tensorType = new Message().int(1, elemType).message(2, shape);
  const type = new Message().message(1, tensorType);
  return new Message().string(1, name).message(2, type);
}

// {nodes, initializers, inputs, outputs} (already encoded) -> the model file's bytes, opset 17.
function model({ name, nodes, initializers, inputs, outputs }) {
  const g = new Message();
  for (const n of nodes) g.message(1, n);
  g.string(2, name);
  for (const t of initializers) g.message(5, t);
  for (const i of inputs) g.message(11, i);
  for (const o of outputs) g.message(12, o);
  const opset = new Message().string(1, '').int(2, 17);
  const m = new Message().int(1, 8).string(2, 'attnscope-bench-peers').message(8, opset).message(7, g);
  return m.toBuffer();
}

module.exports = { FLOAT, INT64, tensor, node, valueInfo, model };
