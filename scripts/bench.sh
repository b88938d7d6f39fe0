#!/usr/bin/env bash
# Whole-run benchmark of isolint on generated monorepos (issue: "fast at monorepo scale").
#
#   scripts/bench.sh                 # scales 1, 10 and 100 (100 skipped if disk is short)
#   scripts/bench.sh --no-100        # scales 1 and 10 only
#   scripts/bench.sh --scales "1 10" # any list of scales
#   RUNS=10 scripts/bench.sh         # more hyperfine runs per measurement (default 5)
#   REAL_SHAPED=1 scripts/bench.sh   # corpora with gen_corpus --real-shaped (large files too)
#
# Needs: cargo, jq; installs hyperfine and GNU time from Debian if missing (as root).
# Corpora go to ${BENCH_DIR:-/tmp/isolint-bench}/corpus-N (kept between runs, regenerated
# only when missing). For each scale it measures, with hyperfine:
#   - `isolint check DIR --format json --fail-on never` with default threads and --threads 1
#   - the parse-only floor: the same run with no rule selected (a config with
#     `ignore: ["*"]`), i.e. discover + read + parse + model + report only
# plus peak RSS (`/usr/bin/time -v`) and the `--stats` stage times of one run, and the
# startup time of `isolint check` on an empty directory. Prints a results table at the end
# (also written to $BENCH_DIR/results.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/isolint-bench}"
RUNS="${RUNS:-5}"
SCALES="1 10 100"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-100) SCALES="1 10" ;;
    --scales) SCALES="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '\n== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v jq >/dev/null || need_apt+=(jq)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# --- build -------------------------------------------------------------------------------
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
log "building release binary and corpus generator"
(cd "$ROOT" && cargo build --release --quiet --bin isolint --example gen_corpus)
BIN="$TARGET_DIR/release/isolint"
GEN="$TARGET_DIR/release/examples/gen_corpus"
"$BIN" --version >&2

mkdir -p "$BENCH_DIR"
EMPTY="$BENCH_DIR/empty"
mkdir -p "$EMPTY"
NORULES="$BENCH_DIR/no-rules.yaml"
printf 'ignore: ["*"]\n' > "$NORULES"

# --- disk check for scale 100 (about 160 MB and 106,000 files) ---------------------------
avail_kb=$(df -Pk "$BENCH_DIR" | awk 'NR==2 {print $4}')
avail_inodes=$(df -Pi "$BENCH_DIR" | awk 'NR==2 {print $4}')
if [[ " $SCALES " == *" 100 "* ]] && [ ! -d "$BENCH_DIR/corpus-100" ]; then
  if [ "$avail_kb" -lt $((2 * 1024 * 1024)) ] || { [ "$avail_inodes" != "-" ] && [ "$avail_inodes" -lt 300000 ]; }; then
    log "skipping scale 100: $((avail_kb / 1024)) MB / $avail_inodes inodes free in $BENCH_DIR"
    SCALES="${SCALES/100/}"
  fi
fi

# --- measurements ------------------------------------------------------------------------
mean_ms() { jq -r '.results[0] | "\(.mean * 1000 | round) ± \(.stddev * 1000 | round)"' "$1"; }
mean_raw() { jq -r '.results[0].mean' "$1"; }
wall_ns() { local s; s=$(date +%s%N); "$@" > /dev/null 2>&1 || true; echo $(( $(date +%s%N) - s )); }
# This machine's speed drifts by tens of percent over minutes, which skews a ratio of two
# hyperfine series taken one after the other; alternating runs see the same drift.
paired_speedup() {
  local i a b
  for i in $(seq "$RUNS"); do
    a=$(wall_ns "$@" --threads 1)
    b=$(wall_ns "$@")
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", a / b }'
  done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f×", m }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for scale in $SCALES; do
  shape=()
  dir="$BENCH_DIR/corpus-$scale"
  if [ -n "${REAL_SHAPED:-}" ]; then
    shape=(--real-shaped)
    dir="$BENCH_DIR/corpus-rs-$scale"
  fi
  if [ ! -d "$dir" ]; then
    log "generating scale $scale ${shape[*]}"
    "$GEN" --scale "$scale" "${shape[@]}" "$dir" >&2
  fi
  files=$(find "$dir" -type f | wc -l)
  mb=$(du -sm --apparent-size "$dir" | cut -f1)
  cd "$dir"
  # --no-render: the scan itself, not helm or kustomize (a corpus with overlays would
  # otherwise be timed running kubectl once per overlay).
  check="$BIN check . --format json --fail-on never --no-render"
  log "scale $scale: $files files, $mb MB"
  hyperfine -N --style basic --warmup 1 --runs "$RUNS" --output=null \
    --export-json "$BENCH_DIR/s$scale-default.json" "$check" >&2
  hyperfine -N --style basic --warmup 1 --runs "$RUNS" --output=null \
    --export-json "$BENCH_DIR/s$scale-j1.json" "$check --threads 1" >&2
  hyperfine -N --style basic --warmup 1 --runs "$RUNS" --output=null \
    --export-json "$BENCH_DIR/s$scale-floor.json" "$check --config $NORULES" >&2
  # shellcheck disable=SC2086 # $check is a command line
  paired=$(paired_speedup $check)
  /usr/bin/time -v $check > /dev/null 2> "$BENCH_DIR/s$scale-time.txt" || true
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$BENCH_DIR/s$scale-time.txt")
  stages=$("$BIN" check . --format json --fail-on never --no-render --stats 2>&1 >/dev/null | awk '/^(stages|memory):/ {sub(/^stages: /, ""); printf "%s; ", $0}')
  findings=$("$BIN" check . --format json --fail-on never --no-render | jq '.summary | "\(.findings) findings, \(.resources) resources, \(.parse_errors) errors"' -r)
  d=$(mean_raw "$BENCH_DIR/s$scale-default.json")
  j=$(mean_raw "$BENCH_DIR/s$scale-j1.json")
  f=$(mean_raw "$BENCH_DIR/s$scale-floor.json")
  cpu=$(jq -r '.results[0] | "\((.user + .system) * 1000 | round)"' "$BENCH_DIR/s$scale-default.json")
  speedup=$(awk -v a="$j" -v b="$d" 'BEGIN { printf "%.2f×", a / b }')
  floor_ratio=$(awk -v a="$d" -v b="$f" 'BEGIN { printf "%.2f×", a / b }')
  rows+=("| $scale | $files | $mb | $(mean_ms "$BENCH_DIR/s$scale-default.json") | $(mean_ms "$BENCH_DIR/s$scale-j1.json") | $speedup | $paired | $cpu | $(mean_ms "$BENCH_DIR/s$scale-floor.json") | $floor_ratio | $((rss_kb / 1024)) | $stages | $findings |")
  cd "$ROOT"
done

log "startup on an empty directory"
hyperfine -N --style basic --warmup 3 --runs $((RUNS * 4)) --output=null \
  --export-json "$BENCH_DIR/empty.json" "$BIN check $EMPTY" >&2
/usr/bin/time -v "$BIN" check "$EMPTY" > /dev/null 2> "$BENCH_DIR/empty-time.txt" || true
empty_rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$BENCH_DIR/empty-time.txt")

# --- results -----------------------------------------------------------------------------
{
  echo "isolint $("$BIN" --version | awk '{print $2}') on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| scale | files | MB | wall ms (default threads) | wall ms (--threads 1) | 2 vs 1 thread | 2 vs 1, alternating pairs (median) | CPU ms (default, user+sys) | parse-only floor ms | run / floor | peak RSS MB | stages (one run, --stats) | output |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "startup (\`isolint check\` on an empty directory): $(mean_ms "$BENCH_DIR/empty.json") ms, peak RSS $((empty_rss / 1024)) MB"
  echo
  echo "commands: \`$BIN check DIR --format json --fail-on never --no-render [--threads 1 | --config no-rules.yaml]\`, hyperfine -N --warmup 1 --runs $RUNS; corpora from \`gen_corpus --scale N${REAL_SHAPED:+ --real-shaped}\`"
} | tee "$BENCH_DIR/results.md"
