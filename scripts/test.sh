#!/usr/bin/env bash
# `make test`: lint and the whole test suite in one parallel pytest run, the browser suite
# included (one pytest-xdist worker takes the browser modules, one server and one Chromium,
# while the other runs the rest: tests/conftest.py). Lint runs beside the tests (its output is
# printed when the tests are done), so its half-minute on a fresh clone hides in the suite's
# time. Every part runs even when another fails, so one failure hides nothing; then one
# summary line per part, and the exit status is non-zero if any part failed. pytest's own
# closing lines stay visible above the summary (CI reads them).
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

declare -A results=()
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# record NAME RC STARTED: "passed"/"FAILED" with pytest's closing line ("== 3 failed,
# 1650 passed in 300.00s ==") from NAME's log, or the seconds since STARTED.
record() {
  local name=$1 rc=$2 started=$3 closing
  closing=$(grep -E '^=+ .* in [0-9.]+s( \([0-9:]+\))? =+$' "$logs/$name" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
  [ -n "$closing" ] || closing="$(($(date +%s) - started)) s"
  if [ "$rc" -eq 0 ]; then results[$name]="passed  $closing"; else results[$name]="FAILED  $closing (exit $rc)"; fi
}

# run NAME COMMAND...: run it, its output shown as it comes and kept.
run() {
  local name=$1 started
  shift
  echo "== $name: $*"
  started=$(date +%s)
  "$@" 2>&1 | tee "$logs/$name"
  record "$name" "${PIPESTATUS[0]}" "$started"
}

# beside NAME COMMAND...: start it in the background, its output kept; `collect` waits for it
# and shows the output.
beside_pid=
beside_name=
beside_started=
beside() {
  beside_name=$1
  shift
  echo "== $beside_name (beside the next part, output after it): $*"
  beside_started=$(date +%s)
  "$@" >"$logs/$beside_name" 2>&1 &
  beside_pid=$!
}
collect() {
  [ -n "$beside_pid" ] || return 0
  local rc=0
  wait "$beside_pid" || rc=$?
  echo "== $beside_name (ran beside)"
  cat "$logs/$beside_name"
  record "$beside_name" "$rc" "$beside_started"
  beside_pid=
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
    lint|tests|browser) ;;
    *) echo "scripts/test.sh: unknown part '$part' (lint, tests, browser)" >&2; exit 2 ;;
  esac
done
for i in "${!parts[@]}"; do
  case ${parts[$i]} in
    # lint beside a following part; alone (or last) in the foreground
    lint) if [ $((i + 1)) -lt ${#parts[@]} ]; then beside lint lint; else run lint lint; fi ;;
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
  esac
done
collect

echo "== summary"
failed=0
for part in "${parts[@]}"; do
  printf '%-8s %s\n' "$part" "${results[$part]}"
  case ${results[$part]} in FAILED*) failed=1 ;; esac
done
exit "$failed"
