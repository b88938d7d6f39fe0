#!/usr/bin/env bash
# Applied last, after SARIF upload: findings fail the step unless soft-fail; errors always do.
set -euo pipefail
code="${CODE:-2}"
if [ "$code" = "1" ] && [ "${SOFT_FAIL:-false}" = "true" ]; then
  echo "isolint found problems; soft-fail keeps the step green"
  exit 0
fi
exit "$code"
