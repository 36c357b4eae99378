// The side-by-side benchmark of issue 13: AttnScope against onnxruntime-node, onnxruntime-web and TF.js
// (WASM backend), single-threaded (natively one row also at 2 threads on both sides), rounds interleaved, medians and same-round ratios. Started by ./run
// (which builds what it needs); by hand:
//   node --no-liftoff bench.js [native|wasm|chromium|all]
// Exits 1 when a peer's output disagrees with AttnScope's (kernels: max abs diff 1e-3; the whole model:
// logits within 1e-3 of their largest magnitude).
'use strict';
const os = require('node:os');
const path = require('node:path');
const { openNative, openWasm, relaxedSimdAvailable } = require('./lib/attnscope_side');
const { ortNode, ortWeb, tfjsWasm } = require('./lib/peers');
const { kernelRows } = require('./lib/kernels');
const { gpt2Onnx } = require('./lib/gpt2_onnx');
const { wholeModelRows, threadedRow, storedWeightsRow, modelFeeds, LogitsMismatch } = require('./lib/whole_model');
const { traceIds } = require('./lib/data');
const { scalingByLength, scalingBySize } = require('./lib/scaling');
const { chromiumRows } = require('./lib/chromium');
const { printTable } = require('./lib/table');

const root = path.resolve(__dirname, '../../..');
const bench = path.join(root, 'build/bench');
const FOLDERS = { f32: path.join(bench, 'gpt2-small-f32'), f16: path.join(bench, 'gpt2-small-f16') };
// Smaller GPT-2 layouts for the model-size table (./run makes them), and the full size.
const SIZES = [{ L: 2, D: 256 }, { L: 4, D: 384 }, { L: 6, D: 512 }].map(({ L, D }) => ({ L, D, folder: path.join(bench, `gpt2-${L}x${D}-f32`) }))
  .concat([{ L: 12, D: 768, folder: FOLDERS.f32 }]);
const HEADER = ['measure', 'AttnScope ms', 'peer', 'peer ms', 'AttnScope/peer'];

let onnxF32 = null;
function gpt2Graph() {
  if (!onnxF32) {
    const t0 = performance.now();
    onnxF32 = gpt2Onnx(FOLDERS.f32);
    console.log(`ONNX graph of ${FOLDERS.f32} built in JS: ${(onnxF32.bytes.length / 1048576).toFixed(0)} MiB, ${(performance.now() - t0).toFixed(0)} ms`);
  }
  return onnxF32;
}

async function openBoth(open) {
  const sides = { f32: await open(root), f16: await open(root) };
  await sides.f32.modelOpen(FOLDERS.f32);
  await sides.f16.modelOpen(FOLDERS.f16);
  return sides;
}

async function nativeRun() {
  const a = await openNative(root);
  console.log(`\n== native (AttnScope ${await a.simd()}; onnxruntime-node, 1 thread)`);
  const peer = ortNode();
  const rows = await kernelRows(a, [peer]);
  a.close();
  const sides = await openBoth(openNative);
  const whole = await wholeModelRows(sides, peer, gpt2Graph(), { rounds: 9 });
  rows.push(...whole.rows, await threadedRow(sides.f32, ortNode(2), gpt2Graph(), 2, { rounds: 9 }), ...whole.extra);
  printTable('native: AttnScope against onnxruntime-node', HEADER, rows);
  const session = await peer.model(gpt2Graph().bytes, modelFeeds(traceIds(16, gpt2Graph().vocab)));
  await scalingByLength(sides.f32, session, { L: 12, D: 768, V: gpt2Graph().vocab });
  session.release();
  sides.f16.close();
  await scalingBySize(sides.f32, peer, gpt2Onnx, SIZES);
  sides.f32.close();
  return rows;
}

// Both WASM builds of AttnScope: SIMD128, and relaxed SIMD (fused multiply-adds; its rows say so), which the
// page runs where the browser has it. onnxruntime-web 1.31's module uses no relaxed-SIMD instruction.
async function wasmRun() {
  const web = ortWeb();
  const tfjs = await tfjsWasm();
  const rows = [];
  for (const relaxed of [false, true]) {
    if (relaxed && !relaxedSimdAvailable()) {
      console.log('\n(no relaxed-SIMD rows: this node does not validate relaxed SIMD; ./run passes --experimental-wasm-relaxed-simd)');
      continue;
    }
    const open = (r) => openWasm(r, { relaxed });
    const a = await open(root);
    console.log(`\n== WASM under node ${process.version} (AttnScope ${await a.simd()}; onnxruntime-web and tfjs-wasm, 1 thread)`);
    const part = await kernelRows(a, [web, tfjs]);
    const sides = await openBoth(open);
    const whole = await wholeModelRows(sides, web, gpt2Graph(), { rounds: 5 });
    const stored = [];
    for (const dtype of ['f32', 'f16']) stored.push(await storedWeightsRow(sides[dtype], dtype, { rounds: 5 }));
    // Load and memory are the same code in both builds; measured again, the second pass's load would
    // also carry the first pass's models still in this process.
    part.push(...whole.rows, ...stored, ...(relaxed ? [] : whole.extra));
    rows.push(...part.map((r) => [relaxed ? `${r[0]} [relaxed SIMD]` : r[0], ...r.slice(1)]));
  }
  printTable('WASM under node: AttnScope (SIMD128, then relaxed SIMD) against onnxruntime-web and TF.js (wasm backend)', HEADER, rows);
  return rows;
}

async function chromiumRun() {
  console.log('\n== headless Chromium (the page: its single-threaded and threaded builds, relaxed SIMD, and the SIMD128 build)');
  const rows = await chromiumRows(root, FOLDERS);
  printTable('Chromium: AttnScope in the page', HEADER, rows);
  return rows;
}

async function main() {
  const which = process.argv[2] || 'all';
  const runs = { native: nativeRun, wasm: wasmRun, chromium: chromiumRun };
  if (which !== 'all' && !runs[which]) throw new Error(`usage: bench.js [native|wasm|chromium|all], not ${which}`);
  console.log(`AttnScope peer benchmark, ${new Date().toISOString()}, ${os.cpus()[0].model}, ${os.cpus().length} cores; ` +
              'medians over interleaved rounds; AttnScope/peer: median of same-round ratios (< 1: AttnScope faster)');
  const all = [];
  for (const name of which === 'all' ? ['native', 'wasm', 'chromium'] : [which]) {
    all.push(...(await runs[name]()).map((r) => [`${name}: ${r[0]}`, ...r.slice(1)]));
  }
  if (which === 'all') printTable('All measures', HEADER, all);
}

main().then(() => process.exit(0), (err) => {
  console.error(err instanceof LogitsMismatch ? `FAILED logits check: ${err.message}` : err.stack || String(err));
  process.exit(1);
});
