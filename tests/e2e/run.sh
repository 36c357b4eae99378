#!/usr/bin/env bash
# Browser end-to-end tests (Playwright via playwright-core + Debian's /usr/bin/chromium; node's test
# runner). Builds the wasm page if needed; installs nothing beyond what tools/setup installs.
# Ends with "e2e: N passed, M failed" and exits non-zero on failure. Screenshots go to build/e2e/.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export NODE_PATH=/usr/share/nodejs
logs="$root/build/test-logs"
mkdir -p "$logs"

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  echo "tests/e2e: playwright-core is not installed; run tools/setup" >&2
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi
if ! tools/build_web >"$logs/e2e-build.log" 2>&1; then
  tail -n 30 "$logs/e2e-build.log"
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi

log="$logs/e2e.log"
(cd tests/e2e && timeout 1200 node --test --test-reporter=tap .) >"$log" 2>&1
rc=$?
grep -E '^(not )?ok ' "$log"
[ $rc -ne 0 ] && grep -A25 '^not ok' "$log" | head -n 80
pass=$(grep -E '^# pass ' "$log" | awk '{print $3}')
fail=$(grep -E '^# fail ' "$log" | awk '{print $3}')
[[ "$pass" =~ ^[0-9]+$ ]] || pass=0
[[ "$fail" =~ ^[0-9]+$ ]] || fail=0
if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
echo "e2e: $pass passed, $fail failed"
[ $rc -eq 0 ]
