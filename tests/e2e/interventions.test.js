// Interventions and activation patching in the page: ablating a head changes the next-token
// probabilities exactly as `attnscope-cli trace --ablate` does for the same head; the interventions
// panel and the patching view on screen; patching with clean = corrupted recovers nothing.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const H = require('./helpers');

let ctx, page;
const TEXT = "The animal didn't cross the street because it was too tired";
const CORRUPTED = "The street didn't cross the street because it was too tired";

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

const cliPath = H.cliPath;

function softmax(logits) {
  let m = -Infinity;
  for (const z of logits) m = Math.max(m, z);
  let sum = 0;
  for (const z of logits) sum += Math.exp(z - m);
  return Array.from(logits, (z) => Math.exp(z - m) / sum);
}

test('ablating a head in the page changes the probabilities exactly as the CLI does', async () => {
  const cli = cliPath();
  assert.ok(cli, 'no native attnscope-cli build (build/native-release or build/native-debug)');
  await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
  await page.evaluate((t) => window.attnscope.setText(t), TEXT);
  for (const [spec, request] of [['1.2', { layer: 1, head: 2, mode: 'zero' }], ['0.3:mean', { layer: 0, head: 3, mode: 'mean' }]]) {
    const r = await page.evaluate((a) => window.attnscope.intervene({ ablate: [a] }), request);
    const out = path.join(os.tmpdir(), 'attnscope-intervene.safetensors');
    execFileSync(cli, ['trace', '--model', path.join(H.fixtures, 'gpt2-tiny'), '--text', TEXT, '--ablate', spec, '--out', out]);
    const ablated = softmax(H.readSafetensors(fs.readFileSync(out)).last_logits.data);
    execFileSync(cli, ['trace', '--model', path.join(H.fixtures, 'gpt2-tiny'), '--text', TEXT, '--out', out]);
    const plain = softmax(H.readSafetensors(fs.readFileSync(out)).last_logits.data);
    fs.rmSync(out);
    assert.equal(r.after.length, 5);
    for (const t of r.after) assert.ok(Math.abs(t.prob - ablated[t.id]) < 1e-5, `${spec} after ${t.id}: ${t.prob} vs ${ablated[t.id]}`);
    for (const t of r.before) assert.ok(Math.abs(t.prob - plain[t.id]) < 1e-5, `${spec} before ${t.id}: ${t.prob} vs ${plain[t.id]}`);
    assert.notEqual(r.after[0].prob, r.before[0].prob);
  }
  // The heatmap with the interventions in (the toggle above it), on screen.
  await page.evaluate(() => window.attnscope.intervene({ ablate: [{ layer: 0, head: 1 }], mask: [1] }));
  await page.evaluate(() => window.attnscope.select(1, 0));
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(H.shotDir, 'interventions-heatmap.png') });
  const s = await page.evaluate(() => window.attnscope.clearInterventions());
  assert.equal(s.interventions, '');
});

test('patching view: clean = corrupted gives zeros, a swapped word gives the last state 100% at the end', async () => {
  await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
  const same = await page.evaluate((t) => window.attnscope.patch({ clean: t, corrupted: t }), TEXT);
  assert.equal(same.clean_diff, same.corrupted_diff);
  for (const row of [...same.residual, ...same.heads]) for (const v of row) assert.equal(v, 0);

  const r = await page.evaluate(([c, x]) => window.attnscope.patch({ clean: c, corrupted: x }), [TEXT, CORRUPTED]);
  assert.equal(r.residual.length, r.n_layer + 1);
  assert.ok(Math.abs(r.residual[r.n_layer][r.n_token - 1] - 1) < 1e-4);
  let bad = null;
  try {
    await page.evaluate((t) => window.attnscope.patch({ corrupted: 'The big brown ' + t }), TEXT);
  } catch (e) {
    bad = e.message;
  }
  assert.match(bad || '', /same number/);
  await page.evaluate(([c, x]) => window.attnscope.patch({ clean: c, corrupted: x }), [TEXT, CORRUPTED]);
  await page.evaluate(() => window.attnscope.setView('patching'));
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(H.shotDir, 'patching-view.png') });
  assert.deepEqual(ctx.problems, []);
});
