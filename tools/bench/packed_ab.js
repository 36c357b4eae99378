// A model's traces over its packed layer weights against its stored weights, alternating in one process
// (model/weight_pack.h): natively the panels are a second copy, in WebAssembly the weights' own bytes
// (gemm_pack_in_place, in_out and out_in alike). Each round: unpack, trace, pack again, trace; same-round
// ratios, so the machine's drift cancels. Any folder bench_kernels opens (an encoder-decoder traces its
// source with the decoder at its start token); the packing itself is not timed.
//   node --no-liftoff --experimental-wasm-relaxed-simd tools/bench/packed_ab.js FOLDER [rounds] [T]
// Uses build/native-release and build/wasm-release's bench_kernels (tools/bench/peers/run builds them).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '../..');
const [folderArg, roundsArg = '9', tokensArg = '128'] = process.argv.slice(2);
if (!folderArg) {
  console.error('usage: packed_ab.js FOLDER [rounds] [T]');
  process.exit(2);
}
const folder = path.resolve(folderArg);
const rounds = Number(roundsArg), T = Number(tokensArg);
const median = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];

// calls: {unpack(), repack(), trace(T) -> ms}; prints one line.
async function series(label, calls) {
  const packed = [], stored = [], ratio = [];
  for (let r = -1; r < rounds; r++) {   // round -1 warms up
    await calls.unpack();
    const s = await calls.trace(T);
    await calls.repack();
    const p = await calls.trace(T);
    if (!(s > 0 && p > 0)) throw new Error(`${label}: a trace failed`);
    if (r >= 0) { stored.push(s); packed.push(p); ratio.push(p / s); }
  }
  console.log(`| ${label} | ${median(packed).toFixed(1)} | ${median(stored).toFixed(1)} | ${median(ratio).toFixed(3)} | ` +
              `${Math.min(...ratio).toFixed(2)}-${Math.max(...ratio).toFixed(2)} |`);
}

async function wasm(which) {
  const base = path.join(root, 'build/wasm-release/tools/bench', which);
  const m = await require(base + '.js')({ wasmBinary: fs.readFileSync(base + '.wasm') });
  if (m.ccall('bk_model_open', 'number', ['string'], [folder]) !== 0) throw new Error(`${which} could not open ${folder}`);
  await series(`WASM under node (${which})`, {
    unpack: () => m.ccall('bk_model_unpack', null, [], []),
    repack: () => m.ccall('bk_model_repack', null, [], []),
    trace: (t) => m.ccall('bk_model_trace', 'number', ['number'], [t]),
  });
}

async function native() {
  const p = spawn(path.join(root, 'build/native-release/tools/bench/bench_kernels'), [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  const ask = async (cmd) => { p.stdin.write(cmd + '\n'); return (await lines.next()).value; };
  try {
    if ((await ask(`model_open ${folder}`)) !== '0') throw new Error(`bench_kernels could not open ${folder}`);
    await series('native, 1 thread', {
      unpack: () => ask('model_unpack'),
      repack: () => ask('model_repack'),
      trace: async (t) => Number(await ask(`model_trace ${t}`)),
    });
  } finally {
    p.stdin.end();
  }
}

(async () => {
  console.log(`${path.basename(folder)}, ${T} tokens, ${rounds} rounds; medians (ms) and same-round ratios\n`);
  console.log('| build | packed | stored | packed/stored | range |');
  console.log('|---|---:|---:|---:|---:|');
  await native();
  for (const which of ['bench_kernels_relaxed', 'bench_kernels']) await wasm(which);
})().catch((e) => { console.error(e.message); process.exit(1); });
