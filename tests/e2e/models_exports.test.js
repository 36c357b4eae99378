// Loading models the ways a user does (file input, drop, ?model= path, sharded folders, broken files),
// exports (menu download, CSV, .npy, trace), the URL fragment, keyboard shortcuts, and parity of the
// page's attention with the native CLI's trace for the same text.
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
const fixtureFiles = (model, names) => names.map((n) => path.join(H.fixtures, model, n));
const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'];

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

test('opens a fixture model through the file input', async () => {
  await page.setInputFiles('#open-model', fixtureFiles('roberta-tiny', MODEL_FILES));
  const s = await H.waitForState(page, () => window.attnscope.getState().architecture === 'roberta');
  assert.equal(s.error, '');
  assert.equal(s.model, 'local files');
  assert.ok(s.tokens.length > 2);
  const rows = await page.evaluate(() => window.attnscope.getAttention(0, 0).rows);
  assert.equal(rows, s.tokens.length);
});

test('a broken file through the file input: clear message naming the file, previous model still works', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnscope-broken-'));
  for (const f of ['config.json', 'tokenizer.json']) fs.copyFileSync(path.join(H.fixtures, 'gpt2-tiny', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'model.safetensors'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x7b]));
  await page.setInputFiles('#open-model', MODEL_FILES.map((n) => path.join(dir, n)));
  const s = await H.waitForState(page, () => window.attnscope.getState().error !== '');
  assert.match(s.error, /model\.safetensors/);
  assert.equal(s.architecture, 'roberta', 'the previous model stays loaded');
  const after = await page.evaluate(() => window.attnscope.setText('Still <mask> here'));
  assert.equal(after.architecture, 'roberta');
  assert.ok(after.maskPredictions.length === 5, 'the previous model still predicts');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(H.shotDir, 'attnscope-broken-file.png') });
  fs.rmSync(dir, { recursive: true });
});

test('dropping model files onto the page loads them', async () => {
  const files = Object.fromEntries(MODEL_FILES.map((n) => [n, fs.readFileSync(path.join(H.fixtures, 'distilbert-tiny', n)).toString('base64')]));
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const [name, b64] of Object.entries(files)) dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
    dt.items.add(new File(['not a model file'], 'README.md'));
    const canvas = document.getElementById('canvas');
    canvas.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    canvas.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
  const s = await H.waitForState(page, () => window.attnscope.getState().architecture === 'distilbert');
  assert.equal(s.error, '');
});

test('a sharded bundled model streams every shard', async () => {
  const r = await page.evaluate(() => window.attnscope.loadBundled('llama-bf16-sharded'));
  assert.equal(r.ok, true, r.error);
  const s = await state();
  assert.equal(s.model, 'llama-bf16-sharded');
  assert.equal(s.architecture, 'llama');
});

test('Export menu: the CSV download holds the shown head', async () => {
  await page.evaluate(() => { window.attnscope.loadBundled('gpt2-tiny'); });
  await H.waitForState(page, () => window.attnscope.getState().model === 'gpt2-tiny');
  await page.evaluate(() => { window.attnscope.setText('The cat sat on the mat'); window.attnscope.select(1, 2); });
  await page.waitForTimeout(200);
  let s = await state();
  await H.clickRect(page, s.widgets.exportButton);
  s = await H.waitForState(page, () => window.attnscope.getState().widgets.exportItems.length > 0);
  const labels = await page.evaluate(() => window.attnscope.getState().widgets.exportItems.length);
  assert.ok(labels >= 5);
  const csvIndex = (await page.evaluate(() => window.attnscope.exportKinds())).indexOf('csv');   // the menu's order
  const [download] = await Promise.all([page.waitForEvent('download'), H.clickRect(page, s.widgets.exportItems[csvIndex])]);
  assert.equal(download.suggestedFilename(), 'gpt2-tiny-self-L1-H2.csv');
  const text = fs.readFileSync(await download.path(), 'utf8');
  const rows = text.trim().split('\r\n');
  const a = await page.evaluate(() => Array.from(window.attnscope.getAttention(1, 2)));
  const T = (await state()).tokens.length;
  assert.equal(rows.length, T + 3);   // key labels, ids and pieces, then one row per query
  const ids = await page.evaluate(() => JSON.parse(new TextDecoder().decode(window.attnscope.exportFile('json').bytes)));
  assert.deepEqual(rows[1].split(',').slice(3).map(Number), ids.keys.map((k) => k.id));
  const row3 = rows[3 + 3].split(',');   // id, piece, label, then the weights (these pieces hold no commas)
  assert.equal(Number(row3[0]), ids.queries[3].id);
  for (let k = 0; k < T; k++) assert.equal(Math.fround(Number(row3[k + 3])), a[3 * T + k], `cell 3,${k}`);   // %.9g: exact as float
  assert.match((await state()).notice, /downloaded gpt2-tiny-self-L1-H2\.csv/);
});

test('exportFile: .npy and the trace as safetensors match getAttention', async () => {
  const r = await page.evaluate(() => {
    const npy = window.attnscope.exportFile('npy');
    const st = window.attnscope.exportFile('safetensors');
    return { npyName: npy.name, npy: Array.from(npy.bytes), st: Array.from(st.bytes),
             a: Array.from(window.attnscope.getAttention(1, 2)), s: window.attnscope.getState() };
  });
  const npy = Buffer.from(r.npy);
  assert.equal(npy.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const headerLen = npy.readUInt16LE(8);
  const header = npy.subarray(10, 10 + headerLen).toString('latin1');
  const T = r.s.tokens.length;
  assert.match(header, new RegExp(`'shape': \\(${r.s.layers}, ${r.s.heads}, ${T}, ${T}\\)`));
  const tensors = H.readSafetensors(r.st);
  assert.deepEqual(tensors.attentions.shape, [r.s.layers, r.s.heads, T, T]);
  const off = (1 * r.s.heads + 2) * T * T;
  for (let i = 0; i < T * T; i++) assert.equal(tensors.attentions.data[off + i], r.a[i]);
  assert.equal(tensors.input_ids.data.length, T);
});

function cliPath() {
  if (process.env.ATTN_CLI) return process.env.ATTN_CLI;
  for (const preset of ['native-release', 'native-debug']) {
    const p = path.join(H.root, 'build', preset, 'src', 'attnscope-cli');
    if (fs.existsSync(p)) return p;
  }
  return null;
}

test('getAttention equals the native CLI trace for the same text within 1e-5', async () => {
  const cli = cliPath();
  assert.ok(cli, 'no native attnscope-cli build (build/native-release or build/native-debug)');
  const text = "The animal didn't cross the street because it was too tired. 注意力 🚀";
  for (const model of ['gpt2-tiny', 'qwen2-tiny']) {
    const r = await page.evaluate((m) => window.attnscope.loadBundled(m), model);
    assert.equal(r.ok, true, r.error);
    const s = await page.evaluate((t) => window.attnscope.setText(t), text);
    const out = path.join(os.tmpdir(), `attnscope-parity-${model}.safetensors`);
    execFileSync(cli, ['trace', '--model', path.join(H.fixtures, model), '--text', text, '--out', out]);
    const ref = H.readSafetensors(fs.readFileSync(out));
    const [L, Hh, T] = ref.attentions.shape;
    assert.equal(T, s.tokens.length, `${model}: same tokens`);
    assert.deepEqual(Array.from(ref.input_ids.data, Number), s.ids, `${model}: same ids`);
    let worst = 0;
    for (let l = 0; l < L; l++) for (let h = 0; h < Hh; h++) {
      const a = await page.evaluate(([l, h]) => Array.from(window.attnscope.getAttention(l, h)), [l, h]);
      const off = (l * Hh + h) * T * T;
      for (let i = 0; i < T * T; i++) worst = Math.max(worst, Math.abs(a[i] - ref.attentions.data[off + i]));
    }
    assert.ok(worst < 1e-5, `${model}: worst difference ${worst}`);
    fs.rmSync(out);
  }
});

test('keyboard: arrows move layer and head, + grows the font', async () => {
  await page.evaluate(() => window.attnscope.select(0, 0));
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 10);   // the status bar: focus, no widget
  await page.waitForTimeout(100);
  // Held for a few frames: ImGui reads key state once per frame, and a press shorter than a frame
  // (down and up between two frames under a busy CPU) is not a press to it.
  for (const key of ['ArrowRight', 'ArrowDown']) {
    await page.keyboard.down(key);
    await page.waitForTimeout(80);
    await page.keyboard.up(key);
    await page.waitForTimeout(50);
  }
  let s = await H.waitForState(page, () => { const s = window.attnscope.getState(); return s.head === 1 && s.layer === 1; });
  const size = s.fontSize;
  await page.keyboard.type('+');
  s = await H.waitForState(page, (n) => window.attnscope.getState().fontSize > n, size);
  await page.keyboard.type('-');
  await H.waitForState(page, (n) => window.attnscope.getState().fontSize === n, size);
});

test('the URL fragment follows the view and a link reproduces it', async () => {
  await page.evaluate(() => { window.attnscope.setText('Links keep the view'); window.attnscope.select(1, 3); window.attnscope.setView('lines'); });
  await page.waitForFunction(() => location.hash.includes('view=lines') && location.hash.includes('head=3'), null, { timeout: 5000 });
  const link = await page.evaluate(() => location.href);
  const other = await ctx.browser.newPage({ viewport: { width: 1024, height: 768 } });
  await other.goto(link);
  const s = await other.evaluate(() => window.attnscope.ready);
  assert.equal(s.model, 'qwen2-tiny');
  assert.equal(s.view, 'lines');
  assert.equal(s.layer, 1);
  assert.equal(s.head, 3);
  assert.equal(s.text, 'Links keep the view');
  await other.close();
});

test('?model= loads a same-origin folder and refuses other origins', async () => {
  const p1 = await ctx.browser.newPage();
  await p1.goto(ctx.baseUrl + '?model=models/bart-tiny');
  let s = await p1.evaluate(() => window.attnscope.ready);
  assert.equal(s.architecture, 'bart');
  assert.equal(s.error, '');
  // Its config, tokenizer and weights were asked for together, while the module was still starting.
  const asked = await p1.evaluate(() => {
    const started = performance.getEntriesByName('attnscope-module-started')[0].startTime;
    const at = (name) => performance.getEntriesByType('resource').find((e) => e.name.endsWith('/models/bart-tiny/' + name));
    return { started, files: ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => at(f) && at(f).startTime) };
  });
  for (const at of asked.files) assert.ok(at !== undefined && at < asked.started, JSON.stringify(asked));
  await p1.goto(ctx.baseUrl + '?model=' + encodeURIComponent('https://example.com/gpt2'));
  s = await p1.evaluate(() => window.attnscope.ready);
  assert.equal(s.model, s.defaultModel, 'the default model stands in');
  assert.equal(s.defaultModel, 'coref', 'the default is the coref zoo model');
  assert.match(s.error, /must be a path on this site/);
  await p1.goto(ctx.baseUrl + '?model=models/nope');
  s = await p1.evaluate(() => window.attnscope.ready);
  assert.match(s.error, /models\/nope.*config\.json: HTTP 404/);
  await p1.close();
});


test("Export menu: the PNG download decodes at the main view's size; exportPng renders any view", async () => {
  await page.evaluate(() => { window.attnscope.loadBundled('gpt2-tiny'); });
  await H.waitForState(page, () => window.attnscope.getState().model === 'gpt2-tiny');
  await page.waitForTimeout(200);
  let s = await state();
  await H.clickRect(page, s.widgets.exportButton);
  s = await H.waitForState(page, () => window.attnscope.getState().widgets.exportItems.length > 0);
  const [download] = await Promise.all([page.waitForEvent('download'), H.clickRect(page, s.widgets.exportItems[0])]);
  assert.match(download.suggestedFilename(), /^gpt2-tiny-.*\.png$/);
  const bytes = fs.readFileSync(await download.path());
  const main = s.widgets.mainView;
  assert.deepEqual(H.pngSize(bytes), { width: Math.floor(main[2]), height: Math.floor(main[3]) });
  fs.writeFileSync(path.join(H.shotDir, 'export-heatmap.png'), bytes);
  for (const view of ['grid', 'lines', 'flow']) {
    const png = Buffer.from(await page.evaluate((v) => Array.from(window.attnscope.exportPng(v)), view));
    assert.equal(H.pngSize(png).width, Math.floor(main[2]), view);
    fs.writeFileSync(path.join(H.shotDir, `export-${view}.png`), png);
  }
  assert.equal((await state()).view, s.view, 'exportPng(view) leaves the view on screen as it was');
});

test('clicking a head-grid tile opens that head in the heatmap', async () => {
  await page.evaluate(() => { window.attnscope.setText('The animal did not cross the street because it was tired'); window.attnscope.select(0, 0); window.attnscope.setView('grid'); });
  let s = await H.waitForState(page, () => window.attnscope.getState().widgets.gridTiles.length > 0);
  assert.equal(s.widgets.gridTiles.length, s.layers * s.heads);
  await page.screenshot({ path: path.join(H.shotDir, 'attnscope-grid.png') });
  const before = await H.canvasStats(page);
  const tile = 1 * s.heads + 2;   // layer 1, head 2
  const r = s.widgets.gridTiles[tile];
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.click(box.x + r[0] + r[2] / 2, box.y + r[1] + r[3] / 2);
  s = await H.waitForState(page, () => window.attnscope.getState().view === 'heatmap');
  assert.equal(s.layer, 1);
  assert.equal(s.head, 2);
  await page.waitForTimeout(200);
  const after = await H.canvasStats(page);
  assert.ok(H.gridDifference(before, after) > 50, 'the heatmap replaced the grid on screen');
  await page.screenshot({ path: path.join(H.shotDir, 'attnscope-grid-opened.png') });
});

test('a slow model load shows progress while the page keeps working', async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/models/bert-tiny/model.safetensors', async (route) => { await gate; await route.continue(); });
  const loading = page.evaluate(() => window.attnscope.loadBundled('bert-tiny'));
  await page.waitForSelector('#loading:not(.hidden) #loading-progress:not(.hidden)', { timeout: 5000 });
  assert.match(await page.textContent('#loading-text'), /bert-tiny/);
  // Meanwhile the current model still answers and re-runs.
  const s = await page.evaluate(() => window.attnscope.setText('Still drawing while bert loads'));
  assert.equal(s.model, 'gpt2-tiny');
  const before = await H.canvasStats(page);
  assert.ok(before.variance > 100, 'the canvas keeps drawing');
  release();
  const r = await loading;
  assert.equal(r.ok, true, r.error);
  await page.waitForSelector('#loading.hidden', { state: 'attached', timeout: 5000 });
  assert.equal((await state()).architecture, 'bert');
  await page.unroute('**/models/bert-tiny/model.safetensors');
});

test('no console errors, no CSP violations', () => {
  assert.deepEqual(ctx.problems.filter((p) => !/404/.test(p)), []);
});
