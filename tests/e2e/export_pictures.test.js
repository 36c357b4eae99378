// Slide-ready exports on the page: exportFile('svg') parses with DOMParser into a titled SVG with the
// tokens' labels and the colorbar; exportFile('png', {scale: 2}) decodes at twice the main view's size
// and exportPng(view, 4) at four times; the kinds come from the app's one table.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const state = () => page.evaluate(() => window.attnscope.getState());

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
  await page.evaluate(() => window.attnscope.setText('The animal did not cross the street'));
  await H.waitForState(page, () => window.attnscope.getState().tokens.length > 3);
});

after(async () => {
  await H.closePage(ctx);
});

test('exportKinds lists the app table, unknown kinds are refused with that list', async () => {
  const kinds = await page.evaluate(() => window.attnscope.exportKinds());
  assert.deepEqual(kinds, ['png', 'svg', 'csv', 'json', 'npy', 'safetensors', 'npz']);
  const error = await page.evaluate(() => { try { window.attnscope.exportFile('pdf'); return ''; } catch (e) { return e.message; } });
  assert.match(error, /png, svg, csv/);
});

test("exportFile('svg') of every view parses with DOMParser: title, token labels, colorbar", async () => {
  const s = await state();
  for (const view of ['heatmap', 'grid', 'lines', 'flow']) {
    const r = await page.evaluate((v) => {
      window.attnscope.setView(v);
      const file = window.attnscope.exportFile('svg');
      const text = new TextDecoder().decode(file.bytes);
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      const texts = (cls) => Array.from(doc.querySelectorAll(`text.${cls}`)).map((t) => t.textContent);
      return {
        name: file.name, text, root: root.nodeName, error: doc.querySelector('parsererror') !== null,
        title: doc.querySelector('title') ? doc.querySelector('title').textContent : '',
        rows: texts('row-label'), cols: texts('col-label'), bottom: texts('bottom-label'), left: texts('left-label'),
        cells: doc.querySelectorAll('#cells rect').length, bar: doc.querySelectorAll('#colorbar rect').length,
        tiles: doc.querySelectorAll('#tiles image').length,
      };
    }, view);
    assert.equal(r.error, false, view + ': the SVG does not parse');
    assert.equal(r.root, 'svg');
    assert.match(r.name, new RegExp(`^gpt2-tiny-${view}-.*\\.svg$`));
    assert.ok(r.title.includes('gpt2-tiny'), r.title);
    fs.writeFileSync(path.join(H.shotDir, `export-${view}.svg`), r.text);
    if (view === 'heatmap') {
      assert.deepEqual(r.rows, s.tokens);
      assert.deepEqual(r.cols, s.tokens);
      assert.equal(r.cells, s.tokens.length * s.tokens.length);
      assert.equal(r.bar, 64);
      assert.ok(r.title.includes(`layer ${s.layer}, head ${s.head}`), r.title);
    }
    if (view === 'grid') {
      assert.equal(r.tiles, s.layers * s.heads);
      assert.equal(r.bar, 64);
    }
    if (view === 'lines') assert.deepEqual(r.left, s.tokens);
    if (view === 'flow') assert.deepEqual(r.bottom, s.tokens);
  }
  await page.evaluate((v) => window.attnscope.setView(v), s.view);
});

test("exportFile('png', {scale: 2}) decodes at twice the main view's size; exportPng(view, 4) at four times", async () => {
  await page.evaluate(() => window.attnscope.setView('heatmap'));
  await page.waitForTimeout(200);
  const s = await state();
  const [w, h] = [Math.floor(s.widgets.mainView[2]), Math.floor(s.widgets.mainView[3])];
  assert.ok(w >= 64 && h >= 64, `main view ${w}x${h}`);
  const one = await page.evaluate(() => { const f = window.attnscope.exportFile('png', { scale: 1 }); return { name: f.name, bytes: Array.from(f.bytes) }; });
  assert.deepEqual(H.pngSize(Buffer.from(one.bytes)), { width: w, height: h });
  const two = await page.evaluate(() => { const f = window.attnscope.exportFile('png', { scale: 2 }); return { name: f.name, bytes: Array.from(f.bytes) }; });
  assert.match(two.name, /@2x\.png$/);
  assert.deepEqual(H.pngSize(Buffer.from(two.bytes)), { width: 2 * w, height: 2 * h });
  fs.writeFileSync(path.join(H.shotDir, 'export-heatmap@2x.png'), Buffer.from(two.bytes));
  const four = Buffer.from(await page.evaluate(() => Array.from(window.attnscope.exportPng('lines', 4))));
  assert.deepEqual(H.pngSize(four), { width: 4 * w, height: 4 * h });
  assert.equal((await state()).view, 'heatmap', 'exportPng(view) leaves the view on screen as it was');
  const error = await page.evaluate(() => { try { window.attnscope.exportFile('png', { scale: 3 }); return ''; } catch (e) { return e.message; } });
  assert.match(error, /scale 3 is not 1, 2 or 4/);
});

test('the Export menu offers the PNG resolution; the picked one is what the menu downloads', async () => {
  let s = await state();
  await H.clickRect(page, s.widgets.exportButton);
  s = await H.waitForState(page, () => window.attnscope.getState().widgets.exportItems.length > 0);
  const kinds = (await page.evaluate(() => window.attnscope.exportKinds())).length;
  assert.equal(s.widgets.exportItems.length, kinds + 3, 'one entry per kind, then 1x 2x 4x');
  await H.clickRect(page, s.widgets.exportItems[kinds + 1]);   // 2x
  await page.waitForTimeout(150);
  s = await state();
  const [download] = await Promise.all([page.waitForEvent('download'), H.clickRect(page, s.widgets.exportItems[0])]);
  assert.match(download.suggestedFilename(), /^gpt2-tiny-heatmap-.*@2x\.png$/);
  const bytes = fs.readFileSync(await download.path());
  assert.deepEqual(H.pngSize(bytes), { width: 2 * Math.floor(s.widgets.mainView[2]), height: 2 * Math.floor(s.widgets.mainView[3]) });
});
