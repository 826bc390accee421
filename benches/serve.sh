#!/usr/bin/env bash
# Load test of `kyso serve` for benches/README.md: wrk (a second process) posts a signed
# ~100 KB and a ~1 MB PDF to /v1/verify at 4 and 16 connections, beside `kyso verify` run as
# one process per file; then the service's peak memory (VmHWM).
#   usage: benches/serve.sh [SECONDS]   (needs wrk, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
cargo build --release -q -p kyso-cli --bin kyso
kyso=$PWD/target/release/kyso
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
demo=crates/kyso-cli/demo
printf 'kyso-demo\n' > "$work/pass"

# A one-page PDF carrying an incompressible stream of N bytes, signed with the demo identity.
make_pdf() { # bytes, output
  python3 - "$1" "$2" <<'PY'
import os, sys
n, out = int(sys.argv[1]), sys.argv[2]
data = os.urandom(n)
objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length 12 >>\nstream\nBT ET q Q \nendstream",
        b"<< /Length %d >>\nstream\n" % n + data + b"\nendstream"]
body, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), []
for i, o in enumerate(objs, 1):
    offsets.append(len(body)); body += b"%d 0 obj\n" % i + o + b"\nendobj\n"
xref = len(body)
body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
body += b"".join(b"%010d 00000 n \n" % off for off in offsets)
body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(out, "wb").write(body)
PY
}
for size in 100000 1000000; do
  make_pdf $size "$work/in-$size.pdf"
  "$kyso" sign "$work/in-$size.pdf" -o "$work/signed-$size.pdf" --p12 $demo/signer.p12 \
    --password-file "$work/pass" >/dev/null
done

head -c 32 /dev/urandom > "$work/state.key"
cp $demo/root.pem "$work/root.pem"
printf 'listen = "127.0.0.1:0"\ntrust = ["root.pem"]\nstate_key_file = "state.key"\n' > "$work/kyso.toml"
"$kyso" serve --config "$work/kyso.toml" 2> "$work/serve.log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$work/serve.log")

echo "| document | connections | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
for size in 100000 1000000; do
  cat > "$work/post.lua" <<LUA
local f = io.open("$work/signed-$size.pdf", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/pdf"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.requests))
end
LUA
  for conns in 4 16; do
    read -r _ rps p50 p99 errors _ < <(wrk -t2 -c$conns -d${secs}s -s "$work/post.lua" "$url/v1/verify" | grep '^RESULT')
    echo "| $(( size / 1000 )) KB signed | $conns | $rps | $p50 ms | $p99 ms | $errors |"
  done
done
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo
echo "kyso serve peak resident memory after the load: $(( hwm / 1024 )) MiB"
for size in 100000 1000000; do
  t0=$(date +%s.%N)
  for _ in $(seq 50); do "$kyso" verify "$work/signed-$size.pdf" --trust $demo/root.pem >/dev/null; done
  t1=$(date +%s.%N)
  echo "kyso verify, one process per file, $(( size / 1000 )) KB: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", 50 / (b - a)}') files/s"
done
