#!/usr/bin/env bash
# Batch signing throughput for benches/README.md: 200 small PDFs signed by `kyso sign-batch`
# with a software key and with a SoftHSM2 token, beside pyHanko signing the same 200 files in
# one Python process, in one run on one machine. Documents per second, median of RUNS.
#   usage: benches/batch.sh [RUNS]   (needs pyhanko, softhsm2-util, pkcs11-tool, openssl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release -q -p kyso-cli --bin kyso
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
demo=crates/kyso-cli/demo
mkdir -p "$work/in"
for i in $(seq -w 1 200); do cp $demo/sample.pdf "$work/in/doc-$i.pdf"; done
printf 'kyso-demo\n' > "$work/pass"

# A SoftHSM2 token holding the demo key and certificate.
export SOFTHSM2_CONF="$work/softhsm2.conf"
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$work/tokens" > "$SOFTHSM2_CONF"
module=/usr/lib/softhsm/libsofthsm2.so
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
openssl pkcs12 -in $demo/signer.p12 -passin pass:kyso-demo -nocerts -nodes 2>/dev/null \
  | openssl pkcs8 -topk8 -nocrypt -outform DER -out "$work/key.der"
openssl x509 -in $demo/signer.pem -outform DER -out "$work/cert.der"
pkcs11-tool --module $module --token-label bench --login --pin 1234 --write-object "$work/key.der" \
  --type privkey --id 01 --label demo >/dev/null 2>&1
pkcs11-tool --module $module --token-label bench --login --pin 1234 --write-object "$work/cert.der" \
  --type cert --id 01 --label demo >/dev/null 2>&1
printf '1234\n' > "$work/pin"

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
run() { # seconds of wall time of "$@", median of $runs
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"; mkdir -p "$work/out"
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN{ printf "%.3f\n", b - a }'
  done | median
}
rate() { awk -v t="$1" 'BEGIN{ printf "%.0f", 200 / t }'; }

soft=$(run target/release/kyso sign-batch "$work/in" -o "$work/out" --p12 $demo/signer.p12 --password-file "$work/pass")
hsm=$(run target/release/kyso sign-batch "$work/in" -o "$work/out" --module $module --token bench --key-label demo --pin-file "$work/pin")
py=$(run python3 benches/batch_pyhanko.py "$work/in" "$work/out" $demo/signer.p12 kyso-demo)
# The pyHanko command line, one process per document as a shell loop would run it: timed on
# the first 20 documents only (about a second each) and reported per document.
cli_loop() {
  for f in $(ls "$work/in" | head -20); do
    pyhanko sign addsig --field Sig1 pkcs12 --passfile "$work/pass" "$work/in/$f" "$work/out/$f" $demo/signer.p12
  done
}
cli20=$(runs=1 run cli_loop)
cli=$(awk -v t="$cli20" 'BEGIN{ printf "%.3f", t * 10 }')
echo "| signer | 200 documents (s) | documents/s | × pyHanko |"
echo "|---|---|---|---|"
echo "| kyso sign-batch, software key (PKCS#12) | $soft | $(rate "$soft") | $(awk -v a="$py" -v b="$soft" 'BEGIN{printf "%.1f", a/b}') |"
echo "| kyso sign-batch, SoftHSM2 token (PKCS#11) | $hsm | $(rate "$hsm") | $(awk -v a="$py" -v b="$hsm" 'BEGIN{printf "%.1f", a/b}') |"
echo "| pyHanko 0.x, one Python process, PKCS#12 | $py | $(rate "$py") | 1.0 |"
echo "| pyHanko CLI, one process per document (20 timed, ×10) | $cli | $(rate "$cli") | $(awk -v a="$py" -v b="$cli" 'BEGIN{printf "%.2f", a/b}') |"
