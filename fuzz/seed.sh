#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's fixtures and rule packs (copies, not
# committed). Run from anywhere; safe to re-run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
C="$ROOT/fuzz/corpus"
mkdir -p "$C/fuzz_yaml" "$C/fuzz_dockerfile" "$C/fuzz_hcl" "$C/fuzz_rules"
seed() { # target, find arguments...
  local target="$1"; shift
  find "$ROOT/fixtures" "$ROOT/examples/demo" -type f "$@" -print0 |
    while IFS= read -r -d '' f; do
      cp "$f" "$C/$target/$(sha1sum "$f" | cut -c1-16)"
    done
}
seed fuzz_yaml \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \)
seed fuzz_dockerfile \( -iname 'Dockerfile*' -o -iname '*.Dockerfile' -o -iname 'Containerfile*' \)
seed fuzz_hcl \( -name '*.tf' -o -name '*.tfvars' \)
find "$ROOT/rules" -name '*.yaml' ! -name 'iso27002-2022.yaml' -print0 |
  while IFS= read -r -d '' f; do cp "$f" "$C/fuzz_rules/$(sha1sum "$f" | cut -c1-16)"; done
for t in "$C"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
