// Save as page: the page writes one HTML file holding the app, the model, the text and the view; that
// file opens from a file:// URL in a fresh browser with no server and no network (every request is
// recorded: only file:, data: and blob: may appear), and shows the same view as the page it came from.
// A model over the limit is left out, and the saved page says so while it shows the default model.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const H = require('./helpers');

let ctx, page, tmp;
const shots = process.env.ATTN_SHOT_DIR || H.shotDir;
const state = () => page.evaluate(() => window.attnscope.getState());

before(async () => {
  ctx = await H.openPage('', { model: null });
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnscope-saved-'));
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await H.closePage(ctx);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// Opens `file` from disk in a fresh browser with no server, offline; returns {browser, page, requests,
// problems} once the saved page is ready (or failed).
async function openSaved(file) {
  const browser = await H.launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.setOffline(true);
  const p = await context.newPage();
  const requests = [];
  const problems = [];
  p.on('request', (r) => requests.push(r.url()));
  p.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  p.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  await p.goto('file://' + file);
  await p.waitForFunction(() => window.attnscope && window.attnscope.ready, null, { timeout: 10000 });
  await p.evaluate(() => window.attnscope.ready);
  return { browser, page: p, requests, problems };
}

function sameView(a, b) {
  for (const k of ['model', 'text', 'view', 'layer', 'head', 'lang', 'attentionKind', 'tokens', 'colormap',
                   'pinnedQuery', 'theme', 'present'])
    assert.deepEqual(b[k], a[k], k);
}

async function save(options) {
  const saved = await page.evaluate(async (o) => {
    const s = await window.attnscope.savePage(o);
    return { name: s.name, html: s.html, size: s.size, modelIncluded: s.modelIncluded, model: s.model, limit: s.limit };
  }, options || {});
  const file = path.join(tmp, saved.name);
  fs.writeFileSync(file, saved.html);
  return { ...saved, file };
}

test('a saved page opens from file:// with no server and no network and shows the same view', async () => {
  let s = await state();
  // mini-english reads English words (the other zoo models know only their task's vocabulary).
  const model = s.picker.find((m) => m.name === 'mini-english') || s.picker.find((m) => m.zoo && m.name !== s.defaultModel);
  assert.ok(model, 'a zoo model other than the default');
  const loaded = await page.evaluate((n) => window.attnscope.loadBundled(n), model.name);
  assert.ok(loaded.ok, loaded.error);
  await page.evaluate(() => window.attnscope.setText('When Mary and John went to the store, John gave a drink to'));
  s = await page.evaluate(() => window.attnscope.select(1, 1));
  await page.evaluate(() => { window.attnscope.setView('grid'); window.attnscope.setColormap('magma', true); });
  await page.evaluate(() => window.attnscope.applyUrlState(window.attnscope.urlState() + '&pin=3'));
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const original = await state();
  assert.equal(original.model, model.name);
  assert.equal(original.view, 'grid');
  assert.equal(original.pinnedQuery, 3);

  const saved = await save();
  assert.ok(saved.modelIncluded, 'a zoo model is under the limit');
  assert.equal(saved.limit, 16 * 1024 * 1024);
  // (assert.ok, not match: a failure must not print 8 MB of HTML)
  assert.ok(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';[^"]*connect-src 'none'/.test(saved.html), 'its own CSP');
  assert.ok(!saved.html.includes('id="as-cjk"'), 'an English page leaves the 5 MB CJK font out');

  const shotA = path.join(shots, 'save-page-original.png');
  await page.screenshot({ path: shotA });
  const before = await H.canvasStats(page);

  const other = await openSaved(saved.file);
  try {
    const after = await other.page.evaluate(() => window.attnscope.getState());
    assert.equal(after.error, '');
    sameView(original, after);
    // Everything is inline: no script, style sheet or image refers to a file.
    assert.equal(await other.page.evaluate(() => document.querySelectorAll('script[src], link[rel=stylesheet], img[src]').length), 0);
    // Same attention numbers: the same model weights went in. The saved page runs the SIMD128 build (it
    // must open anywhere) and the served one its relaxed-SIMD twin, whose fused multiply-adds round
    // differently in the last bits, so equal to a few ulps.
    const a = await page.evaluate(() => Array.from(window.attnscope.getAttention(1, 1)));
    const b = await other.page.evaluate(() => Array.from(window.attnscope.getAttention(1, 1)));
    assert.equal(b.length, a.length);
    assert.ok(a.length > 0);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(b[i] - a[i]) <= 1e-6, `attention ${i}: ${b[i]} against ${a[i]}`);
    assert.equal(await other.page.evaluate(() => window.attnscope.getState().kernels), 'wasm_simd128');
    for (const url of other.requests) assert.match(url, /^(file|data|blob):/, 'no network request: ' + url);
    assert.deepEqual(other.problems, []);
    await other.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await other.page.screenshot({ path: path.join(shots, 'save-page-opened.png') });
    const opened = await H.canvasStats(other.page);
    assert.ok(H.gridDifference(before, opened) <= 20, 'the saved page looks like the original: ' +
              H.gridDifference(before, opened) + ' of 1024 samples differ');

    // Saved again from the saved page (no server): the same view once more.
    const again = await other.page.evaluate(async () => (await window.attnscope.savePage()).html.length);
    assert.ok(again > 1000000);
  } finally {
    await other.browser.close();
  }
});

test('a Chinese page saves its CJK font: the saved page shows the Chinese UI and text offline, no squares', async () => {
  const loaded = await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
  assert.ok(loaded.ok, loaded.error);
  await page.evaluate(() => window.attnscope.applyUrlState(window.attnscope.urlState() + '&lang=zh'));
  await page.evaluate(() => window.attnscope.setText('动物没有过马路，因为它太累了'));
  await H.waitForState(page, () => window.attnscope.getState().cjkFont === 'loaded');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const original = await state();
  assert.equal(original.lang, 'zh');
  const saved = await save();
  assert.ok(saved.modelIncluded);
  assert.ok(saved.html.includes('id="as-cjk"'), 'a Chinese page carries the CJK font');
  const other = await openSaved(saved.file);
  try {
    const after = await H.waitForState(other.page, () => window.attnscope.getState().cjkFont === 'loaded');
    assert.equal(after.error, '');
    sameView(original, after);
    assert.equal(after.text, '动物没有过马路，因为它太累了');
    assert.ok(await other.page.evaluate(() => window.attnscope.hasGlyphs('动物没有过马路，因为它太累了 模型 注意力')),
              'the saved font draws the text and the Chinese UI');
    assert.equal(await other.page.evaluate(() => document.getElementById('drop-hint').textContent.includes('拖入')), true,
                 "the page's own texts are Chinese too");
    for (const url of other.requests) assert.match(url, /^(file|data|blob):/, 'no network request: ' + url);
    assert.deepEqual(other.problems, []);
    await other.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await other.page.screenshot({ path: path.join(shots, 'save-page-chinese.png') });
  } finally {
    await other.browser.close();
  }
  await page.evaluate(() => window.attnscope.applyUrlState('lang=en'));
});

test('a model over the limit is left out; the saved page shows the default model and says why', async () => {
  const loaded = await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
  assert.ok(loaded.ok, loaded.error);
  await page.evaluate(() => window.attnscope.setText('The cat sat on the mat'));
  const s = await state();
  // A lower limit than the page's 16 MB: gpt2-tiny (about 10 MB) is over it, the default zoo model is not.
  const saved = await save({ modelLimit: 2 * 1024 * 1024 });
  assert.equal(saved.modelIncluded, false);
  const other = await openSaved(saved.file);
  try {
    const after = await other.page.evaluate(() => window.attnscope.getState());
    assert.equal(after.model, s.defaultModel);
    assert.equal(after.text, 'The cat sat on the mat');
    assert.match(after.error, /gpt2-tiny/);
    assert.match(after.error, /2\.0 MB limit/);
    for (const url of other.requests) assert.match(url, /^(file|data|blob):/, 'no network request: ' + url);
    await other.page.screenshot({ path: path.join(shots, 'save-page-too-large.png') });
  } finally {
    await other.browser.close();
  }
});

test('the toolbar button downloads the page and the status bar says where it went', async () => {
  const s = await state();
  assert.ok(s.widgets.savePage && s.widgets.savePage[2] > 0, 'Save as page button: ' + JSON.stringify(s.widgets.savePage));
  await page.evaluate(() => { window.attnscope.lastDownload = null; });
  await H.clickRect(page, s.widgets.savePage);
  await page.waitForFunction(() => window.attnscope.lastDownload, null, { timeout: 20000 });
  const d = await page.evaluate(() => ({ name: window.attnscope.lastDownload.name, size: window.attnscope.lastDownload.bytes.length,
                                          notice: window.attnscope.getState().notice }));
  assert.match(d.name, /^attnscope-gpt2-tiny\.html$/);
  assert.ok(d.size > 1000000);
  assert.match(d.notice, /attnscope-gpt2-tiny\.html/);
});
