#!/usr/bin/env bash
# The whole test suite: install the real peers, then format, lint and test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/peers.sh
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
