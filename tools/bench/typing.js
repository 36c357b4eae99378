// Whether the page stays responsive while a large model retraces after an edit (issue 13 item 5): loads a
// GPT-2-small-size folder (tools/bench/make_gpt2_small.py) by path in headless Chromium, then sets new
// texts and records the gaps between animation frames until each trace is complete: the longest gap is
// how long the page could not draw or take a key; once with each of the page's builds (single-threaded,
// and threaded in a cross-origin isolated page). Links the folder into the web build for the run only.
// --ablate: with a head ablated (layer 0, head 0), so each edit also traces the text without it.
//   NODE_PATH=tests/e2e/node_modules node tools/bench/typing.js [--ablate] [FOLDER]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { startServer, launchChromium } = require('./static_server.js');

const root = path.resolve(__dirname, '../..');
const { chromium } = require(path.join(root, 'tests/e2e/node_modules/playwright-core'));
const webDir = path.join(root, 'build/wasm-release/web');
const linkDir = path.join(webDir, 'bench-models');

const ablate = process.argv.includes('--ablate');

async function main() {
  const args = process.argv.slice(2).filter((a) => a !== '--ablate');
  const folder = path.resolve(args[0] || path.join(root, 'build/bench/gpt2-small-f16'));
  const name = path.basename(folder);
  fs.rmSync(linkDir, { recursive: true, force: true });
  fs.mkdirSync(linkDir);
  fs.symlinkSync(folder, path.join(linkDir, name));
  try {
    for (const isolated of [false, true]) await measure(name, isolated);
  } finally {
    fs.rmSync(linkDir, { recursive: true, force: true });
  }
}

// isolated: served with the cross-origin isolation headers, so the page runs its threaded build.
async function measure(name, isolated) {
  const port = 19000 + Math.floor(Math.random() * 1000);
  const server = await startServer(port, webDir, { isolated });
  const browser = await launchChromium(chromium);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/#model=gpt2-tiny`);
    await page.evaluate(() => window.attnscope.ready);
    const loaded = await page.evaluate((rel) => window.attnscope.loadFromPath(rel), `bench-models/${name}`);
    if (!loaded.ok) throw new Error(loaded.error);
    // What a large model's load starts in steps (the random-weights probe, the heads' induction score)
    // finishes first: the rounds time typing, not those.
    await page.evaluate(() => window.attnscope.measured());
    if (ablate) await page.evaluate(() => window.attnscope.intervene({ ablate: [{ layer: 0, head: 0 }] }));   // throws on an error
    const rounds = await page.evaluate(async () => {
      const api = window.attnscope;
      const out = [];
      for (let r = 0; r < 4; r++) {
        const words = [];
        for (let i = 0; i < 100; i++) words.push(['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'then', 'ran'][(i * 7 + r) % 9]);
        const gaps = [];
        let last = performance.now(), frames = 0;
        const t0 = performance.now();
        const before = api.getState().traceVersion;
        const setAt = performance.now();
        const s = api.setText(words.join(' '));
        const setMs = performance.now() - setAt;   // how long setText itself blocked
        const stepped = s.tracing !== null;
        // A frame's timestamp is its start, shared by every callback in it, so the app's frame that
        // completes the trace shows as the gap to the next one: one more frame is waited for.
        let complete = false;
        await new Promise((resolve) => {
          const tick = (now) => {
            gaps.push(now - last);
            last = now;
            ++frames;
            if (complete) return resolve();
            const s = api.getState();   // with an ablation, the trace without it too
            complete = s.traceVersion !== before && !s.beforePending;
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        out.push({ stepped, setMs, wallMs: performance.now() - t0, frames, longestGap: Math.max(...gaps),
                   traceMs: api.getState().trace_ms, tokens: api.getState().tokens.length });
      }
      return out;
    });
    const { build, threads } = await page.evaluate(() => window.attnscope.getState());
    console.log(`${name}, ${build} build (${threads} threads)${ablate ? ', a head ablated' : ''}: a new text set while the previous trace is shown (ms)`);
    console.log('round  stepped  setText blocks  trace wall  frames  longest frame gap  app trace_ms  tokens');
    rounds.forEach((x, i) => console.log(`${String(i).padStart(5)}  ${String(x.stepped).padStart(7)}  ` +
      `${x.setMs.toFixed(1).padStart(14)}  ${x.wallMs.toFixed(0).padStart(10)}  ${String(x.frames).padStart(6)}  ` +
      `${x.longestGap.toFixed(1).padStart(17)}  ${x.traceMs.toFixed(0).padStart(12)}  ${String(x.tokens).padStart(6)}`));
  } finally {
    await browser.close();
    server.kill();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
