// The page's text input: real text areas over the canvas. Real key events, the system clipboard (Ctrl+V
// of 2,000 characters that must wrap), input-method composition and a dead key through the Chrome
// DevTools Protocol, keys that must not reach the app's shortcuts, text the app replaces (Next token,
// setText), Enter, the empty box and the context cut. Needs the wasm build (build/wasm-release/web).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const H = require('./helpers');

let ctx, page, cdp;
const state = () => page.evaluate(() => window.attnscope.getState());
const area = () => page.locator('#text-box');
const areaValue = () => page.evaluate(() => document.getElementById('text-box').value);

// Keys held over a few frames: the app samples keys once per frame (see attnscope.test.js).
async function hold(key) {
  await page.keyboard.down(key);
  await page.waitForTimeout(80);
  await page.keyboard.up(key);
  await page.waitForTimeout(30);
}

// Empties the text area the way a user does: click in it, select all, Backspace.
async function clearArea() {
  await area().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  return H.waitForState(page, () => window.attnscope.getState().text === '');
}

before(async () => {
  ctx = await H.openPage();
  page = ctx.page;
  await page.evaluate(() => window.attnscope.ready);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.baseUrl });
  cdp = await page.context().newCDPSession(page);
});

after(async () => {
  await H.closePage(ctx);
});

test('the text area lies over the room the app keeps for it and shows the app text', async () => {
  const s = await H.waitForState(page, () => !document.getElementById('text-box-wrap').hidden);
  const [x, y, w, h] = s.widgets.textBox;
  assert.ok(w > 100 && h > 50, `text box rect ${s.widgets.textBox}`);
  const box = await page.locator('#text-box-wrap').boundingBox();
  assert.ok(Math.abs(box.x - x) <= 1 && Math.abs(box.y - y) <= 1, `area at ${box.x},${box.y}, app box at ${x},${y}`);
  assert.ok(Math.abs(box.width - w) <= 1 && Math.abs(box.height - h) <= 1);
  assert.equal(await areaValue(), s.text);
  assert.ok(await page.locator('#target-box-wrap').isHidden(), 'a decoder has no target box');
  // The area uses the app's font size and the theme's text colour.
  const look = await page.evaluate(() => {
    const cs = getComputedStyle(document.getElementById('text-box'));
    return { size: parseFloat(cs.fontSize), color: cs.color };
  });
  assert.equal(look.size, s.fontSize);
  await page.evaluate(() => window.attnscope.applyUrlState('theme=light&font=24'));
  await page.waitForFunction(() => getComputedStyle(document.getElementById('text-box')).fontSize === '24px');
  const light = await page.evaluate(() => getComputedStyle(document.getElementById('text-box')).color);
  assert.notEqual(light, look.color, 'the light theme changes the text colour');
  await page.evaluate(() => window.attnscope.applyUrlState('theme=dark&font=16'));
  // The model picker's list opens over the input panel: the area steps aside while it is open.
  await H.clickRect(page, (await state()).widgets.modelPicker);
  await page.waitForFunction(() => document.getElementById('text-box-wrap').hidden);
  const canvas = await page.locator('#canvas').boundingBox();
  await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height - 10);   // the status bar closes the list
  await page.waitForFunction(() => !document.getElementById('text-box-wrap').hidden);
});

test('Ctrl+V pastes 2,000 characters from the clipboard: they wrap, scroll and are traced', async () => {
  const words = [];
  for (let i = 0; words.join(' ').length < 2000; i++) words.push(['the', 'animal', 'crossed', 'street', 'number' + i][i % 5]);
  const text = words.join(' ').slice(0, 2000);
  await area().click();
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  const s = await H.waitForState(page, (t) => window.attnscope.getState().text === t, text);
  assert.equal(await areaValue(), text);
  const geo = await page.evaluate(() => {
    const a = document.getElementById('text-box');
    return { scrollH: a.scrollHeight, clientH: a.clientHeight, scrollW: a.scrollWidth, clientW: a.clientWidth,
             lineH: parseFloat(getComputedStyle(a).lineHeight) };
  });
  assert.ok(geo.scrollH > geo.clientH, `wrapped text scrolls: ${geo.scrollH} > ${geo.clientH}`);
  assert.ok(geo.scrollH / geo.lineH > 10, 'many visual lines');
  assert.ok(geo.scrollW <= geo.clientW, 'no sideways scrolling: it wraps');
  // Cut to the context, with the real numbers, and the part the model does not read is marked.
  assert.equal(s.truncated, true);
  assert.equal(s.tokens.length, 64);
  assert.ok(s.textTokens > 300, `${s.textTokens} tokens before the cut`);
  assert.ok(s.cutByte > 0 && s.cutByte < text.length, `cut at byte ${s.cutByte}`);
  const marked = await page.evaluate(() => {
    const m = document.querySelector('#text-box-wrap mark');
    return m ? m.textContent : null;
  });
  assert.ok(marked && text.endsWith(marked.trimEnd()), 'the text after the cut is marked');
  assert.equal(text.length - marked.trimEnd().length, s.cutByte, 'the mark starts at the cut (ASCII: bytes = chars)');
  await area().evaluate((a) => { a.scrollTop = 0; });
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(H.shotDir, 'text-input-paste.png') });
  // For the eye: the text area scrolled to the cut, the chips to their ✂ end.
  await area().evaluate((a) => { a.scrollTop = a.parentElement.querySelector('mark').offsetTop - a.clientHeight / 2; });
  const chip = s.widgets.chips[0];   // the first chip is in view; the wheel scrolls the chips' box
  await page.mouse.move(chip[0] + chip[2] / 2, chip[1] + chip[3] / 2);
  await page.mouse.wheel(0, 2000);
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(H.shotDir, 'text-input-cut.png') });
  // Copy works too: select all, Ctrl+C, the clipboard holds the text.
  await area().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
});

test('Chinese through an input method: traced once, when the composition ends', async () => {
  const start = await clearArea();
  assert.equal(start.waitingForText, true);
  const sentence = '动物没有过马路，因为它太累了';
  for (const step of ['d', 'dong', 'dongwu', '动物', '动物meiyou', '动物没有guo']) {
    await cdp.send('Input.imeSetComposition', { text: step, selectionStart: step.length, selectionEnd: step.length });
    await page.waitForTimeout(30);
    const s = await state();
    assert.equal(s.text, '', `nothing traced while composing "${step}"`);
    assert.equal(s.traceVersion, start.traceVersion);
  }
  assert.equal(await areaValue(), '动物没有guo', 'the area shows the composition');
  await cdp.send('Input.insertText', { text: sentence });
  const s = await H.waitForState(page, (t) => window.attnscope.getState().text === t, sentence);
  assert.equal(await areaValue(), sentence);
  assert.equal(s.traceVersion, start.traceVersion + 1, 'one trace for the whole composition');
  assert.ok(s.tokens.length >= 14, `${s.tokens.length} tokens`);
  assert.equal(s.waitingForText, false);
  await page.screenshot({ path: path.join(H.shotDir, 'text-input-chinese.png') });
});

test('a dead key and AltGr: typing "müde" and "€" gives "müde €"', async () => {
  await clearArea();
  await page.keyboard.type('m');
  // A dead key (¨ on a German layout) starts a composition that the next letter completes.
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Dead', code: 'BracketLeft', windowsVirtualKeyCode: 219 });
  await cdp.send('Input.imeSetComposition', { text: '¨', selectionStart: 1, selectionEnd: 1 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Dead', code: 'BracketLeft', windowsVirtualKeyCode: 219 });
  await cdp.send('Input.insertText', { text: 'ü' });
  await page.keyboard.type('de ');
  // AltGr+E as Linux reports it: AltGraph held, then a key whose character is "€" (no Ctrl/Alt flags).
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'AltGraph', code: 'AltRight', windowsVirtualKeyCode: 225 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: '€', code: 'KeyE', text: '€', unmodifiedText: 'e',
                                            windowsVirtualKeyCode: 69 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: '€', code: 'KeyE', windowsVirtualKeyCode: 69 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'AltGraph', code: 'AltRight', windowsVirtualKeyCode: 225 });
  const s = await H.waitForState(page, () => window.attnscope.getState().text === 'müde €');
  assert.equal(await areaValue(), 'müde €');
  assert.ok(s.tokens.length >= 2);
  assert.equal(s.head, 0, 'AltGr did not reach the shortcuts');
});

test('keys typed in the text area do not reach the app; Esc leaves it and they do again', async () => {
  await page.evaluate(() => { window.attnscope.setText('Shortcuts'); window.attnscope.select(0, 0); window.attnscope.setView('heatmap'); });
  const before = await state();
  await area().click();
  await page.keyboard.press('End');
  for (const key of ['ArrowDown', 'ArrowRight', '2', 't', '+', 'Backspace']) await hold(key);
  await page.keyboard.type(' 3T-');
  const s = await H.waitForState(page, () => window.attnscope.getState().text === 'Shortcuts2t 3T-');
  assert.equal(s.layer, before.layer);
  assert.equal(s.head, before.head);
  assert.equal(s.view, before.view);
  assert.equal(s.theme, before.theme);
  assert.equal(s.fontSize, before.fontSize);
  await hold('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'canvas');
  await hold('ArrowDown');
  await H.waitForState(page, (l) => window.attnscope.getState().layer === l + 1, before.layer);
});

test('Enter keeps a newline, and the chips show it', async () => {
  await clearArea();
  await page.keyboard.type('first line');
  await page.keyboard.press('Enter');
  await page.keyboard.type('second line');
  const s = await H.waitForState(page, () => window.attnscope.getState().text === 'first line\nsecond line');
  assert.ok(s.tokens.some((t) => t.includes('↵')), `tokens: ${JSON.stringify(s.tokens)}`);
});

test('text the app replaces shows in the area: setText, Next token, a link', async () => {
  await page.evaluate(() => window.attnscope.setText('The cat sat on the'));
  await page.waitForFunction(() => document.getElementById('text-box').value === 'The cat sat on the');
  const s0 = await state();
  await H.clickRect(page, s0.widgets.nextToken);
  const s1 = await H.waitForState(page, (n) => window.attnscope.getState().tokens.length === n + 1, s0.tokens.length);
  await page.waitForFunction((t) => document.getElementById('text-box').value === t, s1.text);
  assert.ok(s1.text.startsWith('The cat sat on the'));
  await page.evaluate(() => window.attnscope.applyUrlState('text=' + encodeURIComponent('From a link')));
  await page.waitForFunction(() => document.getElementById('text-box').value === 'From a link');
});

test('an edit traces in steps when the last trace (or the new text) would take longer than the page\'s threshold (_setTraceStepAbove)', async () => {
  await page.evaluate(() => window.attnscope.setText('The cat sat on the mat'));
  const before = await state();
  // Threshold 0: any model is slow enough, so setText returns with the trace still in flight.
  const stepped = await page.evaluate(() => { window.attnscope._setTraceStepAbove(0); return window.attnscope.setText('The dog sat on the mat'); });
  assert.equal(stepped.traceVersion, before.traceVersion, 'the stepped trace is not done when setText returns');
  assert.ok(stepped.tracing !== null, 'the page reports the trace in flight');
  const done = await H.waitForState(page, (v) => window.attnscope.getState().traceVersion === v + 1, before.traceVersion);
  assert.equal(done.tracing, null);
  // A huge threshold: traced within setText, as the benchmarks' "in one go" series.
  const whole = await page.evaluate(() => { window.attnscope._setTraceStepAbove(1e9); return window.attnscope.setText('The cat sat on the mat'); });
  assert.equal(whole.traceVersion, done.traceVersion + 1);
  await page.evaluate(() => window.attnscope._setTraceStepAbove(50));   // the app's default
});

test('a model past the page\'s threshold (_setProbeInStepsAbove) shows first, then is probed for random weights and its heads\' induction measured', async () => {
  const loaded = await page.evaluate(async () => {
    window.attnscope._setProbeInStepsAbove(1);   // every model counts as large
    const result = await window.attnscope.loadBundled('gpt2-tiny');
    return { result, s: window.attnscope.getState() };
  });
  assert.ok(loaded.result.ok, loaded.result.error);
  assert.equal(loaded.s.probing, true, 'the probe is in flight when the load returns');
  assert.equal(loaded.s.randomWeights, false, 'not measured yet');
  assert.ok(loaded.s.tokens.length > 0, 'the first trace is on screen');
  assert.equal(loaded.s.inductionPending, true, 'the heads\' induction score comes after the first trace too');
  const measured = await H.waitForState(page, () => !window.attnscope.getState().probing);
  assert.equal(measured.randomWeights, true, 'gpt2-tiny has random weights');
  const settled = await page.evaluate(() => window.attnscope.measured());
  assert.equal(settled.inductionPending, false);
  assert.equal(settled.probing, false);
  // The page's own threshold (20 M parameters): a test fixture is measured within the load.
  const small = await page.evaluate(async () => {
    window.attnscope._setProbeInStepsAbove(2e7);
    await window.attnscope.loadBundled('gpt2-tiny');
    return window.attnscope.getState();
  });
  assert.equal(small.probing, false);
  assert.equal(small.randomWeights, true);
  assert.equal(small.inductionPending, true, 'measured by the first frame, which has not run yet');
  const smallHeads = await H.waitFrames(page, 1);
  assert.equal(smallHeads.inductionPending, false, 'a small model\'s induction score is measured at its first frame');
});

test('the empty box clears the views and says what to type', async () => {
  const s = await clearArea();
  assert.equal(s.waitingForText, true);
  assert.deepEqual(s.tokens, []);
  const shown = await H.waitForState(page, () => window.attnscope.getState().widgets.emptyHint[2] > 0);
  assert.ok(shown.widgets.emptyHint[0] > shown.widgets.textBox[0] + shown.widgets.textBox[2], 'the hint is in the main view');
  await page.screenshot({ path: path.join(H.shotDir, 'text-input-empty.png') });
  await page.keyboard.type('Hello');
  const back = await H.waitForState(page, () => window.attnscope.getState().tokens.length > 0);
  assert.equal(back.waitingForText, false);
});

test('an encoder-decoder gets two text areas: source and target', async () => {
  const r = await page.evaluate(() => window.attnscope.loadBundled('bart-tiny'));
  assert.equal(r.ok, true, r.error);
  await page.waitForFunction(() => !document.getElementById('target-box-wrap').hidden);
  const target = page.locator('#target-box');
  await target.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Der Hund');
  const s = await H.waitForState(page, () => window.attnscope.getState().target === 'Der Hund');
  const tb = await page.locator('#target-box-wrap').boundingBox();
  assert.ok(Math.abs(tb.y - s.widgets.targetBox[1]) <= 1);
  await page.screenshot({ path: path.join(H.shotDir, 'text-input-bart.png') });
  await page.evaluate(() => window.attnscope.loadBundled('gpt2-tiny'));
});
