// The page's two builds (issue 13): served with the cross-origin isolation headers tools/serve.py sends,
// the page starts the threaded build (attnscope_wasm_mt); served plainly, the single-threaded one. Kernels
// split only over outputs, so both must give the same trace bit for bit. The split threshold is lowered
// to one multiply-add so the tiny fixture really goes through the threaded paths.
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const H = require('./helpers');

const TEXT = 'When Mary and John went to the store, John gave a drink to';
const pages = [];
after(async () => { for (const ctx of pages) await H.closePage(ctx); });

// Every head's attention and the next-token predictions after tracing TEXT with every kernel split.
async function traceEverything(isolated) {
  const ctx = await H.openPage('', { model: 'gpt2-tiny', isolated });
  pages.push(ctx);
  const { page } = ctx;
  const ready = await page.evaluate(() => window.attnscope.ready);
  assert.equal(ready.error, '');
  const isolation = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  const result = await H.traceAllHeads(page, TEXT, { minWork: 1 });
  assert.deepEqual(ctx.problems, []);
  return { ...result, ...isolation };
}

test('plain and cross-origin isolated pages run the single and the threaded build, with identical traces', async () => {
  const single = await traceEverything(false);
  assert.equal(single.isolated, false);
  assert.equal(single.state.build, 'single');
  assert.equal(single.state.threads, 1);

  const threaded = await traceEverything(true);
  assert.equal(threaded.isolated, true, 'the isolation headers make the page cross-origin isolated');
  assert.equal(threaded.state.build, 'threads');
  assert.equal(threaded.state.threads, Math.max(2, Math.min(threaded.cores, 8)), 'one thread per logical core, up to 8 (at least one worker)');

  assert.ok(single.state.tokens.length > 10);
  assert.deepEqual(threaded.state.tokens, single.state.tokens);
  assert.equal(threaded.heads.length, single.heads.length);
  for (let i = 0; i < single.heads.length; i++) {
    assert.ok(single.heads[i].length > 0);
    assert.deepEqual(threaded.heads[i], single.heads[i], `head ${i}: the threaded build's attention differs`);
  }
  assert.deepEqual(threaded.state.nextPredictions, single.state.nextPredictions);
});
