// The kernel measures as ONNX graphs, the shapes AttnScope's bench_kernels computes:
//   attention: q, k, v [H, T, d] -> softmax(q k^T / sqrt(d)) v [H, T, d], not causal (context only: the
//              peer is not asked to hand back the probabilities AttnScope's kernel also writes);
//   linear:    x [M, K] -> x W + b [M, N], W and b constant initializers (the peer may pre-pack them).
'use strict';
const { GraphBuilder, FLOAT } = require('./graph_builder');

function attentionGraph(H, T, d) {
  const g = new GraphBuilder('attention');
  const q = g.input('q', FLOAT, [H, T, d]), k = g.input('k', FLOAT, [H, T, d]), v = g.input('v', FLOAT, [H, T, d]);
  const kt = g.op('Transpose', [k], { attrs: [['perm', [0, 2, 1]]] });
  const scores = g.op('Mul', [g.op('MatMul', [q, kt]), g.scalar(1 / Math.sqrt(d))]);
  const probs = g.op('Softmax', [scores], { attrs: [['axis', -1]] });
  g.op('MatMul', [probs, v], { out: 'out' });
  g.output('out', FLOAT, [H, T, d]);
  return g.toBuffer();
}

function linearGraph(M, K, N, w, b) {
  const g = new GraphBuilder('linear');
  const x = g.input('x', FLOAT, [M, K]);
  g.op('Add', [g.op('MatMul', [x, g.weight('w', [K, N], w)]), g.weight('b', [N], b)], { out: 'y' });
  g.output('y', FLOAT, [M, N]);
  return g.toBuffer();
}

module.exports = { attentionGraph, linearGraph };
