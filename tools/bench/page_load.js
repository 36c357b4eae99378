// Page load times of the GPT-2-small-size folders (tools/bench/make_gpt2_small.py) in headless Chromium,
// loaded by path (?model=) from the same static server tools/run starts (python3 -m http.server), and
// where the time goes: the server alone (node reading the file over HTTP), the page's fetch alone
// (streamed, discarded), the whole load (fetch into the app's buffers, model_load, first trace), and the
// same folder opened with the page's file picker.
// Medians over rounds. It links the folders into build/wasm-release/web/bench-models for the run and
// removes the link afterwards; nothing it makes is committed.
//   NODE_PATH=tests/e2e/node_modules node tools/bench/page_load.js [FOLDER...]
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startServer, launchChromium } = require('./static_server.js');

const root = path.resolve(__dirname, '../..');
const { chromium } = require(path.join(root, 'tests/e2e/node_modules/playwright-core'));
const webDir = process.env.ATTN_WEB_DIR || path.join(root, 'build/wasm-release/web');
const linkDir = path.join(webDir, 'bench-models');
const ROUNDS = 3;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Milliseconds to read one URL to the end over HTTP from node: the server's own throughput.
function serverRead(url) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    http.get(url, (res) => {
      let bytes = 0;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => resolve({ ms: performance.now() - start, bytes }));
    }).on('error', reject);
  });
}

async function main() {
  const folders = process.argv.slice(2).length ? process.argv.slice(2)
    : ['build/bench/gpt2-small-f16', 'build/bench/gpt2-small-f32'].map((f) => path.join(root, f));
  if (!fs.existsSync(path.join(webDir, 'attnscope_wasm.wasm'))) throw new Error(`no wasm build in ${webDir}`);
  fs.rmSync(linkDir, { recursive: true, force: true });
  fs.mkdirSync(linkDir);
  const port = 18000 + Math.floor(Math.random() * 1000);
  const server = await startServer(port, webDir);
  const base = `http://127.0.0.1:${port}/`;
  const browser = await launchChromium(chromium);
  try {
    for (const folder of folders) {
      const name = path.basename(folder);
      if (!fs.existsSync(path.join(folder, 'model.safetensors'))) {
        console.log(`${folder}: no model.safetensors (make it with tools/bench/make_gpt2_small.py)`);
        continue;
      }
      fs.symlinkSync(path.resolve(folder), path.join(linkDir, name));
      const rel = `bench-models/${name}`;
      const mib = fs.statSync(path.join(folder, 'model.safetensors')).size / 1048576;

      const serverMs = [];
      for (let r = 0; r < ROUNDS; r++) serverMs.push((await serverRead(base + rel + '/model.safetensors')).ms);

      // A cold page opened on the folder: wasm start, fetch, load, first trace.
      const coldMs = [];
      for (let r = 0; r < ROUNDS; r++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const start = Date.now();
        await page.goto(`${base}?model=${encodeURIComponent(rel)}`);
        const state = await page.evaluate(() => window.attnscope.ready);
        coldMs.push(Date.now() - start);
        if (state.model !== rel) throw new Error(`${rel}: the page opened ${state.model}: ${state.error}`);
        await page.close();
      }

      // In a running page: the page's fetch alone, then the whole load by path (median of rounds each).
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${base}#model=gpt2-tiny`);
      await page.evaluate(() => window.attnscope.ready);
      const rounds = await page.evaluate(async ({ rel, rounds }) => {
        const out = [];
        for (let r = 0; r < rounds; r++) {
          // Drained two ways: the default reader (a fresh chunk each read) and a BYOB reader into one
          // reused 8 MB buffer, as the page reads (web/attnscope.js, streamChunks).
          let t = performance.now();
          for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) {
            const reader = (await fetch(`${rel}/${f}`)).body.getReader();
            while (!(await reader.read()).done) { /* drain */ }
          }
          const fetchDefaultMs = performance.now() - t;
          t = performance.now();
          for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) {
            const reader = (await fetch(`${rel}/${f}`)).body.getReader({ mode: 'byob' });
            let buffer = new ArrayBuffer(8 << 20);
            for (;;) {
              const { done, value } = await reader.read(new Uint8Array(buffer));
              if (done) break;
              buffer = value.buffer;
            }
          }
          const fetchMs = performance.now() - t;
          t = performance.now();
          const result = await window.attnscope.loadFromPath(rel);
          const loadMs = performance.now() - t;
          if (!result.ok) throw new Error(result.error);
          const s = window.attnscope.getState();
          out.push({ fetchDefaultMs, fetchMs, loadMs, traceMs: s.trace_ms });
          await window.attnscope.loadBundled('gpt2-tiny');   // the next round loads afresh
        }
        return out;
      }, { rel, rounds: ROUNDS });
      // The file picker (what a user does with a folder on disk): the files go to the page's own input
      // by path, so the time is Chromium reading them, the page streaming them into the app, and the load.
      const pickMs = [];
      for (let r = 0; r < ROUNDS; r++) {
        const start = Date.now();
        await page.setInputFiles('#open-model', ['config.json', 'tokenizer.json', 'model.safetensors']
          .map((f) => path.join(folder, f)));
        await page.waitForFunction(() => {
          const s = window.attnscope.getState();
          return s.model !== 'gpt2-tiny' && s.layers === 12;
        }, null, { timeout: 120000, polling: 20 });
        pickMs.push(Date.now() - start);
        await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
      }
      await page.close();

      const f = (x) => x.toFixed(0).padStart(7);
      console.log(`${name}: model.safetensors ${mib.toFixed(0)} MiB (median ms of ${ROUNDS} rounds)`);
      console.log(`  server alone (node reads it over HTTP)          ${f(median(serverMs))}`);
      console.log(`  page fetch alone, default reader (discarded)    ${f(median(rounds.map((x) => x.fetchDefaultMs)))}`);
      console.log(`  page fetch alone, BYOB 8 MB reader (discarded)  ${f(median(rounds.map((x) => x.fetchMs)))}`);
      console.log(`  load by path in a running page (fetch + load)   ${f(median(rounds.map((x) => x.loadMs)))}`);
      console.log(`    of which the first trace (app's trace_ms)     ${f(median(rounds.map((x) => x.traceMs)))}`);
      console.log(`  cold page with ?model= (start, load, trace)     ${f(median(coldMs))}`);
      console.log(`  file picker in a running page (read + load)     ${f(median(pickMs))}`);
    }
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(linkDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err.stack || err.message);
  fs.rmSync(linkDir, { recursive: true, force: true });
  process.exit(1);
});
