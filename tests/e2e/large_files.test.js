// A 20 MB model file: a random 2-layer GPT-2 folder (tools/bench/make_gpt2_small.py, generated into the
// served folder for the run, never committed), loaded by path twice, then with the file picker and by
// bytes through loadModel, twice each. By path, the weights go through the page's BYOB reader (the server
// sends a Content-Length, as static hosts do) and the .json files come gzip-compressed, as some hosts send
// them (so they are read whole, with no length to stream by); picked files and loadModel's bytes go
// through the default reader.
// Every load's next-token probabilities must equal the native CLI's trace of the same folder and text.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const H = require('./helpers');

const TEXT = 'The cat sat on the mat because it was tired';
const FILES = ['config.json', 'model.safetensors', 'tokenizer.json'];
let ctx, page, dir;

before(async () => {
  dir = path.join(H.webDir, `e2e-large-${process.pid}`);   // served by the page's own server
  execFileSync('/usr/bin/python3', [   // Debian's, with python3-numpy (tools/setup)
    path.join(H.root, 'tools/bench/make_gpt2_small.py'), '--layers', '2', '--width', '96', '--heads', '4', '--out', dir]);
  ctx = await H.openReadyPage('', { compressJson: true });
  page = ctx.page;
});

after(async () => {
  await H.closePage(ctx);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// The CLI's last-position logits (last_logits) as softmax probabilities.
function cliProbs() {
  const cli = H.cliPath();
  assert.ok(cli, 'no native attnscope-cli build');
  const out = path.join(dir, 'trace.safetensors');
  execFileSync(cli, ['trace', '--model', dir, '--text', TEXT, '--out', out]);
  const last = H.readSafetensors(fs.readFileSync(out)).last_logits.data;
  const max = Math.max(...last);
  let sum = 0;
  for (const x of last) sum += Math.exp(x - max);
  return Array.from(last, (x) => Math.exp(x - max) / sum);
}

function sameAsCli(state, probs, where) {
  assert.equal(state.layers, 2, where);
  assert.ok(state.nextPredictions.length >= 3, where);
  for (const p of state.nextPredictions) assert.ok(Math.abs(p.prob - probs[p.id]) < 1e-5, `${where}: token ${p.id} ${p.prob} vs ${probs[p.id]}`);
  const best = probs.indexOf(Math.max(...probs));
  assert.equal(state.nextPredictions[0].id, best, where);
}

test('a 20 MB model file by path, through the file picker and through loadModel, twice each: the CLI\'s predictions', async () => {
  assert.ok(fs.statSync(path.join(dir, 'model.safetensors')).size >= 16 << 20, 'the file must take the BYOB path');
  const probs = cliProbs();
  // Each way in, twice: from another model, load (and check the load), then trace TEXT.
  const twice = async (where, load) => {
    for (let round = 0; round < 2; round++) {
      await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
      await load();
      const s = await page.evaluate((t) => window.attnscope.setText(t), TEXT);
      sameAsCli(s, probs, `${where}, round ${round}`);
    }
  };
  await twice('by path', async () => {
    const r = await page.evaluate((p) => window.attnscope.loadFromPath(p), path.basename(dir));
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(await page.evaluate(() => window.attnscope.lastLoad.readers),
                     { 'config.json': 'memory', 'tokenizer.json': 'memory', 'model.safetensors': 'byob' });
  });
  await twice('file picker', async () => {
    await page.setInputFiles('#open-model', FILES.map((f) => path.join(dir, f)));
    await H.waitForState(page, () => window.attnscope.getState().model === 'local files');
    assert.equal(await page.evaluate(() => window.attnscope.lastLoad.readers['model.safetensors']), 'default');
  });
  const files = Object.fromEntries(FILES.map((n) => [n, fs.readFileSync(path.join(dir, n))]));
  await twice('loadModel', async () => {
    const r = await H.loadModelBytes(page, 'large', files);
    assert.equal(r.ok, true, r.error);
  });
  assert.deepEqual(ctx.problems, []);
});
