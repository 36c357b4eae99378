// Links that reproduce everything (issue 8, item 5): pin a token and move the flow threshold through
// the canvas, copy the link with the toolbar's Copy link button, open it in a new tab and find both;
// and a model opened from disk: the link marks it, and the tab that opens the link says so.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const state = (p) => p.evaluate(() => window.attnscope.getState());

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

async function openLink(url) {
  const tab = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await tab.goto(url);
  await tab.evaluate(() => window.attnscope.ready);
  return tab;
}

test('a copied link reproduces the pinned token and the flow threshold in a new tab', async () => {
  await page.evaluate(() => window.attnscope.setText('The animal did not cross the street because it was tired.'));
  let s = await H.waitForState(page, () => window.attnscope.getState().widgets.chips.length > 5);
  // Pin the fourth token by clicking its chip, as a user would.
  await H.clickRect(page, s.widgets.chips[3]);
  s = await H.waitForState(page, () => window.attnscope.getState().pinnedQuery === 3);
  assert.equal(s.pinnedQuery, 3);
  // Flow view, then click the threshold slider about two thirds along.
  await page.evaluate(() => window.attnscope.setView('flow'));
  s = await H.waitForState(page, () => window.attnscope.getState().widgets.flowSlider[2] > 0);
  assert.equal(s.view, 'flow');
  const r = s.widgets.flowSlider;
  const box = await page.locator('#canvas').boundingBox();
  // Held over a few frames: a slider takes its value while the button is down.
  await page.mouse.move(box.x + r[0] + r[2] * 0.65, box.y + r[1] + r[3] / 2);
  await page.mouse.down();
  await page.waitForTimeout(300);
  await page.mouse.up();
  s = await H.waitForState(page, () => Math.abs(window.attnscope.getState().flowThreshold - 0.1) > 0.05);
  const threshold = s.flowThreshold;
  assert.ok(threshold > 0.3 && threshold < 1, `threshold ${threshold}`);
  // The toolbar's Copy link.
  await H.clickRect(page, s.widgets.copyLink);
  await H.waitForState(page, () => window.attnscope.lastCopiedLink !== null);
  const link = await page.evaluate(() => window.attnscope.lastCopiedLink);
  s = await state(page);
  assert.match(s.notice, /link copied/);
  assert.match(link, /[#&]pin=3(&|$)/);
  assert.match(link, /[#&]flow=0\.\d+/);

  const tab = await openLink(link);
  try {
    const t = await state(tab);
    assert.equal(t.model, 'gpt2-tiny');
    assert.equal(t.text, s.text);
    assert.equal(t.view, 'flow');
    assert.equal(t.pinnedQuery, 3);
    assert.ok(Math.abs(t.flowThreshold - threshold) < 1e-5, `${t.flowThreshold} vs ${threshold}`);
    assert.equal(t.linkWarning, '');
  } finally {
    await tab.close();
  }
});

test('a link made with a model opened from disk says so in the tab that opens it', async () => {
  const dir = path.join(H.fixtures, 'bert-tiny');
  const files = {};
  for (const name of ['config.json', 'model.safetensors', 'tokenizer.json'])
    files[name] = [...fs.readFileSync(path.join(dir, name))];
  const result = await page.evaluate(async (f) => {
    const bytes = {};
    for (const [name, list] of Object.entries(f)) bytes[name] = new Uint8Array(list);
    return window.attnscope.loadModel('my-bert', bytes);
  }, files);
  assert.ok(result.ok, result.error);
  let s = await state(page);
  assert.equal(s.model, 'my-bert');
  assert.equal(s.modelFromDisk, true);
  assert.equal(s.randomWeights, true, 'bert-tiny has random weights: measured at load');
  await page.evaluate(() => window.attnscope.setText('Paris is the [MASK] of France.'));
  s = await H.waitForState(page, () => window.attnscope.getState().widgets.copyLink[2] > 0);
  await page.evaluate(() => { window.attnscope.lastCopiedLink = null; });
  await H.clickRect(page, s.widgets.copyLink);
  await H.waitForState(page, () => window.attnscope.lastCopiedLink !== null);
  const link = await page.evaluate(() => window.attnscope.lastCopiedLink);
  s = await state(page);
  assert.match(s.notice, /cannot carry the model you opened from disk \(my-bert\)/);
  assert.match(link, /model=local%3Amy-bert/);

  const tab = await openLink(link);
  try {
    const t = await state(tab);
    assert.equal(t.model, t.defaultModel, 'something to see meanwhile: the default model');
    assert.equal(t.text, 'Paris is the [MASK] of France.');
    assert.match(t.linkWarning, /this link was made with a model opened from disk \(my-bert\): open that folder with Open model/);
    assert.equal(t.error, '');
    // The address keeps the mark while the reader has not opened the model.
    await tab.waitForFunction(() => location.hash.includes('model=local%3Amy-bert'), null, { timeout: 5000 });
    await tab.screenshot({ path: path.join(H.shotDir, 'link-disk-model.png') });
  } finally {
    await tab.close();
  }
});
