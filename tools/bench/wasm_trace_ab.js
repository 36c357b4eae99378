// Two builds of bench_kernels' WebAssembly module side by side: GPT-2-small-size traces (128 tokens) of the
// f32 and f16 folders under node, each module once a round, rounds interleaved, so a change's effect is
// read as same-round ratios on a machine whose speed drifts between runs. Checks that the two builds' logits
// are the same bits (a kernel change that keeps the sums' order must keep them).
//   cp build/wasm-release/tools/bench/bench_kernels* /tmp/before/      # then rebuild with the change
//   node --no-liftoff --experimental-wasm-relaxed-simd --max-old-space-size=8192 tools/bench/wasm_trace_ab.js \
//     /tmp/before build/wasm-release/tools/bench [bench_kernels_relaxed|bench_kernels] [rounds]
// The folders come from tools/bench/peers/run (build/bench/gpt2-small-f32, -f16).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [dirA, dirB, which = 'bench_kernels_relaxed', rounds = '9'] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: wasm_trace_ab.js BEFORE_DIR AFTER_DIR [bench_kernels_relaxed|bench_kernels] [rounds]');
  process.exit(2);
}
const folders = path.join(__dirname, '../../build/bench');

async function open(dir, dtype) {
  const base = path.join(dir, which);
  const m = await require(path.resolve(base + '.js'))({ wasmBinary: fs.readFileSync(base + '.wasm') });
  const folder = path.join(folders, `gpt2-small-${dtype}`);
  if (m.ccall('bk_model_open', 'number', ['string'], [folder]) !== 0) throw new Error(`${base} could not open ${folder}`);
  return m;
}

const median = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];

(async () => {
  const runs = [];
  for (const dtype of ['f32', 'f16'])
    for (const [tag, dir] of [['before', dirA], ['after', dirB]]) runs.push({ tag, dtype, m: await open(dir, dtype), ms: [] });
  for (let r = -1; r < Number(rounds); r++)   // round -1 warms up
    for (const run of runs) {
      const t0 = performance.now();
      run.m.ccall('bk_model_trace', 'number', ['number'], [128]);
      if (r >= 0) run.ms.push(performance.now() - t0);
    }
  for (const run of runs) console.log(`${which} ${run.dtype} ${run.tag}: ${median(run.ms).toFixed(1)} ms`);
  const ratio = (a, b) => median(a.ms.map((v, i) => b.ms[i] / v)).toFixed(3);
  const [f32a, f32b, f16a, f16b] = runs;
  console.log(`after / before (same-round medians): f32 ${ratio(f32a, f32b)}, f16 ${ratio(f16a, f16b)}`);
  console.log(`f16 / f32: before ${ratio(f32a, f16a)}, after ${ratio(f32b, f16b)}`);
  for (const dtype of ['f32', 'f16']) {
    const [a, b] = runs.filter((run) => run.dtype === dtype).map(({ m }) => {
      const at = m.ccall('bk_model_logits', 'number', [], []) >> 2;
      return m.HEAPF32.slice(at, at + m.ccall('bk_model_vocab', 'number', [], []));
    });
    const same = a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    console.log(`${dtype} logits the same bits: ${same}`);
    if (!same) process.exitCode = 1;
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
