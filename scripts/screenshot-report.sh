#!/bin/sh
# Renders the ISO/IEC 27002 evidence report of a repo (default: fixtures/showcase) and
# screenshots it with headless Chromium, to look at the design.
#
#   scripts/screenshot-report.sh [PATH] [OUT.png] [WIDTHxHEIGHT]
#
# Needs `chromium` (Debian: apt-get install -y chromium). Writes OUT.png (default
# /tmp/report.png) and keeps the HTML beside it (OUT.html). Offline: the report loads
# nothing, and Chromium's background networking is switched off.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-fixtures/showcase}
png=${2:-/tmp/report.png}
size=${3:-1400,2000}
html=${png%.png}.html

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "chromium not found (apt-get install -y chromium)" >&2
    exit 2
fi

cd "$root"
cargo build --quiet
# The scan exits 1 when it finds something; the report is still written.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)} \
    ./target/debug/isolint check "$target" --format coverage-html >"$html" || [ $? -eq 1 ]

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$png" --window-size="$size" "file://$html" 2>/dev/null
echo "$png (from $html)"
