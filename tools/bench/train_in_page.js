#!/usr/bin/env node
// The classroom acceptance of the Train panel, too long for tools/test: trains a task (induction by
// default) from scratch in headless Chromium, as fast as the panel's "flat out" speed goes, until its
// held-out accuracy reaches the target or the page-time limit runs out; saves screenshots of the page at
// the start, the middle (the first held-out accuracy >= 50%, or half the time) and the end, with the
// best induction head selected in the head grid; prints step, accuracy and time as it goes.
//
//   tools/bench/train_in_page.js [--task induction] [--minutes 10] [--target 0.9] [--out DIR]
//
// Needs the page built (cmake --build build/wasm-release --target attnscope_wasm) and playwright-core
// (tools/setup). Exit status 0 when the target was reached within the limit.
'use strict';
process.env.NODE_PATH = process.env.NODE_PATH || '/usr/share/nodejs';
const path = require('node:path');
const fs = require('node:fs');
const H = require(path.join(__dirname, '../../tests/e2e/helpers'));

function option(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const task = option('task', 'induction');
const minutes = Number(option('minutes', '10'));
const target = Number(option('target', '0.9'));
const outDir = path.resolve(option('out', path.join(H.root, 'build/bench-train')));

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const ctx = await H.openPage('', { model: null });   // the page as a student opens it
  const { page } = ctx;
  const state = () => page.evaluate(() => window.attnscope.getState());
  const line = (s, seconds) => {
    const t = s.train;
    const acc = t.accuracy >= 0 ? (100 * t.accuracy).toFixed(1) + '%' : '-';
    const ind = t.inductionScore >= 0 ? ` best induction score ${t.inductionScore.toFixed(2)} (L${t.inductionLayer} H${t.inductionHead})` : '';
    return `${task}: ${seconds.toFixed(0)} s, step ${t.step}/${t.totalSteps}, loss ${t.loss.toFixed(3)}, held-out ${acc}, ` +
           `${t.stepsPerSecond.toFixed(1)} steps/s${ind}`;
  };
  // The best induction head outlined in the grid, then the picture.
  const shot = async (name, s) => {
    if (s.train.inductionLayer >= 0) await page.evaluate(([l, h]) => window.attnscope.select(l, h), [s.train.inductionLayer, s.train.inductionHead]);
    const file = path.join(outDir, name);
    await page.screenshot({ path: file });
    console.log(`saved ${file}`);
  };
  try {
    await page.evaluate(() => window.attnscope.ready);
    const opened = await state();
    console.log(`page opened on ${opened.model}; training ${task} for at most ${minutes} min, target ${100 * target}%`);
    await page.evaluate((t) => window.attnscope.trainStart(t, { speed: 'flat out' }), task);
    const start = Date.now();
    const elapsed = () => (Date.now() - start) / 1000;
    let s = await H.waitForState(page, () => window.attnscope.getState().train.shownStep >= 1);
    await shot('train-start.png', s);
    let middle = false, reached = false, lastPrint = 0;
    while (elapsed() < minutes * 60) {
      await new Promise((r) => setTimeout(r, 2000));
      s = await state();
      if (elapsed() - lastPrint >= 15) {
        console.log(line(s, elapsed()));
        lastPrint = elapsed();
      }
      if (!middle && (s.train.accuracy >= 0.5 || elapsed() >= minutes * 30)) {
        console.log(line(s, elapsed()));
        await shot('train-middle.png', s);
        middle = true;
      }
      if (s.train.accuracy >= target) { reached = true; break; }
      if (s.train.finished) break;
    }
    s = await page.evaluate(() => window.attnscope.trainPause());
    s = await H.waitForState(page, (n) => window.attnscope.getState().train.shownStep === n, s.train.step);
    if (!middle) await shot('train-middle.png', s);
    await shot('train-end.png', s);
    console.log(line(s, elapsed()));
    console.log(`${reached ? 'PASS' : 'FAIL'}: ${task} held-out accuracy ${(100 * Math.max(0, s.train.accuracy)).toFixed(1)}% ` +
                `at step ${s.train.step} after ${elapsed().toFixed(0)} s of page time (target >= ${100 * target}% within ${minutes} min)`);
    if (ctx.problems.length) console.log('page problems: ' + ctx.problems.join('; '));
    process.exitCode = reached ? 0 : 1;
  } finally {
    await H.closePage(ctx);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
