// AttnScope page API: starts the WebAssembly app, fetches the default model (same origin) into it,
// and exposes window.attnscope = {ready, setText, getState, getAttention, select, loadModel}.
// It does no drawing and keeps no model data of its own.
(function () {
  'use strict';
  const DEFAULT_MODEL = { name: 'gpt2-tiny', base: 'models/gpt2-tiny/',
                          files: ['config.json', 'model.safetensors', 'tokenizer.json'] };
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

  async function fetchModel(model) {
    const files = {};
    await Promise.all(model.files.map(async (name) => {
      const response = await fetch(model.base + name);
      if (!response.ok) throw new Error(model.base + name + ': HTTP ' + response.status);
      files[name] = new Uint8Array(await response.arrayBuffer());
    }));
    return files;
  }

  function getState() {
    return JSON.parse(mod.UTF8ToString(mod.ccall('attn_web_state_json', 'number', [], [])));
  }

  // (T * S) probabilities of one head, row-major (query rows, key columns); a copy the caller owns.
  function getAttention(layer, head) {
    const ptr = mod.ccall('attn_web_attention', 'number', ['number', 'number'], [layer, head]);
    if (!ptr) return new Float32Array(0);
    const n = mod.ccall('attn_web_attention_size', 'number', [], []);
    return new Float32Array(mod.HEAPF32.buffer, ptr, n).slice();
  }

  const api = {
    ready: null,
    setText(text) { mod.ccall('attn_web_set_text', null, ['string'], [String(text)]); return getState(); },
    getState,
    getAttention,
    select(layer, head) { mod.ccall('attn_web_select', null, ['number', 'number'], [layer, head]); return getState(); },
    loadModel,
  };

  api.ready = (async () => {
    mod = await createAttnScope({ canvas, print: (t) => console.log(t), printErr: (t) => console.warn(t) });
    const files = await fetchModel(DEFAULT_MODEL);
    const result = loadModel(DEFAULT_MODEL.name, files);
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
