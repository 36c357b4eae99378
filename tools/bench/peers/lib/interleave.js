// Timing rule of the peer benchmark: every side runs once per round, in turn (A, B, C, A, B, C, ...; the
// order rotates each round so no side always follows the same neighbour), after warm-up rounds; the
// table reports each side's median and, per peer, the median over rounds of AttnScope's time divided by
// the peer's in the same round (the machine is shared and noisy; same-round ratios cancel its drift).
//   const r = await interleave([attnscope, peer1, peer2], { rounds: 15, warmup: 2 });
//   r.medians[i], r.ratios[j]   // ratios[j]: sides[0] against sides[j + 1]; r.times[i]: every round
// settleMs: an idle pause before each timed run, for multi-threaded sides: onnxruntime's thread pool
// spins for a while after a run returns, and on 2 cores the side timed next shared them with it
// (AttnScope's 2-thread trace measured 130 ms right after onnxruntime-node's run, 112 ms after 100 ms).
'use strict';

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// sides: [{name, run: async () => ms}] (run returns its own time: AttnScope's native clock, or the time
// around the call measured by timeCall).
async function interleave(sides, { rounds, warmup = 2, settleMs = 0 }) {
  const settle = () => (settleMs > 0 ? new Promise((resolve) => setTimeout(resolve, settleMs)) : null);
  for (let w = 0; w < warmup; w++) for (const s of sides) await s.run();
  const times = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < sides.length; j++) {
      const i = (j + r) % sides.length;
      await settle();
      times[i].push(await sides[i].run());
    }
  }
  return {
    times,
    medians: times.map(median),
    ratios: times.slice(1).map((peer) => sameRoundRatio(times[0], peer)),
  };
}

// The median over rounds of a[r] / b[r].
function sameRoundRatio(a, b) { return median(a.map((t, r) => t / b[r])); }

// A peer's round, timed around the whole call (input transfer and output read-back included).
function timeCall(fn) {
  return async () => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
}

module.exports = { interleave, timeCall, median, sameRoundRatio };
