// Lesson mode in the page (issue 12, item 1): a link opens the lesson view on one head; Next, clicked on
// the canvas, walks every step; the softmax step prints the head's own weights (getAttention) of the
// query row and a row sum of 1.00; the step travels in the link; Llama adds the RoPE and shared K/V
// steps. A screenshot of every step goes to build/e2e/lesson-*.png.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

const TEXT = 'The cat sat on the mat because it was tired';
let ctx, page;
const state = (p) => p.evaluate(() => window.attnscope.getState());

before(async () => {
  ctx = await H.openPage('#model=gpt2-tiny&view=lesson&layer=1&head=2&text=' + encodeURIComponent(TEXT));
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
});

after(async () => {
  await H.closePage(ctx);
});

async function openLink(fragment) {
  const tab = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await tab.goto(ctx.baseUrl + '#' + fragment);
  await tab.evaluate(() => window.attnscope.ready);
  return tab;
}

// Clicks Next (or Previous) on the canvas and waits for the step index to follow.
async function clickStep(p, s, which, want) {
  await H.clickRect(p, s.lesson.widgets[which]);
  await p.waitForFunction((i) => window.attnscope.getState().lesson.index === i, want, { timeout: 10000, polling: 50 });
  return state(p);
}

test('Next walks every step of a gpt2-tiny head, with the head\'s own numbers', async () => {
  let s = await H.waitForState(page, () => {
    const st = window.attnscope.getState();
    return st.lesson.computed && st.lesson.widgets.next[2] > 0;
  });
  assert.equal(s.view, 'lesson');
  assert.deepEqual([s.lesson.layer, s.lesson.head], [1, 2]);
  assert.deepEqual(s.lesson.steps, ['input', 'qkv', 'scores', 'scale', 'mask', 'softmax', 'context', 'entropy']);
  assert.equal(s.lesson.index, 0);
  const { rows: T, data: attention } = await page.evaluate(() => {
    const a = window.attnscope.getAttention(1, 2);
    return { rows: a.rows, data: Array.from(a) };
  });
  assert.ok(T > 5);
  for (let i = 0; i < s.lesson.steps.length; i++) {
    const step = s.lesson.steps[i];
    assert.equal(s.lesson.step, step);
    if (step === 'softmax') {
      assert.equal(s.lesson.rowSum, '1.00');
      assert.ok(s.lesson.numbers.length > 0);
      s.lesson.numbers.forEach((n, j) => assert.equal(n, attention[(T - 1) * T + j].toFixed(2), `key ${j}`));
    } else {
      assert.equal(s.lesson.rowSum, '');
    }
    if (step === 'scale') assert.ok(Math.abs(s.lesson.scale - 1 / Math.sqrt(s.lesson.dHead)) < 1e-6, `scale ${s.lesson.scale}`);
    const stats = await H.canvasStats(page);
    assert.ok(stats.variance > 100, `step ${step} draws something`);
    fs.writeFileSync(path.join(H.shotDir, `lesson-gpt2-${String(i + 1).padStart(2, '0')}-${step}.png`),
                     await page.screenshot({ type: 'png' }));
    if (i + 1 < s.lesson.steps.length) s = await clickStep(page, s, 'next', i + 1);
  }
  assert.equal(s.lesson.step, 'entropy');
  assert.equal(s.lesson.numbers.length, 2);   // the query row's bits and the most possible
  // Previous goes back one step; the link keeps the step.
  s = await clickStep(page, s, 'prev', s.lesson.steps.length - 2);
  assert.equal(s.lesson.step, 'context');
  const link = await page.evaluate(() => window.attnscope.urlState());
  assert.match(link, /[#&]?lstep=context(&|$)/);
  const tab = await openLink(link);
  const t = await H.waitForState(tab, () => window.attnscope.getState().lesson.computed);
  assert.equal(t.view, 'lesson');
  assert.equal(t.lesson.step, 'context');
  assert.deepEqual([t.layer, t.head], [1, 2]);
  await tab.close();
  assert.deepEqual(ctx.problems, []);
});

test('llama-tiny shows the RoPE and shared key/value steps', async () => {
  const tab = await openLink('model=llama-tiny&view=lesson&layer=0&head=1&lstep=qkv&text=' + encodeURIComponent(TEXT));
  let s = await H.waitForState(tab, () => {
    const st = window.attnscope.getState();
    return st.model === 'llama-tiny' && st.lesson.computed && st.lesson.widgets.next[2] > 0;
  });
  assert.deepEqual(s.lesson.steps.slice(0, 4), ['input', 'qkv', 'rope', 'gqa']);
  assert.equal(s.lesson.step, 'qkv');
  s = await clickStep(tab, s, 'next', 2);
  assert.equal(s.lesson.step, 'rope');
  s = await clickStep(tab, s, 'next', 3);
  assert.equal(s.lesson.step, 'gqa');
  fs.writeFileSync(path.join(H.shotDir, 'lesson-llama-gqa.png'), await tab.screenshot({ type: 'png' }));
  await tab.close();
});
