// The peer's whole model: a GPT-2 folder (config.json + model.safetensors, f32) written as an ONNX graph
// of standard opset-17 ops, built here from the safetensors file so both engines run the same weights.
// Inputs: input_ids, position_ids (int64 [T]), mask (float [T, T]: 0 where a query may look, -1e9
// elsewhere), last_index (int64 [1]: T - 1). Outputs: logits at the last position [1, V] and every
// layer's attention probabilities attn_<l> [H, T, T] (what AttnScope captures).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { GraphBuilder, FLOAT, INT64 } = require('./graph_builder');

// {name: Buffer of little-endian f32} without copying the file's bytes.
function readSafetensorsF32(file) {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const tensors = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info.dtype !== 'F32') throw new Error(`${file}: ${name} is ${info.dtype}; the ONNX peer reads f32 folders`);
    const [a, b] = info.data_offsets;
    tensors[name] = { shape: info.shape, bytes: buf.subarray(8 + n + a, 8 + n + b) };
  }
  return tensors;
}

function gpt2Onnx(folder) {
  const config = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8'));
  const L = config.n_layer, H = config.n_head, D = config.n_embd, hd = D / H;
  const eps = config.layer_norm_epsilon || 1e-5;
  const st = readSafetensorsF32(path.join(folder, 'model.safetensors'));
  const g = new GraphBuilder('gpt2');
  const w = (name) => {
    const key = st[name] ? name : 'transformer.' + name;
    if (!st[key]) throw new Error(`model.safetensors has no ${name}`);
    return g.weight(key, st[key].shape, st[key].bytes);
  };
  const V = st['transformer.wte.weight'].shape[0];

  const ids = g.input('input_ids', INT64, ['T']);
  const positions = g.input('position_ids', INT64, ['T']);
  const mask = g.input('mask', FLOAT, ['T', 'T']);
  const last = g.input('last_index', INT64, [1]);
  const wte = w('transformer.wte.weight');
  let h = g.op('Add', [g.op('Gather', [wte, ids]), g.op('Gather', [w('transformer.wpe.weight'), positions])]);

  const layerNorm = (x, prefix) =>
    g.op('LayerNormalization', [x, w(prefix + '.weight'), w(prefix + '.bias')], { attrs: [['axis', -1], ['epsilon', eps, { float: true }]] });
  const dense = (x, prefix) => g.op('Add', [g.op('MatMul', [x, w(prefix + '.weight')]), w(prefix + '.bias')]);
  const scale = g.scalar(1 / Math.sqrt(hd));
  const headShape = g.int64s([0, H, hd]);
  const rowShape = g.int64s([0, D]);
  const half = g.scalar(0.5), one = g.scalar(1), cubic = g.scalar(0.044715), root = g.scalar(Math.sqrt(2 / Math.PI));
  // GPT-2's GELU, the tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  const gelu = (x) => {
    const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
    const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, cubic])]), root]);
    return g.op('Mul', [g.op('Mul', [x, half]), g.op('Add', [g.op('Tanh', [inner]), one])]);
  };

  const attentions = [];
  for (let l = 0; l < L; l++) {
    const p = `transformer.h.${l}`;
    const qkv = dense(layerNorm(h, `${p}.ln_1`), `${p}.attn.c_attn`);
    const [q, k, v] = g.op('Split', [qkv], { attrs: [['axis', 1]], nOutputs: 3 });
    const heads = (x, perm) => g.op('Transpose', [g.op('Reshape', [x, headShape])], { attrs: [['perm', perm]] });
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [heads(q, [1, 0, 2]), heads(k, [1, 2, 0])]), scale]), mask]);
    const probs = g.op('Softmax', [scores], { attrs: [['axis', -1]], out: `attn_${l}` });
    attentions.push(probs);
    const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, heads(v, [1, 0, 2])])], { attrs: [['perm', [1, 0, 2]]] }), rowShape]);
    h = g.op('Add', [h, dense(context, `${p}.attn.c_proj`)]);
    const mlp = dense(gelu(dense(layerNorm(h, `${p}.ln_2`), `${p}.mlp.c_fc`)), `${p}.mlp.c_proj`);
    h = g.op('Add', [h, mlp]);
  }
  const final = g.op('Gather', [layerNorm(h, 'transformer.ln_f'), last], { attrs: [['axis', 0]] });
  g.op('Gemm', [final, wte], { attrs: [['transB', 1]], out: 'logits' });   // tied LM head: wte^T
  g.output('logits', FLOAT, [1, V]);
  for (const a of attentions) g.output(a, FLOAT, [H, 'T', 'T']);
  return { bytes: g.toBuffer(), layers: L, heads: H, width: D, vocab: V };
}

// The graph's inputs for T tokens, as typed arrays: {input_ids, position_ids, mask, last_index}.
function gpt2Inputs(ids) {
  const T = ids.length;
  const mask = new Float32Array(T * T);
  for (let t = 0; t < T; t++) for (let s = t + 1; s < T; s++) mask[t * T + s] = -1e9;
  return {
    input_ids: BigInt64Array.from(ids.map(BigInt)),
    position_ids: BigInt64Array.from(ids.map((_, t) => BigInt(t))),
    mask,
    last_index: BigInt64Array.from([BigInt(T - 1)]),
  };
}

module.exports = { gpt2Onnx, gpt2Inputs };
