#!/usr/bin/env bash
# Side-by-side run for benches/README.md (issue 7): `kyso verify` of a signed 10 and 100 MB PDF
# beside `openssl cms -verify` of the same signed bytes and CMS, in one run on one machine;
# wall time, median of N whole-process runs. openssl checks the CMS and the chain only; kyso
# also reads the PDF structure, checks the ByteRange and analyses the revisions.
#   usage: benches/verify_openssl.sh [RUNS]   (needs: openssl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
cargo build --release -q -p kyso-cli -p kyso-benches --bin kyso --bin make-pdf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
demo=crates/kyso-cli/demo
printf 'kyso-demo\n' > "$work/pass"

# Median wall milliseconds of a command run $runs times (each must exit 0).
median() {
  python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - t)
print(f"{statistics.median(times) * 1000:.1f}")
PY
}

echo "| size | openssl cms -verify (ms) | kyso verify (ms) | kyso / openssl |"
echo "|---|---|---|---|"
for mb in 10 100; do
  in="$work/in-$mb.pdf"
  signed="$work/signed-$mb.pdf"
  target/release/make-pdf "$mb" "$in"
  target/release/kyso sign "$in" -o "$signed" --p12 $demo/signer.p12 --password-file "$work/pass" >/dev/null 2>&1
  # The signed bytes (both ranges) and the DER CMS, as openssl wants them.
  python3 - "$signed" "$work/data-$mb.bin" "$work/sig-$mb.der" <<'PY'
import re, sys
pdf = open(sys.argv[1], 'rb').read()
a, b, c, d = map(int, re.findall(rb'/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)', pdf)[-1])
open(sys.argv[2], 'wb').write(pdf[a:a + b] + pdf[c:c + d])
der = bytes.fromhex(pdf[a + b + 1:c - 1].decode())
n = der[1] & 0x7f if der[1] & 0x80 else 0
length = int.from_bytes(der[2:2 + n], 'big') + 2 + n if n else der[1] + 2
open(sys.argv[3], 'wb').write(der[:length])
PY
  ossl=$(median openssl cms -verify -binary -inform DER -in "$work/sig-$mb.der" \
      -content "$work/data-$mb.bin" -CAfile $demo/root.pem -purpose any -out /dev/null)
  kyso=$(median target/release/kyso verify "$signed" --trust $demo/root.pem)
  ratio=$(awk -v a="$kyso" -v b="$ossl" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }')
  echo "| $mb MB | $ossl | $kyso | $ratio |"
done
