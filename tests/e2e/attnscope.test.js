// End-to-end tests of the AttnScope page in Debian's chromium (headless, SwiftShader WebGL 2):
// loads the real page and default model, reads state through window.attnscope, types into the text
// box (the HTML text area over the canvas) and checks that the canvas and the token count change. Needs
// the wasm build (build/wasm-release/web); tests/e2e/run.sh builds it.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

const { shotDir } = H;
const modelConfig = JSON.parse(fs.readFileSync(path.join(H.fixtures, 'gpt2-tiny/config.json'), 'utf8'));

let ctx, page;
const canvasStats = () => H.canvasStats(page);
const gridDifference = H.gridDifference;
const waitForState = (predicate, arg) => H.waitForState(page, predicate, arg);
const clickRect = (r) => H.clickRect(page, r);

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
});

after(async () => {
  await H.closePage(ctx);
});

test('page loads the default model', async () => {
  const state = await page.evaluate(() => window.attnscope.ready);
  assert.equal(state.model, 'gpt2-tiny');
  assert.equal(state.layers, modelConfig.n_layer);
  assert.equal(state.heads, modelConfig.n_head);
  assert.equal(state.layer, 0);
  assert.equal(state.head, 0);
  assert.ok(state.tokens.length > 0, 'default text has tokens');
  assert.equal(state.error, '');
});

test('canvas is not blank', async () => {
  await page.waitForTimeout(300);   // a few frames after the model loaded
  const s = await canvasStats();
  assert.equal(s.width, 1280);
  assert.ok(s.variance > 100, `luminance variance ${s.variance}`);
  assert.ok(s.colors > 50, `${s.colors} distinct colours`);
  fs.mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: path.join(shotDir, 'attnscope-loaded.png') });
});

test('getAttention returns causal, row-normalised probabilities', async () => {
  const r = await page.evaluate(() => {
    const s = window.attnscope.getState();
    return { t: s.tokens.length, a: Array.from(window.attnscope.getAttention(0, 0)) };
  });
  assert.equal(r.a.length, r.t * r.t);
  for (let q = 0; q < r.t; q++) {
    let sum = 0;
    for (let k = 0; k < r.t; k++) {
      const w = r.a[q * r.t + k];
      if (k > q) assert.equal(w, 0, `future cell ${q},${k}`);
      sum += w;
    }
    assert.ok(Math.abs(sum - 1) < 1e-4, `row ${q} sums to ${sum}`);
  }
});

test('typing into the text box re-runs the model and redraws', async () => {
  const before = await page.evaluate(() => window.attnscope.getState());
  const pixelsBefore = await canvasStats();
  await page.mouse.click(150, 110);               // the text box (input panel, top left)
  await page.waitForTimeout(100);                 // a frame, so the box is active before the key
  await page.keyboard.down('Control');   // held over a few frames: ImGui samples keys once per frame
  await page.keyboard.down('End');
  await page.waitForTimeout(80);
  await page.keyboard.up('End');
  await page.keyboard.up('Control');
  await page.keyboard.type(' Then the cat sat on the mat.');
  const after = await waitForState((n) => window.attnscope.getState().tokens.length > n, before.tokens.length);
  assert.ok(after.text.endsWith('Then the cat sat on the mat.'), `text is now: ${after.text}`);
  assert.ok(after.tokens.length > before.tokens.length);
  await page.waitForTimeout(200);
  const pixelsAfter = await canvasStats();
  const changed = gridDifference(pixelsBefore, pixelsAfter);
  assert.ok(changed > 20, `only ${changed} grid samples changed`);
  await page.screenshot({ path: path.join(shotDir, 'attnscope-typed.png') });
});

test('setText and select work from JS', async () => {
  const state = await page.evaluate(() => window.attnscope.setText('Hello world'));
  assert.equal(state.text, 'Hello world');
  assert.ok(state.tokens.length >= 2 && state.tokens.length < 6, `tokens: ${state.tokens}`);
  const sel = await page.evaluate(() => window.attnscope.select(1, 3));
  assert.equal(sel.layer, 1);
  assert.equal(sel.head, 3);
  const a = await page.evaluate(() => window.attnscope.getAttention(1, 3).length);
  assert.equal(a, state.tokens.length * state.tokens.length);
});

test('an idle page stops drawing; a new trace, the mouse and a changed canvas size draw again', async () => {
  const frames = () => page.evaluate(() => window.attnscope.getState().frames);
  const drawnAfter = async (action) => {
    const a = await frames();
    await action();
    await page.waitForTimeout(400);
    const b = await frames();
    return b.drawn - a.drawn;
  };
  await page.evaluate(() => window.attnscope.setText('The cat sat on the mat'));
  await page.waitForTimeout(1000);   // settled: hover fades and the new trace's textures are done
  await page.evaluate(() => window.attnscope.frameTimes());   // forget the frames so far
  const a = await frames();
  await page.waitForTimeout(1000);
  const b = await frames();
  const times = await page.evaluate(() => window.attnscope.frameTimes());
  assert.ok(b.run - a.run >= 10, `frames keep running (${b.run - a.run} in a second)`);
  assert.ok(b.drawn - a.drawn <= 1, `an idle second drew ${b.drawn - a.drawn} of ${b.run - a.run} frames`);
  // frameTimes(): one entry per frame run since the last call (the frames between the two reads of the
  // state, and the few around them), each a time on the page's thread, and which of them drew.
  assert.equal(times.ms.length, times.drawn.length);
  assert.ok(times.ms.length >= b.run - a.run && times.ms.length <= b.run - a.run + 10,
            `${times.ms.length} frame times for ${b.run - a.run} frames`);
  assert.ok(times.ms.every((t) => t >= 0 && t < 1000) && times.ms.some((t) => t > 0), `frame times ${times.ms.slice(0, 5)}`);
  assert.strictEqual((await page.evaluate(() => window.attnscope.getState())).viewPending, false, 'nothing left to step');
  assert.ok(times.drawn.filter(Boolean).length <= 1, 'the idle frames did not draw');
  assert.equal((await page.evaluate(() => window.attnscope.frameTimes())).ms.length <= 2, true, 'read once');
  // What changes the picture is drawn.
  assert.ok(await drawnAfter(() => page.evaluate(() => window.attnscope.setText('The dog sat on the rug'))) >= 1, 'a new trace');
  assert.ok(await drawnAfter(() => page.mouse.move(640, 420, { steps: 4 })) >= 1, 'the mouse over the heatmap');
  const bufferWidth = () => page.evaluate(() => document.querySelector('#canvas').width);
  assert.ok(await drawnAfter(() => page.setViewportSize({ width: 1200, height: 800 })) >= 1, 'a smaller canvas');
  assert.equal(await bufferWidth(), 1200, 'the drawing buffer follows the canvas');
  // Back to the screen's size (Playwright's screen is the viewport): Emscripten's glfwSetWindowSize would
  // ask for fullscreen there instead of resizing, refused without a click, every frame.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(300);
  assert.equal(await bufferWidth(), 1280, 'the drawing buffer follows the canvas to the screen size');
  const s = await canvasStats();   // the canvas still shows the whole picture, not a cleared buffer
  assert.equal(s.width, 1280);
  assert.ok(s.variance > 100 && s.colors > 50, `variance ${s.variance}, ${s.colors} colours`);
});

test('while a trace runs in steps and nobody touches the page, a few frames a second are drawn; its end at once', async () => {
  // One step a frame (pacing budget 0), and steps small enough that gpt2-tiny's LM head (50,257 columns)
  // takes about 20 of them: its trace runs over more than 20 frames.
  await page.evaluate(() => window.attnscope.ready);
  const pacing = await page.evaluate(() => {
    window.attnscope._setTraceStepAbove(0);
    window.attnscope._setTraceStepWork(6e5);
    return window.attnscope._setPacing({ quietFrameMs: 0, usedFrameMs: 0, leastBudgetMs: 0 });
  });
  try {
    await page.waitForTimeout(400);   // no input for longer than the 250 ms that make the page quiet
    const r = await page.evaluate(async () => {
      const api = window.attnscope;
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      api.frameTimes();
      const before = api.getState();
      const started = api.setText('The cat sat on the mat and then the dog ran to the house to see it.');
      let s = api.getState(), drawnBefore = s.frames.drawn, drawnAtEnd = -1;
      const t0 = performance.now();
      while (s.traceVersion === before.traceVersion) {
        drawnBefore = s.frames.drawn;
        await frame();
        s = api.getState();
      }
      drawnAtEnd = s.frames.drawn;
      return { total: started.tracing && started.tracing.total, times: api.frameTimes(), drawnBefore, drawnAtEnd,
               ms: performance.now() - t0 };
    });
    assert.ok(r.total > 20, `the trace runs in ${r.total} steps`);
    const n = r.times.ms.length, drawn = r.times.drawn.filter(Boolean).length;
    assert.ok(n >= r.total, `${n} frames for ${r.total} steps`);
    // The first frame (a job started), one every 100 ms or more after it (the progress line moves), the last.
    assert.ok(drawn >= 1 && drawn <= 3 + r.ms / 100, `${drawn} of ${n} frames drawn in ${r.ms.toFixed(0)} ms while the trace ran`);
    assert.ok(drawn <= n / 2, `${drawn} of ${n} frames drawn`);
    assert.equal(r.drawnAtEnd - r.drawnBefore, 1, 'the frame that shows the finished trace is drawn at once');
    // The mouse over the page: its frames are drawn at once again.
    const moved = await page.evaluate(() => { window.attnscope.frameTimes(); return window.attnscope.setText('The dog sat on the rug'); });
    assert.ok(moved.tracing !== null);
    let drawnMoving = 0;
    for (let i = 0; i < 8; i++) {   // a move, then the frame that reads it: the pointer over a new heatmap cell
      await page.mouse.move(500 + 13 * i, 300 + 11 * i);
      await H.waitFrames(page, 1);
      drawnMoving += (await page.evaluate(() => window.attnscope.frameTimes())).drawn.filter(Boolean).length;
    }
    assert.ok(drawnMoving >= 6, `the pointer moving: ${drawnMoving} frames drawn for 8 moves`);
    await page.evaluate(() => window.attnscope.traced());
    // The pointer off the heatmap again: its hover line moves the left panel's widgets the next tests click.
    await page.mouse.move(2, 2);
    await H.waitFrames(page, 3);
  } finally {
    await page.evaluate((p) => {
      window.attnscope._setPacing(p);
      window.attnscope._setTraceStepAbove(50);
      window.attnscope._setTraceStepWork(16e6);
    }, pacing);
  }
});

test('a broken model shows an error and the previous model stays usable', async () => {
  const r = await page.evaluate(() => window.attnscope.loadModel('broken', {
    'config.json': new TextEncoder().encode('{"model_type": "gpt2", "n_layer": '),
  }));
  assert.equal(r.ok, false);
  assert.match(r.error, /broken/);
  const state = await page.evaluate(() => window.attnscope.setText('Still works'));
  assert.equal(state.model, 'gpt2-tiny');
  assert.equal(state.layers, modelConfig.n_layer);
  assert.ok(state.tokens.length > 0);
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(shotDir, 'attnscope-error.png') });
});

function checkTop5(list, what) {
  assert.equal(list.length, 5, `${what}: ${JSON.stringify(list)}`);
  let sum = 0;
  for (let i = 0; i < list.length; i++) {
    assert.ok(list[i].prob > 0 && list[i].prob <= 1, `${what}[${i}] prob ${list[i].prob}`);
    if (i > 0) assert.ok(list[i].prob <= list[i - 1].prob, `${what} not descending at ${i}`);
    assert.equal(typeof list[i].token, 'string');
    sum += list[i].prob;
  }
  assert.ok(sum <= 1 + 1e-5, `${what} sums to ${sum}`);
}

test('Next token button on gpt2-tiny appends the greedy token', async () => {
  let state = await page.evaluate(() => window.attnscope.setText('The animal crossed the'));
  checkTop5(state.nextPredictions, 'nextPredictions');
  await page.waitForTimeout(200);   // a frame or two so the button's rect is known
  for (let step = 1; step <= 2; step++) {
    const before = await page.evaluate(() => window.attnscope.getState());
    await clickRect(before.widgets.nextToken);
    state = await waitForState((n) => window.attnscope.getState().tokens.length === n + 1, before.tokens.length);
    assert.equal(state.tokens.length, before.tokens.length + 1);
    assert.equal(state.pieces[state.pieces.length - 1], before.nextPredictions[0].piece, 'the greedy pick was added');
    assert.equal(state.steppedPosition, before.tokens.length);
    assert.ok(state.text.startsWith('The animal crossed the'), `text is now: ${state.text}`);
  }
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(shotDir, 'attnscope-next-token.png') });
});

test('bert-tiny: no causal mask, and a prediction for [MASK]', async () => {
  const r = await page.evaluate(() => window.attnscope.loadBundled('bert-tiny'));
  assert.equal(r.ok, true, r.error);
  const state = await page.evaluate(() => window.attnscope.setText('The capital of France is [MASK].'));
  assert.equal(state.architecture, 'bert');
  assert.equal(state.encoderDecoder, false);
  assert.equal(state.attentionKind, 'self');
  assert.equal(state.pieces[state.maskPosition], '[MASK]');
  checkTop5(state.maskPredictions, 'maskPredictions');
  assert.deepEqual(state.nextPredictions, []);
  const a = await page.evaluate(() => { const x = window.attnscope.getAttention(0, 0); return { rows: x.rows, cols: x.cols, d: Array.from(x) }; });
  assert.equal(a.rows, state.tokens.length);
  assert.equal(a.cols, state.tokens.length);
  let future = 0;
  for (let q = 0; q < a.rows; q++) for (let k = q + 1; k < a.cols; k++) future += a.d[q * a.cols + k];
  assert.ok(future > 0.1, `an encoder looks ahead too (future weight ${future})`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shotDir, 'attnscope-bert-mask.png') });
});

test('bart-tiny from the model picker: cross attention is target x source', async () => {
  let state = await page.evaluate(() => window.attnscope.getState());
  assert.ok(state.bundled.includes('bart-tiny'), `bundled: ${state.bundled}`);
  state = await H.openPicker(page);
  const index = state.bundled.indexOf('bart-tiny');
  await clickRect(state.widgets.modelItems[index]);
  state = await waitForState(() => window.attnscope.getState().model === 'bart-tiny');
  assert.equal(state.error, '');
  assert.equal(state.architecture, 'bart');
  assert.equal(state.encoderDecoder, true);
  assert.equal(state.attentionKind, 'cross');
  // Its layer matrices are packed in place a few a frame after the load (model/weight_pack.h), both stacks:
  // q, k, v, out, fc1, fc2 an encoder layer, and the cross attention's four more a decoder layer.
  const packed = await waitForState(() => window.attnscope.getState().weightsPacked);
  assert.equal(packed.weightsPackedInPlace, 6 * 2 + 10 * 2, 'bart-tiny: 2 encoder and 2 decoder layers');

  await page.evaluate(() => window.attnscope.setText("The animal didn't cross the street because it was tired."));
  state = await page.evaluate(() => window.attnscope.setTarget('The animal'));
  assert.equal(state.target, 'The animal');
  const dims = await page.evaluate(() => ['self', 'decoder', 'cross'].map((kind) => {
    const x = window.attnscope.getAttention(1, 3, kind);
    return { kind, rows: x.rows, cols: x.cols, d: Array.from(x) };
  }));
  const S = state.tokens.length, T = state.targetTokens.length;
  assert.ok(T >= 3 && S > T, `source ${S}, target ${T}`);
  const want = { self: [S, S], decoder: [T, T], cross: [T, S] };
  for (const a of dims) {
    assert.deepEqual([a.rows, a.cols], want[a.kind], a.kind);
    assert.equal(a.d.length, a.rows * a.cols);
    for (let q = 0; q < a.rows; q++) {
      let sum = 0;
      for (let k = 0; k < a.cols; k++) sum += a.d[q * a.cols + k];
      assert.ok(Math.abs(sum - 1) < 1e-4, `${a.kind} row ${q} sums to ${sum}`);
    }
  }
  checkTop5(state.nextPredictions, 'bart nextPredictions');
  const stepped = await page.evaluate(() => window.attnscope.nextToken());
  assert.equal(stepped.targetTokens.length, T + 1);
  assert.equal(stepped.tokens.length, S);
  assert.equal((await page.evaluate(() => window.attnscope.getAttention(0, 0, 'cross'))).length, (T + 1) * S);
  const sel = await page.evaluate(() => window.attnscope.select(1, 2, 'cross'));
  assert.equal(sel.attentionKind, 'cross');
  assert.equal(sel.layer, 1);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shotDir, 'attnscope-bart-cross.png') });
});

test('a missing bundled model keeps the current one', async () => {
  const r = await page.evaluate(() => window.attnscope.loadBundled('no-such-model'));
  assert.equal(r.ok, false);
  assert.match(r.error, /no-such-model/);
  const state = await page.evaluate(() => window.attnscope.getState());
  assert.equal(state.model, 'bart-tiny');
  assert.match(state.error, /no-such-model/);
});

test('no console errors, no CSP violations', () => {
  assert.deepEqual(ctx.problems, []);
});
