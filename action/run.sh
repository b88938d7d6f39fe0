#!/usr/bin/env bash
# One scan writes everything: readable log, SARIF, annotations and the job summary.
# Inputs arrive through the environment (never interpolated into the script).
set -euo pipefail
sarif="${ISOLINT_SARIF_FILE:-}"
[ -n "$sarif" ] || sarif="${RUNNER_TEMP:-/tmp}/isolint.sarif"
work="$(mktemp -d)"
args=(check --color never --fail-on "${ISOLINT_FAIL_ON:-low}"
  --output "sarif=$sarif" --output "json=$work/report.json")
if [ "${ISOLINT_ANNOTATIONS:-true}" = "true" ]; then args+=(--output "github=-"); fi
if [ "${ISOLINT_JOB_SUMMARY:-true}" = "true" ]; then args+=(--output "markdown=$work/summary.md"); fi
if [ "${ISOLINT_FAIL_ON_ERROR:-false}" = "true" ]; then args+=(--fail-on-error); fi
# On a pull request the checkout is the PR's: its `.isolint.yaml` (and the rule packs it
# names) are the author's to change. `config-from-ref` takes them from a trusted ref.
trusted="${ISOLINT_CONFIG_FROM_REF:-}"
if [ -n "$trusted" ] && [ -n "${ISOLINT_CONFIG:-}" ]; then
  echo "::error title=isolint::set either config or config-from-ref, not both"
  echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
  exit 0
fi
if [ -n "$trusted" ]; then
  case "$trusted" in
    -*) echo "::error title=isolint::config-from-ref must be a git ref"
        echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"; exit 0 ;;
  esac
  if ! commit="$(git rev-parse --verify --quiet --end-of-options "$trusted^{commit}")"; then
    echo "::error title=isolint::config-from-ref $trusted is not in this checkout (actions/checkout needs fetch-depth: 0)"
    echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
    exit 0
  fi
  mkdir -p "$work/trusted"
  git archive --format=tar "$commit" | tar -x -C "$work/trusted"
  cfg=""
  for name in .isolint.yaml .isolint.yml; do
    if [ -f "$work/trusted/$name" ] && [ ! -L "$work/trusted/$name" ]; then cfg="$work/trusted/$name"; break; fi
  done
  if [ -n "$cfg" ]; then args+=(--config "$cfg"); else args+=(--no-config); fi
fi
if [ -n "${ISOLINT_CONFIG:-}" ]; then args+=(--config "$ISOLINT_CONFIG"); fi
# Warn when the pull request changes isolint's own configuration.
base="${trusted:-${ISOLINT_CHANGED_SINCE:-}}"
config_changed=""
case "$base" in
  ""|-*) ;;
  *) config_changed="$(git diff --name-only --no-renames "$base...HEAD" -- \
       ':(glob)**/.isolint.yaml' ':(glob)**/.isolint.yml' 2>/dev/null | tr '\n' ' ' || true)" ;;
esac
if [ -n "${ISOLINT_BASELINE:-}" ]; then args+=(--baseline "$ISOLINT_BASELINE"); fi
if [ -n "${ISOLINT_CHANGED_SINCE:-}" ]; then args+=(--changed-since "$ISOLINT_CHANGED_SINCE"); fi
# Paths are split on whitespace on purpose, and passed after `--`.
read -r -a paths <<< "${ISOLINT_PATHS:-.}"
rc=0
isolint "${args[@]}" -- "${paths[@]}" || rc=$?
count() { sed -n "s/^ *\"$1\": \([0-9]*\).*/\1/p" "$work/report.json" | head -n 1; }
findings="$( [ -f "$work/report.json" ] && count findings || true )"
suppressed="$( [ -f "$work/report.json" ] && count suppressed || true )"
if [ -n "$config_changed" ]; then
  note="This change modifies the isolint configuration (${config_changed% }):"
  if [ -n "$trusted" ]; then note="$note the scan used the configuration of $trusted instead."
  else note="$note the scan used the changed configuration; set config-from-ref to use the base branch's."; fi
  echo "::warning title=isolint configuration changed::$(printf '%s' "$note" | tr -d '\000-\037\177' | sed 's/%/%25/g')"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '> [!WARNING]\n> %s\n\n' "$(printf '%s' "$note" | tr -d '\000-\037\177')" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
if [ -f "$work/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$work/summary.md" >> "$GITHUB_STEP_SUMMARY"
fi
{
  echo "exit-code=$rc"
  echo "findings=${findings:-0}"
  echo "suppressed=${suppressed:-0}"
  if [ -f "$sarif" ]; then echo "sarif-file=$sarif"; else echo "sarif-file="; fi
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
