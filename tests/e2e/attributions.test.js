// The views about one prediction in the page, as a new user meets them on the default model: type a
// sentence, open Attributions, pick a foil, run integrated gradients and watch the progress bar move,
// then the logit lens and activations views; and the page's analyze() equals the native CLI's
// `attnscope-cli analyze` for the same text within 1e-5.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const H = require('./helpers');

let ctx, page;
const state = () => page.evaluate(() => window.attnscope.getState());
const TEXT = "The animal didn't cross the street because it was too tired";

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

const cliPath = H.cliPath;

test('type a sentence, open Attributions, pick a foil, run integrated gradients with a moving progress bar', async () => {
  const area = page.locator('#text-box');
  await area.click();
  await area.fill('');
  await page.keyboard.type(TEXT);
  let s = await H.waitForState(page, (t) => window.attnscope.getState().text === t, TEXT);
  assert.equal(s.model, 'gpt2-tiny');
  await page.locator('#canvas').click({ position: { x: 640, y: 790 } });   // the status bar: the keys go to the app
  await page.keyboard.press('5');                                            // the attributions view
  s = await H.waitForState(page, () => window.attnscope.getState().view === 'attributions');
  // It computes by itself for the text on screen, then shows the coloured tokens.
  s = await H.waitForState(page, () => {
    const a = window.attnscope.getState().analysis;
    return a.current && !a.running && a.widgets.tokens[2] > 0;
  }, undefined, 40000);
  assert.equal(s.analysis.error, '');
  assert.equal(s.analysis.resultFoil, -1);
  assert.equal(s.analysis.widgets.foils.length, s.nextPredictions.length + 1, '"no foil" and one per prediction');

  // Many IG steps so the job spans frames: the page keeps drawing and the bar moves.
  await page.evaluate(() => window.attnscope.setAnalysisOptions({ igSteps: 128 }));
  const foil = s.nextPredictions[1];
  await H.clickRect(page, s.analysis.widgets.foils[2]);
  const seen = await page.evaluate(async (foilId) => {
    const out = [];
    // The click reaches the app on a later frame (one more when the machine is busy), and the frame after
    // the pick replaces the job that ran without the foil: sample from there on.
    for (let i = 0; i < 400 && window.attnscope.getState().analysis.foil !== foilId; i++)
      await new Promise((r) => requestAnimationFrame(r));
    for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
    for (let i = 0; i < 400; i++) {
      const a = window.attnscope.getState().analysis;
      out.push({ running: a.running, progress: a.progress, stage: a.stage, bar: a.widgets.progress[2] });
      if (!a.running && a.current) break;
      await new Promise((r) => requestAnimationFrame(r));
    }
    return out;
  }, foil.id);
  const running = seen.filter((x) => x.running);
  assert.ok(running.length >= 1, 'the job ran across frames');
  assert.ok(running.some((x) => x.bar > 0), 'the progress bar is on screen while it runs');
  for (let i = 1; i < running.length; i++) assert.ok(running[i].progress >= running[i - 1].progress, 'progress only grows');
  s = await H.waitForState(page, () => { const a = window.attnscope.getState().analysis; return a.current && !a.running; });
  assert.equal(s.analysis.resultFoil, foil.id, 'the result explains "and not" the picked foil');
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(H.shotDir, 'attributions-foil.png') });
});

test('Cancel stops a running job, keeps what finished, and nothing restarts by itself', async () => {
  // More IG steps: a new job for the text on screen, long enough to cancel.
  await page.evaluate(() => window.attnscope.setAnalysisOptions({ igSteps: 2048 }));
  let s = await H.waitForState(page, () => window.attnscope.getState().analysis.running);
  await H.clickRect(page, s.analysis.widgets.cancel);
  s = await H.waitForState(page, () => !window.attnscope.getState().analysis.running);
  assert.equal(s.analysis.cancelled, true);
  await page.waitForTimeout(300);
  s = await state();
  assert.equal(s.analysis.running, false, 'no restart after Cancel');
  assert.equal(s.analysis.current, true, 'what finished stays on screen');
  await page.evaluate(() => window.attnscope.setAnalysisOptions({ igSteps: 32 }));
  s = await H.waitForState(page, () => { const a = window.attnscope.getState().analysis; return a.current && !a.running; },
                           undefined, 40000);
  assert.equal(s.analysis.cancelled, false);
});

test('the logit lens and activations views show the result; clicking a cell lists its neurons', async () => {
  await page.evaluate(() => window.attnscope.setView('lens'));
  let s = await H.waitForState(page, () => { const a = window.attnscope.getState().analysis; return a.current && a.widgets.lensGrid[2] > 0; });
  const before = await H.canvasStats(page);
  assert.ok(before.colors > 20, 'the lens grid is drawn');
  await page.screenshot({ path: path.join(H.shotDir, 'attributions-lens.png') });
  await page.evaluate(() => window.attnscope.setView('activations'));
  s = await H.waitForState(page, () => window.attnscope.getState().analysis.widgets.activationsGrid[2] > 0);
  const g = s.analysis.widgets.activationsGrid;
  const canvas = await page.locator('#canvas').boundingBox();
  await page.mouse.click(canvas.x + g[0] + g[2] * 0.1, canvas.y + g[1] + 4);   // the top row: after the last layer
  s = await H.waitForState(page, () => window.attnscope.getState().analysis.neurons > 0);
  assert.equal(s.analysis.cellLayer, s.layers - 1);
  await page.screenshot({ path: path.join(H.shotDir, 'attributions-activations.png') });
  assert.deepEqual(ctx.problems, []);
});

test('analyze() equals the native CLI analyze for the same text within 1e-5', async () => {
  const cli = cliPath();
  assert.ok(cli, 'no native attnscope-cli build (build/native-release or build/native-debug)');
  for (const model of ['gpt2-tiny', 'bert-tiny']) {
    const r = await page.evaluate((m) => window.attnscope.loadBundled(m), model);
    assert.equal(r.ok, true, r.error);
    // Over the weights as the app packs them a few a frame after the load: every layer matrix holds panels
    // in its own bytes, and the gradients gather their rows from them (GPT-2: qkv, out, fc1, fc2 a layer;
    // BERT: q, k, v, out, fc1, fc2 a layer and the masked-LM head's transform).
    const packed = await H.waitForState(page, () => window.attnscope.getState().weightsPacked);
    assert.equal(packed.weightsPackedInPlace, model === 'gpt2-tiny' ? 4 * packed.layers : 6 * packed.layers + 1);
    const text = model === 'bert-tiny' ? 'The animal did not cross the [MASK] because it was tired.' : TEXT;
    const s = await page.evaluate((t) => window.attnscope.setText(t), text);
    const foil = model === 'gpt2-tiny' ? s.nextPredictions[2].id : s.maskPredictions[1].id;
    const got = await page.evaluate((f) => window.attnscope.analyze({ igSteps: 16, foil: f }), foil);
    const out = path.join(os.tmpdir(), `attnscope-analyze-${model}.safetensors`);
    execFileSync(cli, ['analyze', '--model', path.join(H.fixtures, model), '--text', text, '--ig-steps', '16',
                       '--foil', String(foil), '--out', out]);
    const ref = H.readSafetensors(fs.readFileSync(out));
    fs.rmSync(out);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(ref).sort(), `${model}: the same tensors`);
    for (const [name, t] of Object.entries(ref)) {
      assert.deepEqual(got[name].shape, t.shape, `${model} ${name}: shape`);
      assert.equal(got[name].dtype, t.dtype, `${model} ${name}: dtype`);
      const want = Array.from(t.data, Number);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[name].data[i] - want[i]));
      assert.ok(worst <= 1e-5, `${model} ${name}: worst difference ${worst}`);
    }
    assert.ok(got.integrated_gradients.data.length === s.tokens.length);
  }
  // Bad options: one sentence, nothing lost.
  const err = await page.evaluate(() => { try { window.attnscope.analyze({ foil: 1e9 }); return ''; } catch (e) { return e.message; } });
  assert.match(err, /outside the vocabulary/);
  await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
});
