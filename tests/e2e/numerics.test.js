// Numerics that never poison a view (issue 14 item 4), in the page: a gpt2-tiny whose layer-1 query
// weights hold one NaN loads with a warning naming the tensor, traces with one naming where NaN first
// appears, its NaN head has no pattern (heads(): label null, bad_values), and the grid draws that head
// in the bad colour with the colorbar's "NaN / inf" swatch; the clean model shows no bad colour at all.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./helpers');

let ctx, page;

before(async () => {
  ctx = await H.openReadyPage();
  page = ctx.page;
});

after(async () => { await H.closePage(ctx); });

// gpt2-tiny's files, with element 5 of `tensor` (F32) set to NaN when a tensor is named.
function gpt2Files(tensor) {
  const files = {};
  for (const n of ['config.json', 'model.safetensors', 'tokenizer.json'])
    files[n] = fs.readFileSync(path.join(H.fixtures, 'gpt2-tiny', n));
  if (tensor) {
    const raw = Buffer.from(files['model.safetensors']);
    const n = Number(raw.readBigUInt64LE(0));
    const info = JSON.parse(raw.subarray(8, 8 + n).toString('utf8'))[tensor];
    raw.writeFloatLE(NaN, 8 + n + info.data_offsets[0] + 4 * 5);
    files['model.safetensors'] = raw;
  }
  return files;
}

async function load(label, files) { return H.loadModelBytes(page, label, files); }

// Pixels of exactly the bad colour (255, 0, 255) on the canvas as shown.
async function badPixels() { return (await H.canvasStats(page)).badColour; }

test('a NaN weight: warnings at load and trace, its head has no pattern, the grid shows the bad colour and says what it means', async () => {
  const tensor = 'transformer.h.1.attn.c_attn.weight';
  const r = await load('gpt2-nan', gpt2Files(tensor));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.ok(r.error.includes(`(first: '${tensor}'`), r.error);
  const s = await page.evaluate(() => window.attnscope.setText('The cat sat on the mat'));
  assert.ok(s.error.includes("layer 1's attention weights"), s.error);

  const heads = await page.evaluate(() => window.attnscope.heads({ perQuery: false }));
  const bad = heads.heads.filter((h) => h.bad_values);
  assert.ok(bad.length >= 1, JSON.stringify(heads.heads.map((h) => h.label)));
  for (const h of bad) {
    assert.equal(h.layer, 1);
    assert.equal(h.label, null);
    assert.equal(h.confidence, 0);
  }
  for (const h of heads.heads.filter((h) => h.layer === 0)) assert.equal(typeof h.label, 'string');

  // The logits are NaN too: the next-token bars are drawn whole in the bad colour, reading "NaN".
  await page.evaluate(() => window.attnscope.setView('grid'));
  await page.waitForTimeout(300);
  const poisoned = await badPixels();
  fs.writeFileSync(path.join(H.shotDir, 'numerics-nan-grid.png'), await page.locator('#canvas').screenshot({ type: 'png' }));
  // A whole tile of cells (tens of thousands of pixels) plus the swatch and the badge.
  assert.ok(poisoned > 2000, `${poisoned} bad-colour pixels`);

  const clean = await load('gpt2-tiny', gpt2Files(null));
  assert.equal(clean.ok, true);
  assert.equal(clean.error, '');
  const t = await page.evaluate(() => window.attnscope.setText('The cat sat on the mat'));
  assert.equal(t.error, '');
  assert.equal(await badPixels(), 0, 'a clean trace shows no bad colour');
  assert.deepEqual(ctx.problems, []);
});
