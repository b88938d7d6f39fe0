#!/usr/bin/env bash
# Puts isolint on PATH. With install=auto, the first of:
#  1. an isolint already on PATH that reports the wanted version;
#  2. the tool cache ($RUNNER_TOOL_CACHE/isolint/<version>/<arch>), filled by an earlier run;
#  3. the release archive for this runner's OS and architecture, downloaded from the action's
#     own repository and verified against the release's SHA256SUMS, and against its
#     build-provenance attestation when the gh CLI can check it;
#  4. when that version has no release (or none for this runner): a build of the action's own
#     source, done by the next steps of action.yml (with the cargo target cached), which this
#     script requests through the step output `build=true`.
# install=release stops at 3 (an error if there is no release), install=source goes to 4.
# A checksum or attestation mismatch never falls back to anything: the step fails.
# The version wanted is the `version` input, else the version of the action's own source.
# ISOLINT_DOWNLOAD_BASE replaces https://github.com/<action repo>/releases/download (tests).
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
mode="${ISOLINT_INSTALL:-auto}"
out="${GITHUB_OUTPUT:-/dev/null}"

fail() {
  echo "::error title=isolint install::$*" >&2
  exit 1
}

case "$mode" in
  auto | release | source) ;;
  *) fail "install must be auto, release or source, not '$mode'" ;;
esac

source_version="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1)"
version="${ISOLINT_VERSION:-}"
version="${version#v}"
[ -n "$version" ] || version="$source_version"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  fail "version must look like 1.2.3 (or v1.2.3), not '$version'"
fi

# The source build of the next steps: only the action's own version can be built from it.
request_build() {
  if [ "$version" != "$source_version" ]; then
    fail "no release archive of isolint $version for this runner, and the action's source is version $source_version: use the action at the ref of $version or leave 'version' empty"
  fi
  local lock_hash
  lock_hash="$(sha256_of "$action_path/Cargo.lock" | cut -c1-16)"
  {
    echo "build=true"
    echo "target-dir=${RUNNER_TEMP:-/tmp}/isolint-target"
    echo "cache-key=isolint-target-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$version-$lock_hash"
  } >>"$out"
  echo "building isolint $version from the action's source (next step)"
  exit 0
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

use_dir() {
  echo "$1" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
  echo "build=false" >>"$out"
  echo "$2: $("$1/isolint$exe" --version)"
  exit 0
}

[ "$mode" = "source" ] && request_build

if [ "$mode" = "auto" ] && command -v isolint >/dev/null 2>&1; then
  found="$(isolint --version 2>/dev/null || true)"
  if [ "$found" = "isolint $version" ]; then
    echo "build=false" >>"$out"
    echo "using $(command -v isolint) ($found)"
    exit 0
  fi
  echo "ignoring $(command -v isolint) ($found): version $version is wanted"
fi

os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
exe=""
case "$os/$arch" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64 | Linux/aarch64) target=aarch64-unknown-linux-musl ;;
  macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
  macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc exe=".exe" ;;
  *) target="" ;;
esac

cache_dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/isolint/$version/$arch"
# The marker is written last, only after verification (the @actions/tool-cache convention).
if [ -f "$cache_dir.complete" ] && [ -x "$cache_dir/isolint$exe" ]; then
  use_dir "$cache_dir" "using the tool cache $cache_dir"
fi

if [ -z "$target" ]; then
  echo "no release archive is built for $os/$arch"
  [ "$mode" = "release" ] && fail "no release archive of isolint for $os/$arch"
  request_build
fi

repo="${GITHUB_ACTION_REPOSITORY:-${GITHUB_REPOSITORY:-}}"
base="${ISOLINT_DOWNLOAD_BASE:-https://github.com/$repo/releases/download}"
name="isolint-v$version-$target"
case "$target" in
  *windows*) archive="$name.zip" ;;
  *) archive="$name.tar.gz" ;;
esac
work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/isolint-download.XXXXXX")"
trap 'rm -rf "$work"' EXIT

fetch() {
  curl --fail --silent --show-error --location --retry 3 --connect-timeout 10 \
    --output "$work/$1" "$base/v$version/$1"
}
if ! fetch SHA256SUMS || ! fetch "$archive"; then
  echo "no release archive at $base/v$version/$archive"
  [ "$mode" = "release" ] && fail "could not download $base/v$version/$archive"
  request_build
fi

expected="$(awk -v n="$archive" '{ f = $2; sub(/^\*/, "", f); if (f == n) print $1 }' "$work/SHA256SUMS")"
[ -n "$expected" ] || fail "$archive is not listed in the release's SHA256SUMS: refusing to run it"
actual="$(sha256_of "$work/$archive")"
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual. Refusing to install it."
fi
echo "$archive: sha256 $actual matches SHA256SUMS"

# Provenance: the archive was built by this repository's release workflow. Needs gh 2.49+
# and a token; a failed verification is fatal, an impossible one is said so in the log.
if [ -z "${ISOLINT_DOWNLOAD_BASE:-}" ] && [ -n "$repo" ] && [ -n "${GH_TOKEN:-}" ] &&
  command -v gh >/dev/null 2>&1 && gh attestation verify --help >/dev/null 2>&1; then
  gh attestation verify "$work/$archive" --repo "$repo" >/dev/null ||
    fail "the build-provenance attestation of $archive does not verify for $repo. Refusing to install it."
  echo "$archive: build-provenance attestation verified for $repo"
else
  echo "$archive: attestation not checked (needs the gh CLI and a token)"
fi

case "$archive" in
  *.zip) (cd "$work" && unzip -q "$archive") ;;
  *) tar -xzf "$work/$archive" -C "$work" ;;
esac
[ -f "$work/$name/isolint$exe" ] || fail "$archive does not contain $name/isolint$exe"
rm -rf "$cache_dir"
mkdir -p "$cache_dir"
cp "$work/$name/isolint$exe" "$cache_dir/"
chmod +x "$cache_dir/isolint$exe"
got="$("$cache_dir/isolint$exe" --version)"
[ "$got" = "isolint $version" ] || fail "$archive contains '$got', not isolint $version"
touch "$cache_dir.complete"
use_dir "$cache_dir" "installed $archive into $cache_dir"
