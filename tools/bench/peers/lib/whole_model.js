// The whole-model measures: a GPT-2-small-size forward with attentions (AttnScope's trace: every attention
// and hidden state, logits at the last position) against the same f32 weights as an ONNX graph
// (gpt2_onnx.js) run by a peer. First the logits check: AttnScope's f32 logits against the peer's; a
// mismatch throws LogitsMismatch (the driver exits 1).
'use strict';
const { traceIds, maxAbsDiff } = require('./data');
const { gpt2Inputs } = require('./gpt2_onnx');
const { interleave, timeCall, sameRoundRatio } = require('./interleave');
const { MiB } = require('./table');

class LogitsMismatch extends Error {}

function modelFeeds(ids) {
  const i = gpt2Inputs(ids), T = ids.length;
  return { input_ids: { data: i.input_ids, dims: [T] }, position_ids: { data: i.position_ids, dims: [T] },
           mask: { data: i.mask, dims: [T, T] }, last_index: { data: i.last_index, dims: [1] } };
}

// The check: |AttnScope - peer| over the last position's logits, relative to their largest magnitude.
function checkLogits(what, ours, theirs) {
  const diff = maxAbsDiff(ours, theirs);
  let scale = 0;
  for (const v of ours) scale = Math.max(scale, Math.abs(v));
  const tolerance = 1e-3 * Math.max(1, scale);
  console.log(`check: ${what}: max abs logit diff ${diff.toExponential(2)} (largest |logit| ${scale.toFixed(3)}, tolerance ${tolerance.toExponential(1)})`);
  if (!(diff <= tolerance)) throw new LogitsMismatch(`${what}: the ONNX graph's logits disagree with AttnScope's (max abs diff ${diff})`);
}

// sides: {f32, f16} AttnScope sides with the models open; peer: a peers.js object; onnx: gpt2Onnx(folder).
// Returns {rows, extra} (extra: load and memory rows).
async function wholeModelRows(sides, peer, onnx, { T = 128, rounds = 7 } = {}) {
  const ids = traceIds(T, onnx.vocab);
  const t0 = performance.now();
  const session = await peer.model(onnx.bytes, modelFeeds(ids));
  const peerLoadMs = performance.now() - t0;
  const theirs = (await session.run()).logits;
  await sides.f32.modelTrace(T);
  checkLogits(`f32 trace, ${peer.name} against AttnScope (${sides.f32.build})`, await sides.f32.modelLogits(), theirs);
  await sides.f16.modelTrace(T);
  // Informational: f16 weights are a different model (rounded), so only the size of the gap is shown.
  console.log(`info: f16 trace against the f32 graph: max abs logit diff ${maxAbsDiff(await sides.f16.modelLogits(), theirs).toExponential(2)}`);

  const r = await interleave([{ run: () => sides.f32.modelTrace(T) }, { run: () => sides.f16.modelTrace(T) },
                              { run: timeCall(session.run) }], { rounds, warmup: 1 });
  const what = `GPT-2-small forward with attentions, ${T} tokens`;
  const rows = [
    [`${what}, f32`, r.medians[0], peer.name, r.medians[2], sameRoundRatio(r.times[0], r.times[2])],
    [`${what}, f16 (peer: f32 graph)`, r.medians[1], peer.name, r.medians[2], sameRoundRatio(r.times[1], r.times[2])],
  ];
  const extra = [
    ['load f32 (AttnScope: folder read + model_load, until the explorer shows the model; natively the median of three fresh processes; peer: session create)', await sides.f32.modelLoadMs(), peer.name, peerLoadMs, null],
    ['load f16', await sides.f16.modelLoadMs(), null, null, null],
  ];
  // The explorer then packs the layer weights a few matrices a frame (the traces above ran on them):
  // natively into a second copy, in WASM in place (model/weight_pack.h).
  for (const dtype of ['f32', 'f16']) {
    const ms = await sides[dtype].modelPackMs();
    const where = sides[dtype].build === 'wasm' ? 'in place' : 'a second copy';
    if (ms > 0.01) extra.push([`then packing the weights, ${dtype} (${where}, in steps after the model shows; here all at once)`, ms, null, null, null]);
  }
  for (const dtype of ['f32', 'f16']) {
    const bytes = sides[dtype].memoryBytes();
    if (bytes !== null) extra.push([`WASM memory after load + ${T}-token trace, ${dtype} (MiB)`, bytes / MiB, null, null, null]);
  }
  session.release();
  return { rows, extra };
}

// One row: the f32 forward with both sides at `threads` threads (AttnScope's kernels, the peer's intra-op
// pool; the peer made for that count, e.g. ortNode(2)); the side goes back to 1 thread after.
async function threadedRow(side, peer, onnx, threads, { T = 128, rounds = 7 } = {}) {
  const session = await peer.model(onnx.bytes, modelFeeds(traceIds(T, onnx.vocab)));
  await side.setThreads(threads);
  await side.modelTrace(T);
  checkLogits(`f32 trace at ${threads} threads, ${peer.name} against AttnScope`, await side.modelLogits(), (await session.run()).logits);
  const r = await interleave([{ run: () => side.modelTrace(T) }, { run: timeCall(session.run) }], { rounds, warmup: 1, settleMs: 100 });
  await side.setThreads(1);
  session.release();
  return [`GPT-2-small forward with attentions, ${T} tokens, f32, ${threads} threads`, r.medians[0], peer.name, r.medians[1],
          sameRoundRatio(r.times[0], r.times[1])];
}

// WASM: the same trace over the layer weights packed in place (the page's, after a load) and over the
// stored weights, each product packing its weight per call (the page before 2026-12-05), interleaved; the
// packing and unpacking between runs is not timed. A side with both modelUnpack and modelRepack.
async function storedWeightsRow(side, dtype, { T = 128, rounds = 7 } = {}) {
  const packed = { run: async () => { await side.modelRepack(); return side.modelTrace(T); } };
  const stored = { run: async () => { await side.modelUnpack(); return side.modelTrace(T); } };
  const r = await interleave([packed, stored], { rounds, warmup: 1 });
  await side.modelRepack();
  return [`GPT-2-small forward, ${T} tokens, ${dtype}, weights packed in place, against the stored weights packed per product`,
          r.medians[0], 'AttnScope, stored weights', r.medians[1], sameRoundRatio(r.times[0], r.times[1])];
}

module.exports = { wholeModelRows, threadedRow, storedWeightsRow, modelFeeds, checkLogits, LogitsMismatch };
