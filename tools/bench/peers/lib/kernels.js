// The kernel measures: attention (12 heads, d = 64, not causal, T = 128 and 512) and linear
// 128x768x768, AttnScope's kernel against each peer on the same numbers. Before timing, each peer's output
// is compared with AttnScope's (max abs diff, printed; a mismatch stops the run).
'use strict';
const { benchValues, maxAbsDiff } = require('./data');
const { interleave, timeCall } = require('./interleave');

const TOLERANCE = 1e-3;

function checkClose(what, peer, ours, theirs) {
  const diff = maxAbsDiff(ours, theirs);
  console.log(`check: ${what}, ${peer} against AttnScope: max abs diff ${diff.toExponential(2)}`);
  if (!(diff <= TOLERANCE)) throw new Error(`${what}: ${peer} and AttnScope disagree (max abs diff ${diff})`);
}

async function measure(what, attnscopeRun, ours, sessions, outName, rounds) {
  for (const s of sessions) checkClose(what, s.name, ours, (await s.run())[outName]);
  const r = await interleave([{ run: attnscopeRun }, ...sessions.map((s) => ({ run: timeCall(s.run) }))], { rounds });
  return sessions.map((s, j) => [what, r.medians[0], s.name, r.medians[j + 1], r.ratios[j]]);
}

// a: an AttnScope side (attnscope_side.js); peers: peers.js objects. Returns table rows.
async function kernelRows(a, peers, { rounds = 21 } = {}) {
  const rows = [];
  const H = 12, d = 64;
  for (const T of [128, 512]) {
    const n = H * T * d;
    await a.attentionSetup(H, T, d);
    const [q, k, v] = [1, 2, 3].map((seed) => benchValues(n, seed, 1));
    const sessions = [];
    for (const p of peers) sessions.push(await p.attention(H, T, d, q, k, v));
    await a.attentionRun();
    const ours = await a.attentionOut(n);
    rows.push(...await measure(`attention T=${T}, 12 heads, d=64, not causal (AttnScope also stores P)`, () => a.attentionRun(), ours, sessions, 'out',
                               T >= 512 ? Math.ceil(rounds / 2) : rounds));
  }
  const M = 128, K = 768, N = 768;
  await a.linearSetup(M, K, N);
  const x = benchValues(M * K, 4, 1), w = benchValues(K * N, 5, 0.05), b = benchValues(N, 6, 0.1);
  const sessions = [];
  for (const p of peers) sessions.push(await p.linear(M, K, N, x, w, b));
  await a.linearRun();
  const ours = await a.linearOut(M * N);
  rows.push(...await measure('linear 128x768x768 f32', () => a.linearRun(), ours, sessions, 'y', rounds));
  return rows;
}

module.exports = { kernelRows };
