// A tiny static file server for the e2e tests: serves one folder on 127.0.0.1 at a free port the OS
// picks, with the MIME types the page needs (application/wasm for streaming compilation). isolated: also
// the two headers tools/serve.py sends, so the page is cross-origin isolated and starts its threaded
// build; without them (the default here, as on any plain static host) it runs the single-threaded one.
// Every response has a Content-Length, as a static host's has (the page reads a large fetched file through
// its BYOB reader only when it knows the size). compressJson: .json files go out gzip-compressed, with the
// compressed size as Content-Length, as some hosts and CDNs send them.
// The returned `files` map ("N/NAME" -> Buffer) holds bytes a test hands the page: each is served once at
// /__e2e_files/N/NAME and then forgotten (helpers.js loadModelBytes).
'use strict';
const http = require('node:http');
const zlib = require('node:zlib');
const fs = require('node:fs');
const path = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.data': 'application/octet-stream',
  '.safetensors': 'application/octet-stream', '.png': 'image/png', '.ttc': 'font/collection',
};

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function serve(root, { isolated = false, compressJson = false } = {}) {
  const files = new Map();
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (urlPath.startsWith('/__e2e_files/')) {
      const key = urlPath.slice('/__e2e_files/'.length), body = files.get(key);
      files.delete(key);
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/octet-stream', 'Content-Length': body ? body.length : 0,
                                        ...(isolated ? ISOLATION : {}) });
      res.end(body);
      return;
    }
    const file = path.join(root, urlPath.endsWith('/') ? urlPath + 'index.html' : urlPath);
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      const compress = compressJson && path.extname(file) === '.json';
      const body = compress ? zlib.gzipSync(data) : data;
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
                           'Content-Length': body.length, ...(compress ? { 'Content-Encoding': 'gzip' } : {}),
                           ...(isolated ? ISOLATION : {}) });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, files, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

module.exports = { serve };
