// The bad-TEXT rows of the hostile-input catalog (issue 14) in the page: lone surrogates and invalid
// UTF-16 from JavaScript, U+202E and other bidi controls, NUL/ESC/CR/ZWJ/BOM, emoji ZWJ sequences and
// flags, hundreds of combining marks and 100,000 characters, through setText and through the text area
// as a user's paste would arrive. The page keeps running: no error (or a clear one), tokens produced,
// labels with no raw control/invisible/bidi character, the long text cut to the context with the notice,
// no console error. Needs the wasm build (build/wasm-release/web).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const H = require('./helpers');

let ctx, page;

// What a label must never hold raw: controls, zero-width and bidi controls, BOM, separators, tag characters.
const HAZARD = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF]|\uDB40[\uDC00-\uDC7F]/;

const TEXTS = {
  loneHigh: 'before \uD800 after',
  loneLow: '\uDC00 at the start and the end \uDBFF',
  reversedPair: 'pair \uDC00\uD800 backwards',
  rlo: 'photo\u202Egpj.exe and \u2066isolate\u2069 \u05E9\u05DC\u05D5\u05DD \u0633\u0644\u0627\u0645 \u202B\u202A\u202C\u200F',
  controls: 'a\u0000b\u001B[31mred\u001B[0m\r\nline\rover\u007F',
  zeroWidth: '\uFEFFzero\u200Bwidth\u200Cnon\u200Djoin\u2060wj\uFEFFbom',
  emoji: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466} \u{1F1EB}\u{1F1F7}\u{1F1EF}\u{1F1F5} \u{1F44D}\u{1F3FD} \u2764\uFE0F ' +
         '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
  combining: 'a' + '\u0301'.repeat(500) + ' word',
  oneLongWord: 'a'.repeat(100000),
};

// Sets the text, waits for its trace to settle, returns the state.
async function traced(text) {
  await page.evaluate((t) => window.attnscope.setText(t), text);
  return H.waitForState(page, () => {
    const s = window.attnscope.getState();
    return s.tracing === null && (s.tokens.length > 0 || s.error !== '');
  }, null, 30000);
}

function checkRunning(name, s, expectText) {
  assert.equal(s.error, '', `${name}: ${s.error}`);
  assert.ok(s.tokens.length > 0, `${name}: no tokens`);
  assert.equal(s.text, expectText, `${name}: the app's text`);
  for (const label of s.tokens) assert.ok(!HAZARD.test(label), `${name}: raw hazard in label ${JSON.stringify(label)}`);
}

before(async () => {
  ctx = await H.openReadyPage();
  page = ctx.page;
});

after(async () => {
  await H.closePage(ctx);
});

test('every hostile text through setText: traced, labels escaped, lone surrogates become U+FFFD', async () => {
  for (const [name, text] of Object.entries(TEXTS)) {
    const s = await traced(text);
    // TextEncoder (the page's one way into WASM) writes each lone surrogate as U+FFFD.
    checkRunning(name, s, text.toWellFormed());
  }
  const rlo = await traced(TEXTS.rlo);
  assert.ok(rlo.tokens.some((l) => l.includes('<E2 80 AE>')), `U+202E is shown as its bytes: ${JSON.stringify(rlo.tokens)}`);
  assert.deepEqual(ctx.problems, []);
});

test('the text area passes a lone surrogate and a 100,000-character paste without breaking the page', async () => {
  // As a paste arrives: the area's value changes and an input event fires.
  const setArea = (value) => page.evaluate((v) => {
    const area = document.getElementById('text-box');
    area.value = v;
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
  await setArea('typed \uD83D then more');
  const s = await H.waitForState(page, () => window.attnscope.getState().text.startsWith('typed'), null, 30000);
  assert.equal(s.text, 'typed \uFFFD then more');
  assert.equal(s.error, '');

  let long = '';
  while (long.length < 100000) long += 'The animal didn\'t cross the street because it was too tired. \u52A8\u7269 42! ';
  long = long.slice(0, 100000);
  await setArea(long);
  const cut = await H.waitForState(page, () => {
    const st = window.attnscope.getState();
    return st.text.length > 50000 && st.tracing === null && st.tokens.length > 0;
  }, null, 60000);
  assert.equal(cut.error, '');
  assert.equal(cut.truncated, true);
  assert.ok(cut.textTokens > 20000, `the whole text was tokenized: ${cut.textTokens}`);
  assert.ok(cut.tokens.length < cut.textTokens, 'the trace reads only the context');
  assert.ok(cut.cutByte > 0 && cut.cutByte < long.length, `the cut falls inside the text: ${cut.cutByte}`);
  assert.deepEqual(ctx.problems, []);
});
