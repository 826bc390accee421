#!/usr/bin/env bash
# The project's single test command: installs the external tools the tests run
# against (only those missing), builds everything once, then runs every test.
#
#   scripts/test.sh            # from anywhere in the repository
#
# Tools: qpdf, pdfsig, pdftoppm and pdftotext (poppler-utils), mutool (mupdf-tools: the
# second renderer of the visible-signature golden images), certutil and pk12util (libnss3-tools), openssl,
# softhsm2-util (softhsm2), pkcs11-tool (opensc), pyHanko (PyPI: pyhanko, pyhanko-cli);
# for kyso-testkit's interop module also Java 17 (default-jdk-headless) with PDFBox 2,
# BouncyCastle and iText 5 (libpdfbox2-java, libbcpkix-java, libitext5-java), node and
# npm (nodejs, npm) and pypdf (PyPI). The @signpdf npm packages are installed by the
# tests themselves, once, into the shared kyso-testkit directory. The upload page of
# `kyso serve` is tested in headless Chromium through ChromeDriver (chromium, chromium-driver).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> %s\n' "$*" >&2; }

# --- system packages, by the command each provides --------------------------------
declare -A PACKAGE_OF=(
    [qpdf]=qpdf
    [pdfsig]=poppler-utils
    [pdftoppm]=poppler-utils
    [pdftotext]=poppler-utils
    [mutool]=mupdf-tools
    [certutil]=libnss3-tools
    [openssl]=openssl
    [softhsm2-util]=softhsm2
    [pkcs11-tool]=opensc
    [pk12util]=libnss3-tools
    [javac]=default-jdk-headless
    [java]=default-jdk-headless
    [node]=nodejs
    [npm]=npm
    [chromium]=chromium
    [chromedriver]=chromium-driver
)
# ... and by the jar each provides (they pull in fontbox2, bcprov, bcutil, commons-logging).
declare -A PACKAGE_OF_JAR=(
    [pdfbox2.jar]=libpdfbox2-java
    [bcpkix.jar]=libbcpkix-java
    [itext5.jar]=libitext5-java
)
missing=()
for cmd in "${!PACKAGE_OF[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
for jar in "${!PACKAGE_OF_JAR[@]}"; do
    [[ -f /usr/share/java/$jar ]] || missing+=("${PACKAGE_OF_JAR[$jar]}")
done
if ((${#missing[@]})); then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
fi
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

# --- pypdf (kyso-testkit's interop editors: incremental writing needs pypdf >= 5) ------
if ! python3 -c "import sys, pypdf; sys.exit(int(pypdf.__version__.split('.')[0]) < 5)" \
    >/dev/null 2>&1; then
    log "installing pypdf"
    python3 -m pip install --quiet --disable-pip-version-check "pypdf>=5"
fi

# --- build once, then test --------------------------------------------------------
log "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

# kyso-token builds with one backend alone (what an application that needs one backend gets).
for features in pkcs12 pkcs11 remote,ring "pkcs12,aws-lc-rs"; do
    log "cargo check -p kyso-token --no-default-features --features $features"
    cargo check -q -p kyso-token --no-default-features --features "$features"
done

# Run the doc tests even when a test above failed, so one run reports everything.
status=0
if cargo nextest --version >/dev/null 2>&1; then
    # Benches are measured with `cargo bench` (benches/README.md), not run as tests.
    log "cargo nextest run --workspace --lib --bins --tests"
    cargo nextest run --workspace --lib --bins --tests --no-fail-fast || status=$?
    # The same conformance suites and signing matrix again with the pure-Rust provider only
    # (kyso_cert::crypto: the first run used AWS-LC, the `kyso` binary's default), from the
    # same build: Wycheproof, PKITS, x509-limbo, the provider check, signing with every key
    # type against pyHanko/pdfsig/PDFBox/iText, and foreign and external CMS.
    log "the same suites with KYSO_CRYPTO_PROVIDER=rustcrypto"
    KYSO_CRYPTO_PROVIDER=rustcrypto cargo nextest run --workspace --lib --bins --tests \
        --no-fail-fast -E 'binary(wycheproof) | binary(pkits) | binary(pkits_smime) | binary(limbo)
            | binary(crypto_provider) | binary(software) | binary(interop) | binary(foreign_cms)
            | binary(sign_external) | binary(batch) | (package(kyso-cms) & binary(verify))
            | (package(kyso-pdf) & binary(verify))' || status=$?
else
    log "cargo-nextest not found: cargo test --workspace"
    cargo test --workspace --lib --bins --tests --no-fail-fast || status=$?
fi

# Supply chain: licences, bans, sources (and RustSec advisories where a database is
# available; see scripts/deny.sh). Publishing is checked by scripts/publish-check.sh.
log "scripts/deny.sh"
scripts/deny.sh || status=$?

log "cargo test --workspace --doc"
cargo test --workspace --doc || status=$?

exit "$status"
