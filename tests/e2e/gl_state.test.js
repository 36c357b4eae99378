// The GL state the page answers itself (web/attnscope.js, cacheGlState): ImGui's GL backend reads the
// viewport, the scissor box and the blend functions on every drawn frame, and each such getParameter was a
// synchronous round trip to the GPU process. Here every getParameter that reaches WebGL is counted (an
// init script wraps the prototype before the page starts): over many drawn frames each of the eight is
// asked of the context once at most, and what the page answers is what the context holds, after the frames
// and after each setter called with values the app never uses.
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const H = require('./helpers');

let ctx = null;
after(async () => { await H.closePage(ctx); });

const CACHED = ['VIEWPORT', 'SCISSOR_BOX', 'BLEND_SRC_RGB', 'BLEND_DST_RGB', 'BLEND_SRC_ALPHA', 'BLEND_DST_ALPHA',
                'BLEND_EQUATION_RGB', 'BLEND_EQUATION_ALPHA'];

test('drawn frames ask the GPU process for none of the GL state the app sets; the answers match the context', async () => {
  ctx = await H.openReadyPage();
  const { page } = ctx;
  await page.addInitScript(() => {
    const read = WebGL2RenderingContext.prototype.getParameter;
    window.glReads = new Map();   // pname -> getParameter calls that reached WebGL
    WebGL2RenderingContext.prototype.getParameter = function (pname) {
      window.glReads.set(pname, (window.glReads.get(pname) || 0) + 1);
      return read.call(this, pname);
    };
    window.glReadFromContext = (gl, pname) => read.call(gl, pname);
  });
  await page.reload();
  await page.evaluate(() => window.attnscope.ready);
  await page.evaluate(() => window.attnscope.frameTimes());
  // Frames that draw: new traces, the pointer over the heatmap (a tooltip, clipped and scissored), each of
  // the attention views, and a smaller canvas (a new viewport).
  await page.evaluate(() => window.attnscope.setText('The cat sat on the mat because it was tired'));
  for (let i = 0; i < 6; i++) {
    await page.mouse.move(520 + 20 * i, 320 + 15 * i);
    await H.waitFrames(page, 1);
  }
  for (const view of ['grid', 'lines', 'flow', 'heatmap']) {
    await page.evaluate((v) => window.attnscope.setView(v), view);
    await H.waitFrames(page, 3);
  }
  // A smaller canvas, and a frame drawn on it (the page may hold a changed frame back a little while jobs run).
  const drawnBefore = (await page.evaluate(() => window.attnscope.getState())).frames.drawn;
  await page.setViewportSize({ width: 1100, height: 760 });
  await H.waitForState(page, (n) => document.getElementById('canvas').width === 1100 &&
                                    window.attnscope.getState().frames.drawn > n, drawnBefore);
  await H.waitFrames(page, 2);
  const drawn = (await page.evaluate(() => window.attnscope.frameTimes())).drawn.filter(Boolean).length;
  assert.ok(drawn >= 5, `${drawn} frames drawn`);

  const r = await page.evaluate((names) => {
    const gl = document.getElementById('canvas').getContext('webgl2');
    const out = {};
    for (const name of names) {
      const pname = gl[name];
      const reads = window.glReads.get(pname) || 0;
      const answered = gl.getParameter(pname);   // the page's answer (no read: counted reads stay as they are)
      const held = window.glReadFromContext(gl, pname);
      out[name] = { reads, answered: Array.from(ArrayBuffer.isView(answered) ? answered : [answered]),
                    held: Array.from(ArrayBuffer.isView(held) ? held : [held]) };
    }
    return { out, cache: !!gl.attnStateCache, width: gl.drawingBufferWidth, height: gl.drawingBufferHeight };
  }, CACHED);
  assert.ok(r.cache, 'the canvas context is the page\'s');
  for (const name of CACHED) {
    const { reads, answered, held } = r.out[name];
    assert.ok(reads <= 1, `${name}: ${reads} reads reached WebGL over ${drawn} drawn frames`);
    assert.deepEqual(answered, held, `${name}: the page's answer is the context's state`);
  }
  assert.deepEqual(r.out.VIEWPORT.held, [0, 0, r.width, r.height], 'the last frame drew over the whole new canvas');

  // ImGui's backend sets back what it read, so the frames alone would agree with the context even if a
  // setter were not recorded: each setter is called here with values the app never uses, and after each
  // call all eight answers must be the context's.
  const mismatches = await page.evaluate((names) => {
    const gl = document.getElementById('canvas').getContext('webgl2');
    const own = (pname) => window.glReadFromContext(gl, pname);
    const flat = (v) => JSON.stringify(Array.from(ArrayBuffer.isView(v) ? v : [v]));
    const before = Object.fromEntries(names.map((n) => [n, own(gl[n])]));
    const calls = [
      ['scissor', 3, 4, 50, 60],
      ['viewport', 5, 6, 70, 80],
      ['viewport', 1, 2, -3, 4],             // refused (INVALID_VALUE): the old viewport stays
      ['viewport', 0, 0, 1e6, 1e6],          // clamped to MAX_VIEWPORT_DIMS
      ['blendFuncSeparate', gl.ONE, gl.ZERO, gl.DST_ALPHA, gl.SRC_COLOR],
      ['blendEquationSeparate', gl.FUNC_SUBTRACT, gl.MAX],
      ['blendFunc', gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA],
      ['blendEquation', gl.FUNC_REVERSE_SUBTRACT],
    ];
    const out = [];
    for (const [name, ...args] of calls) {
      gl[name](...args);
      while (gl.getError() !== gl.NO_ERROR) { /* the refused viewport's error, not left for the app */ }
      for (const n of names) if (flat(gl.getParameter(gl[n])) !== flat(own(gl[n])))
        out.push(`${name}(${args}): ${n} answered ${flat(gl.getParameter(gl[n]))}, context ${flat(own(gl[n]))}`);
    }
    // The state as the frames left it.
    gl.viewport(...before.VIEWPORT);
    gl.scissor(...before.SCISSOR_BOX);
    gl.blendFuncSeparate(before.BLEND_SRC_RGB, before.BLEND_DST_RGB, before.BLEND_SRC_ALPHA, before.BLEND_DST_ALPHA);
    gl.blendEquationSeparate(before.BLEND_EQUATION_RGB, before.BLEND_EQUATION_ALPHA);
    return out;
  }, CACHED);
  assert.deepEqual(mismatches, []);
  assert.deepEqual(ctx.problems, []);
});
