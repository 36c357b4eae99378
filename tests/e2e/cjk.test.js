// The CJK font on the page: not part of the first load of an English text, fetched once (same origin)
// when Chinese text first appears, after which the canvas's font has the glyphs and the chips read
// "动 1/2" for pieces of a split character instead of raw bytes.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const fontRequests = [];
const state = () => page.evaluate(() => window.attnscope.getState());
const CHINESE = '动物没有过马路，因为它太累了';
const SAMPLES = ['繁體字', '鬱龘', 'かな', 'カナ', '한글'];

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  page.on('request', (r) => { if (/\/fonts\//.test(new URL(r.url()).pathname)) fontRequests.push(r.url()); });
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

test('an English text loads no CJK font', async () => {
  const s = await page.evaluate(() => window.attnscope.setText('The animal did not cross the street.'));
  await page.waitForTimeout(500);   // frames run: a request would have gone out by now
  assert.equal(s.cjkFont, 'none');
  assert.deepEqual(fontRequests, []);
  assert.equal((await state()).cjkFont, 'none');
});

test('Chinese text fetches the CJK font once; its glyphs reach the canvas font', async () => {
  const before = await H.canvasStats(page);
  await page.evaluate((t) => window.attnscope.setText(t), CHINESE);
  const s = await H.waitForState(page, () => window.attnscope.getState().cjkFont === 'loaded');
  assert.equal(s.error, '');
  await page.waitForFunction((t) => window.attnscope.hasGlyphs(t), CHINESE, { timeout: 10000, polling: 50 });
  assert.equal(fontRequests.length, 1);
  assert.match(fontRequests[0], /\/fonts\/cjk\.ttc$/);
  // Pieces of a split character are named by it: "动 1/2", never "<E5 8A>".
  assert.ok(s.tokens.some((t) => / \d\/\d/.test(t)), JSON.stringify(s.tokens));
  assert.ok(!s.tokens.some((t) => /<[0-9A-F]{2}/.test(t)), JSON.stringify(s.tokens));
  assert.ok(H.gridDifference(before, await H.canvasStats(page)) > 0);
  await page.screenshot({ path: path.join(H.shotDir, 'cjk-chinese.png') });

  // Traditional, kana and Hangul come from the same font, with no second fetch.
  await page.evaluate((t) => window.attnscope.setText(t), SAMPLES.join(' '));
  await page.waitForFunction((all) => all.every((t) => window.attnscope.hasGlyphs(t)), SAMPLES,
                             { timeout: 10000, polling: 50 });
  assert.equal(fontRequests.length, 1);
  await page.screenshot({ path: path.join(H.shotDir, 'cjk-samples.png') });
  assert.deepEqual(ctx.problems, []);
});
