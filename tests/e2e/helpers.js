// Shared by the e2e test files: serve the built page, launch Debian's chromium with SwiftShader WebGL 2,
// read the canvas back, click widgets the app reports, wait for app state.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { serve } = require('./static_server');

const root = path.resolve(__dirname, '../..');
const webDir = process.env.ATTN_WEB_DIR || path.join(root, 'build/wasm-release/web');
const shotDir = path.join(root, 'build/e2e');
const fixtures = path.join(root, 'tests/fixtures');

// {browser, page, server, baseUrl, problems}: problems collects console errors and page errors.
// `model`: the bundled model the page opens with, through a link (#model=...), so tests written for the
// random fixture stay on it whatever the zoo's default is; null: the page's own default (zoo.test.js).
// `isolated`: serve with tools/serve.py's cross-origin isolation headers (the page runs its threaded build);
// ATTNSCOPE_E2E_ISOLATED=1 makes that the default, so run.sh runs the hostile-input files again in that build.
// `compressJson`: the server sends .json files gzip-compressed (static_server.js).
const isolatedByDefault = process.env.ATTNSCOPE_E2E_ISOLATED === '1';

// How every e2e test starts Chromium (save_page.test.js's offline browser too). WebGL 2 runs on SwiftShader;
// the page's layers are composited in software (--disable-gpu-compositing), as Chromium does where it has no
// usable GPU: composited through SwiftShader's GL instead, the GPU process took twice the CPU (236 against
// 119 CPU-seconds over the suite, Chromium's processes 722 against 570 in all), on the cores the tests share.
const CHROMIUM_ARGS = ['--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
                       '--disable-gpu-compositing', '--disable-background-networking', '--no-first-run'];
function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

async function openPage(query = '', { model = 'gpt2-tiny', isolated = isolatedByDefault, compressJson = false } = {}) {
  assert.ok(fs.existsSync(path.join(webDir, 'attnscope_wasm.wasm')), `no wasm build in ${webDir}`);
  const { server, files, url: baseUrl } = await serve(webDir, { isolated, compressJson });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  servedFiles.set(page, files);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  await page.goto(baseUrl + query + (model && !query.includes('#') ? '#model=' + encodeURIComponent(model) : ''));
  fs.mkdirSync(shotDir, { recursive: true });
  return { browser, page, server, baseUrl, problems };
}

// openPage, then waits for the page's model; in the threaded pass (ATTNSCOPE_E2E_ISOLATED=1) it checks the
// page really runs the threaded build, so that pass cannot quietly test the single-threaded one twice.
// A page that does not start is closed here: the caller gets no context to close, and a browser left
// open keeps node's test process alive until run.sh's timeout.
async function openReadyPage(query = '', options = {}) {
  const ctx = await openPage(query, options);
  try {
    await ctx.page.evaluate(() => window.attnscope.ready);
    const build = await ctx.page.evaluate(() => window.attnscope.getState().build);
    assert.equal(build, (options.isolated ?? isolatedByDefault) ? 'threads' : 'single', 'the build the page runs');
  } catch (err) {
    await closePage(ctx);
    throw err;
  }
  return ctx;
}

async function closePage(ctx) {
  if (ctx && ctx.browser) await ctx.browser.close();
  if (ctx && ctx.server) ctx.server.close();
}

// Pixel statistics of the canvas as the compositor shows it (a page screenshot, decoded in the page).
// badColour: pixels of exactly the bad colour (255, 0, 255: NaN / infinity, ui/colormap.h).
async function canvasStats(page) {
  const png = await page.locator('#canvas').screenshot({ type: 'png' });
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sum2 = 0, bad = 0;
    const colors = new Set();
    const hash = [];
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += y; sum2 += y * y;
      if (d[i] === 255 && d[i + 1] === 0 && d[i + 2] === 255) bad++;
      if (i % 16 === 0) colors.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    const n = d.length / 4;
    // A coarse 32x32 grid of colours: enough to tell two frames apart.
    for (let gy = 0; gy < 32; gy++) for (let gx = 0; gx < 32; gx++) {
      const x = Math.floor((gx + 0.5) * c.width / 32), y = Math.floor((gy + 0.5) * c.height / 32);
      const i = (y * c.width + x) * 4;
      hash.push(d[i], d[i + 1], d[i + 2]);
    }
    return { width: c.width, height: c.height, variance: sum2 / n - (sum / n) ** 2, colors: colors.size, grid: hash,
             badColour: bad };
  }, png.toString('base64'));
}

// Hands files to the page's loadModel as bytes (the path a picked or dropped folder takes) without base64
// through page.evaluate: decoding a file's base64 in the page took longer than loading it (0.3 s of an
// 0.8 MB fixture, seconds for 20 MB). The page's own test server (openPage) serves each file once at
// /__e2e_files/N/NAME and the page fetches it. Not through a Playwright route: a route's body crosses the
// DevTools pipe as base64, and the bad-model catalog (about 90 copies of a 10 MB folder) spent most of its
// 31-37 s there. files: {name: Buffer}. Returns loadModel's result.
const servedFiles = new WeakMap();   // page -> its server's Map("N/NAME" -> Buffer), each taken by its one fetch
let servedCount = 0;
async function loadModelBytes(page, label, files) {
  const waiting = servedFiles.get(page);
  assert.ok(waiting, 'loadModelBytes needs a page from openPage (its server serves the bytes)');
  const id = ++servedCount;
  const urls = Object.entries(files).map(([name, bytes]) => {
    waiting.set(`${id}/${name}`, bytes);
    return [name, `/__e2e_files/${id}/${encodeURIComponent(name)}`];
  });
  return page.evaluate(async ([label, urls]) => {
    const fetched = await Promise.all(urls.map(async ([name, url]) => {
      const r = await fetch(url);
      if (!r.ok) throw new Error(`${url}: ${r.status}`);
      return [name, new Uint8Array(await r.arrayBuffer())];
    }));
    return window.attnscope.loadModel(label, Object.fromEntries(fetched));
  }, [label, urls]);
}

function gridDifference(a, b) {
  let changed = 0;
  for (let i = 0; i < a.grid.length; i++) if (Math.abs(a.grid[i] - b.grid[i]) > 8) changed++;
  return changed;
}

// timeout: a whole analysis job (integrated gradients, every method) may take longer on a busy machine.
async function waitForState(page, predicate, arg, timeout = 10000) {
  await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
  return page.evaluate(() => window.attnscope.getState());
}

// Resolves once the app has run `n` more frames (getState().frames.run), with the state then.
async function waitFrames(page, n = 2) {
  const from = await page.evaluate(() => window.attnscope.getState().frames.run);
  return waitForState(page, ([f, k]) => window.attnscope.getState().frames.run >= f + k, [from, n]);
}

// Opens the model picker and returns the state once its entries have settled: an ImGui popup is laid out
// on its first frame before it is placed, so the rects of that frame can lie elsewhere.
async function openPicker(page) {
  const s = await page.evaluate(() => window.attnscope.getState());
  await clickRect(page, s.widgets.modelPicker);
  await waitForState(page, () => window.attnscope.getState().widgets.modelItems.length > 0);
  return waitFrames(page, 2);
}

// Clicks the centre of a widget rect [x, y, w, h] the app reported in getState().widgets.
async function clickRect(page, r) {
  assert.ok(r && r[2] > 0 && r[3] > 0, `widget rect ${JSON.stringify(r)}`);
  const box = await page.locator('#canvas').boundingBox();
  await page.mouse.click(box.x + r[0] + Math.min(r[2] / 2, 40), box.y + r[1] + r[3] / 2);
}

// Traces text in the page (optionally after loading bundled model `model`; minWork: the kernels' thread
// split threshold, _setParallelMinWork; packed: first wait until the app has packed the layer weights,
// which it does a few matrices a frame after a model shows) and returns {state, heads}: every head's
// attention of the shown kind, layer by layer, as plain arrays.
async function traceAllHeads(page, text, { model = null, minWork = null, packed = false } = {}) {
  return page.evaluate(async ([text, model, minWork, packed]) => {
    const api = window.attnscope;
    if (model && api.getState().model !== model) await api.loadBundled(model);
    while (packed && !api.getState().weightsPacked) await new Promise((r) => setTimeout(r, 20));
    if (minWork !== null) api._setParallelMinWork(minWork);
    api.setText(text);
    const state = await api.traced();
    const heads = [];
    for (let l = 0; l < state.layers; l++)
      for (let h = 0; h < state.heads; h++) heads.push(Array.from(api.getAttention(l, h)));
    return { state, heads };
  }, [text, model, minWork, packed]);
}

// Reads a safetensors file: {name: {dtype, shape, data: Float32Array | BigInt64Array}}.
function readSafetensors(bytes) {
  const buf = Buffer.from(bytes);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const out = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = info.data_offsets;
    const raw = buf.subarray(8 + n + a, 8 + n + b);
    const copy = new Uint8Array(raw).buffer;
    out[name] = { dtype: info.dtype, shape: info.shape,
                  data: info.dtype === 'F32' ? new Float32Array(copy) : new BigInt64Array(copy) };
  }
  return out;
}

// The PNG's size from its IHDR chunk, after checking the signature.
function pngSize(bytes) {
  const b = Buffer.from(bytes);
  assert.deepEqual([...b.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  assert.equal(b.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

// The most recently built native CLI (ATTN_CLI overrides): tools/test builds native-debug, and a
// native-release left from an older checkout must not stand in for it. null when none is built.
function cliPath() {
  if (process.env.ATTN_CLI) return process.env.ATTN_CLI;
  const built = ['native-debug', 'native-release']
    .map((preset) => path.join(root, 'build', preset, 'src', 'attnscope-cli'))
    .filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return built.length ? built[0] : null;
}

module.exports = { root, webDir, shotDir, fixtures, launchChromium, openPage, openReadyPage, closePage, canvasStats, loadModelBytes, gridDifference, waitForState,
                   clickRect, waitFrames, openPicker, traceAllHeads, readSafetensors, pngSize, cliPath };
