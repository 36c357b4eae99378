// Builds an ONNX graph op by op: op() names its outputs, constants become initializers.
//   const g = new GraphBuilder('linear');
//   const x = g.input('x', FLOAT, ['T', 768]);
//   const y = g.op('Add', [g.op('MatMul', [x, g.weight('w', [768, 768], w)]), g.weight('b', [768], b)]);
//   g.output(y, FLOAT, ['T', 768]);
//   const bytes = g.toBuffer();
'use strict';
const proto = require('./onnx_proto');

class GraphBuilder {
  constructor(name) {
    this.name = name;
    this.nodes = [];
    this.initializers = [];
    this.inputs = [];
    this.outputs = [];
    this.count = 0;
  }

  input(name, elemType, dims) {
    this.inputs.push(proto.valueInfo(name, elemType, dims));
    return name;
  }

  output(name, elemType, dims) {
    this.outputs.push(proto.valueInfo(name, elemType, dims));
    return name;
  }

  // A float32 initializer (Float32Array or a Buffer of little-endian f32).
  weight(name, dims, data) {
    this.initializers.push(proto.tensor({ name, dims, raw: data }));
    return name;
  }

  scalar(value) { return this.weight(`const_${this.count++}`, [], new Float32Array([value])); }

  int64s(values) {
    return this.weightTyped(`ints_${this.count++}`, [values.length], proto.INT64, new BigInt64Array(values.map(BigInt)));
  }

  weightTyped(name, dims, dataType, raw) {
    this.initializers.push(proto.tensor({ name, dims, dataType, raw }));
    return name;
  }

  // One node; returns its output name (or names when nOutputs > 1). `out` names the (first) output.
  op(type, inputs, { attrs = [], nOutputs = 1, out } = {}) {
    const id = this.count++;
    const outputs = [];
    for (let i = 0; i < nOutputs; i++) outputs.push(i === 0 && out ? out : `${type.toLowerCase()}_${id}_${i}`);
    this.nodes.push(proto.node({ op: type, inputs, outputs, name: `${type}_${id}`, attrs }));
    return nOutputs === 1 ? outputs[0] : outputs;
  }

  toBuffer() {
    return proto.model({ name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs,
                         outputs: this.outputs });
  }
}

module.exports = { GraphBuilder, FLOAT: proto.FLOAT, INT64: proto.INT64 };
