#!/usr/bin/env python3
"""Test servers on 127.0.0.1 that live exactly as long as the process that started them:
each prints `READY <port>` and stops when its standard input closes.

  test_servers.py moto                         moto server (SSM and the rest of AWS)
  test_servers.py issuer SCENARIO [TLS_DIR]    an OAuth issuer that follows spec/codex-oauth.md:
                                               PKCE S256 authorize + token (code, refresh with
                                               rotation) and OpenAI's device flow. SCENARIO: ok,
                                               no-account, short-lived (expires_in 3000),
                                               device-expired, device-denied. With
                                               TLS_DIR: HTTPS, with a CA of its own written to
                                               TLS_DIR/ca.pem
  test_servers.py silent                       takes connections and never answers
  test_servers.py proxy UPSTREAM THROTTLE ERR [OPERATION=CODE]
                                               fault proxy in front of UPSTREAM: a share THROTTLE
                                               of SSM requests gets HTTP 400 ThrottlingException,
                                               a share ERR gets HTTP 500, every OPERATION request
                                               (e.g. PutParameter) gets HTTP 400 CODE (or, for
                                               CODE=MALFORMED, SSM's answer cut short; for
                                               CODE=DROP@N, from the Nth one on the connection
                                               closes without an answer: the network went away),
                                               the rest is forwarded
  test_servers.py apis ACCOUNTS.json           Discord, GitHub, OpenAI and Anthropic as their docs
                                               say they answer, under /discord, /github, /openai,
                                               /anthropic: the tokens ACCOUNTS.json knows work
                                               (with their bot, servers, repositories and
                                               permissions), any other gets 401; "throttle":
                                               {"openai": [N, SECONDS]} answers the first N
                                               requests with 429 and Retry-After: SECONDS. Each
                                               request is counted per API at GET /requests
"""
import http.client
import http.server
import json
import random
import socket
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
            targeted = refusal and self.headers.get("X-Amz-Target", "").endswith("." + refusal[0])
            if targeted and refusal[1].startswith("DROP@"):
                counts["seen"] = counts.get("seen", 0) + 1
                if counts["seen"] >= int(refusal[1][len("DROP@"):]):
                    counts["dropped"] = counts.get("dropped", 0) + 1
                    self.close_connection = True
                    return self.connection.shutdown(socket.SHUT_RDWR)
                return self.answer(*self.forward(body))
            if targeted and refusal[1] == "MALFORMED":
                # SSM's real answer, cut short: unreadable, and it still holds the values.
                counts["malformed"] = counts.get("malformed", 0) + 1
                status, data, _, _ = self.forward(body)
                return self.answer(status, data[:-1])
            if targeted:
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
            self.answer(*self.forward(body))

        def forward(self, body):
            """The upstream's answer: status, body, content type, headers to pass on."""
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request("POST", self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            passed = [(k, v) for k, v in response.getheaders()
                      if k.lower() not in ("content-length", "content-type", "connection", "transfer-encoding")]
            conn.close()
            return response.status, data, response.getheader("Content-Type", ""), passed

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        print(f"proxy: {json.dumps(counts)}", file=sys.stderr)

    return server.server_port, stop


CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"


def serve_issuer(scenario, tls_dir=None):
    import base64
    import hashlib
    import secrets
    import time

    codes, refresh_tokens, devices = {}, set(), {}
    # What the test reads back from OpenClaw is compared with the last tokens given out.
    issued = {}

    def b64(data):
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    def jwt(payload):
        return ".".join([b64(b'{"alg":"none"}'), b64(json.dumps(payload).encode()), "sig"])

    def tokens():
        auth = {"chatgpt_plan_type": "plus"}
        if scenario != "no-account":
            auth["chatgpt_account_id"] = "acct-test-1"
        lifetime = 3000 if scenario == "short-lived" else 864000
        access = jwt({"sub": "user-test-1", "exp": int(time.time()) + lifetime,
                      "https://api.openai.com/auth": auth,
                      "https://api.openai.com/profile": {"email": "codex-user@example.com"}})
        refresh = "rt-" + secrets.token_urlsafe(24)
        refresh_tokens.add(refresh)
        issued["refresh_sha256"] = hashlib.sha256(refresh.encode()).hexdigest()[:16]
        issued["expires_in"] = lifetime
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": lifetime, "id_token": jwt({"email": "codex-user@example.com"})}

    class Issuer(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body=None, headers=()):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/test/issued":
                return self.reply(200, issued)
            if url.path != "/oauth/authorize":
                return self.reply(404, {"error": "not_found"})
            required = ["response_type", "client_id", "redirect_uri", "scope", "code_challenge",
                        "code_challenge_method", "state"]
            if any(k not in q for k in required) or q["client_id"] != CLIENT_ID \
                    or q["response_type"] != "code" or q["code_challenge_method"] != "S256":
                return self.reply(400, {"error": "invalid_request"})
            code = "code-" + secrets.token_urlsafe(16)
            codes[code] = (q["code_challenge"], q["redirect_uri"])
            location = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q["state"]})
            self.reply(302, None, [("Location", location)])

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            path = urllib.parse.urlsplit(self.path).path
            if path == "/oauth/token":
                if "application/x-www-form-urlencoded" not in self.headers.get("Content-Type", ""):
                    return self.reply(400, {"error": "invalid_request", "error_description": "form-encoded only"})
                form = dict(urllib.parse.parse_qsl(body))
                if form.get("client_id") != CLIENT_ID:
                    return self.reply(401, {"error": "invalid_client"})
                if form.get("grant_type") == "authorization_code":
                    challenge, redirect = codes.pop(form.get("code", ""), (None, None))
                    verifier = form.get("code_verifier", "")
                    if challenge is None or redirect != form.get("redirect_uri") \
                            or b64(hashlib.sha256(verifier.encode()).digest()) != challenge:
                        return self.reply(400, {"error": "invalid_grant", "error_description": "bad code, verifier or redirect_uri"})
                    return self.reply(200, tokens())
                if form.get("grant_type") == "refresh_token":
                    old = form.get("refresh_token", "")
                    if old not in refresh_tokens:
                        return self.reply(400, {"error": "invalid_grant", "error_description": "refresh token reused or unknown"})
                    refresh_tokens.discard(old)
                    return self.reply(200, tokens())
                return self.reply(400, {"error": "unsupported_grant_type"})
            request = json.loads(body or "{}")
            if path == "/api/accounts/deviceauth/usercode":
                if request.get("client_id") != CLIENT_ID:
                    return self.reply(401, {"error": "invalid_client"})
                device_id = "dev-" + secrets.token_urlsafe(8)
                devices[device_id] = 0
                return self.reply(200, {"device_auth_id": device_id, "usercode": "ABCD-1234", "interval": "1"})
            if path == "/api/accounts/deviceauth/token":
                device_id = request.get("device_auth_id")
                if device_id not in devices or request.get("user_code") != "ABCD-1234":
                    return self.reply(400, {"error": "invalid_request"})
                devices[device_id] += 1
                if scenario == "device-denied":
                    return self.reply(400, {"error": "access_denied", "error_description": "the user denied the sign-in"})
                if devices[device_id] <= 2:
                    return self.reply(403, {"error": "authorization_pending"})
                if scenario == "device-expired":
                    return self.reply(410, {"error": "expired_token", "error_description": "the device code expired"})
                verifier = secrets.token_urlsafe(32)
                challenge = b64(hashlib.sha256(verifier.encode()).digest())
                code = "code-" + secrets.token_urlsafe(16)
                scheme = "https" if tls_dir else "http"
                base = f"{scheme}://127.0.0.1:{self.server.server_port}"
                codes[code] = (challenge, base + "/deviceauth/callback")
                return self.reply(200, {"authorization_code": code, "code_challenge": challenge,
                                        "code_verifier": verifier})
            self.reply(404, {"error": "not_found"})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
    server.daemon_threads = True
    if tls_dir:
        server.socket = tls_context(tls_dir).wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_port, server.shutdown


def tls_context(folder):
    """A CA of its own (`folder/ca.pem`, for the client to trust) and a certificate for
    127.0.0.1 signed by it: what a corporate CA in front of a service looks like."""
    import datetime
    import os
    import ssl
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    def certificate(subject, issuer, key, signer, ca, extra=()):
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        for extension in extra:
            builder = builder.add_extension(extension, critical=False)
        return builder.sign(signer, hashes.SHA256())
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("clawboot test CA", "clawboot test CA", ca_key, ca_key, True)
    import ipaddress
    leaf = certificate("127.0.0.1", "clawboot test CA", key, ca_key, False, [
        x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])])
    pem = serialization.Encoding.PEM
    with open(os.path.join(folder, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    chain, private = os.path.join(folder, "leaf.pem"), os.path.join(folder, "leaf.key")
    with open(chain, "wb") as f:
        f.write(leaf.public_bytes(pem))
    with open(private, "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, private)
    return context


def serve_silent():
    """Takes every connection and never answers: an endpoint behind a broken proxy."""
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []

    def accept():
        while True:
            held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1], listener.close


def serve_apis(accounts_file):
    with open(accounts_file) as f:
        accounts = json.load(f)
    counts = {}

    class Apis(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, body, headers=()):
            text = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(text)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(text)

        def do_GET(self):
            if self.path == "/requests":
                return self.answer(200, counts)
            api, _, rest = self.path.lstrip("/").partition("/")
            rest = "/" + rest.split("?")[0]
            counts[api] = counts.get(api, 0) + 1
            throttle = accounts.get("throttle", {}).get(api)
            if throttle and throttle[0] > 0:
                throttle[0] -= 1
                return self.answer(429, {"message": "You are being rate limited."},
                                   [("Retry-After", str(throttle[1]))])
            handler = getattr(self, "api_" + api, None)
            if handler is None:
                return self.answer(404, {"message": "Not Found"})
            handler(accounts.get(api, {}), rest)

        def bearer(self, prefix):
            value = self.headers.get("Authorization", "")
            return value[len(prefix):] if value.startswith(prefix) else None

        def api_discord(self, known, path):
            bot = known.get(self.bearer("Bot ") or "")
            if bot is None:
                return self.answer(401, {"message": "401: Unauthorized", "code": 0})
            if path == "/users/@me":
                return self.answer(200, {"id": bot["id"], "username": bot["username"], "bot": True})
            if path == "/users/@me/guilds":
                return self.answer(200, [{"id": g, "name": g} for g in bot.get("guilds", [])])
            self.answer(404, {"message": "404: Not Found", "code": 0})

        def api_github(self, known, path):
            token = known.get(self.bearer("Bearer ") or "")
            if token is None:
                return self.answer(401, {"message": "Bad credentials", "status": "401"})
            scopes = [("X-OAuth-Scopes", token["scopes"])] if "scopes" in token else []
            if path == "/user":
                return self.answer(200, {"login": token["login"]}, scopes)
            parts = path.strip("/").split("/")
            repo = token.get("repos", {}).get("/".join(parts[1:3]))
            if parts[0] != "repos" or repo is None:
                return self.answer(404, {"message": "Not Found"})
            if len(parts) == 3:
                return self.answer(200, {"full_name": "/".join(parts[1:3]),
                                         "permissions": {"admin": False, "push": repo.get("push", False), "pull": True}})
            need = {"commits": "contents", "pulls": "pull_requests"}.get(parts[3])
            if need and not repo.get(need, False):
                return self.answer(403, {"message": "Resource not accessible by personal access token"},
                                   [("X-Accepted-GitHub-Permissions", f"{need}=read")])
            self.answer(200, [])

        def api_openai(self, known, path):
            key = self.bearer("Bearer ") or ""
            if key not in known.get("keys", []):
                # As OpenAI does: the key's ends are in the message.
                return self.answer(401, {"error": {"message": f"Incorrect API key provided: {key[:3]}...{key[-4:]}",
                                                   "type": "invalid_request_error", "code": "invalid_api_key"}})
            self.answer(200, {"object": "list", "data": [{"id": "gpt-5.5", "object": "model"}]})

        def api_anthropic(self, known, path):
            key = self.headers.get("x-api-key", "")
            if key not in known.get("keys", []):
                return self.answer(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
            self.answer(200, {"data": [{"id": "claude-sonnet-4-5", "type": "model"}], "has_more": False})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Apis)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1], server.shutdown


def main():
    kind = sys.argv[1]
    if kind == "moto":
        port, stop = serve_moto()
    elif kind == "issuer":
        port, stop = serve_issuer(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif kind == "silent":
        port, stop = serve_silent()
    elif kind == "apis":
        port, stop = serve_apis(sys.argv[2])
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
