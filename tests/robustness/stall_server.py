#!/usr/bin/env python3
"""A loopback HTTP server that stalls, for tests/robustness/replay.sh.

usage: stall_server.py MODE PORTFILE [CERT KEY]
MODE  headers: read the request, then send nothing and keep the connection open;
      body:    send headers promising 100,000 bytes, 30,000 of them, then stay silent.
Writes the port it listens on (127.0.0.1) to PORTFILE. It serves plain GETs (a client pointed
at http://127.0.0.1:PORT/ by ILGPUCNN_DOWNLOAD_URL) and, when CERT and KEY are given, also acts
as an HTTPS proxy: it answers CONNECT and then speaks TLS itself with CERT (a client that trusts
CERT through SSL_CERT_FILE and uses it through HTTPS_PROXY sees the hub stall). Runs until killed.
"""
import socket
import ssl
import sys
import threading
import time

mode, portfile = sys.argv[1], sys.argv[2]
context = None
if len(sys.argv) > 4:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


def serve(conn):
    try:
        head = read_head(conn)
        if head is None:
            return
        if head.startswith(b"CONNECT") and context is not None:
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            conn = context.wrap_socket(conn, server_side=True)
            if read_head(conn) is None:
                return
        if mode == "body":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n")
            conn.sendall(b"\0" * 30000)
        time.sleep(3600)  # silent, connection open
    except (OSError, ssl.SSLError):
        pass


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
with open(portfile, "w", encoding="ascii") as f:
    f.write(str(server.getsockname()[1]))
while True:
    client, _ = server.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
