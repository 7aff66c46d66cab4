#!/usr/bin/env python3
"""A loopback HTTP server that answers every GET with a redirect, for tests/robustness/replay.sh.

usage: redirect_server.py LOCATION PORTFILE [STATUS]
Answers every request with STATUS (default 302) and `Location: LOCATION` (e.g. file:///etc/passwd
or ftp://127.0.0.1/x), an empty body, and closes. Writes the port it listens on (127.0.0.1) to
PORTFILE. Runs until killed.
"""
import http.server
import sys

location, portfile = sys.argv[1], sys.argv[2]
status = int(sys.argv[3]) if len(sys.argv) > 3 else 302


class Redirect(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
with open(portfile, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
