// The heads and similarity views in the page, as a student meets them on the default model: heads()
// labels every head and its per-query entropy equals the native CLI's `attnscope-cli heads` JSON for the
// same text; the head map's dots open their head; screenshots of the head table and map and of the
// similarity view go to build/e2e/.
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
const TEXT = "The animal didn't cross the street because it was too tired. It had walked all day.";
const SHOTS = H.shotDir;

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
  await page.evaluate((t) => window.attnscope.setText(t), TEXT);
  await H.waitForState(page, (t) => window.attnscope.getState().text === t, TEXT);
});

after(async () => {
  await H.closePage(ctx);
});

const cliPath = H.cliPath;

async function shot(name) {
  try {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('#canvas').screenshot({ path: path.join(SHOTS, name) });
  } catch (e) {
    await page.locator('#canvas').screenshot({ path: path.join(H.shotDir, name) });
  }
}

test('heads() labels every head, with the same statistics as the CLI for the same text', async () => {
  const report = await page.evaluate(() => window.attnscope.heads());
  const s = await state();
  assert.equal(report.model, 'gpt2-tiny');
  assert.equal(report.heads.length, report.n_layer * report.n_head);
  assert.ok(report.notes.includes('BOS rule'));
  const names = report.patterns.map((p) => p.name);
  for (const h of report.heads) {
    assert.ok(names.includes(h.label), h.label);
    assert.ok(h.confidence >= 0 && h.confidence <= 1);
    assert.ok(h.induction >= 0 && h.induction <= 1, 'the induction score was measured');
    assert.equal(h.per_query.entropy.length, report.tokens.length);
  }
  // Without per-query arrays it is the same report, smaller.
  const small = await page.evaluate(() => window.attnscope.heads({ perQuery: false }));
  assert.equal(small.heads[0].per_query, undefined);
  assert.equal(small.heads[0].entropy, report.heads[0].entropy);

  const cli = cliPath();
  assert.ok(cli, 'no native attnscope-cli build to compare with');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heads-'));
  const out = path.join(dir, 'heads.json');
  execFileSync(cli, ['heads', '--model', path.join(H.fixtures, 'gpt2-tiny'), '--text', TEXT, '--out', out]);
  const native = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.deepEqual(report.ids, native.ids);
  let worst = 0;
  for (let i = 0; i < native.heads.length; i++) {
    const a = report.heads[i], b = native.heads[i];
    assert.equal(a.label, b.label, `L${b.layer} H${b.head}`);
    for (let t = 0; t < b.per_query.entropy.length; t++)
      worst = Math.max(worst, Math.abs(a.per_query.entropy[t] - b.per_query.entropy[t]));
    worst = Math.max(worst, Math.abs(a.induction - b.induction));
  }
  assert.ok(worst < 1e-4, `page vs CLI: worst difference ${worst}`);
  assert.equal(s.error, '');
});

test('the heads view: a sortable table and a head map whose dots open their head', async () => {
  await page.evaluate(() => window.attnscope.setView('heads'));
  let s = await H.waitForState(page, () => {
    const st = window.attnscope.getState();
    return st.view === 'heads' && st.headsView.mapDots.length > 0 && st.headsView.tableRows.length > 0;
  });
  // An ImGui table fits its columns over its first frames: the header rects of the frame the view first
  // appeared in can lie elsewhere (a loaded run once clicked one of those and the sort never came).
  s = await H.waitFrames(page, 2);
  assert.equal(s.headsView.mapDots.length, 8);
  assert.equal(s.headsView.mapX, 'entropy');
  await shot('heads-view-page.png');
  // Sort by entropy: a header click.
  const headers = s.headsView.tableHeaders;
  await H.clickRect(page, headers[4]);
  s = await H.waitForState(page, () => window.attnscope.getState().headsView.sortColumn === 4);

  // The dot of layer 1, head 2 (nearest wins: pick one no other dot sits on).
  const dots = s.headsView.mapDots;
  const centre = (r) => [r[0] + r[2] / 2, r[1] + r[3] / 2];
  let target = -1;
  for (let i = dots.length - 1; i >= 0 && target < 0; i--) {
    const [x, y] = centre(dots[i]);
    if (dots.every((d, j) => j === i || Math.hypot(centre(d)[0] - x, centre(d)[1] - y) > d[2] * 2)) target = i;
  }
  assert.ok(target >= 0, 'a dot apart from the others');
  await page.evaluate(() => window.attnscope.select(0, 0));
  const box = await page.locator('#canvas').boundingBox();
  const [x, y] = centre(dots[target]);
  await page.mouse.click(box.x + x, box.y + y);
  s = await H.waitForState(page, () => window.attnscope.getState().view === 'heatmap');
  assert.equal(s.layer * 4 + s.head, target);
});

test('the similarity view: matrix, layout and the selected layer side by side', async () => {
  await page.evaluate(() => window.attnscope.select(1, 0));
  await page.evaluate(() => window.attnscope.setView('similarity'));
  let s = await H.waitForState(page, () => {
    const st = window.attnscope.getState();
    return st.view === 'similarity' && st.headsView.similarityDots.length === 8 && st.headsView.layerHeads.length === 4;
  });
  const before = await H.canvasStats(page);
  assert.ok(before.colors > 50, 'the matrix and layout are drawn');
  await shot('similarity-view-page.png');
  await H.clickRect(page, s.headsView.layerHeads[3]);
  s = await H.waitForState(page, () => window.attnscope.getState().view === 'heatmap');
  assert.equal(s.layer, 1);
  assert.equal(s.head, 3);
  await page.evaluate(() => window.attnscope.setView('grid'));
  await H.waitForState(page, () => window.attnscope.getState().view === 'grid');
  await shot('grid-badges-page.png');
  assert.deepEqual(ctx.problems, []);
});
