// Issue 12's acceptance run for the Train panel, too long for the test suite (minutes of page time):
// trains the induction model from scratch in headless Chromium at the page's default "flat out" speed
// and reports, every 15 s of page time, the step, held-out accuracy and the best induction score of a
// layer-1 head, with screenshots of the head grid at the start, the middle and the end.
//   node tests/e2e/train_acceptance.js [--minutes 10] [--seed 1] [--out DIR]
// Exits 0 when held-out accuracy reached 90% and a head labelled induction formed within the time.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const H = require('./helpers');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const minutes = Number(arg('--minutes', 10));
const seed = Number(arg('--seed', 1));
const out = arg('--out', path.join(H.shotDir, 'train-acceptance'));

(async () => {
  fs.mkdirSync(out, { recursive: true });
  const ctx = await H.openPage();
  const { page } = ctx;
  await page.evaluate(() => window.attnscope.ready);
  const shot = (name) => page.screenshot({ path: path.join(out, name + '.png') });
  const started = Date.now();
  let s = await page.evaluate((sd) => window.attnscope.trainStart('induction', { seed: sd, speed: 'flat out' }), seed);
  await page.waitForTimeout(2000);
  await shot('01-start');
  const rows = [];
  let reached = null, middleShot = false;
  while ((Date.now() - started) / 60000 < minutes) {
    await page.waitForTimeout(15000);
    s = await page.evaluate(() => window.attnscope.getState());
    const t = s.train;
    const row = { seconds: Math.round((Date.now() - started) / 1000), step: t.step, loss: t.loss, accuracy: t.accuracy,
                  induction: t.inductionScore, head: `L${t.inductionLayer}H${t.inductionHead}` };
    rows.push(row);
    console.log(JSON.stringify(row));
    if (!middleShot && t.step >= t.totalSteps / 2) {
      middleShot = true;
      await shot('02-middle');
    }
    if (reached === null && t.accuracy >= 0.9) reached = row;
    if (t.finished) break;
  }
  await page.evaluate(() => window.attnscope.trainPause && window.attnscope.getState().train.running && window.attnscope.trainPause());
  await page.evaluate(() => window.attnscope.trainShow());
  await page.waitForTimeout(1500);
  await shot('03-end');
  const heads = await page.evaluate(() => window.attnscope.heads({ perQuery: false }));
  const inductionHeads = heads.heads.filter((h) => h.label === 'induction').map((h) => `L${h.layer}H${h.head}`);
  const last = rows[rows.length - 1] || {};
  console.log(`# ${last.step} steps in ${last.seconds} s of page time; held-out accuracy ${last.accuracy}; ` +
              `90% first at ${reached ? reached.seconds + ' s (step ' + reached.step + ')' : 'never'}; ` +
              `heads labelled induction on the example text: ${inductionHeads.join(', ') || 'none'}`);
  fs.writeFileSync(path.join(out, 'progress.json'), JSON.stringify({ seed, rows, reached, inductionHeads }, null, 1));
  await H.closePage(ctx);
  process.exit(reached && last.induction >= 0.5 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
