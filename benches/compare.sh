#!/usr/bin/env bash
# Side-by-side run for benches/README.md: kyso sign vs. pyHanko sign vs. one SHA-256 pass over
# the same 1, 10 and 100 MB files, in one run on one machine; wall time (median of N runs) and
# peak resident memory (GNU time's %M).
#   usage: benches/compare.sh [RUNS]   (needs: pyhanko, /usr/bin/time; builds kyso in release)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release -q -p kyso-cli -p kyso-benches --bin kyso --bin make-pdf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
demo=crates/kyso-cli/demo
printf 'kyso-demo\n' > "$work/pass"

# median wall seconds and max peak KiB of a command run $runs times
measure() {
  local times=() mems=() t m
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1
    read -r t m < "$work/time"
    times+=("$t"); mems+=("$m")
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  local peak
  peak=$(printf '%s\n' "${mems[@]}" | sort -n | tail -1)
  echo "$med $peak"
}

echo "| size | SHA-256 pass (s) | kyso sign (s) | sign / SHA | sign peak RSS (MiB) | pyHanko sign (s) | pyHanko sign RSS (MiB) | kyso verify (s) | verify / SHA | verify RSS (MiB) | pyHanko validate (s) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for mb in 1 10 100; do
  in="$work/in-$mb.pdf"
  target/release/make-pdf "$mb" "$in"
  read -r sha_t _ < <(measure sha256sum "$in")
  read -r kyso_t kyso_m < <(measure target/release/kyso sign "$in" -o "$work/kyso-$mb.pdf" \
      --p12 $demo/signer.p12 --password-file "$work/pass")
  read -r py_t py_m < <(measure pyhanko sign addsig --field Sig1 pkcs12 --passfile "$work/pass" \
      "$in" "$work/py-$mb.pdf" $demo/signer.p12)
  read -r ver_t ver_m < <(measure target/release/kyso verify "$work/kyso-$mb.pdf" --trust $demo/root.pem)
  read -r pyv_t _ < <(measure pyhanko sign validate --trust-replace --trust $demo/root.pem "$work/kyso-$mb.pdf")
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
  echo "| $mb MB | $sha_t | $kyso_t | $(ratio "$kyso_t" "$sha_t") | $((kyso_m / 1024)) | $py_t | $((py_m / 1024)) | $ver_t | $(ratio "$ver_t" "$sha_t") | $((ver_m / 1024)) | $pyv_t |"
done
