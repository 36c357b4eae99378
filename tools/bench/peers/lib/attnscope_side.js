// AttnScope's side of every measure, one interface for both builds of tools/bench/bench_kernels.cpp:
//   native: the executable kept open as a child process, one command line per round (its own clock);
//   wasm:   the Emscripten module loaded into this node process and called directly (timed here, like the
//           peers, with performance.now around the call).
//   const a = await openNative(root);   // or openWasm(root)
//   await a.attentionSetup(12, 128, 64); const ms = await a.attentionRun(); const out = await a.attentionOut(n);
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { median } = require('./interleave');

// Fresh processes that open the folder, each after the other, as the CLI and the desktop app start.
const kFreshLoads = 2;

async function openNative(root) {
  const exe = path.join(root, 'build/native-release/tools/bench/bench_kernels');
  const child = spawn(exe, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()(line));
  const ask = (cmd) => new Promise((resolve) => {
    waiting.push(resolve);
    child.stdin.write(cmd + '\n');
  });
  const number = async (cmd) => Number(await ask(cmd));
  // One thread, like the peers, whatever ATTN_THREADS says; setThreads(n) for the threaded rows.
  await ask('threads 1');
  const floats = async (cmd) => Float32Array.from((await ask(cmd)).split(' ').map(Number));
  let opened = null;   // the folder model_open last opened
  return {
    build: 'native',
    simd: () => ask('simd'),
    setThreads: (n) => number(`threads ${n}`),
    attentionSetup: (h, t, d) => ask(`attention_setup ${h} ${t} ${d}`),
    attentionRun: () => number('attention_run'),
    attentionOut: (n) => floats(`attention_out ${n}`),
    linearSetup: (m, k, n) => ask(`linear_setup ${m} ${k} ${n}`),
    linearRun: () => number('linear_run'),
    linearOut: (n) => floats(`linear_out ${n}`),
    modelOpen: async (folder) => {
      if ((await ask(`model_open ${folder}`)) !== '0') throw new Error(`bench_kernels could not open ${folder}`);
      opened = folder;
    },
    // The load is a first open in a fresh process, as a CLI command's is: the median of this process's and
    // kFreshLoads more, since one first open alone moved from 0.27 to 0.51 s between runs on one machine.
    modelLoadMs: async () => {
      const loads = [await number('model_load_ms')];
      for (let i = 0; i < kFreshLoads; i++) {
        const fresh = await openNative(root);
        await fresh.modelOpen(opened);
        loads.push(await fresh.firstLoadMs());
        fresh.close();
      }
      return median(loads);
    },
    firstLoadMs: () => number('model_load_ms'),
    modelPackMs: () => number('model_pack_ms'),
    modelTrace: (T) => number(`model_trace ${T}`),
    modelLogits: () => floats('model_logits'),
    memoryBytes: () => null,
    close: () => { child.stdin.end('quit\n'); },
  };
}

// Whether this node runs relaxed SIMD (node 20: with --experimental-wasm-relaxed-simd, which ./run passes):
// a module holding one f32x4.relaxed_madd validates.
function relaxedSimdAvailable() {
  const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const body = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b];
  return WebAssembly.validate(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, body.length + 2, 0x01, body.length, ...body]));
}

// Each call makes a fresh module instance (its own WASM memory), so f32 and f16 models can sit side by side.
// relaxed: bench_kernels_relaxed, over the relaxed-SIMD kernels the page runs where the browser has them.
async function openWasm(root, { relaxed = false } = {}) {
  const base = path.join(root, 'build/wasm-release/tools/bench', relaxed ? 'bench_kernels_relaxed' : 'bench_kernels');
  // The binary handed over: Emscripten 3.1.6 would otherwise fetch() it when node has fetch (Playwright,
  // used by the chromium mode in the same process, needs node's fetch, so it stays on).
  const m = await require(base + '.js')({ wasmBinary: fs.readFileSync(base + '.wasm') });
  const call = (name, ...args) => m.ccall(name, 'number', args.map(() => 'number'), args);
  const timed = (name, ...args) => {
    const t0 = performance.now();
    const r = call(name, ...args);
    const ms = performance.now() - t0;
    if (r < 0) throw new Error(`${name} failed`);
    return ms;
  };
  const floatsAt = (ptr, n) => m.HEAPF32.slice(ptr >> 2, (ptr >> 2) + n);
  return {
    build: 'wasm',
    simd: async () => m.UTF8ToString(call('bk_simd_name')),
    setThreads: async (n) => call('bk_set_threads', n),
    attentionSetup: async (h, t, d) => call('bk_attention_setup', h, t, d),
    attentionRun: async () => timed('bk_attention_run'),
    attentionOut: async (n) => floatsAt(call('bk_attention_out'), n),
    linearSetup: async (mm, k, n) => call('bk_linear_setup', mm, k, n),
    linearRun: async () => timed('bk_linear_run'),
    linearOut: async (n) => floatsAt(call('bk_linear_out'), n),
    modelOpen: async (folder) => {
      if (m.ccall('bk_model_open', 'number', ['string'], [folder]) !== 0) throw new Error(`bench_kernels could not open ${folder}`);
    },
    modelLoadMs: async () => call('bk_model_load_ms'),
    modelPackMs: async () => call('bk_model_pack_ms'),
    modelTrace: async (T) => timed('bk_model_trace', T),
    modelLogits: async () => floatsAt(call('bk_model_logits'), call('bk_model_vocab')),
    modelUnpack: async () => m.ccall('bk_model_unpack', null, [], []),
    modelRepack: async () => m.ccall('bk_model_repack', null, [], []),
    memoryBytes: () => m.HEAPU8.buffer.byteLength,
    close: () => {},
  };
}

module.exports = { openNative, openWasm, relaxedSimdAvailable };
