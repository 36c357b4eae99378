// Lessons and predict-then-check exercises in the page (issue 12, items 2 and 3): a student opens the
// Lessons panel on the induction model, starts the first lesson, walks every page by clicking the canvas
// (Start, Type it, Next, head grid tiles, the label buttons), answers one exercise wrong and then right,
// and reads the feedback's numbers and the score; then the same lesson in Chinese. A screenshot of every
// step goes to build/e2e/lessons-*.png (and to $ATTN_SHOTS when set).
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

const contexts = [];
after(async () => { for (const c of contexts) await H.closePage(c); });

async function open(fragment) {
  const ctx = await H.openPage('#' + fragment);
  contexts.push(ctx);
  await ctx.page.evaluate(() => window.attnscope.ready);
  return ctx;
}

const lessons = (p) => p.evaluate(() => window.attnscope.getState().lessons);

async function shot(p, name) {
  const bytes = await p.screenshot({ type: 'png' });
  fs.writeFileSync(path.join(H.shotDir, `lessons-${name}.png`), bytes);
  if (process.env.ATTN_SHOTS) {
    fs.mkdirSync(process.env.ATTN_SHOTS, { recursive: true });
    fs.writeFileSync(path.join(process.env.ATTN_SHOTS, `${name}.png`), bytes);
  }
}

// The lessons state once the panel has drawn the current grade's feedback: an answer is graded in the
// frame of the click, but shownFeedback is what the panel printed, which can be a frame behind (reading
// between the two gave the previous answer's text).
async function feedbackDrawn(p) {
  await p.waitForFunction(() => { const l = window.attnscope.getState().lessons; return l.shownFeedback === l.feedback; },
                          null, { timeout: 5000, polling: 50 });
  return lessons(p);
}

// A widget of the left panel, scrolled into view with the mouse wheel first (the panel scrolls when the
// page's text and feedback are long), then clicked; waits for `done` to hold.
async function clickPanel(p, pick, done, arg) {
  for (let i = 0; i < 40; i++) {
    const s = await lessons(p);
    const r = pick(s.widgets);
    if (r && r[2] > 0 && r[1] + r[3] < 760 && r[1] > 40) {
      await H.clickRect(p, r);
      await p.waitForFunction(done, arg, { timeout: 15000, polling: 50 });
      return feedbackDrawn(p);
    }
    const box = await p.locator('#canvas').boundingBox();
    await p.mouse.move(box.x + 100, box.y + 400);
    await p.mouse.wheel(0, r && r[1] < 40 ? -120 : 120);
    await p.waitForTimeout(100);
  }
  throw new Error('widget never came into view: ' + JSON.stringify(pick((await lessons(p)).widgets)));
}

async function clickTile(p, layer, head, attempted) {
  // Two frames first: after a typed text the new trace's grid lays out again, and a tile rect read in
  // the frame it changed can be stale (under load the click missed and the answer never counted).
  await H.waitFrames(p, 2);
  const s = await p.evaluate(() => window.attnscope.getState());
  assert.equal(s.view, 'grid');
  await H.clickRect(p, s.widgets.gridTiles[layer * s.heads + head]);
  await p.waitForFunction((n) => window.attnscope.getState().lessons.score.attempted === n, attempted,
                          { timeout: 15000, polling: 50 });
  return feedbackDrawn(p);
}

const next = (p, page) => clickPanel(p, (w) => w.next, (n) => window.attnscope.getState().lessons.page === n, page);
const typeIt = (p, text) => clickPanel(p, (w) => w.type, (t) => window.attnscope.getState().text === t, text);

// The whole induction lesson by clicks; `words` are the texts the language shows.
async function walkLesson(p, lang, words) {
  let s = await lessons(p);
  assert.equal(s.open, '');
  assert.equal(s.available.length, 1);
  assert.equal(s.available[0].lesson, 'induction');
  await shot(p, `${lang}-01-panel-closed`);
  s = await clickPanel(p, (w) => w.header, () => window.attnscope.getState().lessons.widgets.start[2] > 0);
  await shot(p, `${lang}-02-panel-open`);
  s = await clickPanel(p, (w) => w.start, () => window.attnscope.getState().lessons.open === 'induction');
  assert.equal(s.page, 0);
  assert.equal(s.pages, 6);
  const card = JSON.parse(fs.readFileSync(path.join(H.root, 'assets/models/induction/card.json'), 'utf8'));
  assert.ok(s.text.includes((card.held_out_accuracy * 100).toFixed(1) + '%'), s.text);   // {accuracy} from the card
  let st = await p.evaluate(() => window.attnscope.getState());
  assert.equal(st.text, s.type);     // Start typed the first page's text
  assert.equal(st.view, 'grid');
  await shot(p, `${lang}-03-page1`);

  // Page 2: the previous-token head. Wrong first (the induction head), then right.
  s = await next(p, 1);
  s = await typeIt(p, s.type);
  assert.equal(s.exercise.kind, 'head');
  await shot(p, `${lang}-04-page2-question`);
  const before = s.score.attempted;
  s = await clickTile(p, 1, 1, before + 1);
  assert.equal(s.right, false);
  assert.equal(s.score.right, 0);
  assert.equal(s.grade.best, 'L0H2');
  assert.equal(s.grade.chosen, 'L1H1');
  assert.ok(s.shownFeedback.startsWith(words.wrong), s.shownFeedback);
  assert.ok(s.shownFeedback.includes('L0H2') && s.shownFeedback.includes(s.grade.bestValue.toFixed(2)), s.shownFeedback);
  assert.ok(s.shownFeedback.includes('L1H1') && s.shownFeedback.includes(s.grade.chosenValue.toFixed(2)), s.shownFeedback);
  assert.ok(s.grade.bestValue > s.grade.chosenValue + 0.1);
  await shot(p, `${lang}-05-page2-wrong`);
  const rightBefore = s.score.right;
  s = await clickTile(p, 0, 2, before + 2);
  assert.equal(s.right, true);
  assert.equal(s.score.right, rightBefore + 1);
  assert.ok(s.shownFeedback.startsWith(words.right), s.shownFeedback);
  assert.ok(s.shownFeedback.includes(s.grade.bestValue.toFixed(2)));
  await shot(p, `${lang}-06-page2-right`);

  // Page 3: the induction head (layer 1 or later).
  s = await next(p, 2);
  s = await typeIt(p, s.type);
  s = await clickTile(p, 1, 1, before + 3);
  assert.equal(s.right, true);
  assert.equal(s.grade.metric, 'induction');
  assert.ok(s.grade.bestValue > 0.8, `induction score ${s.grade.bestValue}`);
  await shot(p, `${lang}-07-page3-induction`);

  // Page 4: name L0H1's pattern with the label buttons (it looks at itself).
  s = await next(p, 3);
  assert.equal(s.exercise.kind, 'label');
  const i = s.exercise.choices.indexOf('self_diagonal');
  s = await clickPanel(p, (w) => w.choices[i], (n) => window.attnscope.getState().lessons.score.attempted === n, before + 4);
  assert.equal(s.right, true);
  assert.equal(s.grade.best, 'self_diagonal');
  assert.ok(s.shownFeedback.includes(words.selfLabel), s.shownFeedback);
  await shot(p, `${lang}-08-page4-label`);

  // Page 5: ablate the head you found. One induction head is not enough to break the copy (wrong: the
  // probability hardly moves); the layer-0 head the model cannot lose is (right: it falls).
  s = await next(p, 4);
  s = await typeIt(p, s.type);
  s = await clickTile(p, 1, 1, before + 5);
  assert.equal(s.right, false);
  assert.equal(s.grade.metric, 'ablation');
  assert.equal(s.grade.best, 'L0H1');
  assert.ok(s.grade.probAfterChosen > s.grade.probBefore - 0.1, `${s.grade.probBefore} -> ${s.grade.probAfterChosen}`);
  await shot(p, `${lang}-09-page5-ablation-wrong`);
  s = await clickTile(p, 0, 1, before + 6);
  assert.equal(s.right, true);
  assert.ok(s.grade.probBefore > 0.5 && s.grade.probAfterChosen < s.grade.probBefore - 0.3,
            `${s.grade.probBefore} -> ${s.grade.probAfterChosen}`);
  assert.ok(s.shownFeedback.includes(s.grade.probBefore.toFixed(2)) && s.shownFeedback.includes(s.grade.probAfterChosen.toFixed(2)));
  await shot(p, `${lang}-10-page5-ablation-right`);

  // Page 6: which heads do the same job (the similarity view), answered with the panel's head buttons:
  // a layer-0 head is wrong (it attends another way), another induction head right.
  s = await next(p, 5);
  st = await p.evaluate(() => window.attnscope.getState());
  assert.equal(st.view, 'similarity');
  assert.deepEqual(s.score, { right: before + 4, attempted: before + 6 });
  await shot(p, `${lang}-11-page6-similarity`);
  const heads = st.heads;
  s = await clickPanel(p, (w) => w.heads[0 * heads + 2], (n) => window.attnscope.getState().lessons.score.attempted === n, before + 7);
  assert.equal(s.right, false);
  assert.equal(s.grade.metric, 'similarity');
  assert.ok(s.grade.best.startsWith('L1'), s.grade.best);
  assert.ok(s.shownFeedback.includes(s.grade.chosenValue.toFixed(2)) && s.shownFeedback.includes('L1H1'), s.shownFeedback);
  await shot(p, `${lang}-12-page6-similarity-wrong`);
  s = await clickPanel(p, (w) => w.heads[1 * heads + 0], (n) => window.attnscope.getState().lessons.score.attempted === n, before + 8);
  assert.equal(s.right, true);
  assert.deepEqual(s.score, { right: before + 5, attempted: before + 8 });
  await shot(p, `${lang}-13-page6-similarity-right`);
  // The link keeps the lesson and its page.
  assert.match(await p.evaluate(() => window.attnscope.urlState()), /lesson=induction&lpage=5/);
  return s;
}

test('the first lesson in English, by clicks: a wrong and a right answer, the numbers and the score', async () => {
  const { page } = await open('model=induction');
  await H.waitForState(page, () => window.attnscope.getState().model === 'induction');
  await walkLesson(page, 'en', { right: 'Right!', wrong: 'Not quite.', selfLabel: 'self / diagonal' });
});

test('the same lesson in Chinese, by clicks', async () => {
  const { page, problems } = await open('model=induction&lang=zh');
  await H.waitForState(page, () => window.attnscope.getState().model === 'induction' && window.attnscope.getState().lang === 'zh');
  let s = await lessons(page);
  assert.match(s.available[0].title, /归纳头/);
  // The lesson's Chinese text needs the CJK font: the page fetches it.
  await H.waitForState(page, () => window.attnscope.getState().cjkFont === 'loaded');
  s = await walkLesson(page, 'zh', { right: '答对了！', wrong: '不太对。', selfLabel: '自身 / 对角线' });
  assert.match(s.text, /相似度视图/);
  // The page API answers too: a wrong answer to page 2 through lessonAnswer, counted.
  s = await page.evaluate(() => window.attnscope.lessonGoto('induction', 1));
  s = await page.evaluate(() => window.attnscope.lessonAnswer('L0H3'));
  assert.equal(s.right, false);
  assert.equal(s.score.attempted, 9);
  await assert.rejects(page.evaluate(() => window.attnscope.lessonAnswer('giraffe')), /none of the choices/);
  assert.deepEqual(problems, []);
});
