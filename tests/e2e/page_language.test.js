// The page's own HTML and JS texts (drop hint, text boxes' placeholders and labels, loading and error
// messages, page API errors) follow the app's language: switched at run time through the link's lang=,
// each one equals its entry in assets/strings/page.<lang>.json, and switching back restores English.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

const table = (lang) => JSON.parse(fs.readFileSync(path.join(H.root, 'assets', 'strings', `page.${lang}.json`), 'utf8'));
let ctx, page;

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

// Every element's translated text and attributes, by the keys it names.
const pageTexts = () => page.evaluate(() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-i18n]')) out.push({ key: e.dataset.i18n, value: e.textContent, where: e.id + ' text' });
  for (const [data, attribute] of [['data-i18n-placeholder', 'placeholder'], ['data-i18n-aria-label', 'aria-label'],
                                   ['data-i18n-title', 'title']])
    for (const e of document.querySelectorAll('[' + data + ']'))
      out.push({ key: e.getAttribute(data), value: e.getAttribute(attribute), where: e.id + ' ' + attribute });
  return { lang: document.documentElement.lang, texts: out };
});

const frames = (n) => page.evaluate((k) => new Promise((done) => {
  const next = () => (k-- <= 0 ? done() : requestAnimationFrame(next));
  next();
}), n);

async function switchTo(lang) {
  await page.evaluate((l) => window.attnscope.applyUrlState('lang=' + l), lang);
  await H.waitForState(page, (l) => window.attnscope.getState().lang === l, lang);
  await frames(3);
}

test('switching the language changes every HTML text of the page to its table entry, and back', async () => {
  const en = table('en'), zh = table('zh');
  let p = await pageTexts();
  assert.equal(p.lang, 'en');
  assert.ok(p.texts.length >= 6, `the page names ${p.texts.length} keys`);
  for (const t of p.texts) assert.equal(t.value, en[t.key], `${t.where} in English`);

  await switchTo('zh');
  p = await pageTexts();
  assert.equal(p.lang, 'zh-CN');
  for (const t of p.texts) {
    assert.equal(t.value, zh[t.key], `${t.where} in Chinese`);
    assert.notEqual(t.value, en[t.key], `${t.where} changed`);
    assert.match(t.value, /[\u4e00-\u9fff]/, `${t.where} shows Chinese`);
  }
  // A screen reader reads the canvas's name in Chinese too.
  assert.equal(await page.getAttribute('#canvas', 'aria-label'), zh['page.canvas_label']);

  await switchTo('en');
  p = await pageTexts();
  assert.equal(p.lang, 'en');
  for (const t of p.texts) assert.equal(t.value, en[t.key], `${t.where} back in English`);
  assert.deepEqual(ctx.problems, []);
});

test("the page's load errors and API errors speak the language; the loaded model stays", async () => {
  const zh = table('zh'), en = table('en');
  await switchTo('zh');
  const before = (await page.evaluate(() => window.attnscope.getState())).model;
  const result = await page.evaluate(() => window.attnscope.loadBundled('no-such-model'));
  assert.equal(result.ok, false);
  const expected = zh['page.cannot_load'].replace('{model}', 'no-such-model').replace('{reason}', zh['page.not_bundled']);
  assert.equal(result.error, expected);
  let s = await page.evaluate(() => window.attnscope.getState());
  assert.equal(s.model, before, 'the model loaded before stays');
  const apiError = await page.evaluate(() => {
    try { window.attnscope.select(0, 0, 'sideways'); } catch (e) { return e.message; }
    return '';
  });
  assert.equal(apiError, zh['page.api_kind']);
  const openNothing = await page.evaluate(() => window.attnscope.openFiles([new File(['x'], 'notes.md')], 'stuff'));
  assert.equal(openNothing.error, zh['page.no_model_files'].replace('{model}', 'stuff'));

  await switchTo('en');
  const enResult = await page.evaluate(() => window.attnscope.loadBundled('no-such-model'));
  assert.equal(enResult.error, en['page.cannot_load'].replace('{model}', 'no-such-model').replace('{reason}', en['page.not_bundled']));
  s = await page.evaluate(() => window.attnscope.getState());
  assert.equal(s.model, before);
  assert.deepEqual(ctx.problems, []);
});
