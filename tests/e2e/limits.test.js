// Limits in the page (issue 14 item 3): a model too big for the tab is refused before any of its files is
// streamed into WASM memory, with "this model needs X; the page can use Y at most", and the model loaded
// before stays usable; a small model.safetensors whose header claims more than 4 GB is refused by the
// estimate from its header; a trace too big for what is left is refused with a message, not a crash. The
// page's limit is lowered through the test hook attnscope._setMemoryLimit (no 5 GB file needed).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const state = () => page.evaluate(() => window.attnscope.getState());
const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'];
const fixtureFiles = (model) => MODEL_FILES.map((n) => path.join(H.fixtures, model, n));

// A model.safetensors of 200 bytes whose one tensor is a consistent [rows, cols] F32 entry.
function claimingSafetensors(rows, cols) {
  let header = JSON.stringify({ 'transformer.wte.weight': { dtype: 'F32', shape: [rows, cols], data_offsets: [0, rows * cols * 4] } });
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, Buffer.from(header), Buffer.alloc(64)]);
}

// Files as {name: Buffer}, handed to the page's loadModel (the same path as a picked folder).
function filesOf(model, replace = {}) {
  const out = {};
  for (const n of MODEL_FILES) out[n] = replace[n] || fs.readFileSync(path.join(H.fixtures, model, n));
  return out;
}

async function loadInPage(label, files) { return H.loadModelBytes(page, label, files); }

before(async () => {
  ctx = await H.openReadyPage();
  page = ctx.page;
  // Every file the page streams into WASM memory, by name: a refused model must add none.
  await page.evaluate(() => {
    window.__streamed = [];
    const stream = Blob.prototype.stream;
    File.prototype.stream = function () {
      window.__streamed.push(this.name);
      return stream.call(this);
    };
  });
  await page.setInputFiles('#open-model', fixtureFiles('roberta-tiny'));
  await H.waitForState(page, () => window.attnscope.getState().architecture === 'roberta');
});

after(async () => {
  if (page) await page.evaluate(() => window.attnscope._setMemoryLimit(0));
  await H.closePage(ctx);
});

test('a model too big for the page is refused before streaming, saying what it needs; the previous model stays', async () => {
  const streamedBefore = await page.evaluate(() => window.__streamed.length);
  assert.ok(streamedBefore >= 3, 'the spy sees the files a load streams');
  await page.evaluate(() => window.attnscope._setMemoryLimit(48 * 1048576));
  const r = await loadInPage('gpt2-big-for-this-tab', filesOf('gpt2-tiny'));
  assert.equal(r.ok, false);
  assert.match(r.error, /cannot load model gpt2-big-for-this-tab: this model needs \d+ MB \(model\.safetensors holds 6 MB of weights\); the page can use 48 MB at most/);
  assert.equal(await page.evaluate(() => window.__streamed.length), streamedBefore, 'no file was streamed');
  const s = await state();
  assert.equal(s.architecture, 'roberta', 'the previous model stays loaded');
  assert.match(s.error, /this model needs/);
  const after = await page.evaluate(() => window.attnscope.setText('Still <mask> here'));
  assert.equal(after.architecture, 'roberta');
  assert.equal(after.maskPredictions.length, 5, 'the previous model still predicts');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(H.shotDir, 'limits-model-too-big.png') });
});

test('in Chinese the refusal is Chinese', async () => {
  await page.evaluate(() => window.attnscope._setMemoryLimit(48 * 1048576));
  await page.evaluate(() => window.attnscope.applyUrlState('lang=zh'));
  await H.waitForState(page, () => window.attnscope.getState().lang === 'zh');
  const r = await loadInPage('gpt2-big-for-this-tab', filesOf('gpt2-tiny'));
  await page.evaluate(() => window.attnscope.applyUrlState('lang=en'));
  await H.waitForState(page, () => window.attnscope.getState().lang === 'en');
  assert.equal(r.ok, false);
  assert.match(r.error, /^无法加载模型 gpt2-big-for-this-tab：这个模型需要 \d+ MB 内存（model\.safetensors 中的权重有 6 MB），而页面最多只能使用 48 MB$/);
});

test('a small model.safetensors whose header claims 4.8 GB is refused by the estimate, not as truncated', async () => {
  await page.evaluate(() => window.attnscope._setMemoryLimit(0));   // the page's real limit: 4 GB
  const r = await loadInPage('claims-4.8-GB', filesOf('gpt2-tiny', { 'model.safetensors': claimingSafetensors(50257, 25600) }));
  assert.equal(r.ok, false);
  assert.match(r.error, /cannot load model claims-4\.8-GB: this model needs 4\.8 GB \(model\.safetensors holds 4\.8 GB of weights\); the page can use 4\.0 GB at most/);
  const s = await page.evaluate(() => window.attnscope.setText('Still <mask> here'));
  assert.equal(s.architecture, 'roberta', 'the previous model stays loaded');
  assert.equal(s.maskPredictions.length, 5);
});

test('a trace too big for what the page has left is refused with a message; a shorter one runs', async () => {
  // roberta-tiny: ~0.45 MB of weights; a 5-token trace needs ~30 KB, a 60-token one ~0.4 MB.
  await page.evaluate(() => window.attnscope._setMemoryLimit(600 * 1024));
  const long = Array.from({ length: 58 }, (_, i) => 'word' + (i % 7)).join(' ');
  const s = await page.evaluate((t) => window.attnscope.setText(t), long);
  assert.match(s.error, /running the model on \d+ tokens needs .* besides the model's .*; the page can use 600 KB at most: use a shorter text/);
  const short = await page.evaluate(() => window.attnscope.setText('A <mask> one'));
  assert.doesNotMatch(short.error, /running the model/);   // (the last refused load's message may remain)
  assert.equal(short.maskPredictions.length, 5);
  await page.evaluate(() => window.attnscope._setMemoryLimit(0));
});
