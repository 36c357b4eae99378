// "Save as page": the page writes itself as ONE self-contained HTML file (a handout, an e-mail) that
// opens from disk with no server and no network: the page's HTML, CSS and scripts inline, the wasm
// and its preload package (base64, handed to Emscripten as Module.wasmBinary and getPreloadedPackage),
// the model's files when they total at most the app's limit (ui/saved_page.h), the CJK font when the
// page has it, and the view as the URL state string. attnscope.js calls in here; this file draws nothing.
//
//   window.AttnScopeSavedPage.saved          // null on a served page; the saved page's contents otherwise
//   await AttnScopeSavedPage.build(ctx)      // {name, html, size, modelIncluded, ...} (see build below)
(function () {
  'use strict';
  // No network at all: nothing is fetched, scripts are this file's own inline ones, WebAssembly is
  // compiled from the inlined bytes.
  const CSP = "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; " +
              "img-src data: blob:; connect-src 'none'; font-src 'none'; media-src 'none'; object-src 'none'; " +
              "worker-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";
  // The served files a saved page holds, and how: scripts and CSS as text, the rest as base64 bytes.
  const ASSETS = [
    { name: 'index.html', id: 'as-index', bytes: true },
    { name: 'attnscope.css', id: 'as-css' },
    { name: 'save_page.js', id: 'as-save-page' },
    { name: 'attnscope_wasm.js', id: 'as-wasm-js' },
    { name: 'attnscope.js', id: 'as-js' },
    { name: 'attnscope_wasm.wasm', id: 'as-wasm', bytes: true },
    { name: 'attnscope_wasm.data', id: 'as-data', bytes: true },
  ];

  function toBase64(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }

  function fromBase64(text) {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; ++i) out[i] = s.charCodeAt(i);
    return out;
  }

  function element(id) {
    const e = document.getElementById(id);
    if (!e) throw new Error('this saved page lacks its part #' + id);
    return e;
  }

  // A saved page: its meta (model, state, what was left out) and readers for its inlined parts.
  const metaElement = document.getElementById('as-meta');
  const saved = metaElement ? {
    meta: JSON.parse(metaElement.textContent),
    bytes(id) { return fromBase64(element(id).textContent.trim()); },
    text(id) { return element(id).textContent; },
  } : null;

  // The Emscripten module options that make a saved page start from its own bytes.
  function moduleOptions() {
    if (!saved) return {};
    const data = saved.bytes('as-data');
    return {
      wasmBinary: saved.bytes('as-wasm'),
      getPreloadedPackage: () => data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      locateFile: (path) => path,
    };
  }

  // One served file's text or bytes: from this page's inline copy when it is a saved page (so a saved
  // page can be saved again), else from the server it came from.
  async function asset(a) {
    if (saved) {
      if (a.bytes) return saved.bytes(a.id);
      const text = saved.text(a.id);
      // Undo the escape that kept "</script" from ending the inline script early.
      return text.replace(/<\\\/(script|style)/gi, '</$1').replace(/<\\!--/g, '<!--');
    }
    const response = await fetch(a.name);
    if (!response.ok) throw new Error(a.name + ': HTTP ' + response.status);
    return a.bytes ? new Uint8Array(await response.arrayBuffer()) : response.text();
  }

  // Text inside <script> or <style>: "</script" and "<!--" must not appear in it.
  function inlineText(text) {
    return text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  }

  function dataScript(id, text) {
    return '<script type="application/octet-stream" id="' + id + '">' + text + '</script>\n';
  }

  function replaceOnce(html, from, to) {
    const at = html.indexOf(from);
    if (at < 0) throw new Error('index.html has changed: cannot find ' + from);
    return html.slice(0, at) + to + html.slice(at + from.length);
  }

  // ctx: {limit (the app's kSavedPageModelLimitBytes, ui/saved_page.h, or lower), state (the URL state
  //       string), model: {label, fromDisk, size, files: [{name, bytes}] | null},
  //       defaultModel: () => Promise<{label, files}> (the default zoo model, when the model is too
  //       large), cjkFont: Uint8Array | null, fileName}.
  // Returns {name, html, size, modelIncluded, model, modelSize, limit}.
  async function build(ctx) {
    const parts = {};
    for (const a of ASSETS) parts[a.name] = await asset(a);
    const model = ctx.model;
    const limit = ctx.limit;
    const include = model && model.files && model.size <= limit;
    const shipped = include ? { label: model.label, fromDisk: !!model.fromDisk, files: model.files } : await ctx.defaultModel();
    const meta = {
      version: 1,
      state: ctx.state,
      model: { label: shipped.label, fromDisk: !!shipped.fromDisk, files: shipped.files.map((f, i) => ({ name: f.name, id: 'as-model-' + i })) },
      left_out: include ? null : { model: model ? model.label : '', size: model ? model.size : 0, limit },
      cjk: !!ctx.cjkFont,
    };
    let html = new TextDecoder().decode(parts['index.html']);
    html = html.replace(/<meta http-equiv="Content-Security-Policy"\s+content="[^"]*">/, () =>
      '<meta http-equiv="Content-Security-Policy" content="' + CSP + '">');
    if (!html.includes(CSP)) throw new Error('index.html has changed: cannot find its Content-Security-Policy');
    html = replaceOnce(html, '<link rel="stylesheet" href="attnscope.css">',
                       '<style id="as-css">' + inlineText(parts['attnscope.css']) + '</style>');
    let data = '<script type="application/json" id="as-meta">' + JSON.stringify(meta).replace(/</g, '\\u003c') + '</script>\n';
    data += dataScript('as-index', toBase64(parts['index.html']));
    data += dataScript('as-wasm', toBase64(parts['attnscope_wasm.wasm']));
    data += dataScript('as-data', toBase64(parts['attnscope_wasm.data']));
    shipped.files.forEach((f, i) => { data += dataScript('as-model-' + i, toBase64(f.bytes)); });
    if (ctx.cjkFont) data += dataScript('as-cjk', toBase64(ctx.cjkFont));
    const scripts = ['save_page.js', 'attnscope_wasm.js', 'attnscope.js'].map((name) => {
      const a = ASSETS.find((x) => x.name === name);
      return '<script id="' + a.id + '">' + inlineText(parts[name]) + '</script>';
    });
    html = replaceOnce(html, '<script src="save_page.js"></script>', data + scripts[0]);
    html = replaceOnce(html, '<script src="attnscope_wasm.js"></script>', scripts[1]);
    html = replaceOnce(html, '<script src="attnscope.js"></script>', scripts[2]);
    return { name: ctx.fileName, html, size: html.length, modelIncluded: !!include,
             model: model ? model.label : '', modelSize: model ? model.size : 0, limit };
  }

  // The saved page's model as the page's loader takes it: [{name, size, open}].
  function savedModelSources() {
    return saved.meta.model.files.map((f) => {
      const bytes = saved.bytes(f.id);
      return { name: f.name, size: bytes.length, open: async () => new Blob([bytes]).stream() };
    });
  }

  window.AttnScopeSavedPage = {
    CSP,
    saved,
    moduleOptions,
    build,
    savedModelSources,
    cjkFont: () => (saved && saved.meta.cjk ? saved.bytes('as-cjk') : null),
  };
})();
