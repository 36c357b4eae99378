#!/usr/bin/env bash
# Native screenshot test: runs the desktop app under xvfb-run (Mesa llvmpipe) with --screenshot and
# checks the PNG is a real picture: many colours, a non-uniform heatmap region, viridis cells present.
# Leaves the PNG in build/ui-shots/ to look at. Ends with "native-screenshot: N passed, M failed".
#   tests/ui/native_screenshot.sh [PRESET]   default native-debug (AddressSanitizer + UBSan), the tree
#                                            tools/test builds anyway; native-release is the app users run
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
preset=${1:-native-debug}
build="build/$preset"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
out="$root/build/ui-shots"
png="$out/native.png"
mkdir -p "$out"
rm -f "$png"

if ! { { [ -f "$build/CMakeCache.txt" ] || cmake --preset "$preset"; } &&
       cmake --build --preset "$preset" --target attnscope &&
       # A second call: the first regenerates the Makefiles of a build folder configured before
       # attn_clipboard_check existed, which make would otherwise not know.
       cmake --build --preset "$preset" --target attn_clipboard_check; } >"$out/build.log" 2>&1; then
  tail -n 30 "$out/build.log"
  echo "native-screenshot: 0 passed, 1 failed"
  exit 1
fi

text=${ATTN_SCREENSHOT_TEXT:-"The animal didn't cross the street because it was too tired."}
# Under strace: the sockets the app opens (only the X server's and the C library's local ones are allowed).
rm -f "$out/sockets.log"
timeout 120 xvfb-run -a -s "-screen 0 1400x900x24" strace -f -qq -e trace=socket,connect -e signal=none \
  -o "$out/sockets.log" "$build/src/platform/attnscope" \
  --size 1280x800 --frames 6 --text "$text" --screenshot "$png" >"$out/run.log" 2>&1
rc=$?
cat "$out/run.log"
# No --text: the app opens on the default bundled model, and a zoo model on its card's example and head.
timeout 120 xvfb-run -a -s "-screen 0 1400x900x24" "$build/src/platform/attnscope" \
  --size 1280x800 --frames 6 --screenshot "$out/native-default.png" >"$out/default.log" 2>&1
default_rc=$?
cat "$out/default.log"
# A --state without text= still opens on the card's example and head (the state's view applies on top).
timeout 120 xvfb-run -a -s "-screen 0 1400x900x24" "$build/src/platform/attnscope" \
  --size 1280x800 --frames 6 --state "view=flow&flow=0.2" --screenshot "$out/native-state.png" >"$out/state.log" 2>&1
state_rc=$?
cat "$out/state.log"
# The desktop clipboard through ImGui's GLFW backend (what Ctrl+C / Ctrl+V in the text box use).
timeout 60 xvfb-run -a "$build/tests/ui/attn_clipboard_check" >"$out/clipboard.log" 2>&1
clip_rc=$?
cat "$out/clipboard.log"

# The zoo the build bundled (ATTN_ZOO_DIR, default assets/models).
zoo_dir=$(sed -n 's/^ATTN_ZOO_DIR:PATH=//p' "$build/CMakeCache.txt")
python3 - "$png" "$rc" "$clip_rc" "$default_rc" "$out/default.log" "${zoo_dir:-$root/assets/models}" "$out/sockets.log" \
  "$state_rc" "$out/state.log" <<'PY'
# PNG decoding with the standard library only (zlib), so the check needs no image package.
import glob, json, os, re, struct, sys, zlib

path, rc, clip_rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
default_rc, default_log, zoo_dir, sockets_log = int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
state_rc, state_log = int(sys.argv[8]), sys.argv[9]
passed = failed = 0
def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed += ok
    failed += not ok

# Nothing leaves the machine: every socket the app opened is a local (AF_UNIX) one: the X server's, and
# the C library asking nscd. No internet (AF_INET/AF_INET6) or other family.
calls = [l.strip() for l in open(sockets_log, errors="replace") if "socket(" in l or "connect(" in l] \
    if os.path.exists(sockets_log) else None
check(calls is not None and any("X11" in c for c in calls),
      "strace saw the app's sockets (its connection to the X server among them)")
foreign = [c for c in calls or [] if "AF_UNIX" not in c]
check(calls is not None and not foreign, f"the desktop app opened only local sockets {foreign[:2]}")

check(clip_rc == 0, f"the system clipboard reaches ImGui and back (rc={clip_rc})")

# The start-up model: coref when the zoo has it, else the zoo's first by name, else gpt2-tiny (README,
# "Model zoo and training"); a zoo model shows its card's featured head.
zoo = sorted(os.path.basename(os.path.dirname(c)) for c in glob.glob(os.path.join(zoo_dir, "*", "config.json")))
want_model = "coref" if "coref" in zoo else zoo[0] if zoo else "gpt2-tiny"
want_layer = want_head = 0
card_path = os.path.join(zoo_dir, want_model, "card.json")
want_card = "none"
if want_model in zoo and os.path.exists(card_path):
    card = json.load(open(card_path))
    want_card = card["task"]
    want_layer, want_head = card.get("featured", {}).get("layer", 0), card.get("featured", {}).get("head", 0)
want = (want_model, want_layer, want_head, want_card)
def check_shown(log, rc, started, opens):
    shown = re.search(r"showing (\S+), layer (\d+) head (\d+), card (\S+)", open(log).read())
    check(rc == 0 and shown is not None, f"the app started {started} and said what it shows (rc={rc})")
    if shown:
        got = (shown.group(1), int(shown.group(2)), int(shown.group(3)), shown.group(4))
        check(got == want, f"{opens} {got}, want {want}")
check_shown(default_log, default_rc, "with no --model", "opens on")
check_shown(state_log, state_rc, "with --state", "--state without text= opens on the card too:")

def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "want 8-bit RGB/RGBA"
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows

check(rc == 0, f"app exited 0 (rc={rc})")
try:
    w, h, rows = read_png(path)
except Exception as e:  # missing or unreadable file
    check(False, f"screenshot readable: {e}")
    print(f"native-screenshot: {passed} passed, {failed + 2} failed")
    sys.exit(1)
check(w >= 640 and h >= 480, f"screenshot size {w}x{h}")
colours = {p for row in rows[::2] for p in row[::2]}
check(len(colours) >= 40, f"{len(colours)} distinct colours in the window (want >= 40)")

# The heatmap sits right of the input panel: its cells are exact viridis texels (nearest sampling).
anchors = [(0x44,0x01,0x54),(0x47,0x2d,0x7b),(0x3b,0x52,0x8b),(0x2c,0x72,0x8e),(0x21,0x91,0x8c),
           (0x28,0xae,0x80),(0x5e,0xc9,0x62),(0xad,0xdc,0x30),(0xfd,0xe7,0x25)]
viridis = set()
for i in range(256):
    x = i / 255 * 8; a = min(int(x), 7); f = x - a
    viridis.add(tuple(int(anchors[a][c] + (anchors[a + 1][c] - anchors[a][c]) * f + 0.5) for c in range(3)))
region = [p for row in rows[int(h * 0.1):int(h * 0.85)] for p in row[int(w * 0.3):int(w * 0.85)]]
lum = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in region]
mean = sum(lum) / len(lum)
std = (sum((v - mean) ** 2 for v in lum) / len(lum)) ** 0.5
cells = sum(1 for p in region if p in viridis)
check(len(set(region)) >= 8 and std >= 10, f"heatmap region not uniform ({len(set(region))} colours, luminance std {std:.1f})")
check(cells >= 2000, f"{cells} viridis-coloured pixels in the heatmap region (want >= 2000)")
print(f"native-screenshot: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
