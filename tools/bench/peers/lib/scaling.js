// Scaling tables: AttnScope's trace time (and the peer's, same run) against the input length T and against
// the model's size. Against T, "x prev" is the time over the time at half the length: ~2 while the
// per-token work (projections, MLP) dominates, approaching 4 where attention's T^2 takes over.
'use strict';
const { traceIds } = require('./data');
const { interleave, timeCall } = require('./interleave');
const { modelFeeds } = require('./whole_model');
const { printTable } = require('./table');

// Multiply-adds x 2 of one trace: the layers' matrices per token, attention's two T x T x D products per
// layer (causal: about half of them, but AttnScope and the peer both compute the full square or near it),
// and the LM head for the last position.
function gflop(L, D, V, T) {
  return (2 * T * L * 12 * D * D + 2 * 2 * T * T * D * L + 2 * D * V) / 1e9;
}

// a: AttnScope side with the f32 model open; session: the peer's bound session (withFeeds for other T).
async function scalingByLength(a, session, { L, D, V }, lengths = [16, 32, 64, 128, 256, 512, 1024]) {
  const rows = [];
  let prev = null;
  for (const T of lengths) {
    const peer = session.withFeeds(modelFeeds(traceIds(T, V)));
    const rounds = T >= 512 ? 3 : 5;
    const r = await interleave([{ run: () => a.modelTrace(T) }, { run: timeCall(peer.run) }], { rounds, warmup: 1 });
    const [ours, theirs] = r.medians;
    rows.push([T, ours, prev ? ours / prev[0] : null, (ours / T), gflop(L, D, V, T) / (ours / 1000), theirs,
               prev ? theirs / prev[1] : null, r.ratios[0]]);
    prev = [ours, theirs];
  }
  printTable(`Trace time against T (GPT-2-small size, f32, ${a.build}; peer ${session.name})`,
             ['T', 'AttnScope ms', 'x prev', 'ms/token', 'GFLOP/s', `${session.name} ms`, 'x prev', 'AttnScope/peer'], rows);
}

// folders: [{folder, L, D}] opened one at a time on AttnScope side `a` and in the peer.
async function scalingBySize(a, peer, gpt2Onnx, folders, T = 128) {
  const rows = [];
  for (const { folder, L, D } of folders) {
    await a.modelOpen(folder);
    const onnx = gpt2Onnx(folder);
    const session = await peer.model(onnx.bytes, modelFeeds(traceIds(T, onnx.vocab)));
    const r = await interleave([{ run: () => a.modelTrace(T) }, { run: timeCall(session.run) }], { rounds: 5, warmup: 1 });
    const V = onnx.vocab;
    const params = (V * D + 1024 * D + L * (12 * D * D + 13 * D) + 2 * D) / 1e6;
    rows.push([L, D, params, r.medians[0], gflop(L, D, V, T) / (r.medians[0] / 1000), r.medians[1], r.ratios[0]]);
    session.release();
  }
  printTable(`Trace time against model size (${T} tokens, f32, ${a.build}; peer ${peer.name})`,
             ['layers', 'width', 'params (M)', 'AttnScope ms', 'GFLOP/s', `${peer.name} ms`, 'AttnScope/peer'], rows);
}

module.exports = { scalingByLength, scalingBySize };
