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
if [ -n "${ISOLINT_CONFIG:-}" ]; then args+=(--config "$ISOLINT_CONFIG"); fi
if [ -n "${ISOLINT_BASELINE:-}" ]; then args+=(--baseline "$ISOLINT_BASELINE"); fi
if [ -n "${ISOLINT_CHANGED_SINCE:-}" ]; then args+=(--changed-since "$ISOLINT_CHANGED_SINCE"); fi
# Paths are split on whitespace on purpose, and passed after `--`.
read -r -a paths <<< "${ISOLINT_PATHS:-.}"
rc=0
isolint "${args[@]}" -- "${paths[@]}" || rc=$?
count() { sed -n "s/^ *\"$1\": \([0-9]*\).*/\1/p" "$work/report.json" | head -n 1; }
findings="$( [ -f "$work/report.json" ] && count findings || true )"
suppressed="$( [ -f "$work/report.json" ] && count suppressed || true )"
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
