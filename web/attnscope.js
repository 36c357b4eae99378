// AttnScope page API: starts the WebAssembly app, fetches the bundled models (same origin) into it,
// and exposes window.attnscope = {ready, setText, setTarget, nextToken, getState, getAttention, select,
// loadModel, loadBundled}. It does no drawing and keeps no model data of its own.
(function () {
  'use strict';
  const DEFAULT_MODEL = 'gpt2-tiny';
  const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'];
  const KINDS = { self: 0, decoder: 1, cross: 2 };
  const status = document.getElementById('loading');
  const canvas = document.getElementById('canvas');
  let mod = null;

  function show(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', !!isError);
    status.classList.toggle('hidden', !message);
  }

  // files: {name: Uint8Array}. Bytes are written straight into buffers the app allocates.
  function loadModel(label, files) {
    for (const [name, bytes] of Object.entries(files)) {
      const ptr = mod.ccall('attn_web_file_buffer', 'number', ['string', 'number'], [name, bytes.length]);
      if (!ptr) throw new Error('out of memory for ' + name);
      mod.HEAPU8.set(bytes, ptr);   // read HEAPU8 after the call: memory growth replaces it
    }
    const ok = mod.ccall('attn_web_model_load', 'number', ['string'], [label]) === 1;
    return { ok, error: getState().error };
  }

  async function fetchModel(name) {
    const base = 'models/' + encodeURIComponent(name) + '/';
    const files = {};
    await Promise.all(MODEL_FILES.map(async (file) => {
      const response = await fetch(base + file);
      if (!response.ok) throw new Error(base + file + ': HTTP ' + response.status);
      files[file] = new Uint8Array(await response.arrayBuffer());
    }));
    return files;
  }

  // One of the models the build copied into models/ (the picker calls this too). A failed fetch or
  // load keeps the previous model; the message shows in the app's status bar and in the result.
  async function loadBundled(name) {
    let files;
    try {
      if (!getState().bundled.includes(name)) throw new Error('not one of the bundled models (models/index.json)');
      files = await fetchModel(name);
    } catch (err) {
      const error = 'cannot load model ' + name + ': ' + err.message;
      mod.ccall('attn_web_load_failed', null, ['string'], [error]);
      return { ok: false, error };
    }
    return loadModel(name, files);
  }

  function getState() {
    return JSON.parse(mod.UTF8ToString(mod.ccall('attn_web_state_json', 'number', [], [])));
  }

  // {rows, cols, data}: the (rows * cols) probabilities of one head of attention `kind` ("self",
  // "decoder" or "cross"; default "self"), row-major (query rows, key columns); a copy the caller owns.
  // For cross attention rows are target tokens and columns source tokens. data is empty when the
  // model has no such attention. The result is also a Float32Array-like: length and indexing work.
  function getAttention(layer, head, kind) {
    const k = KINDS[kind || 'self'];
    if (k === undefined) throw new Error('attention kind must be self, decoder or cross');
    const ptr = mod.ccall('attn_web_attention', 'number', ['number', 'number', 'number'], [layer, head, k]);
    const rows = mod.ccall('attn_web_attention_rows', 'number', ['number'], [k]);
    const cols = mod.ccall('attn_web_attention_cols', 'number', ['number'], [k]);
    const data = ptr ? new Float32Array(mod.HEAPF32.buffer, ptr, rows * cols).slice() : new Float32Array(0);
    data.rows = ptr ? rows : 0;
    data.cols = ptr ? cols : 0;
    return data;
  }

  const api = {
    ready: null,
    setText(text) { mod.ccall('attn_web_set_text', null, ['string'], [String(text)]); return getState(); },
    setTarget(text) { mod.ccall('attn_web_set_target', null, ['string'], [String(text)]); return getState(); },
    nextToken() { mod.ccall('attn_web_next_token', 'number', [], []); return getState(); },
    getState,
    getAttention,
    select(layer, head, kind) {
      const k = kind === undefined ? -1 : KINDS[kind];
      if (k === undefined) throw new Error('attention kind must be self, decoder or cross');
      mod.ccall('attn_web_select', null, ['number', 'number', 'number'], [layer, head, k]);
      return getState();
    },
    // name: viridis, plasma, magma, inferno, cividis or greys; autoScale: colours span 0 to the head's max.
    setColormap(name, autoScale) {
      const ok = mod.ccall('attn_web_set_colormap', 'number', ['string', 'number'], [String(name), autoScale ? 1 : 0]);
      if (!ok) throw new Error('colormap must be viridis, plasma, magma, inferno, cividis or greys');
      return getState();
    },
    loadModel,
    loadBundled,
  };

  api.ready = (async () => {
    mod = await createAttnScope({ canvas, print: (t) => console.log(t), printErr: (t) => console.warn(t) });
    const index = await (await fetch('models/index.json')).json();
    mod.ccall('attn_web_set_bundled', null, ['string'], [index.models.join('\n')]);
    const result = await loadBundled(DEFAULT_MODEL);
    if (!result.ok) throw new Error(result.error);
    show('');
    canvas.focus();
    return getState();
  })().catch((err) => {
    show('AttnScope failed to start: ' + err.message, true);
    throw err;
  });
  window.attnscope = api;
})();
