#!/usr/bin/env bash
# Batch signing throughput for benches/README.md: 200 small PDFs signed by `kyso sign-batch`
# with software RSA-2048 and P-256 keys under each crypto provider (AWS-LC, RustCrypto) and
# with a SoftHSM2 token, beside pyHanko signing the same 200 files in one Python process and
# the provider's own signing limit on both cores (`sign-limit`: the same key signing 200
# messages through the same `sign_many`, nothing else) and `openssl speed` (one core and both,
# for reference), in one run on one machine. Documents per second, median of RUNS. Each round
# of a software key runs the batch, then the floor (`sign-floor`: one process that loads the
# same key, reads each input, signs once and writes as many bytes as kyso wrote through a
# temporary file renamed onto the output — kyso's file rules without the PDF work), then the
# limit; "% of limit" and "% of floor" are the medians of the rounds' own ratios: the host's
# speed drifts within a run, and a batch compared with a limit measured a minute earlier
# would measure the drift. The CPU
# the hypervisor took from this machine during the run (steal) is printed at the end: on a
# shared host it lowers every figure of the run alike, so compare within a run.
#   usage: benches/batch.sh [RUNS]   (needs pyhanko, softhsm2-util, pkcs11-tool, openssl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release -q -p kyso-cli --bin kyso -p kyso-benches --bin sign-limit --bin sign-floor
steal() { awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
steal_start=$(steal)
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
    # A fresh folder each run, the last one moved aside and not deleted: ext4 skips the
    # inodes freed in the last seconds when it allocates (recently_deleted, ~10 % of a run's
    # CPU after `rm -rf` of the previous 200 outputs), which measures the bench, not kyso.
    [[ -d $work/out ]] && mv "$work/out" "$(mktemp -d -p "$work" old.XXXXXX)/"
    mkdir -p "$work/out"
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN{ printf "%.3f\n", b - a }'
  done | median
}
rate() { awk -v t="$1" 'BEGIN{ printf "%.0f", 200 / t }'; }

# A P-256 identity beside the demo RSA-2048 one (self-signed: signing needs no trust).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=kyso bench P-256" -keyout "$work/p256.key" -out "$work/p256.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$work/p256.key" -in "$work/p256.pem" -passout pass:kyso-demo \
  -out "$work/p256.p12"
batch() { # provider, p12
  KYSO_CRYPTO_PROVIDER=$1 target/release/kyso sign-batch "$work/in" -o "$work/out" --p12 "$2" \
    --password-file "$work/pass"
}
limit() { KYSO_CRYPTO_PROVIDER=$1 target/release/sign-limit "$2" "$work/pass"; }
floor() { # provider, p12, bytes appended
  KYSO_CRYPTO_PROVIDER=$1 target/release/sign-floor "$2" "$work/pass" "$work/in" "$work/out" "$3"
}
# provider, p12 -> "median seconds, median limit, median % of limit, median floor (documents/s),
# median % of floor, median floor as % of limit"
paired() {
  local rounds
  rounds=$(for _ in $(seq "$runs"); do
    local t lim appended f
    t=$(runs=1 run batch "$1" "$2")
    # What kyso appended to the first document: the floor writes as much.
    appended=$(( $(stat -c %s "$work/out/doc-001.pdf") - $(stat -c %s "$work/in/doc-001.pdf") ))
    f=$(runs=1 run floor "$1" "$2" "$appended")
    lim=$(limit "$1" "$2")
    echo "$t $lim $f"
  done)
  echo "$(awk '{print $1}' <<<"$rounds" | median)" \
    "$(awk '{print $2}' <<<"$rounds" | median)" \
    "$(awk '{printf "%.0f\n", 100 * 200 / $1 / $2}' <<<"$rounds" | median)" \
    "$(awk '{printf "%.0f\n", 200 / $3}' <<<"$rounds" | median)" \
    "$(awk '{printf "%.0f\n", 100 * $3 / $1}' <<<"$rounds" | median)" \
    "$(awk '{printf "%.0f\n", 100 * 200 / $3 / $2}' <<<"$rounds" | median)"
}
read -r soft lim pct_soft fl pf fpl < <(paired aws-lc-rs $demo/signer.p12)
read -r soft_rc lim_rc pct_soft_rc fl_rc pf_rc fpl_rc < <(paired rustcrypto $demo/signer.p12)
read -r p256 lim_p256 pct_p256 fl_p256 pf_p256 fpl_p256 < <(paired aws-lc-rs "$work/p256.p12")
read -r p256_rc lim_p256_rc pct_p256_rc fl_p256_rc pf_p256_rc fpl_p256_rc < <(paired rustcrypto "$work/p256.p12")
py_p256=$(run python3 benches/batch_pyhanko.py "$work/in" "$work/out" "$work/p256.p12" kyso-demo)
speed1=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $6}')
speed2=$(openssl speed -seconds 3 -multi 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $6}')
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
echo "| signer | 200 documents (s) | documents/s | provider limit, both cores (signatures/s) | % of limit | floor (documents/s) | % of floor | floor % of limit | × pyHanko |"
echo "|---|---|---|---|---|---|---|---|---|"
x() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a/b}'; }
echo "| kyso sign-batch, RSA-2048 software key, aws-lc-rs | $soft | $(rate "$soft") | $lim | $pct_soft % | $fl | $pf % | $fpl % | $(x "$py" "$soft") |"
echo "| kyso sign-batch, RSA-2048 software key, rustcrypto | $soft_rc | $(rate "$soft_rc") | $lim_rc | $pct_soft_rc % | $fl_rc | $pf_rc % | $fpl_rc % | $(x "$py" "$soft_rc") |"
echo "| kyso sign-batch, P-256 software key, aws-lc-rs | $p256 | $(rate "$p256") | $lim_p256 | $pct_p256 % | $fl_p256 | $pf_p256 % | $fpl_p256 % | $(x "$py_p256" "$p256") (P-256) |"
echo "| kyso sign-batch, P-256 software key, rustcrypto | $p256_rc | $(rate "$p256_rc") | $lim_p256_rc | $pct_p256_rc % | $fl_p256_rc | $pf_p256_rc % | $fpl_p256_rc % | $(x "$py_p256" "$p256_rc") (P-256) |"
echo "| kyso sign-batch, SoftHSM2 token (PKCS#11) | $hsm | $(rate "$hsm") | | | | | | $(x "$py" "$hsm") |"
echo "| pyHanko 0.x, one Python process, PKCS#12 RSA-2048 | $py | $(rate "$py") | | | | | | 1.0 |"
echo "| pyHanko 0.x, one Python process, PKCS#12 P-256 | $py_p256 | $(rate "$py_p256") | | | | | | 1.0 (P-256) |"
echo "| pyHanko CLI, one process per document (20 timed, ×10) | $cli | $(rate "$cli") | | | | | | $(awk -v a="$py" -v b="$cli" 'BEGIN{printf "%.2f", a/b}') |"
echo
echo "openssl speed rsa2048: $speed1 signatures/s on one core, $speed2 on both (-multi 2)"
steal_end=$(steal)
echo "$steal_start $steal_end" | awk '{ printf "CPU taken by the hypervisor (steal) during the run: %.0f %%\n", 100 * ($3 - $1) / ($4 - $2) }'
