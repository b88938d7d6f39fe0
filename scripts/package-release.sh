#!/usr/bin/env bash
# Packs one release archive, the layout that action/install.sh and `cargo binstall` expect:
#   isolint-v<version>-<target>/{isolint[.exe], README.md, LICENSE}
# as OUTDIR/isolint-v<version>-<target>.tar.gz (.zip for Windows targets).
# Used by .github/workflows/release.yml, and by scripts/integration.sh to serve archives to
# action/install.sh from a local HTTP server.
# Usage: scripts/package-release.sh TARGET BINARY OUTDIR
set -euo pipefail
target="$1"
binary="$2"
outdir="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
name="isolint-v$version-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$outdir"
outdir="$(cd "$outdir" && pwd)"
exe=""
case "$target" in *windows*) exe=".exe" ;; esac
cp "$binary" "$stage/$name/isolint$exe"
cp "$root/README.md" "$root/LICENSE" "$stage/$name/"
case "$target" in
  *windows*)
    rm -f "$outdir/$name.zip"
    (cd "$stage" && 7z a -tzip -bd "$outdir/$name.zip" "$name" >/dev/null)
    echo "$outdir/$name.zip"
    ;;
  *)
    tar -C "$stage" -czf "$outdir/$name.tar.gz" "$name"
    echo "$outdir/$name.tar.gz"
    ;;
esac
