#!/usr/bin/env bash
# `make test`: lint, then the whole test suite in one parallel pytest run, the browser suite
# included (one pytest-xdist worker takes the browser modules, one server and one Chromium,
# while the other runs the rest: tests/conftest.py). Every part runs even when an earlier one
# fails, so one failure hides nothing; then one summary line per part, and the exit status is
# non-zero if any part failed. pytest's own closing lines stay visible above the summary (CI
# reads them).
#
#   scripts/test.sh [lint] [tests] [browser]   the parts to run (default: lint and tests;
#                                               `browser` alone runs only the browser suite)
#   BIN          the virtualenv's bin folder (default .venv/bin)
#   CHROMIUM     Debian's Chromium for the browser suite (default /usr/bin/chromium)
#   PYTEST_ARGS  extra pytest arguments
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
read -r -a EXTRA <<<"${PYTEST_ARGS:-}"

names=()
results=()
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# run NAME COMMAND...: run it, its output shown and kept; record "passed"/"FAILED" and pytest's
# closing line ("== 3 failed, 1650 passed in 300.00s ==") or the time taken.
run() {
  local name=$1 started rc closing
  shift
  echo "== $name: $*"
  started=$(date +%s)
  "$@" 2>&1 | tee "$logs/$name"
  rc=${PIPESTATUS[0]}
  closing=$(grep -E '^=+ .* in [0-9.]+s( \([0-9:]+\))? =+$' "$logs/$name" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
  [ -n "$closing" ] || closing="$(($(date +%s) - started)) s"
  names+=("$name")
  if [ "$rc" -eq 0 ]; then results+=("passed  $closing"); else results+=("FAILED  $closing (exit $rc)"); fi
}

lint() {
  local rc=0
  "$BIN/ruff" check src tests benchmarks || rc=1
  "$BIN/ruff" format --check src tests benchmarks || rc=1
  "$BIN/mypy" --strict src || rc=1
  return "$rc"
}

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(lint tests)
for part in "${parts[@]}"; do
  case $part in
    lint) run lint lint ;;
    # One module per unit of work, the browser suite one unit (--dist loadscope,
    # tests/conftest.py): shared fixtures (a built demo, a Spark session, Chromium) built once.
    tests)
      run tests env TANDEM_TEST_REQUIRE_BROWSER=1 TANDEM_CHROMIUM="$CHROMIUM" \
        "$BIN/pytest" -n auto --dist loadscope "${EXTRA[@]}"
      ;;
    browser)
      run browser env TANDEM_TEST_REQUIRE_BROWSER=1 TANDEM_CHROMIUM="$CHROMIUM" \
        "$BIN/pytest" tests/browser "${EXTRA[@]}"
      ;;
    *) echo "scripts/test.sh: unknown part '$part' (lint, tests, browser)" >&2; exit 2 ;;
  esac
done

echo "== summary"
failed=0
for i in "${!names[@]}"; do
  printf '%-8s %s\n' "${names[$i]}" "${results[$i]}"
  case ${results[$i]} in FAILED*) failed=1 ;; esac
done
exit "$failed"
