// The static server tools/run starts (python3 -m http.server on 127.0.0.1), for the page benchmarks:
// resolves once it answers index.html.
'use strict';
const { spawn } = require('node:child_process');
const http = require('node:http');

async function startServer(port, webDir) {
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', webDir],
                       { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      http.get(`http://127.0.0.1:${port}/index.html`, (res) => { res.resume(); resolve(res.statusCode === 200); })
        .on('error', () => resolve(false));
    });
    if (ok) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error('the static server did not start');
}

module.exports = { startServer };
