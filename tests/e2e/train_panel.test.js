// The Train panel in the page: a short agreement run trained from scratch in WebAssembly, a slice of
// steps per frame; the page keeps answering while it trains, pause holds the step, the loss falls, the
// explorer shows the model in training (head grid) and goes back to the model loaded before, and Save
// model downloads a zip of the folder tools/train writes.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const state = () => page.evaluate(() => window.attnscope.getState());
const STEPS = 120;

before(async () => {
  ctx = await H.openPage();   // gpt2-tiny: the model to go back to
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

// Waits for `n` animation frames of the page (each runs the app's frame and its training slice).
const frames = (n) => page.evaluate((k) => new Promise((done) => {
  const next = () => (k-- <= 0 ? done() : requestAnimationFrame(next));
  next();
}), n);

// The entry names of a zip, from its central directory.
function zipNames(bytes) {
  const b = Buffer.from(bytes);
  let end = b.length - 22;
  while (end >= 0 && b.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'zip: no end of central directory');
  const count = b.readUInt16LE(end + 10);
  let at = b.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    assert.equal(b.readUInt32LE(at), 0x02014b50, 'zip: central directory entry');
    const nameLength = b.readUInt16LE(at + 28), extra = b.readUInt16LE(at + 30), comment = b.readUInt16LE(at + 32);
    names.push(b.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}

test('a short agreement run trains in the page: it answers while training, pauses, the loss falls, the grid shows it', async () => {
  const before = await state();
  assert.equal(before.model, 'gpt2-tiny');
  assert.deepEqual(before.train.tasks.includes('induction') && before.train.tasks.includes('agreement'), true);
  assert.equal(before.train.running, false);

  let s = await page.evaluate((steps) => window.attnscope.trainStart('agreement', { steps, speed: 'fast' }), STEPS);
  assert.equal(s.train.running, true);
  assert.equal(s.train.task, 'agreement');
  assert.equal(s.view, 'grid');

  // The page answers while it trains, and the steps go on between the answers.
  s = await H.waitForState(page, () => window.attnscope.getState().train.step >= 3);
  const seen = [s.train.step];
  for (let i = 0; i < 3; i++) {
    await frames(2);
    const t = (await state()).train;
    assert.equal(t.running, true);
    seen.push(t.step);
  }
  assert.ok(seen[seen.length - 1] > seen[0], `steps while answering: ${seen}`);

  // Pause holds the step; the explorer shows the weights of exactly that step.
  s = await page.evaluate(() => window.attnscope.trainPause());
  const pausedAt = s.train.step;
  assert.equal(s.train.running, false);
  await frames(5);
  s = await state();
  assert.equal(s.train.step, pausedAt);
  assert.equal(s.train.shownStep, pausedAt);
  assert.equal(s.model, `trained here: agreement (step ${pausedAt})`);
  assert.equal(s.train.following, true);
  assert.equal(s.train.previous, 'gpt2-tiny');
  const saveWhileRunning = await page.evaluate(() => {
    window.attnscope.trainResume();
    try { window.attnscope.trainSave(); return 'saved'; } catch (e) { return e.message; }
  });
  assert.match(saveWhileRunning, /pause/);

  s = await page.waitForFunction(() => window.attnscope.getState().train.finished, null, { timeout: 85000, polling: 200 })
    .then(() => state());
  assert.equal(s.train.step, STEPS);
  assert.equal(s.train.running, false);
  assert.ok(s.train.loss < 0.5 * s.train.firstLoss, `loss ${s.train.firstLoss} -> ${s.train.loss}`);
  assert.ok(s.train.accuracy >= 0, 'held-out accuracy measured at the last step');
  assert.ok(s.train.stepsPerSecond > 0);
  s = await H.waitForState(page, (n) => window.attnscope.getState().train.shownStep === n, STEPS);
  assert.equal(s.model, `trained here: agreement (step ${STEPS})`);
  assert.equal(s.widgets.gridTiles.length, s.layers * s.heads);
  assert.ok(s.layers >= 1 && s.heads >= 1);
  assert.ok(s.traceVersion > before.traceVersion);
  assert.equal(s.error, '');
  await page.screenshot({ path: path.join(H.shotDir, 'train-panel-finished.png') });
});

test('Save model downloads NAME.zip holding the folder tools/train writes; Back restores the model before', async () => {
  const [download, name] = await Promise.all([
    page.waitForEvent('download'),
    page.evaluate(() => window.attnscope.trainSave().name),
  ]);
  assert.equal(name, `agreement-step${STEPS}.zip`);
  assert.equal(download.suggestedFilename(), name);
  const file = await download.path();
  const names = zipNames(fs.readFileSync(file)).sort();
  const folder = `agreement-step${STEPS}/`;
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'README.md', 'card.json', 'train_log.csv',
                   'golden_trace.safetensors', 'checks.json', 'loss.png'])
    assert.ok(names.includes(folder + f), `${f} in ${names}`);
  assert.ok(names.every((n) => n.startsWith(folder)), names.join(', '));
  let s = await state();
  assert.match(s.train.savedTo, /downloaded agreement-step/);

  s = await page.evaluate(() => window.attnscope.trainBack());
  assert.equal(s.model, 'gpt2-tiny');
  assert.equal(s.train.following, false);
  assert.equal(s.train.previous, '');
  assert.ok(s.tokens.length > 0);
  assert.deepEqual(ctx.problems, []);
});
