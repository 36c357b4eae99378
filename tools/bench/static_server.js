// The static server tools/run starts (tools/serve.py on 127.0.0.1), for the page benchmarks: resolves
// once it answers index.html. isolated false: without the cross-origin isolation headers, so the page runs
// its single-threaded build (as on a plain static host). And the browser they drive: Debian's chromium,
// WebGL 2 through SwiftShader, as tests/e2e runs it.
'use strict';
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');

async function startServer(port, webDir, { isolated = true } = {}) {
  const server = spawn('python3', [path.join(__dirname, '../serve.py'), String(port), webDir,
                                   ...(isolated ? [] : ['--no-isolation'])], { stdio: 'ignore' });
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

function launchChromium(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
           '--disable-background-networking', '--no-first-run'],
  });
}

module.exports = { startServer, launchChromium };
