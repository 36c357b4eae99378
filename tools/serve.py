#!/usr/bin/env python3
"""The static server tools/run starts: one folder on 127.0.0.1, nothing fetched from anywhere else.

    tools/serve.py PORT FOLDER [--no-isolation]

It sends two headers python's http.server does not, so the page is cross-origin isolated and
web/attnscope.js starts the threaded build (SharedArrayBuffer exists only in isolated pages):
    Cross-Origin-Opener-Policy: same-origin
    Cross-Origin-Embedder-Policy: require-corp
Any static host can serve the page; without these headers it runs the single-threaded build.
--no-isolation leaves them out (to try that build). Files go out with os.sendfile.
"""
import functools
import http.server
import sys

ISOLATION_HEADERS = (("Cross-Origin-Opener-Policy", "same-origin"),
                     ("Cross-Origin-Embedder-Policy", "require-corp"))


class Handler(http.server.SimpleHTTPRequestHandler):
    isolated = True
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json"}

    def end_headers(self):
        if self.isolated:
            for name, value in ISOLATION_HEADERS:
                self.send_header(name, value)
        super().end_headers()

    def copyfile(self, source, outputfile):
        self.wfile.flush()
        self.connection.sendfile(source)

    def log_message(self, format, *args):   # quiet: the terminal shows the URL, not every request
        pass


def main():
    args = [a for a in sys.argv[1:] if a != "--no-isolation"]
    if len(args) != 2:
        sys.exit("usage: tools/serve.py PORT FOLDER [--no-isolation]")
    port, folder = int(args[0]), args[1]
    Handler.isolated = "--no-isolation" not in sys.argv
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=folder))
    server.serve_forever()


if __name__ == "__main__":
    main()
