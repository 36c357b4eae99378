#!/usr/bin/env bash
# The headless UI smoke test, natively (native-debug: AddressSanitizer + UBSan) and as WebAssembly
# under node (argument: native, wasm or all). Ends with "ui-smoke: N passed, M failed" (doctest test cases) and exits non-zero on failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export NODE_PATH=/usr/share/nodejs
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs="$root/build/test-logs"
mkdir -p "$logs"
passed=0
failed=0

# run_suite NAME PRESET COMMAND...: build attn_ui_smoke for PRESET, run it, add up doctest's counts.
run_suite() {
  local name=$1 preset=$2; shift 2
  local log="$logs/$name.log"
  echo "== $name"
  if ! { { [ -f "build/$preset/CMakeCache.txt" ] || cmake --preset "$preset"; } &&
         cmake --build --preset "$preset" --target attn_ui_smoke; } >"$log.build" 2>&1; then
    tail -n 30 "$log.build"
    failed=$((failed + 1))
    return
  fi
  "$@" >"$log" 2>&1
  local rc=$? line p f
  line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\[doctest\] test cases:' | tail -n 1)
  p=$(echo "$line" | sed -E 's/.*\| *([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/.*\| *([0-9]+) failed.*/\1/')
  [[ "$p" =~ ^[0-9]+$ ]] || p=0
  [[ "$f" =~ ^[0-9]+$ ]] || f=0
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crash or sanitizer report
  [ $rc -ne 0 ] && sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -vE '^\s*$' | tail -n 40
  echo "$name: $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
}

which=${1:-all}   # native, wasm, or all
[ "$which" != wasm ] && run_suite ui-smoke-native native-debug build/native-debug/tests/ui/attn_ui_smoke
[ "$which" != native ] && run_suite ui-smoke-wasm wasm-release node --no-experimental-fetch build/wasm-release/tests/ui/attn_ui_smoke.js

echo "ui-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
