#!/usr/bin/env bash
# The fallback when no release archive exists: builds the action's own source (so the binary
# matches the action's ref) into CARGO_TARGET_DIR, which action.yml restores and saves with
# actions/cache, so a second run only relinks what changed.
set -euo pipefail
root="${RUNNER_TEMP:-/tmp}/isolint-bin"
cargo install --locked --quiet --path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}" --root "$root"
echo "$root/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
echo "built $("$root/bin/isolint" --version)"
