"""A time-stamping authority on loopback for kyso's tests: every POST body (an RFC 3161
TimeStampReq) is answered by `openssl ts -reply` with the test PKI's TSA.

    python3 tsa_server.py CONFIG SIGNER KEY CHAIN [USER:PASSWORD]

Prints the port it listens on, then serves until killed. With USER:PASSWORD, a request
without that HTTP basic authorisation gets 401."""
import base64
import http.server
import subprocess
import sys
import tempfile

CONFIG, SIGNER, KEY, CHAIN = sys.argv[1:5]
AUTH = sys.argv[5] if len(sys.argv) > 5 else None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        if AUTH is not None:
            want = "Basic " + base64.b64encode(AUTH.encode()).decode()
            if self.headers.get("Authorization") != want:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="tsa"')
                self.end_headers()
                return
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_response(415)
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.NamedTemporaryFile(suffix=".tsq") as req, \
                tempfile.NamedTemporaryFile(suffix=".tsr") as resp:
            req.write(body)
            req.flush()
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", CONFIG, "-queryfile", req.name,
                 "-signer", SIGNER, "-inkey", KEY, "-chain", CHAIN, "-out", resp.name],
                capture_output=True)
            if done.returncode != 0:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(done.stderr)
                return
            answer = open(resp.name, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
