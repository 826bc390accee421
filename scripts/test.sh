#!/usr/bin/env bash
# The project's single test command: installs the external tools the tests run
# against (only those missing), builds everything once, then runs every test.
#
#   scripts/test.sh            # from anywhere in the repository
#
# Tools: qpdf, pdfsig (poppler-utils), certutil (libnss3-tools), openssl,
# softhsm2-util (softhsm2), pkcs11-tool (opensc), pyHanko (PyPI: pyhanko, pyhanko-cli).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> %s\n' "$*" >&2; }

# --- system packages, by the command each provides --------------------------------
declare -A PACKAGE_OF=(
    [qpdf]=qpdf
    [pdfsig]=poppler-utils
    [certutil]=libnss3-tools
    [openssl]=openssl
    [softhsm2-util]=softhsm2
    [pkcs11-tool]=opensc
)
missing=()
for cmd in "${!PACKAGE_OF[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
if ((${#missing[@]})); then
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
    log "installing ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- pyHanko ----------------------------------------------------------------------
# Versions the test suite was written against; any later 0.x should do.
if ! python3 -c "import pyhanko.sign, pyhanko_certvalidator, jsonschema" >/dev/null 2>&1 \
    || ! command -v pyhanko >/dev/null 2>&1; then
    log "installing pyHanko (and jsonschema, which checks the JSON report against its schema)"
    python3 -m pip install --quiet --disable-pip-version-check "pyhanko>=0.38" "pyhanko-cli>=0.6" "jsonschema>=4.18"
    hash -r
fi

# --- build once, then test --------------------------------------------------------
log "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

# Run the doc tests even when a test above failed, so one run reports everything.
status=0
if cargo nextest --version >/dev/null 2>&1; then
    # Benches are measured with `cargo bench` (benches/README.md), not run as tests.
    log "cargo nextest run --workspace --lib --bins --tests"
    cargo nextest run --workspace --lib --bins --tests --no-fail-fast || status=$?
else
    log "cargo-nextest not found: cargo test --workspace"
    cargo test --workspace --lib --bins --tests --no-fail-fast || status=$?
fi

log "cargo test --workspace --doc"
cargo test --workspace --doc || status=$?

exit "$status"
