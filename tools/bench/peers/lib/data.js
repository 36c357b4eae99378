// The benchmark's inputs, bit for bit the numbers tools/bench/bench_kernels.cpp makes (bench_value), so
// AttnScope and the peers compute on the same data and their outputs can be compared.
'use strict';

function benchValue(i, seed) {
  let u = (Math.imul(i, 2654435761) + Math.imul(seed, 97531)) >>> 0;
  u = (u ^ (u >>> 15)) >>> 0;
  u = Math.imul(u, 2246822519) >>> 0;
  u = (u ^ (u >>> 13)) >>> 0;
  return (u >>> 8) / 16777216 * 2 - 1;
}

function benchValues(n, seed, scale) {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = benchValue(i, seed) * scale;
  return v;
}

// The whole-model input: ids (t * 7919 + 13) mod vocabulary, as bk_model_trace makes them.
function traceIds(T, vocab) {
  const ids = [];
  for (let t = 0; t < T; t++) ids.push((t * 7919 + 13) % vocab);
  return ids;
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

module.exports = { benchValues, traceIds, maxAbsDiff };
