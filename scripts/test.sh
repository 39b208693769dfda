#!/usr/bin/env bash
# The whole test suite: install the real peers, then format, lint and test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/peers.sh
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --locked 2>&1 | tee "$log" || status=$?
# One closing line for the whole run (cargo prints one per test binary, the last often "0 passed").
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
