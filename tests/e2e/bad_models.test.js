// The model-file rows of the bad-input catalog (issue 14) in the page: every broken folder written by
// write_bad_models (from the table the unit and CLI tests use, tests/model/bad_model_catalog.cpp) goes
// through the page's loading path and is refused with a message naming the file and the problem,
// while the model loaded before stays loaded and keeps working; the page never dies.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const H = require('./helpers');

let ctx, page, dir;

// The writer sits beside the CLI that tools/test builds (build/<preset>/tests/write_bad_models).
function writerPath() {
  const cli = H.cliPath();
  assert.ok(cli, 'no native build: run tools/test (it builds build/native-debug first)');
  const writer = path.join(path.dirname(path.dirname(cli)), 'tests', 'write_bad_models');
  assert.ok(fs.existsSync(writer), `build the write_bad_models target (${writer})`);
  return writer;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnscope-bad-models-'));
  execFileSync(writerPath(), [dir]);
  ctx = await H.openReadyPage();
  page = ctx.page;
});

after(async () => {
  await H.closePage(ctx);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('every broken model folder of the catalog is refused; the previous model stays and still traces', async () => {
  const cases = JSON.parse(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8'));
  assert.ok(cases.length >= 80, `${cases.length} cases`);
  const filesIn = (folder, names = fs.readdirSync(folder)) =>
    Object.fromEntries(names.map((n) => [n, fs.readFileSync(path.join(folder, n))]));
  const gpt2Files = filesIn(path.join(H.fixtures, 'gpt2-tiny'), ['config.json', 'model.safetensors', 'tokenizer.json']);
  const before = await page.evaluate(() => window.attnscope.setText('The cat sat on the mat'));
  assert.equal(before.model, 'gpt2-tiny');
  for (const c of cases) {
    const folder = path.join(dir, c.name);
    const r = await H.loadModelBytes(page, c.name, filesIn(folder));
    const where = `${c.name} (${c.row}): ${JSON.stringify(r)}`;
    assert.equal(r.ok, c.loads, where);
    for (const phrase of c.expect) assert.ok(r.error.includes(phrase), `${where}: missing ${JSON.stringify(phrase)}`);
    if (c.loads) {
      // It loaded, with its warning in the status bar; it traces. Then back to the model of the test.
      const t = await page.evaluate(() => window.attnscope.setText('hello'));
      assert.ok(t.tokens.length > 0, where);
      const back = await H.loadModelBytes(page, 'gpt2-tiny', gpt2Files);
      assert.equal(back.ok, true, JSON.stringify(back));
      assert.equal(back.error, '', 'a clean model clears the warning');
    }
    const s = await page.evaluate(() => window.attnscope.setText('The dog sat on the mat'));
    assert.equal(s.model, 'gpt2-tiny', `${where}: the previous model must stay loaded`);
    assert.equal(s.tokens.length, before.tokens.length, where);
  }
  assert.deepEqual(ctx.problems, []);
});
