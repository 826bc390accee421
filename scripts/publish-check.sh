#!/usr/bin/env bash
# Publishing check: `cargo publish --dry-run` of the four library crates kyso-cert, kyso-cms,
# kyso-token and kyso-pdf, in dependency order, without uploading anything.
#
#   scripts/publish-check.sh                  # package + verify-build each crate
#   scripts/publish-check.sh --no-verify      # package only (no build: seconds, not minutes)
#   scripts/publish-check.sh --all-features   # verify with every feature (builds AWS-LC: slow)
#
# One multi-package invocation (cargo >= 1.90): cargo orders the crates by their normal
# dependencies (cert, cms, then pdf and token, which do not depend on each other), and verifies
# each against a local overlay registry holding the ones packaged before it, so the unpublished
# siblings resolve. Verifying unpacks each .crate into target/package/ and builds it in the
# workspace target directory: on a 2-core machine set CARGO_BUILD_JOBS=1 if another build runs.
#
# Extra arguments are passed to cargo. --allow-dirty is added outside CI when the work tree has
# uncommitted changes.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> %s\n' "$*" >&2; }

CRATES=(kyso-cert kyso-cms kyso-token kyso-pdf)

args=()
for c in "${CRATES[@]}"; do args+=(-p "$c"); done

# A dry run of an uncommitted tree needs --allow-dirty; CI's fresh clone is clean.
if [[ -z ${CI:-} ]] && [[ -n $(git status --porcelain 2>/dev/null) ]]; then
    case " $* " in *" --allow-dirty "*) ;; *) args+=(--allow-dirty) ;; esac
fi

# crates.io rejects a .crate over 10 MB; check the sizes from the package listing first (cheap).
for c in "${CRATES[@]}"; do
    dir=crates/$c
    bytes=0
    while IFS= read -r f; do
        if [[ -f $dir/$f ]]; then bytes=$((bytes + $(stat -L -c %s "$dir/$f"))); fi
    done < <(cargo package --list -p "$c" --allow-dirty 2>/dev/null)
    log "$c: $((bytes / 1024)) KiB uncompressed"
    if ((bytes > 10 * 1024 * 1024)); then
        echo "error: $c would package $bytes bytes (crates.io limit: 10 MB); fix include/exclude" >&2
        exit 1
    fi
done

# The dry run unpacks each packaged crate from its local overlay registry into
# $CARGO_HOME/registry/src/-<hash>/<crate>-<version>, and a later run with the same version reuses
# that directory instead of unpacking again: the siblings would then be verified against the sources
# of an earlier run. Remove those unpacked copies first (only ours; crates.io's are elsewhere).
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for c in "${CRATES[@]}"; do
    for d in "$cargo_home"/registry/src/-*/"$c"-[0-9]*; do
        if [[ -d $d ]]; then rm -rf -- "$d"; fi
    done
done
# Likewise the verify builds share the workspace target directory, where cargo treats a registry
# crate as immutable (same name, version and source: never rebuilt). Drop what earlier dry runs
# built from the overlay copies of our crates, so the siblings are compiled from this run's sources.
target_dir=${CARGO_TARGET_DIR:-target}
for dfile in "$target_dir"/*/deps/kyso_*.d; do
    [[ -f $dfile ]] || continue
    grep -q '/registry/src/-[^/]*/kyso-' "$dfile" || continue
    deps=$(dirname "$dfile")
    stem=$(basename "$dfile" .d)         # kyso_cert-<metadata hash>
    name=${stem%-*}
    hash=${stem##*-}
    rm -rf -- "$deps/$stem.d" "$deps/lib$stem".* "$(dirname "$deps")/.fingerprint/${name//_/-}-$hash"
done

log "cargo publish --dry-run ${args[*]} $*"
cargo publish --dry-run "${args[@]}" "$@"

for c in "${CRATES[@]}"; do
    f=$(ls -1t target/package/"$c"-*.crate target/package/tmp-crate/"$c"-*.crate 2>/dev/null | head -n 1 || true)
    if [[ -n $f ]]; then log "$(basename "$f"): $(( $(stat -c %s "$f") / 1024 )) KiB compressed"; fi
done
log "publish dry run OK: ${CRATES[*]}"
