// Presenter mode in the page at 1280x720: P turns it on (big type from a rebuilt atlas, present=1 in the
// URL, the advanced buttons gone), the toolbar button turns it off, and a link with present=1 opens in it.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const shots = process.env.ATTN_SHOT_DIR || H.shotDir;
const state = () => page.evaluate(() => window.attnscope.getState());
const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));

before(async () => {
  ctx = await H.openPage('', { model: null });
  page = ctx.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.evaluate(() => window.attnscope.ready);
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await H.closePage(ctx);
});

test('P turns presenter mode on: large type, present=1, advanced buttons hidden; the button turns it off', async () => {
  await frames();
  let s = await state();
  assert.equal(s.present, false);
  const normalFont = s.fontSize;
  assert.ok(normalFont < 26, 'normal font ' + normalFont);
  assert.ok(s.widgets.exportButton[2] > 0);
  await page.screenshot({ path: path.join(shots, 'page-normal-1280x720.png') });

  await page.locator('#canvas').focus();
  await page.keyboard.press('p');
  s = await H.waitForState(page, () => window.attnscope.getState().present === true);
  await frames();
  s = await state();
  assert.ok(s.fontSize >= 26, 'presenter font ' + s.fontSize);
  assert.match(await page.evaluate(() => window.attnscope.urlState()), /(^|&)present=1(&|$)/);
  // The address bar follows the app's state on a 300 ms timer (keepHashInSync): wait for it.
  await page.waitForFunction(() => /(^#|&)present=1(&|$)/.test(location.hash), null, { timeout: 5000 });
  // The toolbar's presenter button is inside the 1280 px window (which buttons hide: tests/ui/test_presenter.cpp).
  const b = s.widgets.presenter;
  assert.ok(b[2] > 0 && b[0] + b[2] <= 1280 && b[1] + b[3] <= 720, JSON.stringify(b));
  // A view presenter mode hides is refused: the heatmap stays.
  await page.keyboard.press('8');
  await frames();
  assert.equal((await state()).view, 'heatmap');
  await page.screenshot({ path: path.join(shots, 'page-presenter-1280x720.png') });
  await page.keyboard.press('2');
  await frames();
  assert.equal((await state()).view, 'grid');
  await page.screenshot({ path: path.join(shots, 'page-presenter-grid-1280x720.png') });

  await H.clickRect(page, (await state()).widgets.presenter);
  s = await H.waitForState(page, () => window.attnscope.getState().present === false);
  await frames();
  assert.equal((await state()).fontSize, normalFont);
});

test('a link with present=1 opens in presenter mode', async () => {
  const s = await page.evaluate(() => window.attnscope.applyUrlState('present=1&view=lines'));
  assert.equal(s.present, true);
  assert.equal(s.view, 'lines');
  await frames();
  assert.ok((await state()).fontSize >= 26);
  await page.screenshot({ path: path.join(shots, 'page-presenter-lines-1280x720.png') });
  await page.evaluate(() => window.attnscope.applyUrlState('present=0'));
});
