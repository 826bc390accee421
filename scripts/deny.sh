#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (config: deny.toml): licences, bans, sources, and the RustSec
# advisories when an advisory database is available.
#
#   scripts/deny.sh                 # install cargo-deny if missing, then run the checks
#
# The advisory database is a git repository on GitHub, which this project's machines and CI cannot
# reach, and no package registry carries a copy. So:
#   - KYSO_DENY_FETCH=1         GitHub is reachable: cargo-deny fetches/updates the database itself.
#   - KYSO_ADVISORY_DB=/path    a local clone of the RustSec advisory-db (git clone of
#                               github.com/RustSec/advisory-db made elsewhere) is linked into
#                               cargo-deny's database directory and used offline.
#   - otherwise, if a database is already in cargo-deny's directory ($ADVISORY_DIR below), it is
#     used offline (cargo-deny refuses one older than 90 days: refresh it, don't ignore it);
#   - otherwise the advisories check is SKIPPED, loudly, and licenses/bans/sources still run.
#     KYSO_REQUIRE_ADVISORIES=1 turns that skip into a failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> %s\n' "$*" >&2; }

# Pinned: deny.toml is written for this version's config format.
CARGO_DENY_VERSION=0.20.2

if [[ $(cargo deny --version 2>/dev/null) != "cargo-deny $CARGO_DENY_VERSION" ]]; then
    # Builds from source: about 3-5 minutes on 2 cores.
    log "installing cargo-deny $CARGO_DENY_VERSION"
    cargo install --locked cargo-deny --version "$CARGO_DENY_VERSION"
fi

# Where cargo-deny 0.20 keeps the default database (https://github.com/RustSec/advisory-db):
# <db-path>/<last url segment>-<xxhash64 of the url>, db-path defaulting to $CARGO_HOME/advisory-dbs.
ADVISORY_DIR=${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/advisory-db-3157b0e258782691

if [[ -n ${KYSO_ADVISORY_DB:-} ]]; then
    if [[ ! -d $KYSO_ADVISORY_DB/crates || ! -e $KYSO_ADVISORY_DB/.git ]]; then
        echo "error: KYSO_ADVISORY_DB=$KYSO_ADVISORY_DB is not a git clone of the RustSec advisory-db" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$ADVISORY_DIR")"
    if [[ -e $ADVISORY_DIR && ! -L $ADVISORY_DIR ]]; then
        echo "error: $ADVISORY_DIR exists and is not a link; remove it to use KYSO_ADVISORY_DB" >&2
        exit 1
    fi
    ln -sfn "$(cd "$KYSO_ADVISORY_DB" && pwd)" "$ADVISORY_DIR"
fi

# cargo metadata (which cargo-deny runs) needs the crates' sources; fetch them while online
# (crates.io is reachable), so that `--offline` below only stops cargo-deny's own GitHub fetch.
cargo fetch --quiet

# The inverse dependency tree under every diagnostic is long (each duplicate prints one);
# KYSO_DENY_GRAPH=1 shows it.
check=(check)
[[ ${KYSO_DENY_GRAPH:-0} == 1 ]] || check+=(--hide-inclusion-graph)

status=0
if [[ ${KYSO_DENY_FETCH:-0} == 1 ]]; then
    log "cargo deny check (fetching the advisory database)"
    cargo deny "${check[@]}" || status=$?
elif [[ -d $ADVISORY_DIR/crates ]]; then
    log "cargo deny --offline check (advisory database: $ADVISORY_DIR)"
    cargo deny --offline "${check[@]}" || status=$?
else
    cat >&2 <<EOF
==> ****************************************************************************************
==> advisories: SKIPPED. No RustSec advisory database at
==>   $ADVISORY_DIR
==> and GitHub (where it lives) is not reachable from here. To run the advisories check, set
==> KYSO_ADVISORY_DB to a git clone of the RustSec advisory-db, or KYSO_DENY_FETCH=1 where
==> GitHub is reachable.
==> ****************************************************************************************
EOF
    if [[ ${KYSO_REQUIRE_ADVISORIES:-0} == 1 ]]; then
        echo "error: KYSO_REQUIRE_ADVISORIES=1 and no advisory database" >&2
        status=1
    fi
    log "cargo deny check licenses bans sources"
    cargo deny --offline "${check[@]}" licenses bans sources || status=$?
fi

exit "$status"
