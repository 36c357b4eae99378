// Rule-based checks in the page: attnscope.probe('coreference') on the default model equals the native
// CLI's `attnscope-cli probe --out` for the same suite; a malformed suite gives the message naming the case
// and the field; the Checks view runs a suite with its Run button and outlines passing heads in the grid.
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
const SHOTS = H.shotDir;

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await H.closePage(ctx);
});

const cliPath = H.cliPath;

test('probe("coreference") on gpt2-tiny equals the CLI probe', async () => {
  const s = await state();
  assert.equal(s.model, 'gpt2-tiny');
  const got = await page.evaluate(() => window.attnscope.probe('coreference'));
  const cli = cliPath();
  assert.ok(cli, 'no native attnscope-cli built');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'probe-')), 'r.json');
  execFileSync(cli, ['probe', '--model', path.join(H.fixtures, 'gpt2-tiny'), '--suite', 'coreference', '--out', out]);
  const want = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(got.suite, 'coreference');
  assert.deepEqual([got.n_layer, got.n_head], [want.n_layer, want.n_head]);
  assert.equal(got.cases.length, want.cases.length);
  for (let i = 0; i < want.cases.length; i++) {
    const g = got.cases[i], w = want.cases[i];
    assert.equal(g.name, w.name);
    assert.equal(g.error, w.error, g.name);
    if (w.error) continue;
    assert.deepEqual([g.query, g.expected, g.distractors], [w.query, w.expected, w.distractors], g.name);
    assert.ok(Math.abs(g.value - w.value) < 1e-5, `${g.name}: ${g.value} vs ${w.value}`);
    assert.equal(g.pass, w.pass, g.name);
    if (w.head_value) {
      for (let k = 0; k < w.head_value.length; k++)
        assert.ok(Math.abs(g.head_value[k] - w.head_value[k]) < 1e-5, `${g.name} head ${k}`);
      assert.deepEqual(g.head_pass, w.head_pass, g.name);
    }
  }
  assert.deepEqual(got.head_pass_count, want.head_pass_count);
});

test('a malformed suite is refused with the case and the field', async () => {
  const bad = { cases: [{ name: 'tired', text: 'The animal was tired', query: 'it', expected: 'animal', distractors: 'x', threshold: 'high' }] };
  const message = await page.evaluate((b) => {
    try { window.attnscope.probe(b); return 'no error'; } catch (e) { return e.message; }
  }, bad);
  assert.match(message, /suite: case 'tired': field 'threshold' must be a number, found a string/);
  const unknown = await page.evaluate(() => {
    try { window.attnscope.probe('nonsense'); return 'no error'; } catch (e) { return e.message; }
  });
  assert.match(unknown, /no built-in check suite 'nonsense'/);
});

test('the Checks view runs a suite with Run, and outlines passing heads in the grid', async () => {
  await page.evaluate(() => window.attnscope.setView('checks'));
  let s = await H.waitForState(page, () => {
    const c = window.attnscope.getState().checks;
    return window.attnscope.getState().view === 'checks' && c.widgets.run[2] > 0;
  });
  const before = s.checks.results;
  await H.clickRect(page, s.checks.widgets.run);
  s = await H.waitForState(page, (n) => {
    const c = window.attnscope.getState().checks;
    return c.results > n && !c.running && c.widgets.highlight[2] > 0;
  }, before);
  await page.waitForTimeout(200);   // a frame or two with the Run button back in place
  s = await state();
  assert.equal(s.checks.suite, 'coreference');
  assert.equal(s.checks.error, '');
  await page.screenshot({ path: path.join(SHOTS, 'checks-view.png') });
  await H.clickRect(page, s.checks.widgets.highlight);
  s = await H.waitForState(page, () => window.attnscope.getState().view === 'grid');
  assert.equal(s.checks.highlight, true);
  // Exactly the heads the suite's results say pass more than half of the head cases.
  const r = await page.evaluate(() => window.attnscope.probe('coreference'));
  const headCases = r.cases.filter((c) => !c.error && c.scope === 'head').length;
  const want = r.head_pass_count.map((n) => (n * 2 > headCases ? 1 : 0));
  s = await state();
  assert.deepEqual(s.checks.highlighted, want.some((v) => v) ? want : []);
  await page.screenshot({ path: path.join(SHOTS, 'checks-grid-highlight.png') });
});
