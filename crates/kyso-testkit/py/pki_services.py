"""The services of a test PKI on loopback, as a signer and a validator reach them:

    POST /tsa                 RFC 3161 (application/timestamp-query), `openssl ts -reply`
    POST /ocsp                RFC 6960 (application/ocsp-request), `openssl ocsp -index`
    GET  /ocsp/<base64 req>   the same, RFC 6960 Appendix A.1
    GET  /crl/<name>.crl      DIR/<name>.crl as written by `openssl ca -gencrl`
    GET  /stats               how many requests each path prefix had, as JSON

    python3 pki_services.py DIR

DIR holds tsa.cnf, tsa.pem, tsa.key, tsa-chain.pem, intermediate.pem, ocsp.pem, ocsp.key,
intermediate-index.txt and the CRLs; they are read at each request, so a test can revoke a
certificate while the server runs. Prints the port it listens on, then serves until killed.
"""
import base64
import collections
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.parse

DIR = sys.argv[1]
STATS = collections.Counter()
LOCK = threading.Lock()


def path(name):
    return os.path.join(DIR, name)


def run(args, body):
    with tempfile.NamedTemporaryFile() as req, tempfile.NamedTemporaryFile() as resp:
        req.write(body)
        req.flush()
        done = subprocess.run([a.replace("{req}", req.name).replace("{resp}", resp.name)
                               for a in args], capture_output=True)
        if done.returncode != 0:
            return None, done.stderr
        return open(resp.name, "rb").read(), None


def ocsp(body):
    return run(["openssl", "ocsp", "-index", path("intermediate-index.txt"),
                "-CA", path("intermediate.pem"), "-rsigner", path("ocsp.pem"),
                "-rkey", path("ocsp.key"), "-rmd", "sha256", "-nmin", "60",
                "-reqin", "{req}", "-respout", "{resp}"], body)


def tsa(body):
    return run(["openssl", "ts", "-reply", "-config", path("tsa.cnf"), "-queryfile", "{req}",
                "-signer", path("tsa.pem"), "-inkey", path("tsa.key"),
                "-chain", path("tsa-chain.pem"), "-out", "{resp}"], body)


class Handler(http.server.BaseHTTPRequestHandler):
    def count(self):
        with LOCK:
            STATS["/" + self.path.strip("/").split("/")[0]] += 1

    def answer(self, status, body=b"", content_type="application/octet-stream"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.count()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        kind = self.headers.get("Content-Type")
        if self.path == "/tsa" and kind == "application/timestamp-query":
            out, err = tsa(body)
            reply = "application/timestamp-reply"
        elif self.path == "/ocsp" and kind == "application/ocsp-request":
            out, err = ocsp(body)
            reply = "application/ocsp-response"
        else:
            return self.answer(415 if self.path in ("/tsa", "/ocsp") else 404)
        if out is None:
            return self.answer(500, err, "text/plain")
        self.answer(200, out, reply)

    def do_GET(self):
        self.count()
        if self.path == "/stats":
            with LOCK:
                body = json.dumps(dict(STATS)).encode()
            return self.answer(200, body, "application/json")
        if self.path.startswith("/ocsp/"):
            try:
                req = base64.b64decode(urllib.parse.unquote(self.path[len("/ocsp/"):]))
            except ValueError:
                return self.answer(400)
            out, err = ocsp(req)
            if out is None:
                return self.answer(500, err, "text/plain")
            return self.answer(200, out, "application/ocsp-response")
        if self.path.startswith("/crl/") and self.path.endswith(".crl"):
            name = os.path.basename(self.path)
            try:
                body = open(path(name), "rb").read()
            except OSError:
                return self.answer(404)
            return self.answer(200, body, "application/pkix-crl")
        self.answer(404)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
