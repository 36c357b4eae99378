// The model zoo in the page: the picker lists the zoo (assets/models, label "task: summary") before the
// random test fixtures, the page opens on the default model - a zoo model on its card's example text
// with the featured head selected and the card panel showing - and picking a test model from the picker
// works (no card, its weights marked random). With no zoo built in, the page opens on gpt2-tiny as before.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const state = () => page.evaluate(() => window.attnscope.getState());
const waitForState = (fn, arg) => H.waitForState(page, fn, arg);
const clickRect = (r) => H.clickRect(page, r);

before(async () => {
  ctx = await H.openPage('', { model: null });   // the page's own default: the zoo's
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

// Opens the picker and clicks the entry named `name`; waits until it is the loaded model.
async function pick(name) {
  const s = await H.openPicker(page);
  const index = s.bundled.indexOf(name);
  assert.ok(index >= 0, `${name} in ${s.bundled}`);
  await clickRect(s.widgets.modelItems[index]);
  await waitForState((n) => window.attnscope.getState().model === n && window.attnscope.getState().traceVersion > 0, name);
  // The widgets' rects are those of the last frame drawn: the new model's layout needs a frame of its own
  // (on a busy machine the load can finish before one is drawn).
  await H.waitFrames(page, 2);
  return state();
}

test('the picker table: zoo models first with their card labels, then the random test models', async () => {
  const s = await state();
  assert.ok(s.picker.length >= 8, JSON.stringify(s.picker));
  assert.deepEqual(s.picker.map((m) => m.name), s.bundled);
  const firstFixture = s.picker.findIndex((m) => !m.zoo);
  assert.ok(firstFixture >= 0);
  assert.ok(s.picker.slice(firstFixture).every((m) => !m.zoo && m.random), 'no zoo model after a fixture');
  assert.deepEqual(s.randomModels, s.picker.filter((m) => !m.zoo).map((m) => m.name));
  const zoo = s.picker.filter((m) => m.zoo);
  for (const m of zoo) assert.ok(m.label.startsWith(m.name) || m.label.includes(':'), m.label);
  assert.equal(s.defaultModel, s.picker[0].name);
  if (zoo.some((m) => m.name === 'coref')) assert.equal(s.defaultModel, 'coref');
  if (!zoo.length) assert.equal(s.defaultModel, 'gpt2-tiny');
});

test('the page opens on the default model: a zoo model on its card example and featured head', async () => {
  const s = await state();
  assert.equal(s.model, s.defaultModel);
  assert.equal(s.error, '');
  if (!s.picker[0].zoo) {
    assert.equal(s.card, null);
    assert.deepEqual(s.widgets.cardPanel, [0, 0, 0, 0]);
    assert.equal(s.text, "The animal didn't cross the street because it was too tired.");
    return;
  }
  assert.ok(s.card, 'the zoo model has a card');
  assert.equal(s.card.error, '');
  assert.equal(s.layer, s.card.featuredLayer);
  assert.equal(s.head, s.card.featuredHead);
  assert.equal(s.headMode, 'one');
  if (s.card.exampleText) assert.equal(s.text, s.card.exampleText);
  const [x, y, w, h] = s.widgets.cardPanel;
  assert.ok(w > 100 && h > 40, `card panel ${s.widgets.cardPanel}`);
  assert.ok(x < s.widgets.mainView[0], 'the card sits in the left panel');
  // The HTML text area carries the example too (what the user sees and edits).
  assert.equal(await page.locator('#text-box').inputValue(), s.text);
  // The coref model's claim, as a student would check it: "it" attends most to "animal" at the featured head.
  if (s.card.task === 'coref' && !s.randomWeights) {
    const it = s.tokens.findIndex((t) => t.trim().toLowerCase() === 'it');
    const animal = s.tokens.findIndex((t) => t.trim().toLowerCase() === 'animal');
    assert.ok(it >= 0 && animal >= 0, s.tokens.join('|'));
    const a = await page.evaluate(([l, hd]) => Array.from(window.attnscope.getAttention(l, hd)), [s.layer, s.head]);
    const row = a.slice(it * s.tokens.length, (it + 1) * s.tokens.length);
    assert.equal(row.indexOf(Math.max(...row)), animal, `row of "it": ${row.map((v) => v.toFixed(2))}`);
    // The inspector is on "it", the card's query word.
    assert.equal(s.card.featuredQuery, 'it');
    assert.equal(s.pinnedQuery, it);
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(H.shotDir, 'zoo-default.png') });
});

test('a test model from the picker loads with no card; the default zoo model comes back on its head', async () => {
  const before = await state();
  let s = await pick('bert-tiny');
  assert.equal(s.error, '');
  assert.equal(s.card, null);
  assert.deepEqual(s.widgets.cardPanel, [0, 0, 0, 0]);
  assert.equal(s.randomWeights, true);
  assert.equal(s.text, before.text, 'a fixture keeps the text on screen');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(H.shotDir, 'zoo-test-model.png') });
  if (!before.picker[0].zoo) return;

  await page.evaluate(() => window.attnscope.select(0, 0));
  await page.evaluate(() => window.attnscope.setText('the cat sat on the mat'));
  s = await pick(before.defaultModel);
  assert.ok(s.card);
  assert.equal(s.layer, s.card.featuredLayer);
  assert.equal(s.head, s.card.featuredHead);
  if (s.card.exampleText) assert.equal(s.text, s.card.exampleText);
});

test('the open picker shows the test models heading (screenshot)', async () => {
  const s = await state();
  await clickRect(s.widgets.modelPicker);
  await waitForState(() => window.attnscope.getState().widgets.modelItems.length > 0);
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(H.shotDir, 'zoo-picker.png') });
  await page.keyboard.press('Escape');
});

test('no console errors', () => {
  assert.deepEqual(ctx.problems, []);
});
