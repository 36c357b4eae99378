// AttnScope in headless Chromium through the page (tests/e2e/helpers.js starts it like the e2e tests):
// the model folder through the file input, then traces of a 128-token text through the page's JS API
// (window.attnscope.setText). Reports load time, trace time (stepped as an edit runs: the page's wall time
// around setText and the app's own trace_ms; and in one go) and the WASM memory's size, read from the
// Memory object the module exports (caught by an init script wrapping WebAssembly.instantiate*; the
// page's own JS is not changed).
'use strict';
const path = require('node:path');
const { median } = require('./interleave');
const { MiB } = require('./table');

const FILES = ['config.json', 'model.safetensors', 'tokenizer.json'];
// Words that GPT-2's tokenizer keeps as one token each (with or without the leading space).
const WORDS = ['the', 'of', 'and', 'to', 'in', 'is', 'that', 'for', 'it', 'as', 'was', 'with', 'be', 'by', 'on',
               'not', 'he', 'this', 'are', 'or', 'his', 'from', 'at', 'which', 'but', 'have', 'an', 'had', 'they',
               'you', 'were', 'their', 'one', 'all', 'we', 'can', 'her', 'has', 'there', 'been'];

function text(T, round) {
  const words = [];
  for (let i = 0; i < T; i++) words.push(WORDS[(i * 7 + round) % WORDS.length]);
  return words.join(' ');
}

function catchWasmMemory() {
  window.__benchMemories = [];
  const keep = (result) => {
    const instance = result.instance || result;
    for (const v of Object.values(instance.exports || {})) if (v instanceof WebAssembly.Memory) window.__benchMemories.push(v);
    return result;
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (...args) { return instantiate.apply(this, args).then(keep); };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) WebAssembly.instantiateStreaming = function (...args) { return streaming.apply(this, args).then(keep); };
  // The threaded build makes its shared memory in JS and imports it.
  const Memory = WebAssembly.Memory;
  WebAssembly.Memory = function (descriptor) {
    const memory = new Memory(descriptor);
    window.__benchMemories.push(memory);
    return memory;
  };
  WebAssembly.Memory.prototype = Memory.prototype;
}

// One fresh page per folder (WASM memory never shrinks, so a second model would inherit the first's peak).
// isolated: served cross-origin isolated, so the page runs its threaded build (as from tools/run).
// query: '?relaxed=0' keeps the SIMD128 build where the browser has relaxed SIMD.
async function pageRun(H, folder, { T, rounds, isolated, query = '' }) {
  const ctx = await H.openPage(query, { model: 'gpt2-tiny', isolated });
  try {
    const { page } = ctx;
    await page.addInitScript(catchWasmMemory);
    await page.reload();
    await page.evaluate(() => window.attnscope.ready);
    const t0 = Date.now();
    await page.setInputFiles('#open-model', FILES.map((f) => path.join(folder, f)));
    await page.waitForFunction(() => {
      const s = window.attnscope.getState();
      return s.model === 'local files' || s.error !== '';
    }, null, { timeout: 300000, polling: 50 });
    const loadMs = Date.now() - t0;
    const lastLoad = await page.evaluate(() => window.attnscope.lastLoad);   // {streamMs, modelLoadMs}
    const state = await page.evaluate(() => window.attnscope.getState());
    if (state.error) throw new Error(`the page could not load ${folder}: ${state.error}`);
    // The app then packs the layer weights in place, a few matrices a frame (model/weight_pack.h); the
    // traces below are timed over the packed weights, as a user typing after the load gets them.
    const p0 = Date.now();
    await page.waitForFunction(() => window.attnscope.getState().weightsPacked, null, { timeout: 300000, polling: 20 });
    const packMs = Date.now() - p0;
    // And after what else a large model's load starts in steps (the random-weights probe, the heads'
    // induction score), so no frame between the timed traces steps them.
    await page.evaluate(() => window.attnscope.measured());
    const { weightsPackedInPlace } = await page.evaluate(() => window.attnscope.getState());
    // Two series: as a user's edit runs (stepped, a block a frame, the page drawing between steps), then
    // with stepping off (the trace runs within setText, as in the CLI): the engine's own time in the page.
    // Under SwiftShader the frames' drawing shares the 2 cores with the steps, which it would not on a GPU.
    // The stepped series runs first, on the app's own threshold; the second turns stepping off.
    const series = async (stepped) => {
      if (!stepped) await page.evaluate(() => window.attnscope._setTraceStepAbove(1e9));
      const wall = [], app = [];
      let tokens = 0;
      for (let r = -1; r < rounds; r++) {   // round -1: warm-up
        const m = await page.evaluate(async (t) => {
          const api = window.attnscope;
          const before = api.getState().traceVersion;
          const t0 = performance.now();
          let s = api.setText(t);
          while (s.traceVersion === before) {   // a trace that runs as a stepped job: wait for it
            await new Promise((r) => setTimeout(r, 0));
            s = api.getState();
          }
          return { ms: performance.now() - t0, traceMs: s.trace_ms, tokens: s.tokens.length };
        }, text(T, r + 1 + (stepped ? 0 : rounds + 1)));
        if (r >= 0) { wall.push(m.ms); app.push(m.traceMs); }
        tokens = m.tokens;
      }
      return { wallMs: median(wall), traceMs: median(app), tokens };
    };
    const stepped = await series(true);
    const whole = await series(false);
    const tokens = stepped.tokens;
    const memory = await page.evaluate(() => window.__benchMemories.reduce((n, m) => Math.max(n, m.buffer.byteLength), 0));
    if (ctx.problems.length) console.log(`page problems: ${ctx.problems.join('; ')}`);
    const { build, threads, kernels } = await page.evaluate(() => window.attnscope.getState());
    if ((build === 'threads') !== isolated) throw new Error(`the page ran its ${build} build (isolated: ${isolated})`);
    return { build, threads, kernels, loadMs, packMs, weightsPackedInPlace, streamMs: lastLoad.streamMs, modelLoadMs: lastLoad.modelLoadMs, wallMs: stepped.wallMs,
             traceMs: stepped.traceMs, wholeMs: whole.traceMs, tokens, memoryMiB: memory ? memory / MiB : null };
  } finally {
    await H.closePage(ctx);
  }
}

// Rows for the main table: trace (wall and the app's own), load, memory, per folder.
async function chromiumRows(root, folders, { T = 128, rounds = 5 } = {}) {
  const H = require(path.join(root, 'tests/e2e/helpers.js'));
  const rows = [];
  // The page as it starts (relaxed SIMD where Chromium has it), single-threaded and cross-origin isolated,
  // and the single-threaded SIMD128 build (?relaxed=0) for f32.
  const runs = [{ isolated: false, query: '' }, { isolated: false, query: '?relaxed=0', only: 'f32' }, { isolated: true, query: '' }];
  for (const { isolated, query, only } of runs) {
    for (const [dtype, folder] of Object.entries(folders)) {
      if (only && dtype !== only) continue;
      const r = await pageRun(H, folder, { T, rounds, isolated, query });
      const build = r.build === 'threads' ? `threaded build, ${r.threads} threads` : 'single-threaded build';
      const what = `Chromium page (${build}, ${r.kernels}), ${r.tokens} tokens, ${dtype}`;
      rows.push([`${what}: trace in one go (the app's trace_ms, stepping off)`, r.wholeMs, null, null, null]);
      rows.push([`${what}: stepped trace (wall around setText, frames drawn between steps)`, r.wallMs, null, null, null]);
      rows.push([`${what}: stepped trace (the app's trace_ms: its steps alone)`, r.traceMs, null, null, null]);
      rows.push([`${what}: load through the file input`, r.loadMs, null, null, null]);
      rows.push([`${what}:   of which the files streamed into the app`, r.streamMs, null, null, null]);
      rows.push([`${what}:   of which the app building the model`, r.modelLoadMs, null, null, null]);
      rows.push([`${what}: then packing ${r.weightsPackedInPlace} layer matrices in place (a few a frame after the model shows)`, r.packMs, null, null, null]);
      rows.push([`${what}: WASM memory after load + trace (MiB)`, r.memoryMiB, null, null, null]);
    }
  }
  return rows;
}

module.exports = { chromiumRows };
