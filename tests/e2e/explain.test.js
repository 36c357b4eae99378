// The explanation in the page, as a new user meets it on the default model: type a sentence, press E, the
// attributions and the faithfulness test run, and the view shows the sentences; the page's explain()
// equals the native CLI's `attnscope-cli explain --json` for the same text. Screenshot to
// build/e2e/.
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

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

const cliPath = H.cliPath;

test('press E: the explanation view computes and shows the sentences', async () => {
  await page.evaluate((t) => window.attnscope.setText(t), TEXT);
  await page.locator('#canvas').click({ position: { x: 640, y: 790 } });   // the status bar: the keys go to the app
  await page.keyboard.press('e');
  await H.waitForState(page, () => window.attnscope.getState().view === 'explain');
  // The attribution job, then the faithfulness job, run across frames; wait until the table is there.
  await page.waitForFunction(() => {
    const a = window.attnscope.getState().analysis;
    return a.current && !a.running;
  }, null, { timeout: 120000, polling: 100 });
  await page.waitForTimeout(3000);
  const png = await page.screenshot({ type: 'png' });
  fs.writeFileSync(path.join(H.shotDir, 'explain.png'), png);
  const stats = await H.canvasStats(page);
  assert.ok(stats.variance > 10, 'the canvas shows something');
  assert.deepEqual(ctx.problems, []);
});

test("explain() equals the native CLI's explain --json for the same text", async () => {
  const got = await page.evaluate(() => window.attnscope.explain());
  assert.ok(got.sentences.length >= 5, JSON.stringify(got.sentences));
  assert.equal(got.text, got.sentences.join(' '));
  assert.equal(got.numbers.length, got.number_info.length);
  const cli = cliPath();
  assert.ok(cli, 'no native attnscope-cli built');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-'));
  const out = path.join(dir, 'e.json');
  execFileSync(cli, ['explain', '--model', path.join(H.fixtures, 'gpt2-tiny'), '--text', TEXT, '--json', out]);
  const want = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(got.facts.target, want.facts.target);
  assert.equal(got.facts.predicted, want.facts.predicted);
  assert.deepEqual(got.number_info.map((n) => n.source), want.number_info.map((n) => n.source));
  for (let i = 0; i < want.numbers.length; i++)
    assert.ok(Math.abs(got.numbers[i] - want.numbers[i]) <= 1e-4 * Math.max(1, Math.abs(want.numbers[i])),
      `number ${i} (${want.number_info[i].source}): page ${got.numbers[i]}, CLI ${want.numbers[i]}`);
  // The same sentences (numbers printed to 3 digits: equal unless a value sits on a rounding edge).
  assert.deepEqual(got.sentences, want.sentences);
  assert.equal(got.faithfulness.best_method, want.faithfulness.best_method);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('explain() refuses a foil equal to the target with the reason', async () => {
  const e = await page.evaluate(() => window.attnscope.explain());
  const err = await page.evaluate((id) => {
    try { window.attnscope.explain({ target: id, foil: id }); return ''; } catch (x) { return x.message; }
  }, e.facts.target);
  assert.match(err, /foil is the same token/);
});
