#!/usr/bin/env python3
"""Test servers on 127.0.0.1 that live exactly as long as the process that started them:
each prints `READY <port>` and stops when its standard input closes.

  test_servers.py moto                         moto server (SSM and the rest of AWS)
  test_servers.py proxy UPSTREAM THROTTLE ERR [OPERATION=CODE]
                                               fault proxy in front of UPSTREAM: a share THROTTLE
                                               of SSM requests gets HTTP 400 ThrottlingException,
                                               a share ERR gets HTTP 500, every OPERATION request
                                               (e.g. PutParameter) gets HTTP 400 CODE, the rest
                                               is forwarded
"""
import http.client
import http.server
import json
import random
import sys
import threading
import urllib.parse


def serve_moto():
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server._server.server_port, server.stop


def serve_proxy(upstream, throttle, error, refusal=None):
    target = urllib.parse.urlsplit(upstream)
    counts = {"forwarded": 0, "throttled": 0, "failed": 0}

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, body, content_type="application/x-amz-json-1.1", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if refusal and self.headers.get("X-Amz-Target", "").endswith("." + refusal[0]):
                counts["refused"] = counts.get("refused", 0) + 1
                fault = {"__type": refusal[1], "message": f"injected {refusal[1]}"}
                return self.answer(400, json.dumps(fault).encode())
            roll = random.random()
            if roll < throttle:
                counts["throttled"] += 1
                fault = {"__type": "ThrottlingException", "message": "Rate exceeded"}
                return self.answer(400, json.dumps(fault).encode())
            if roll < throttle + error:
                counts["failed"] += 1
                fault = {"__type": "InternalServerError", "message": "injected"}
                return self.answer(500, json.dumps(fault).encode())
            counts["forwarded"] += 1
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request("POST", self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            passed = [(k, v) for k, v in response.getheaders()
                      if k.lower() not in ("content-length", "content-type", "connection", "transfer-encoding")]
            self.answer(response.status, data, response.getheader("Content-Type", ""), passed)
            conn.close()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        print(f"proxy: {json.dumps(counts)}", file=sys.stderr)

    return server.server_port, stop


def main():
    kind = sys.argv[1]
    if kind == "moto":
        port, stop = serve_moto()
    elif kind == "proxy":
        refusal = tuple(sys.argv[5].split("=", 1)) if len(sys.argv) > 5 else None
        port, stop = serve_proxy(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), refusal)
    else:
        sys.exit(__doc__)
    print(f"READY {port}", flush=True)
    sys.stdin.read()
    stop()


if __name__ == "__main__":
    main()
