// AttnScope page API: starts the WebAssembly app, streams model files into it (bundled models, a
// same-origin ?model= path, the file picker, drag-and-drop), keeps the view in the URL fragment, and
// exposes window.attnscope for scripts and tests. It does no drawing and keeps no model data of its
// own: file bytes go straight into buffers the app allocates.
(function () {
  'use strict';
  const KINDS = { self: 0, decoder: 1, cross: 2 };
  // What a model loader may read; anything else in a dropped folder (.bin, README.md, ...) is skipped.
  const MODEL_FILE = /\.(json|txt|safetensors)$/i;
  const TOKENIZER_FILE = /^(tokenizer\.json|vocab\.txt|vocab\.json|merges\.txt)$/;
  const overlay = document.getElementById('loading');
  const overlayText = document.getElementById('loading-text');
  const overlayBar = document.getElementById('loading-progress');
  const canvas = document.getElementById('canvas');
  const folderInput = document.getElementById('open-folder');
  const filesInput = document.getElementById('open-model');
  let mod = null;
  let queue = Promise.resolve();   // loads run one at a time: each owns the app's pending file set
  // Save as page (save_page.js): a saved page's own contents (null on a served page), and the loaded
  // model's bytes, kept while they are small enough to go into a saved page.
  const savedPage = window.AttnScopeSavedPage || null;
  const saved = savedPage && savedPage.saved;
  let currentModel = null;   // {label, size, fromDisk, files: [{name, bytes}] | null (over the limit)}

  // ---- GL state the app sets, answered in the page. WebGL's getParameter for the viewport, the scissor
  // box and the blend functions is a synchronous round trip to the GPU process (Chromium keeps no copy of
  // them on the page's side), and ImGui's GL backend reads all eight on every drawn frame to put them back
  // afterwards. Each read waited until the GPU process had done everything sent before it: under a
  // software rasteriser, the drawing of the frame before. The values are recorded here as the app sets
  // them (the first read of each asks the context), so those reads no longer wait.
  function cacheGlState(canvas) {
    const getContext = canvas.getContext;
    canvas.getContext = function (type, attributes) {
      const gl = getContext.call(this, type, attributes);
      if (!gl || type !== 'webgl2' || gl.attnStateCache) return gl;
      const known = new Map();   // pname -> the value getParameter gives
      gl.attnStateCache = known;
      const read = gl.getParameter.bind(gl);
      const cached = new Set([gl.VIEWPORT, gl.SCISSOR_BOX, gl.BLEND_SRC_RGB, gl.BLEND_DST_RGB, gl.BLEND_SRC_ALPHA,
                               gl.BLEND_DST_ALPHA, gl.BLEND_EQUATION_RGB, gl.BLEND_EQUATION_ALPHA]);
      // A lost context answers null and ignores what is set: nothing is kept while it is lost.
      const live = () => !gl.isContextLost();
      gl.getParameter = (pname) => {
        if (!cached.has(pname) || !live()) return read(pname);
        if (!known.has(pname)) {
          const value = read(pname);
          if (value === null) return value;
          known.set(pname, value);
        }
        const value = known.get(pname);
        return value instanceof Int32Array ? new Int32Array(value) : value;
      };
      // Each setter records what it sets. Asking the context whether it took the call (getError) would be
      // a round trip again; the app passes the enums GL defines, a negative size, which the context
      // refuses, is not recorded, and a viewport larger than the context allows is clamped as it clamps it.
      const record = (name, values) => {
        const call = gl[name].bind(gl);
        gl[name] = (...args) => {
          call(...args);
          if (live()) for (const [pname, value] of values(...args)) known.set(pname, value);
        };
      };
      const most = read(gl.MAX_VIEWPORT_DIMS);   // a limit of the context: asked once
      record('viewport', (x, y, w, h) => (w >= 0 && h >= 0
        ? [[gl.VIEWPORT, new Int32Array([x, y, Math.min(w, most[0]), Math.min(h, most[1])])]] : []));
      record('scissor', (x, y, w, h) => (w >= 0 && h >= 0 ? [[gl.SCISSOR_BOX, new Int32Array([x, y, w, h])]] : []));
      record('blendFunc', (src, dst) => [[gl.BLEND_SRC_RGB, src], [gl.BLEND_SRC_ALPHA, src],
                                         [gl.BLEND_DST_RGB, dst], [gl.BLEND_DST_ALPHA, dst]]);
      record('blendFuncSeparate', (srcRgb, dstRgb, srcAlpha, dstAlpha) => [[gl.BLEND_SRC_RGB, srcRgb],
        [gl.BLEND_DST_RGB, dstRgb], [gl.BLEND_SRC_ALPHA, srcAlpha], [gl.BLEND_DST_ALPHA, dstAlpha]]);
      record('blendEquation', (mode) => [[gl.BLEND_EQUATION_RGB, mode], [gl.BLEND_EQUATION_ALPHA, mode]]);
      record('blendEquationSeparate', (rgb, alpha) => [[gl.BLEND_EQUATION_RGB, rgb], [gl.BLEND_EQUATION_ALPHA, alpha]]);
      canvas.addEventListener('webglcontextlost', () => known.clear());
      canvas.addEventListener('webglcontextrestored', () => known.clear());
      return gl;
    };
  }
  cacheGlState(canvas);

  // ---- text boxes: real text areas laid over the room the app's input panel keeps for them, so input
  // methods (Chinese, Japanese, Korean), dead keys, AltGr, the system clipboard and soft wrap all work.
  // The app says each frame where they go and which text generation they show; typing flows back as
  // edits (attn_web_edit_*: no new generation, the caret stays), text the app replaces itself (Next
  // token, a link, setText, a model load) flows in when the generation changes.
  const textBoxes = [
    { name: 'text', id: 'text-box', edit: 'attn_web_edit_text', read: 'attn_web_text', size: 'attn_web_text_size' },
    { name: 'target', id: 'target-box', edit: 'attn_web_edit_target', read: 'attn_web_target', size: 'attn_web_target_size' },
  ].map((b) => {
    const area = document.getElementById(b.id);
    return { ...b, area, wrap: area.parentElement, backdrop: area.previousElementSibling,
             generation: null, composing: false, pushed: null, layout: '', cut: '' };
  });
  let textBoxStyle = '';

  // Emscripten's GLFW listens for keys on the window in the capture phase: without this, keys typed in a
  // text box would also reach the app's shortcuts (arrows, 1-4, T, + and -) and GLFW would cancel
  // Backspace and Tab. Added before the runtime starts, so it runs before GLFW's listener.
  for (const type of ['keydown', 'keypress', 'keyup']) {
    window.addEventListener(type, (e) => {
      if (!textBoxes.some((b) => b.area === e.target)) return;
      e.stopImmediatePropagation();   // the key's default action (typing, paste, composition) still happens
      if (type === 'keydown' && e.key === 'Escape' && !e.isComposing) {
        e.target.blur();
        canvas.focus();
      }
    }, true);
  }

  // Strings of any length go through the heap, not the stack ccall would use for a 'string' argument,
  // with their byte length: a NUL inside the text does not end it.
  function callWithText(fn, text) {
    const bytes = new TextEncoder().encode(String(text));
    const ptr = mod._malloc(bytes.length + 1);
    if (!ptr) throw new Error(tr('page.out_of_memory', { file: 'text', bytes: bytes.length }));
    mod.HEAPU8.set(bytes, ptr);
    mod.HEAPU8[ptr + bytes.length] = 0;
    try {
      mod.ccall(fn, null, ['number', 'number'], [ptr, bytes.length]);
    } finally {
      mod._free(ptr);
    }
  }

  function pushEdit(box) {
    if (box.area.value === box.pushed) return;
    box.pushed = box.area.value;
    callWithText(box.edit, box.area.value);
  }

  // The part of the text past the context is shaded behind the (transparent) text area, with a line at
  // the cut: byte offset `cutByte` of the app's text, -1 when nothing was cut.
  function markCut(box, cutByte) {
    const value = box.area.value;
    const key = cutByte + '\u0000' + value;
    if (key === box.cut) return;
    box.cut = key;
    if (cutByte < 0) {
      box.backdrop.replaceChildren();
      return;
    }
    const at = new TextDecoder().decode(new TextEncoder().encode(value).subarray(0, cutByte)).length;
    const rest = document.createElement('mark');
    rest.textContent = value.slice(at) + ' ';
    rest.title = tr('page.cut_title');
    box.backdrop.replaceChildren(document.createTextNode(value.slice(0, at)), rest);
    box.backdrop.scrollTop = box.area.scrollTop;
  }

  function syncTextBoxes() {
    const info = JSON.parse(mod.UTF8ToString(mod.ccall('attn_web_text_boxes', 'number', [], [])));
    const style = JSON.stringify(info.style);
    if (style !== textBoxStyle) {
      textBoxStyle = style;
      const st = info.style;
      for (const box of textBoxes) {
        const w = box.wrap.style;
        w.setProperty('--box-bg', st.background);
        w.setProperty('--box-text', st.text);
        w.setProperty('--box-border', st.border);
        w.setProperty('--box-accent', st.accent);
        w.setProperty('--box-selection', st.selection);
        w.setProperty('--box-warning', st.warning);
        w.setProperty('--box-cut-fill', st.cutFill);
        w.setProperty('--box-font', st.fontSize + 'px');
        w.setProperty('--box-padding', st.padding[1] + 'px ' + st.padding[0] + 'px');
        w.setProperty('--box-rounding', st.rounding + 'px');
      }
    }
    const origin = canvas.getBoundingClientRect();
    for (const box of textBoxes) {
      const b = info[box.name];
      const [x, y, w, h] = b.rect;
      const [vx, vy, vw, vh] = b.visible;
      const shown = w > 0 && h > 0 && vw > 0 && vh > 0 && !info.covered;
      const layout = [shown, origin.left, origin.top, x, y, w, h, vx, vy, vw, vh].join();
      if (layout !== box.layout) {
        box.layout = layout;
        box.wrap.hidden = !shown;
        if (!shown && document.activeElement === box.area) canvas.focus();
        const s = box.wrap.style;
        s.left = origin.left + x + 'px';
        s.top = origin.top + y + 'px';
        s.width = w + 'px';
        s.height = h + 'px';
        // Only the part the panel shows (it scrolls): the rest of the area is clipped, not drawn over the toolbar.
        s.clipPath = `inset(${vy - y}px ${x + w - vx - vw}px ${y + h - vy - vh}px ${vx - x}px)`;
      }
      if (b.generation !== box.generation && !box.composing) {
        box.generation = b.generation;
        // Read by length (a NUL does not end it), from a copy: TextDecoder refuses the threaded build's shared heap.
        const at = mod.ccall(box.read, 'number', [], []);
        const text = new TextDecoder().decode(mod.HEAPU8.slice(at, at + mod.ccall(box.size, 'number', [], [])));
        if (box.area.value !== text) box.area.value = text;
        box.pushed = text;
      }
      if (!box.composing) markCut(box, b.cutByte);
    }
  }

  function installTextBoxes() {
    for (const box of textBoxes) {
      const area = box.area;
      // While an input method composes, the intermediate text is not the user's text yet: trace once,
      // when the composition ends (dead keys on some systems compose too).
      area.addEventListener('compositionstart', () => { box.composing = true; });
      area.addEventListener('compositionend', () => {
        box.composing = false;
        pushEdit(box);
      });
      area.addEventListener('input', (e) => {
        if (e.isComposing || box.composing) return;
        pushEdit(box);
      });
      area.addEventListener('scroll', () => { box.backdrop.scrollTop = area.scrollTop; });
    }
    const loop = () => {
      try {
        translatePage();
        syncTextBoxes();
      } finally {
        requestAnimationFrame(loop);
      }
    };
    loop();
  }

  function show(message, isError) {
    overlayText.textContent = message;
    overlay.classList.toggle('error', !!isError);
    overlay.classList.toggle('hidden', !message);
    overlayBar.classList.add('hidden');
  }

  function progress(label, done, total) {
    overlayText.textContent = label;
    overlay.classList.remove('error', 'hidden');
    overlayBar.classList.remove('hidden');
    overlayBar.max = Math.max(total, 1);
    overlayBar.value = done;
  }

  function serial(job) {
    const run = queue.then(job, job);
    queue = run.catch(() => {});
    return run;
  }

  // A stream's bytes, a chunk at a time; a chunk is valid until the next is asked for. A large file
  // fetched over the network (a fetch body) is read into one reused 8 MB buffer (a BYOB reader): in
  // headless Chromium that read a 500 MB model file in 0.6-0.7 s, against 3.5 s through the default
  // reader's fresh 2 MB chunks. Files (the picker's, a drop's, bytes given to loadModel), small files and
  // streams that are not byte streams are read as they come: Chromium 156 stopped answering BYOB reads
  // of Blob streams (after some 60 small loads in tests/e2e/bad_models.test.js, and once on a 20 MB file
  // in tests/e2e/large_files.test.js), which the default reader never did. (Reading a picked 214 MB file
  // in 32 MB slices through Blob.arrayBuffer instead was 15% slower than its stream: medians 1.01 s
  // against 0.86 s, 8 alternating loads each.)
  const READ_BUFFER_BYTES = 8 << 20;
  let spareReadBuffer = null;
  function byobReader(source, stream) {
    if (!source.network || source.size < 2 * READ_BUFFER_BYTES) return null;
    try {
      return stream.getReader({ mode: 'byob' });
    } catch (err) {   // not a byte stream
      return null;
    }
  }

  async function* streamChunks(stream, byob) {
    if (!byob) {
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    }
    // One buffer for every file the page reads: a read takes it over and hands it back in its result,
    // the last one (done) too; a stream that fails keeps it, and the next read makes another.
    let buffer = spareReadBuffer || new ArrayBuffer(READ_BUFFER_BYTES);
    spareReadBuffer = null;
    for (;;) {
      const { done, value } = await byob.read(new Uint8Array(buffer));
      if (value) buffer = value.buffer;
      if (done) {
        if (buffer.byteLength === READ_BUFFER_BYTES) spareReadBuffer = buffer;
        return;
      }
      yield value;
    }
  }

  // A source whose bytes are already in memory (a response read whole, an index file): handed over in one
  // copy. Through a Blob's stream, as before, they crossed to the browser process and back.
  function bytesSource(name, bytes) {
    return { name, size: bytes.length, bytes };
  }
  // Copies one source's bytes into a buffer of `source.size` bytes the app allocated, and into `copy` (a
  // Uint8Array of that size, for Save as page) when given; returns how it read them ('memory', 'byob' or
  // 'default', for api.lastLoad). Awaiting between chunks keeps the page drawing; HEAPU8 is
  // read per chunk because memory growth replaces it.
  async function handOver(source, onBytes, copy) {
    const { name, size } = source;
    const ptr = mod.ccall('attn_web_file_buffer', 'number', ['string', 'number'], [name, size]);
    if (!ptr && size > 0) throw new Error(tr('page.out_of_memory', { file: name, bytes: size }));
    const stream = source.bytes ? null : await source.open();
    const byob = stream && byobReader(source, stream);
    let offset = 0;
    for await (const value of stream ? streamChunks(stream, byob) : [source.bytes]) {
      if (offset + value.length > size) throw new Error(tr('page.more_bytes', { file: name }));
      mod.HEAPU8.set(value, ptr + offset);
      if (copy) copy.set(value, offset);
      offset += value.length;
      onBytes(value.length);
    }
    if (offset !== size) throw new Error(tr('page.fewer_bytes', { file: name, done: offset, size }));
    return !stream ? 'memory' : byob ? 'byob' : 'default';
  }

  // The app's memory estimate from the files' sizes: '' when they fit, else the refusal ("this model needs
  // X; the page can use Y at most"). Asked before anything is streamed, so a model too big for the tab
  // never touches its memory and the previous model stays loaded.
  function loadRefusal(sources) {
    const bytes = (keep) => sources.filter((s) => keep(s.name)).reduce((n, s) => n + s.size, 0);
    const weights = (name) => /\.safetensors$/i.test(name);
    const tokenizer = (name) => TOKENIZER_FILE.test(name);
    const names = sources.map((s) => s.name);
    const weightsFile = !names.includes('model.safetensors') && names.includes('model.safetensors.index.json')
      ? 'model.safetensors.index.json' : 'model.safetensors';
    return mod.ccall('attn_web_load_refusal', 'string', ['string', 'number', 'number', 'number'],
                     [weightsFile, bytes(weights), bytes(tokenizer), bytes((n) => !weights(n) && !tokenizer(n))]);
  }

  // sources: [{name, size, open() -> Promise<ReadableStream> or bytes, cancel?()}]. Loads them as one model; a
  // failure anywhere keeps the previous model and puts the message in the status bar.
  async function loadSources(label, sources) {
    const refusal = loadRefusal(sources);
    if (refusal) {
      for (const s of sources) if (s.cancel) s.cancel();
      return failed(tr('page.cannot_load', { model: label, reason: refusal }));
    }
    const total = sources.reduce((n, s) => n + s.size, 0);
    let done = 0;
    const mib = (n) => (n / 1048576).toFixed(1);
    // A copy of the files for Save as page, only when they are small enough to go into one; each chunk
    // goes straight into it (through a Blob of the chunks, 6.5 MB took 140 ms more per load).
    const keep = savedPage && total <= getState().savedPageModelLimit ? [] : null;
    const started = performance.now();
    const readers = {};
    try {
      for (const s of sources) {
        progress(tr('page.loading_file', { model: label, file: s.name }), done, total);
        const copy = keep ? new Uint8Array(s.size) : null;
        let shown = 0;
        readers[s.name] = await handOver(s, (n) => {
          done += n;
          // A file arrives in many chunks (8 MB, or what the stream gives); the bar is redrawn at most
          // every 50 ms (the label's text comes from the app's tables through a call into WASM each time).
          const now = performance.now();
          if (now - shown < 50) return;
          shown = now;
          progress(tr('page.loading_file_bytes', { model: label, file: s.name, done: mib(done), total: mib(total) }), done, total);
        }, copy);
        if (keep) keep.push({ name: s.name, bytes: copy });
      }
    } catch (err) {
      mod.ccall('attn_web_pending_clear', null, [], []);
      return failed(tr('page.cannot_load', { model: label, reason: err.message }));
    }
    const streamed = performance.now();
    progress(tr('page.reading', { model: label }), total, total);
    await new Promise((r) => setTimeout(r, 0));   // let the bar paint before the synchronous parse
    const parsing = performance.now();
    const ok = mod.ccall('attn_web_model_load', 'number', ['string'], [label]) === 1;
    // Where a load's time went (benchmarks read it): bytes into the app, then the app building the model;
    // and which reader each file went through (tests/e2e/large_files.test.js).
    api.lastLoad = { bytes: total, streamMs: streamed - started, modelLoadMs: performance.now() - parsing, readers };
    if (ok) currentModel = { label, size: total, fromDisk: false, files: keep };
    show('');
    return { ok, error: getState().error };
  }

  function failed(error) {
    mod.ccall('attn_web_load_failed', null, ['string'], [error]);
    show('');
    return { ok: false, error };
  }

  // ---- model sources: URLs (bundled models, ?model=) and local files (picker, drop)
  // Requests made ahead of need, url -> Promise<Response>: a folder's usual files are asked for together
  // (three round trips become one), and a ?model= folder's while the WebAssembly module still compiles.
  // fetchSource takes a waiting response; urlSources cancels what its folder did not use.
  const early = new Map();
  function fetchEarly(url) {
    if (early.has(url)) return;
    const response = fetch(url);
    response.catch(() => {});   // a failed request is reported when fetchSource awaits it
    early.set(url, response);
  }
  function dropEarly(base) {
    for (const [url, response] of early) {
      if (!url.startsWith(base)) continue;
      early.delete(url);
      response.then((r) => r.body && r.body.cancel().catch(() => {}), () => {});
    }
  }
  const FOLDER_FILES = ['config.json', 'tokenizer.json', 'model.safetensors'];

  async function fetchSource(base, name, optional) {
    const url = base + name;
    const waiting = early.get(url);
    early.delete(url);
    const response = await (waiting || fetch(url));
    if (!response.ok) {
      if (optional) return null;
      throw new Error(tr('page.http', { file: url, status: response.status }));
    }
    // A compressed response's Content-Length counts the compressed bytes, not the ones the body gives.
    const encoding = response.headers.get('Content-Encoding');
    const length = encoding && encoding !== 'identity' ? NaN : Number(response.headers.get('Content-Length'));
    if (Number.isFinite(length) && length > 0 && response.body) {
      return { name, size: length, open: async () => response.body, cancel: () => response.body.cancel().catch(() => {}), network: true };
    }
    const bytes = new Uint8Array(await response.arrayBuffer());   // no length: no progress, same result
    return bytesSource(name, bytes);
  }

  // A Hugging Face folder served at `base` (ending in '/'): config, tokenizer (tokenizer.json, else
  // vocab.txt, else vocab.json + merges.txt) and weights (model.safetensors, else the sharded index).
  async function urlSources(base) {
    for (const name of FOLDER_FILES) fetchEarly(base + name);
    try {
      return await folderSources(base);
    } finally {
      dropEarly(base);   // e.g. the weights' response when config.json was missing
    }
  }
  async function folderSources(base) {
    const sources = [await fetchSource(base, 'config.json')];
    const tokenizer = await fetchSource(base, 'tokenizer.json', true);
    if (tokenizer) sources.push(tokenizer);
    else {
      const vocab = await fetchSource(base, 'vocab.txt', true);
      if (vocab) sources.push(vocab);
      else sources.push(await fetchSource(base, 'vocab.json'), await fetchSource(base, 'merges.txt'));
    }
    const single = await fetchSource(base, 'model.safetensors', true);
    if (single) {
      sources.push(single);
    } else {
      const indexResponse = await fetch(base + 'model.safetensors.index.json');
      if (!indexResponse.ok) throw new Error(tr('page.no_weights', { file: base + 'model.safetensors' }));
      const indexBytes = new Uint8Array(await indexResponse.arrayBuffer());
      sources.push(bytesSource('model.safetensors.index.json', indexBytes));
      let index;
      try {
        index = JSON.parse(new TextDecoder().decode(indexBytes));
      } catch (err) {
        throw new Error(tr('page.index_not_json', { file: base + 'model.safetensors.index.json', reason: err.message }));
      }
      const shards = [...new Set(Object.values((index && index.weight_map) || {}))];
      for (const shard of shards) {
        if (!/^[^/\\]+\.safetensors$/.test(shard)) throw new Error(tr('page.bad_shard', { shard }));
        sources.push(await fetchSource(base, shard));
      }
    }
    return sources;
  }

  function fileSources(files) {
    return files.filter((f) => MODEL_FILE.test(f.name))
      .map((f) => ({ name: f.name, size: f.size, open: async () => f.stream() }));
  }

  // ---- loading entry points
  function loadBundled(name) {
    return serial(async () => {
      if (!getState().bundled.includes(name)) return failed(tr('page.cannot_load', { model: name, reason: tr('page.not_bundled') }));
      if (saved) return failed(tr('present.offline_only', { model: name, saved: saved.meta.model.label }));
      let sources;
      progress(tr('page.fetching', { model: name }), 0, 1);
      try {
        sources = await urlSources('models/' + encodeURIComponent(name) + '/');
        // A zoo model's card (card.json) travels with it: the app shows it and opens on its head.
        const entry = getState().picker.find((m) => m.name === name);
        const card = entry && entry.zoo ? await fetchSource('models/' + encodeURIComponent(name) + '/', 'card.json', true) : null;
        if (card) sources.push(card);
      } catch (err) {
        return failed(tr('page.cannot_load', { model: name, reason: err.message }));
      }
      return loadSources(name, sources);
    });
  }

  // ?model=<path>: a model folder on this same site (the page never talks to another origin).
  function folderUrl(path) {
    try {
      return new URL(path.endsWith('/') ? path : path + '/', location.href);
    } catch (err) {
      return null;
    }
  }

  function loadFromPath(path) {
    return serial(async () => {
      const url = folderUrl(path);
      if (!url) return failed(tr('page.cannot_load', { model: path, reason: tr('page.bad_path') }));
      if (url.origin !== location.origin) return failed(tr('page.cannot_load', { model: path, reason: tr('page.other_site') }));
      let sources;
      progress(tr('page.fetching', { model: path }), 0, 1);
      try {
        sources = await urlSources(url.href);
      } catch (err) {
        return failed(tr('page.cannot_load', { model: path, reason: err.message }));
      }
      return loadSources(path, sources);
    });
  }

  // Files from the picker or a drop (File objects), loaded as one model folder.
  function openFiles(files, label) {
    return serial(async () => {
      const list = Array.from(files || []);
      const name = label || folderName(list) || tr('page.local_files');
      const sources = fileSources(list);
      if (!sources.length) return failed(tr('page.no_model_files', { model: name }));
      const result = await loadSources(name, sources);
      // No link can carry files from this disk: the app marks them so a copied link says so.
      if (result.ok) {
        mod.ccall('attn_web_mark_from_disk', null, [], []);
        currentModel.fromDisk = true;
      }
      return result;
    });
  }

  function folderName(files) {
    const rel = files.length && files[0].webkitRelativePath;
    return rel ? rel.split('/')[0] : '';
  }

  // Compatibility with the first API: files as {name: Uint8Array}.
  function loadModel(label, files) {
    const list = Object.entries(files).map(([name, bytes]) => new File([bytes], name));
    return openFiles(list, label);
  }

  // A dropped folder arrives as a directory entry; read its files (one level, as a model folder is flat).
  async function droppedFiles(dataTransfer) {
    const entries = Array.from(dataTransfer.items || []).map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (!entries.length) return { files: Array.from(dataTransfer.files || []), label: '' };
    const files = [];
    let label = '';
    const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));
    for (const entry of entries) {
      if (entry.isDirectory) {
        label = label || entry.name;
        const reader = entry.createReader();
        for (;;) {
          const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
          if (!batch.length) break;
          for (const e of batch) if (e.isFile) files.push(await fileOf(e));
        }
      } else if (entry.isFile) {
        files.push(await fileOf(entry));
      }
    }
    return { files, label };
  }

  function installDrop() {
    const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
    window.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      document.body.classList.add('dropping');
    });
    window.addEventListener('dragleave', () => document.body.classList.remove('dropping'));
    window.addEventListener('drop', async (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      document.body.classList.remove('dropping');
      const { files, label } = await droppedFiles(e.dataTransfer);
      openFiles(files, label);
    });
    for (const input of [folderInput, filesInput]) {
      input.addEventListener('change', () => {
        const files = Array.from(input.files || []);
        input.value = '';   // choosing the same folder again must fire change again
        if (files.length) openFiles(files);
      });
    }
  }

  // ---- the CJK font: 5 MB, so not in the first load. The app asks for it (once) when text first
  // needs glyphs the Latin font lacks; `m` is the module that asked (it may ask before `ready`).
  const CJK_FONT = 'fonts/cjk.ttc';
  let cjkFont = null;
  let cjkBytes = null;   // kept for Save as page once loaded
  function fetchCjkFont(m) {
    if (cjkFont) return cjkFont;
    cjkFont = (async () => {
      try {
        let bytes = savedPage && savedPage.cjkFont();
        if (!bytes) {
          if (saved) throw new Error(tr('present.no_cjk_font', {}, m));
          const response = await fetch(CJK_FONT);
          if (!response.ok) throw new Error(tr('page.http', { file: CJK_FONT, status: response.status }, m));
          bytes = new Uint8Array(await response.arrayBuffer());
        }
        cjkBytes = bytes;
        const ptr = m.ccall('attn_web_font_buffer', 'number', ['number'], [bytes.length]);
        if (!ptr) throw new Error(tr('page.out_of_memory', { file: CJK_FONT, bytes: bytes.length }));
        m.HEAPU8.set(bytes, ptr);
        m.ccall('attn_web_font_loaded', null, ['string'], [CJK_FONT]);
      } catch (err) {
        m.ccall('attn_web_font_failed', null, ['string'],
                [tr('page.no_cjk_font', { file: CJK_FONT, reason: err.message }, m)]);
      }
    })();
    return cjkFont;
  }

  // ---- state, attention, exports
  function getState() {
    const state = JSON.parse(mod.UTF8ToString(mod.ccall('attn_web_state_json', 'number', [], [])));
    state.build = build;
    return state;
  }

  // ---- which build runs: the threaded twin (attnscope_wasm_mt.js) needs SharedArrayBuffer, which a page
  // has only when it is cross-origin isolated (tools/serve.py sends the two headers). Anywhere else, and
  // in a saved page, the single-threaded build index.html loaded runs: the page works on any static host.
  // Each has a relaxed-SIMD twin (..._relaxed.js: the products' multiply-adds fused), started where the
  // browser validates relaxed SIMD's f32x4.relaxed_madd; `?relaxed=0` in the address keeps the SIMD128
  // build. A twin that does not start falls back to the next build down.
  let build = 'single';
  const v128Zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const relaxedMaddBody = [0x00, ...v128Zero, ...v128Zero, ...v128Zero, 0xfd, 0x85, 0x02, 0x0b];
  const RELAXED_SIMD_PROBE = new Uint8Array([  // (func (result v128) (f32x4.relaxed_madd 0 0 0))
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00, 0x0a, relaxedMaddBody.length + 2, 0x01, relaxedMaddBody.length, ...relaxedMaddBody]);
  function relaxedSimd() {
    if (saved || new URLSearchParams(location.search).get('relaxed') === '0') return false;
    try { return WebAssembly.validate(RELAXED_SIMD_PROBE); } catch (err) { return false; }
  }
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(src));
      document.head.appendChild(script);
    });
  }
  async function startModule(options) {
    const relaxed = relaxedSimd();
    const twins = [];   // [script, factory, build], best first; the plain single-threaded build is last
    if (self.crossOriginIsolated && typeof SharedArrayBuffer === 'function' && !saved) {
      if (relaxed) twins.push(['attnscope_wasm_mt_relaxed.js', 'createAttnScopeMtRelaxed', 'threads']);
      twins.push(['attnscope_wasm_mt.js', 'createAttnScopeMt', 'threads']);
    }
    if (relaxed) twins.push(['attnscope_wasm_relaxed.js', 'createAttnScopeRelaxed', 'single']);
    for (const [script, factory, kind] of twins) {
      try {
        await loadScript(script);
        const started = await window[factory]({ ...options });   // a factory keeps the object it is given
        build = kind;
        return started;
      } catch (err) {
        console.warn('AttnScope: ' + script + ' did not start (' + err.message + '); trying the next build');
      }
    }
    return createAttnScope(options);
  }

  // A promise of the state once `done(state)` holds, polled every frame or so.
  function stateWhen(done) {
    return new Promise((resolve) => {
      const poll = () => {
        const state = getState();
        if (done(state)) resolve(state);
        else setTimeout(poll, 16);
      };
      poll();
    });
  }

  // {rows, cols, data}: the (rows * cols) probabilities of one head of attention `kind` ("self",
  // "decoder" or "cross"; default "self"), row-major (query rows, key columns); a copy the caller owns.
  // For cross attention rows are target tokens and columns source tokens. data is empty when the
  // model has no such attention. The result is also a Float32Array-like: length and indexing work.
  function getAttention(layer, head, kind) {
    const k = KINDS[kind || 'self'];
    if (k === undefined) throw new Error(tr('page.api_kind'));
    const ptr = mod.ccall('attn_web_attention', 'number', ['number', 'number', 'number'], [layer, head, k]);
    const rows = mod.ccall('attn_web_attention_rows', 'number', ['number'], [k]);
    const cols = mod.ccall('attn_web_attention_cols', 'number', ['number'], [k]);
    const data = ptr ? new Float32Array(mod.HEAPF32.buffer, ptr, rows * cols).slice() : new Float32Array(0);
    data.rows = ptr ? rows : 0;
    data.cols = ptr ? cols : 0;
    return data;
  }

  // The kinds exportFile takes, as the app's table names them: 'png', 'svg', 'csv', 'json', 'npy', ...
  function exportKinds() { return mod.UTF8ToString(mod.ccall('attn_web_export_kinds', 'number', [], [])).split(', '); }

  // {name, bytes: Uint8Array} of an export (see exportKinds and the Export menu); options.scale: the
  // PNG's resolution, 1, 2 or 4 (default: the menu's choice). Throws with the reason when there is
  // nothing to export or the kind is unknown.
  function exportFile(kind, options = {}) {
    if (!exportKinds().includes(kind)) throw new Error(tr('page.api_export_kind', { kinds: exportKinds().join(', ') }));
    const scale = options.scale === undefined ? 0 : Number(options.scale);
    if (mod.ccall('attn_web_export', 'number', ['string', 'number'], [kind, scale]) !== 1) throw new Error(getState().error);
    const ptr = mod.ccall('attn_web_export_data', 'number', [], []);
    const size = mod.ccall('attn_web_export_size', 'number', [], []);
    const name = mod.UTF8ToString(mod.ccall('attn_web_export_name', 'number', [], []));
    return { name, bytes: mod.HEAPU8.slice(ptr, ptr + size) };
  }

  // safetensors bytes as {name: {dtype, shape, data}}: data a plain Array (I64 as Numbers).
  function readSafetensors(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const out = {};
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const [b, e] = t.data_offsets;
      const raw = bytes.slice(8 + n + b, 8 + n + e).buffer;
      const typed = t.dtype === 'F32' ? new Float32Array(raw) : t.dtype === 'I64' ? new BigInt64Array(raw)
        : t.dtype === 'I32' ? new Int32Array(raw) : null;
      if (!typed) throw new Error(tr('page.api_dtype', { name, dtype: t.dtype }));
      out[name] = { dtype: t.dtype, shape: t.shape, data: Array.from(typed, Number) };
    }
    return out;
  }

  // The CLI's `attnscope-cli analyze` tensors for the text on screen, by the same names, dtypes and
  // shapes: {integrated_gradients: {dtype: 'F32', shape: [T], data: [...]}, ...}. options: igSteps,
  // scorePosition, target and foil (token ids; default the model's prediction and no foil). Throws
  // with the reason (an encoder-decoder model, an id outside the vocabulary...).
  function analyze(options = {}) {
    const num = (v) => (v === undefined || v === null ? -1 : Number(v));
    const ok = mod.ccall('attn_web_analyze', 'number', ['number', 'number', 'number', 'number'],
      [num(options.scorePosition), num(options.target), num(options.foil), options.igSteps ? Number(options.igSteps) : 0]);
    if (ok !== 1) throw new Error(getState().error);
    const ptr = mod.ccall('attn_web_export_data', 'number', [], []);
    const size = mod.ccall('attn_web_export_size', 'number', [], []);
    return readSafetensors(mod.HEAPU8.slice(ptr, ptr + size));
  }

  // The CLI's `attnscope-cli heads` JSON for the text and attention kind on screen, as an object: model,
  // tokens, notes (the BOS rule), statistics, patterns, heads [{layer, head, label, confidence, every
  // statistic, scores, per_query}]. options.perQuery false leaves the per-query arrays out (large inputs).
  function heads(options = {}) {
    const ptr = mod.ccall('attn_web_heads', 'number', ['number'], [options.perQuery === false ? 0 : 1]);
    if (!ptr) throw new Error(getState().error);
    return JSON.parse(mod.UTF8ToString(ptr));
  }

  // The explanation of the text on screen, as `attnscope-cli explain --json` writes it: {text, sentences,
  // numbers, number_info, claims, facts, faithfulness}. options: igSteps, target, foil (token ids). Throws
  // with the reason (no text, an id outside the vocabulary...).
  function explain(options = {}) {
    const num = (v) => (v === undefined || v === null ? -1 : Number(v));
    const ok = mod.ccall('attn_web_explain', 'number', ['number', 'number', 'number'],
      [num(options.target), num(options.foil), options.igSteps ? Number(options.igSteps) : 0]);
    if (ok !== 1) throw new Error(getState().error);
    const ptr = mod.ccall('attn_web_export_data', 'number', [], []);
    const size = mod.ccall('attn_web_export_size', 'number', [], []);
    return JSON.parse(new TextDecoder().decode(mod.HEAPU8.slice(ptr, ptr + size)));
  }

  // A C function taking a JSON string (or nothing) and returning one; {"error"} becomes a throw.
  function jsonCall(fn, request) {
    const args = request === undefined ? [] : [JSON.stringify(request)];
    const out = JSON.parse(mod.UTF8ToString(mod.ccall(fn, 'number', args.map(() => 'string'), args)));
    if (out.error) throw new Error(out.error);
    return out;
  }

  function download(name, bytes) {
    api.lastDownload = { name, bytes };
    const url = URL.createObjectURL(new Blob([bytes]));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function trainAction(action) {
    if (mod.ccall('attn_web_train_action', 'number', ['string'], [action]) !== 1) {
      const state = getState();
      throw new Error(state.train.error || state.error || tr('page.api_train_nothing', { action }));
    }
    return getState();
  }

  // ---- the URL fragment: the view as a link
  let writtenHash = '';
  function urlState() { return mod.UTF8ToString(mod.ccall('attn_web_url_state', 'number', [], [])); }
  function applyUrlState(fragment) { mod.ccall('attn_web_apply_url_state', null, ['string'], [fragment]); return getState(); }
  function hashModel(fragment) { return new URLSearchParams(fragment.replace(/^#/, '')).get('model'); }

  function keepHashInSync() {
    setInterval(() => {
      const s = urlState();
      if (s !== writtenHash) {
        writtenHash = s;
        try {
          history.replaceState(null, '', location.pathname + location.search + '#' + s);
        } catch (err) { /* a saved page on file:// may refuse; the state still travels in its links */ }
      }
    }, 300);
    window.addEventListener('hashchange', async () => {
      const fragment = location.hash.replace(/^#/, '');
      if (fragment === writtenHash) return;
      const model = hashModel(fragment);
      if (model && model !== getState().model && getState().bundled.includes(model)) await loadBundled(model);
      applyUrlState(fragment);
    });
  }

  // "Copy link": the full address (with any ?model= path) to the clipboard; also kept in lastCopiedLink
  // for scripts, and in the address bar.
  function copyLinkToClipboard(fragment) {
    const url = location.origin + location.pathname + location.search + '#' + fragment;
    api.lastCopiedLink = url;
    writtenHash = fragment;
    history.replaceState(null, '', location.pathname + location.search + '#' + fragment);
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).catch(() => {});
    return true;
  }

  const api = {
    ready: null,
    lastDownload: null,
    lastLoad: null,
    lastCopiedLink: null,
    // What the toolbar's Copy link does; returns the link.
    copyLink() { mod.ccall('attn_web_copy_link', 'number', [], []); return api.lastCopiedLink; },
    setText(text) { callWithText('attn_web_set_text', text); return getState(); },
    // On a model whose traces take longer than a few frames, setText's new trace arrives over the next
    // frames (a block a step; state.tracing = {done, total} meanwhile): this resolves with the state once
    // it is complete, at once when nothing is in flight. With interventions, the trace without them may
    // still follow in steps (state.beforePending).
    traced() { return stateWhen((s) => !s.tracing); },
    // After a large model's load, its random-weights probe and its heads' induction score run in steps
    // (state.probing, state.inductionPending): this resolves with the state once both are known.
    measured() { return stateWhen((s) => !s.probing && !s.inductionPending); },
    setTarget(text) { callWithText('attn_web_set_target', text); return getState(); },
    nextToken() { mod.ccall('attn_web_next_token', 'number', [], []); return getState(); },
    getState,
    // {ms, appMs, drawn}: each frame since the last call: its time on the page's thread, the app's own part
    // of it (the views' CPU work, without the WebGL calls that draw it), and whether it drew.
    frameTimes() { return JSON.parse(mod.UTF8ToString(mod.ccall('attn_web_frame_times', 'number', [], []))); },
    getAttention,
    select(layer, head, kind) {
      const k = kind === undefined ? -1 : KINDS[kind];
      if (k === undefined) throw new Error(tr('page.api_kind'));
      mod.ccall('attn_web_select', null, ['number', 'number', 'number'], [layer, head, k]);
      return getState();
    },
    setView(view) { return applyUrlState('view=' + encodeURIComponent(view)); },
    // name: viridis, plasma, magma, inferno, cividis or greys; autoScale: colours span 0 to the head's max.
    setColormap(name, autoScale) {
      const ok = mod.ccall('attn_web_set_colormap', 'number', ['string', 'number'], [String(name), autoScale ? 1 : 0]);
      if (!ok) throw new Error(tr('page.api_colormap'));
      return getState();
    },
    loadModel,
    loadBundled,
    loadFromPath,
    openFiles,
    openFilePicker() { folderInput.click(); },
    exportFile,
    analyze,
    // The Attributions panel's choices, as its widgets set them: {igSteps, target, foil, method} (ids;
    // -1 = the model's prediction / no foil; method: the index in the chooser). Returns the state.
    setAnalysisOptions(o = {}) {
      const num = (v) => (v === undefined || v === null ? -2 : Number(v));
      mod.ccall('attn_web_set_analysis', null, ['number', 'number', 'number', 'number'],
        [o.igSteps ? Number(o.igSteps) : 0, num(o.target), num(o.foil), num(o.method)]);
      return getState();
    },
    exportKinds,
    // A PNG of `view` ("heatmap", "grid", "lines" or "flow"; default the one on screen) at the main
    // view's size times `scale` (1, 2 or 4; default the Export menu's choice).
    exportPng(view, scale) {
      const shown = getState().view;
      if (view) applyUrlState('view=' + encodeURIComponent(view));
      try {
        return exportFile('png', { scale }).bytes;
      } finally {
        if (view) applyUrlState('view=' + shown);
      }
    },
    urlState,
    applyUrlState,
    // Whether the canvas's font has a glyph for every character of `text` (after the CJK font arrives).
    hasGlyphs(text) { return mod.ccall('attn_web_has_glyphs', 'number', ['string'], [String(text)]) === 1; },
    explain,
    // Interventions on the text on screen, as the right panel makes them: {ablate: [{layer, head, mode:
    // 'zero'|'mean'}], knockouts: [{query, key, layer}], mask: [positions]} replaces the current ones;
    // returns {before, after, position, interventions}: the top 5 tokens {id, piece, prob} without and
    // with them. Throws with the reason on a bad request.
    intervene(request = {}) { return jsonCall('attn_web_intervene', request); },
    clearInterventions() { return jsonCall('attn_web_clear_interventions'); },
    // Activation patching of {clean, corrupted} (same token length; clean defaults to the text on screen):
    // {clean_diff, corrupted_diff, answer, wrong_answer, position, residual: [[...] x (L+1)], heads: [[...] x L], ...}.
    patch(request) { return jsonCall('attn_web_patch', request); },
    // Runs a check suite on the loaded model, as the Checks view's Run does, and returns the results the
    // CLI's `probe --out` writes: a built-in suite's name ('coreference', ...), a suite as JSON text or an
    // object. The Checks view shows them afterwards. Throws with the reason (a malformed suite names the
    // case and the field).
    probe(nameOrSuite) {
      const arg = typeof nameOrSuite === 'string' ? nameOrSuite : JSON.stringify(nameOrSuite);
      if (mod.ccall('attn_web_probe', 'number', ['string'], [arg]) !== 1) throw new Error(getState().error);
      const ptr = mod.ccall('attn_web_export_data', 'number', [], []);
      const size = mod.ccall('attn_web_export_size', 'number', [], []);
      return JSON.parse(new TextDecoder().decode(mod.HEAPU8.slice(ptr, ptr + size)));
    },
    // The Lessons panel (README "Lessons and exercises"): each returns getState().lessons, or throws
    // with the reason. lessonGoto('induction', 2) opens page 3; lessonType() puts the page's text into
    // the input; lessonAnswer('L1H1') / lessonAnswer({layer: 1, head: 1}) / lessonAnswer('animal') grades
    // an answer (a head, a token or a pattern label) and counts it in the session's score.
    lessonGoto(lesson, page = 0) { return jsonCall('attn_web_lessons', { action: 'goto', lesson: String(lesson), page: Number(page) }); },
    lessonNext() { return jsonCall('attn_web_lessons', { action: 'next' }); },
    lessonPrev() { return jsonCall('attn_web_lessons', { action: 'prev' }); },
    lessonType() { return jsonCall('attn_web_lessons', { action: 'type' }); },
    lessonClose() { return jsonCall('attn_web_lessons', { action: 'close' }); },
    lessonAnswer(answer) {
      const request = { action: 'answer' };
      if (typeof answer === 'object' && answer !== null) Object.assign(request, { layer: Number(answer.layer), head: Number(answer.head) });
      else if (/^L\d+H\d+$/.test(String(answer))) request.head = String(answer);
      else request.choice = String(answer);
      return jsonCall('attn_web_lessons', request);
    },
    // The Train panel (README "Training in the explorer"). trainStart(task, {steps, seed, speed}): fresh
    // weights, training a slice of each frame (speed: 'slow', 'normal', 'fast' or 'flat out'); the state's
    // `train` has step, loss, accuracy, running, ... Throws with the reason.
    trainStart(task, options = {}) {
      const speeds = ['slow', 'normal', 'fast', 'flat out'];
      const speed = options.speed === undefined ? -1 : speeds.indexOf(options.speed);
      if (options.speed !== undefined && speed < 0) throw new Error(tr('page.api_speed', { speeds: speeds.join(', ') }));
      const ok = mod.ccall('attn_web_train_start', 'number', ['string', 'number', 'number', 'number'],
        [String(task), options.steps ? Number(options.steps) : -1, options.seed ? Number(options.seed) : 0, speed]);
      if (ok !== 1) throw new Error(getState().train.error);
      return getState();
    },
    trainPause() { return trainAction('pause'); },
    trainResume() { return trainAction('resume'); },
    trainReset() { return trainAction('reset'); },
    // The weights of now become the explorer's model; trainBack() restores the model loaded before.
    trainShow() { return trainAction('show'); },
    trainBack() { return trainAction('back'); },
    // Save model (paused or finished): downloads NAME.zip (the folder tools/train writes); returns {name, bytes}.
    trainSave() { trainAction('save'); return api.lastDownload; },
    // Runs n steps at once, whatever the speed (scripts); returns the state.
    trainSteps(n) { mod.ccall('attn_web_train_steps', 'number', ['number'], [Number(n)]); return getState(); },
    // Save as page: {name, html, size, modelIncluded, model, modelSize, limit} of the one HTML file
    // (save_page.js) holding the app, the model (at most limit bytes), the text and the view.
    savePage,
    _savePageButton: savePageButton,
    _setParallelMinWork: (n) => mod.ccall('attn_web_set_parallel_min_work', null, ['number'], [n]),
    _setTraceStepAbove: (ms) => mod.ccall('attn_web_set_trace_step_above', null, ['number'], [ms]),
    // A stepped retrace's step size in multiply-adds (0: half a block a step; the page's default 16e6).
    _setTraceStepWork: (multiplyAdds) => mod.ccall('attn_web_set_trace_step_work', null, ['number'], [multiplyAdds]),
    // The draw pacing (src/ui/draw_pacing.h): {quietFrameMs, usedFrameMs, leastBudgetMs, busyEveryMs}, each
    // optional; returns the pacing as it was.
    _setPacing: (p) => JSON.parse(mod.UTF8ToString(mod.ccall('attn_web_set_pacing', 'number', ['number', 'number', 'number', 'number'],
      [p.quietFrameMs ?? -1, p.usedFrameMs ?? -1, p.leastBudgetMs ?? -1, p.busyEveryMs ?? -1]))),
    // Benchmarks: false puts the model's stored weights back (products pack per call), true packs again.
    _setWeightsPacked: (on) => mod.ccall('attn_web_set_weights_packed', null, ['number'], [on ? 1 : 0]),
    _setProbeInStepsAbove: (params) => mod.ccall('attn_web_set_probe_in_steps_above', null, ['number'], [params]),
    // Test hook: the page's memory limit in bytes (0: the real one, the WASM maximum), so a test can load
    // a model "too big for the tab" without gigabytes of files.
    _setMemoryLimit: (bytes) => mod.ccall('attn_web_set_memory_limit', null, ['number'], [bytes]),
    // The page benchmark's switch: false builds every frame and draws none (the canvas keeps its last
    // picture), so the app's time is measured without SwiftShader on the same cores.
    _setDrawing: (on) => mod.ccall('attn_web_set_drawing', null, ['number'], [on ? 1 : 0]),
    _download: download,
    _fetchCjkFont: fetchCjkFont,
    _copyLink: copyLinkToClipboard,
    heads,
  };

  api.ready = (async () => {
    // A ?model= folder's files are on their way while the module compiles and starts.
    const startPath = saved ? null : new URLSearchParams(location.search).get('model');
    const startUrl = startPath && folderUrl(startPath);
    if (startUrl && startUrl.origin === location.origin) for (const name of FOLDER_FILES) fetchEarly(startUrl.href + name);
    mod = await startModule(Object.assign({ canvas, print: (t) => console.log(t), printErr: (t) => console.warn(t) },
                                              savedPage ? savedPage.moduleOptions() : {}));
    performance.mark('attnscope-module-started');   // tests/e2e: the ?model= files were asked for before this
    // The bundled models (zoo first, then the test fixtures) and the default come from the app's table.
    const bundled = getState();
    installDrop();
    installTextBoxes();
    const fragment = location.hash.replace(/^#/, '');
    const path = new URLSearchParams(location.search).get('model');
    const linked = hashModel(fragment);
    let result = { ok: false };
    if (saved) return startSaved(fragment || saved.meta.state);
    if (path) result = await loadFromPath(path);
    else if (linked && bundled.bundled.includes(linked)) result = await loadBundled(linked);
    if (!result.ok) {
      const error = result.error;
      result = await loadBundled(bundled.defaultModel);
      if (!result.ok) throw new Error(result.error);
      // The default stands in for a model that would not load; the reason stays on screen.
      if (error) mod.ccall('attn_web_load_failed', null, ['string'], [error]);
    }
    if (fragment) applyUrlState(fragment);
    keepHashInSync();
    show('');
    canvas.focus();
    return getState();
  })().catch((err) => {
    // Before the app runs there is no string table: the reason stays in English.
    show(mod ? tr('page.failed_start', { reason: err.message }) : 'AttnScope failed to start: ' + err.message, true);
    throw err;
  });
  window.attnscope = api;

  // A string of the app's tables (assets/strings) in the app's language, {name} fields filled. `m`: the
  // module, for the CJK font's messages, which the app may ask for before `ready`.
  function tr(key, fields, m = mod) {
    return m.UTF8ToString(m.ccall('attn_web_tr', 'number', ['string', 'string'], [key, JSON.stringify(fields || {})]));
  }

  // The page's own HTML texts speak the app's language too: each element names its table keys in
  // data-i18n (text), data-i18n-placeholder, data-i18n-aria-label and data-i18n-title. Applied when the
  // language changes (the app's language picker, a link's lang=, the page API).
  const I18N_ATTRIBUTES = [['data-i18n-placeholder', 'placeholder'], ['data-i18n-aria-label', 'aria-label'],
                           ['data-i18n-title', 'title']];
  let pageLanguage = '';
  function translatePage() {
    const lang = mod.UTF8ToString(mod.ccall('attn_web_language', 'number', [], []));
    if (lang === pageLanguage) return;
    pageLanguage = lang;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : lang;
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = tr(e.dataset.i18n);
    for (const [data, attribute] of I18N_ATTRIBUTES)
      for (const e of document.querySelectorAll('[' + data + ']')) e.setAttribute(attribute, tr(e.getAttribute(data)));
    for (const box of textBoxes) box.cut = '';   // the cut mark's tooltip is redrawn in the new language
  }

  const mb = (n) => (n / 1048576).toFixed(1);

  // The default zoo model's files, what a saved page opens when the loaded model is too large to go in.
  async function defaultModelFiles() {
    if (saved) return { label: saved.meta.model.label, fromDisk: saved.meta.model.fromDisk,
                        files: saved.meta.model.files.map((f) => ({ name: f.name, bytes: saved.bytes(f.id) })) };
    const name = getState().defaultModel;
    const base = 'models/' + encodeURIComponent(name) + '/';
    const sources = await urlSources(base);
    const card = await fetchSource(base, 'card.json', true);
    if (card) sources.push(card);
    const files = [];
    for (const s of sources) {
      files.push({ name: s.name, bytes: s.bytes || new Uint8Array(await new Response(await s.open()).arrayBuffer()) });
    }
    return { label: name, files };
  }

  // options.modelLimit: a lower limit than the page's (scripts that want a lighter file; tests).
  async function savePage(options = {}) {
    await api.ready;
    const state = getState();
    const name = 'attnscope-' + (state.model || 'page').replace(/[^A-Za-z0-9._-]+/g, '_') + '.html';
    // The CJK font goes in only when this page needed it (Chinese UI or text): it is 5 MB.
    return savedPage.build({ state: urlState(), model: currentModel, defaultModel: defaultModelFiles,
                             cjkFont: cjkBytes, fileName: name,
                             limit: Math.min(state.savedPageModelLimit, options.modelLimit || Infinity) });
  }

  function savePageButton() {
    savePage().then((page) => {
      download(page.name, new TextEncoder().encode(page.html));
      const fields = { name: page.name, size: mb(page.size), model: page.model, model_size: mb(page.modelSize),
                       limit: mb(page.limit), default: getState().defaultModel };
      mod.ccall('attn_web_notice', null, ['string'], [tr(page.modelIncluded ? 'present.saved' : 'present.saved_without_model', fields)]);
    }).catch((err) => {
      mod.ccall('attn_web_load_failed', null, ['string'], [tr('present.save_failed', { reason: err.message })]);
    });
  }

  // A saved page opens its own model and view; nothing is fetched.
  async function startSaved(fragment) {
    const m = saved.meta.model;
    const result = await serial(() => loadSources(m.label, savedPage.savedModelSources()));
    if (!result.ok) throw new Error(result.error);
    if (m.fromDisk) {
      mod.ccall('attn_web_mark_from_disk', null, [], []);
      currentModel.fromDisk = true;
    }
    applyUrlState(fragment);
    const out = saved.meta.left_out;
    if (out) {
      mod.ccall('attn_web_load_failed', null, ['string'], [tr('present.too_large', {
        model: out.model, model_size: mb(out.size), limit: mb(out.limit), default: m.label })]);
    }
    keepHashInSync();
    show('');
    canvas.focus();
    return getState();
  }
})();
