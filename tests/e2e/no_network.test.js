// Nothing leaves the machine (issue 14): the page's Content-Security-Policy limits connections to its own
// origin (and a fetch elsewhere is refused), and a session that uses every feature (loading a bundled
// model, a path and files from disk, every view, every export, the analyses, interventions, a lesson,
// training, Save as page, Chinese text that brings the CJK font) makes no request to another origin.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;
const requests = [];
before(async () => {
  ctx = await H.openPage('', { model: 'gpt2-tiny' });
  page = ctx.page;
  page.on('request', (r) => requests.push(r.url()));
  await page.reload();   // so the start-up requests are recorded too
  await page.evaluate(() => window.attnscope.ready);
});
after(async () => { await H.closePage(ctx); });

const frames = (n) => page.evaluate((k) => new Promise((resolve) => {
  const step = () => (k-- > 0 ? requestAnimationFrame(step) : resolve());
  step();
}), n);

test('the page forbids connections to other origins', async () => {
  const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  const outcome = await page.evaluate(async () => {
    let violated = '';
    document.addEventListener('securitypolicyviolation', (e) => { violated = e.violatedDirective; }, { once: true });
    const result = await fetch('http://127.0.0.2:9/probe').then(() => 'sent', () => 'refused');
    await new Promise((r) => setTimeout(r, 50));
    return { result, violated };
  });
  assert.deepEqual(outcome, { result: 'refused', violated: 'connect-src' });
  // The browser's own report of the refusal is the only problem this test may leave.
  assert.ok(ctx.problems.length > 0 && ctx.problems.every((p) => p.includes('127.0.0.2:9/probe')), ctx.problems.join('\n'));
  ctx.problems.length = 0;
});

test('every feature, and not one request leaves the page\'s origin', async () => {
  const api = (fn, arg) => page.evaluate(fn, arg);
  const origin = new URL(ctx.baseUrl).origin;

  // Loading: bundled models (an encoder, an encoder-decoder), a same-origin path, files from disk.
  for (const name of ['bert-tiny', 'bart-tiny', 'induction']) {
    const r = await api((n) => window.attnscope.loadBundled(n), name);
    assert.equal(r.ok, true, `${name}: ${r.error}`);
  }
  await api(() => { window.attnscope.lessonGoto('induction', 1); window.attnscope.lessonClose(); });
  assert.equal((await api(() => window.attnscope.loadFromPath('models/llama-tiny'))).ok, true);
  await page.setInputFiles('#open-model', ['config.json', 'tokenizer.json', 'model.safetensors']
    .map((f) => path.join(H.fixtures, 'gpt2-tiny', f)));
  await H.waitForState(page, () => window.attnscope.getState().model !== 'llama-tiny');
  await api(() => window.attnscope.setText('The animal did not cross the street because it was tired'));

  // Every view, drawn for a few frames; every export the page offers.
  const state = await api(() => window.attnscope.getState());
  assert.ok(state.views.length >= 10, `views: ${state.views}`);
  for (const view of state.views) {
    await api((v) => window.attnscope.setView(v), view);
    await frames(3);
  }
  await api(() => window.attnscope.setView('heatmap'));
  const kinds = await api(() => window.attnscope.exportKinds());
  assert.ok(kinds.length >= 4, `export kinds: ${kinds}`);
  const exported = await api((ks) => ks.map((k) => {
    try { return [k, window.attnscope.exportFile(k).bytes.length]; } catch (e) { return [k, e.message]; }
  }), kinds);
  assert.ok(exported.filter(([, n]) => typeof n === 'number' && n > 0).length >= 4, JSON.stringify(exported));

  // The analyses, interventions, training, Save as page, the CJK font.
  await api(() => window.attnscope.analyze({ igSteps: 4 }));
  await api(() => window.attnscope.heads());
  await api(() => window.attnscope.probe('coreference'));
  await api(() => window.attnscope.explain({ igSteps: 4 }));
  await api(() => window.attnscope.intervene({ ablate: [{ layer: 0, head: 0, mode: 'zero' }] }));
  await api(() => window.attnscope.clearInterventions());
  await api(() => window.attnscope.trainStart('agreement', { steps: 4, speed: 'fast' }));
  await H.waitForState(page, () => !window.attnscope.getState().train.running, undefined, 60000);
  await api(() => window.attnscope.trainReset());
  const saved = await api(() => window.attnscope.savePage().then((p) => p.size));
  assert.ok(saved > 100000);
  await api(() => window.attnscope.setText('注意力是什么'));
  await H.waitForState(page, () => window.attnscope.hasGlyphs('注意力'), undefined, 20000);
  await api(() => window.attnscope.copyLink());
  await frames(5);

  const foreign = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  assert.ok(requests.length > 20, `the session made ${requests.length} requests (model files, fonts...)`);
  assert.ok(requests.some((u) => u.endsWith('/fonts/cjk.ttc')), 'the CJK font came from the page itself');
  assert.deepEqual(foreign, [], 'requests to other origins');
  assert.deepEqual(ctx.problems, []);
});
