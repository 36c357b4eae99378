// The page's relaxed-SIMD twins (issue 13): where the browser validates relaxed SIMD (Chromium does), the
// page starts attnscope_wasm_relaxed, or attnscope_wasm_mt_relaxed when cross-origin isolated, whose GEMM
// and attention kernels fuse their multiply-adds; `?relaxed=0` keeps the SIMD128 build. Every one must
// match transformers' attentions for the fixtures, as the unit tests do natively and under node.
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

const pages = [];
after(async () => { for (const ctx of pages) await H.closePage(ctx); });

// The page's attentions for each model's first reference text against reference.safetensors' case0
// ([layers, heads, T, T]): {build, kernels, maxDiff per model}.
async function compareWithReferences(query, isolated, models) {
  const ctx = await H.openPage(query, { model: models[0], isolated });
  pages.push(ctx);
  const { page } = ctx;
  assert.equal((await page.evaluate(() => window.attnscope.ready)).error, '');
  const out = { maxDiff: {} };
  for (const model of models) {
    const dir = path.join(H.fixtures, model);
    const text = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')).texts[0];
    const ref = H.readSafetensors(fs.readFileSync(path.join(dir, 'reference.safetensors')));
    // Over the weights as the app packs them after a load, in place (model/weight_pack.h): every layer
    // matrix, GPT-2's in_out (qkv, out, fc1, fc2) and Llama's out_in (q, k, v, o, gate, up, down).
    const { state, heads } = await H.traceAllHeads(page, text, { model, packed: true });
    assert.equal(state.model, model);
    assert.equal(state.weightsPacked, true);
    const layerMatrices = (model.startsWith('gpt2') ? 4 : 7) * state.layers;
    assert.equal(state.weightsPackedInPlace, layerMatrices, `${model}: layer matrices packed in place`);
    assert.deepEqual(state.ids, Array.from(ref['case0.input_ids'].data, Number), `${model}: the reference's tokens`);
    const [L, Hn, T] = ref['case0.attentions'].shape;
    assert.equal(heads.length, L * Hn, `${model}: every head`);
    let maxDiff = 0;
    for (let i = 0; i < heads.length; i++) {
      assert.equal(heads[i].length, T * T);
      const expected = ref['case0.attentions'].data.subarray(i * T * T, (i + 1) * T * T);
      for (let j = 0; j < T * T; j++) maxDiff = Math.max(maxDiff, Math.abs(heads[i][j] - expected[j]));
    }
    out.maxDiff[model] = maxDiff;
    out.build = state.build;
    out.kernels = state.kernels;
  }
  assert.deepEqual(ctx.problems, []);
  return out;
}

test('the page runs the relaxed-SIMD build where the browser has it, and it matches the references', async () => {
  const relaxed = await compareWithReferences('', false, ['gpt2-tiny', 'llama-tiny']);
  assert.equal(relaxed.build, 'single');
  assert.equal(relaxed.kernels, 'wasm_relaxed_simd', 'Chromium validates f32x4.relaxed_madd, so the page takes that build');
  for (const [model, diff] of Object.entries(relaxed.maxDiff)) assert.ok(diff < 2e-5, `${model}: max |attention - reference| ${diff}`);
});

test('?relaxed=0 keeps the SIMD128 build, which matches the references too', async () => {
  const plain = await compareWithReferences('?relaxed=0', false, ['gpt2-tiny']);
  assert.equal(plain.build, 'single');
  assert.equal(plain.kernels, 'wasm_simd128');
  assert.ok(plain.maxDiff['gpt2-tiny'] < 2e-5, `max |attention - reference| ${plain.maxDiff['gpt2-tiny']}`);
});

test('the cross-origin isolated page runs the threaded relaxed-SIMD build', async () => {
  const threaded = await compareWithReferences('', true, ['gpt2-tiny']);
  assert.equal(threaded.build, 'threads');
  assert.equal(threaded.kernels, 'wasm_relaxed_simd');
  assert.ok(threaded.maxDiff['gpt2-tiny'] < 2e-5, `max |attention - reference| ${threaded.maxDiff['gpt2-tiny']}`);
});
