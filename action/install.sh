#!/usr/bin/env bash
# Puts isolint on PATH: an existing one (auto), else a build of this action's own source,
# so the binary always matches the action's ref and nothing is downloaded but crates.
set -euo pipefail
if [ "${ISOLINT_INSTALL:-auto}" != "source" ] && command -v isolint >/dev/null 2>&1; then
  echo "using $(command -v isolint) ($(isolint --version))"
  exit 0
fi
root="${RUNNER_TEMP:-/tmp}/isolint-bin"
cargo install --locked --quiet --path "$GITHUB_ACTION_PATH" --root "$root"
echo "$root/bin" >> "$GITHUB_PATH"
echo "built $("$root/bin/isolint" --version)"
