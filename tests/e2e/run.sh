#!/usr/bin/env bash
# Browser end-to-end tests (Playwright via playwright-core + Debian's /usr/bin/chromium; node's test
# runner). Builds the wasm page if needed; installs nothing beyond what tools/setup installs.
# Ends with "e2e: N passed, M failed" and exits non-zero on failure. Screenshots go to build/e2e/.
#   tests/e2e/run.sh            every file, in the plain page, then the hostile-input files in the threaded one
#   tests/e2e/run.sh single     the files that need only the single-threaded page (and its relaxed-SIMD twin)
#   tests/e2e/run.sh threaded   the rest: the files that start the threaded build, and the hostile-input pass
# tools/test runs `single` while the threaded tree still compiles, then `threaded`: the browser leaves a
# fifth of both cores idle, which the compile fills.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export NODE_PATH=/usr/share/nodejs
logs="$root/build/test-logs"
mkdir -p "$logs"
phase=${1:-all}
case $phase in all|single|threaded) ;; *) echo "usage: tests/e2e/run.sh [single|threaded]" >&2; exit 2 ;; esac

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  echo "tests/e2e: playwright-core is not installed; run tools/setup" >&2
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi
# `single` needs only the single-threaded page; the others both builds.
if ! tools/build_web "$([ "$phase" = single ] && echo single || echo all)" >"$logs/e2e-build-$phase.log" 2>&1; then
  tail -n 30 "$logs/e2e-build-$phase.log"
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi

# One pass over every file in the page as a plain static host serves it (the single-threaded build), then
# the hostile-input files again in the cross-origin isolated page (the threaded build: shared memory,
# workers), since bad files and numbers must be handled there too.
total_pass=0 total_fail=0 all_rc=0
pass_of() {   # LOG NAME ISOLATED(0|1) FILES...
  local log=$1 name=$2 isolated=$3; shift 3
  (cd tests/e2e && ATTNSCOPE_E2E_ISOLATED=$isolated timeout 1200 node --test --test-reporter=tap "$@") >"$log" 2>&1
  local rc=$?
  grep -E '^(not )?ok ' "$log" | sed "s/^/$name: /"
  [ $rc -ne 0 ] && grep -A25 '^not ok' "$log" | head -n 80
  local pass fail
  pass=$(grep -E '^# pass ' "$log" | awk '{print $3}')
  fail=$(grep -E '^# fail ' "$log" | awk '{print $3}')
  [[ "$pass" =~ ^[0-9]+$ ]] || pass=0
  [[ "$fail" =~ ^[0-9]+$ ]] || fail=0
  if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  [ $rc -eq 0 ] || all_rc=1
}
# The files that open the cross-origin isolated page themselves (the threaded build and its relaxed twin).
threaded_files=(threads.test.js relaxed_simd.test.js)
hostile_files=(bad_models.test.js bad_text.test.js limits.test.js numerics.test.js)
single_files=()
for f in tests/e2e/*.test.js; do
  f=${f##*/}
  [[ " ${threaded_files[*]} " == *" $f "* ]] || single_files+=("$f")
done
case $phase in
  all)
    pass_of "$logs/e2e.log" page 0 .
    pass_of "$logs/e2e-threaded.log" "threaded page" 1 "${hostile_files[@]}" ;;
  single)
    pass_of "$logs/e2e.log" page 0 "${single_files[@]}" ;;
  threaded)
    pass_of "$logs/e2e-isolated.log" page 0 "${threaded_files[@]}"
    pass_of "$logs/e2e-threaded.log" "threaded page" 1 "${hostile_files[@]}" ;;
esac
echo "e2e: $total_pass passed, $total_fail failed"
[ $all_rc -eq 0 ]
