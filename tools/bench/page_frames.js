// The views' frame time in the page at T = 1024 (issue 13 item 5): a 12-layer x 12-head GPT-2 folder
// (width 192, 1024 positions; made with tools/bench/make_gpt2_small.py when missing, never committed)
// in headless Chromium, the page's single-threaded build. attnscope.frameTimes() gives each frame's time
// on the page's thread (events, the app's frame and the WebGL calls; SwiftShader draws in the GPU
// process, on the same two cores) and the app's own part of it. Per view (heatmap, grid, lines, flow):
//   - a new trace: the frames while it runs in steps, then those until the view's stepped work is in
//     (state.viewPending false);
//   - steady: the pointer sweeping the view;
//   - flow only: the pointer on a new output token every frame, then resting on one (its max flow row).
// Prints mean, 95th percentile and longest (ms), and how many frames took over 16 ms. For the drawn
// pointer rows also what the GPU process did per composited frame (a Chromium trace's SwapBuffers: the
// canvas's WebGL commands rasterised by SwiftShader, the compositing and the headless read-back), which
// runs beside the page's thread on the same two cores and sets how many frames a second are shown.
//   NODE_PATH=tests/e2e/node_modules node tools/bench/page_frames.js [FOLDER]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer, launchChromium } = require('./static_server.js');

const root = path.resolve(__dirname, '../..');
const { chromium } = require(path.join(root, 'tests/e2e/node_modules/playwright-core'));
const webDir = path.join(root, 'build/wasm-release/web');
const linkDir = path.join(webDir, 'bench-models');
const VIEWS = ['heatmap', 'grid', 'lines', 'flow'];

function modelFolder() {
  if (process.argv[2]) return path.resolve(process.argv[2]);
  const folder = path.join(root, 'build/bench/gpt2-12x192-f32');
  if (!fs.existsSync(path.join(folder, 'model.safetensors')))
    execFileSync('/usr/bin/python3', [path.join(__dirname, 'make_gpt2_small.py'), '--out', folder, '--layers', '12',
                             '--width', '192', '--heads', '12'], { stdio: 'inherit' });
  return folder;
}

// A text of more than 1024 tokens (the context cuts it): common words, one token each, in an order
// that differs with `seed`, so every call is a new trace.
function longText(seed) {
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'then', 'it', 'ran', 'to', 'see', 'dog', 'in', 'house'];
  const out = [];
  for (let i = 0; i < 1100; i++) out.push(words[(i * 7 + seed * 3 + Math.floor(i / 15) * seed) % words.length]);
  return out.join(' ');
}

// Mean, 95th percentile and longest of the app's part and of the whole frame on the page's thread.
function summary(times) {
  const stats = (ms) => {
    const sorted = [...ms].sort((a, b) => a - b);
    return { mean: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length),
             p95: sorted[Math.floor(0.95 * (sorted.length - 1))] || 0, longest: sorted[sorted.length - 1] || 0,
             over16: ms.filter((t) => t > 16).length };
  };
  return { frames: times.ms.length, app: stats(times.appMs), page: stats(times.ms) };
}

const nextFrame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));

let seed = 0;   // every new trace a new text

// Runs `body` under a Chromium trace and returns what the GPU process did per composited frame:
// {frames, mean} of SkiaOutputSurfaceImplOnGpu::SwapBuffers, whose time is mostly waiting for SwiftShader.
async function gpuFrames(browser, page, body) {
  await browser.startTracing(page, { categories: ['viz'] });
  await body();
  const json = JSON.parse((await browser.stopTracing()).toString('utf8'));
  const swaps = (json.traceEvents || json).filter((e) => e.name === 'SkiaOutputSurfaceImplOnGpu::SwapBuffers' &&
                                                         e.ph === 'X' && e.dur > 0).map((e) => e.dur / 1000);
  return { frames: swaps.length, mean: swaps.reduce((a, b) => a + b, 0) / Math.max(1, swaps.length) };
}

async function measureViews(browser, page, drawing) {
  // The pointer rows under a trace while drawn (tracing a not-drawn row would only add its own cost).
  const traced = (body) => (drawing ? gpuFrames(browser, page, body) : body().then(() => null));
  const out = [];
  for (const view of VIEWS) {
    await page.evaluate((v) => window.attnscope.setView(v), view);
    // A new trace: the frames while it runs (a block a step), then until the view's own steps are done.
    await page.evaluate(() => window.attnscope.frameTimes());
    const trace = await page.evaluate(async (text) => {
      const api = window.attnscope;
      const before = api.getState().traceVersion;
      api.setText(text);
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
      let s = api.getState();
      while (s.traceVersion === before || s.tracing) { await frame(); s = api.getState(); }
      const tracing = api.frameTimes();
      for (let i = 0; i < 3 || s.viewPending; ++i) { await frame(); s = api.getState(); }
      return { tokens: s.tokens.length, tracing, after: api.frameTimes() };
    }, longText(++seed));
    if (trace.tokens < 1024) throw new Error(`the text traced ${trace.tokens} tokens, not 1024`);
    out.push({ view, what: 'while a new trace runs (in steps)', ...summary(trace.tracing) });
    out.push({ view, what: 'after it, until the view\'s steps are in', ...summary(trace.after) });

    // Steady: the pointer sweeps the main view.
    const box = (await page.evaluate(() => window.attnscope.getState().widgets.mainView));
    await page.evaluate(() => window.attnscope.frameTimes());
    const sweepGpu = await traced(async () => {
      for (let i = 0; i < 60; i++) {
        await page.mouse.move(box[0] + box[2] * 0.55, box[1] + box[3] * (0.2 + 0.6 * i / 60));
        await nextFrame(page);
      }
    });
    out.push({ view, what: 'the pointer sweeping the view', ...summary(await page.evaluate(() => window.attnscope.frameTimes())),
               gpu: sweepGpu });

    if (view === 'flow') {
      const top = await page.evaluate(() => window.attnscope.getState().widgets.flowTop);
      if (!top.length) throw new Error('the flow view drew no output tokens');
      await page.evaluate(() => window.attnscope.frameTimes());
      const tokenGpu = await traced(async () => {
        for (let i = 0; i < 60; i++) {
          const r = top[Math.floor(i * top.length / 60)];
          await page.mouse.move(r[0] + r[2] / 2, r[1] + r[3] / 2);
          await nextFrame(page);
        }
      });
      out.push({ view, what: 'a new output token under the pointer each frame',
                 ...summary(await page.evaluate(() => window.attnscope.frameTimes())), gpu: tokenGpu });
      await page.evaluate(() => window.attnscope.frameTimes());
      for (let i = 0; i < 90; i++) await nextFrame(page);   // resting: the app computes the token's max flow row
      out.push({ view, what: 'the pointer resting on a token (its max flow row)', ...summary(await page.evaluate(() => window.attnscope.frameTimes())) });
    }
  }
  return out;
}

async function main() {
  const folder = modelFolder();
  const name = path.basename(folder);
  fs.rmSync(linkDir, { recursive: true, force: true });
  fs.mkdirSync(linkDir);
  fs.symlinkSync(folder, path.join(linkDir, name));
  const port = 19000 + Math.floor(Math.random() * 1000);
  const server = await startServer(port, webDir, { isolated: false });
  const browser = await launchChromium(chromium);
  const rows = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/#model=gpt2-tiny`);
    await page.evaluate(() => window.attnscope.ready);
    const loaded = await page.evaluate((rel) => window.attnscope.loadFromPath(rel), `bench-models/${name}`);
    if (!loaded.ok) throw new Error(loaded.error);
    // A large model's probe and induction score run in steps after its load: done before frames are timed.
    await page.evaluate(() => window.attnscope.measured());
    for (const drawing of [true, false]) {
      await page.evaluate((on) => window.attnscope._setDrawing(on), drawing);
      rows.push(...(await measureViews(browser, page, drawing)).map((r) => ({ ...r, drawing })));
    }
    await page.evaluate(() => window.attnscope._setDrawing(true));
    const { build, threads } = await page.evaluate(() => window.attnscope.getState());
    console.log(`${name} at T = 1024 in headless Chromium, ${build} build (${threads} thread${threads > 1 ? 's' : ''}), 1600 x 1000:`);
    console.log('ms per frame: the app\'s own part (the views\' CPU work) and the whole frame on the page\'s thread');
    console.log('(with its WebGL calls; SwiftShader draws them in the GPU process). "drawn": as a user sees');
    console.log('it, SwiftShader drawing each changed frame on the same two cores; "not drawn": frames built and');
    console.log('not drawn (attnscope._setDrawing(false)), the app\'s time without the software rasteriser beside it.\n');
    console.log('"GPU process": what it did per composited frame while the pointer moved (frames composited, mean ms).\n');
    console.log('| view | frames | n | app mean / p95 / longest | app frames > 16 ms | page mean / p95 / longest | page frames > 16 ms | GPU process |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    const f = (x) => `${x.mean.toFixed(1)} / ${x.p95.toFixed(1)} / ${x.longest.toFixed(1)}`;
    const g = (x) => (x ? `${x.frames}, ${x.mean.toFixed(1)}` : '—');
    for (const r of rows)
      console.log(`| ${r.view} | ${r.what}, ${r.drawing ? 'drawn' : 'not drawn'} | ${r.frames} | ${f(r.app)} | ${r.app.over16} | ` +
                  `${f(r.page)} | ${r.page.over16} | ${g(r.gpu)} |`);
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(linkDir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
