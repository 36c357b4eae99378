#!/usr/bin/env python3
"""tools/relax_simd.py on modules written here byte by byte: it renumbers the prototype's f32x4.fma and
nothing else (not the same bytes inside a constant), a second run changes nothing, a broken module
is refused with the file's name, and node (with relaxed SIMD enabled) accepts and runs what it writes.

    tests/tools/test_relax_simd.py      ends with "relax_simd: N passed, M failed"
"""
import os
import struct
import subprocess
import sys
import tempfile
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "relax_simd.py")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import relax_simd  # noqa: E402

V128_CONST = b"\xfd\x0c"
FMA_PROTOTYPE = b"\xfd\xaf\x01"
FMA_STANDARD = b"\xfd\x85\x02"


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def f32x4(*values):
    return V128_CONST + struct.pack("<4f", *values)


def module(bodies, result=0x7F):
    """A module of functions () -> result, one per body (instructions without locals or the final end),
    each exported as f0, f1, ...; with one page of memory."""
    def section(sid, payload):
        return bytes([sid]) + leb(len(payload)) + payload
    types = section(1, b"\x01\x60\x00\x01" + bytes([result]))
    funcs = section(3, leb(len(bodies)) + b"\x00" * len(bodies))
    memory = section(5, b"\x01\x00\x01")
    exports = b"".join(leb(2) + b"f%d" % i + b"\x00" + leb(i) for i in range(len(bodies)))
    exports = section(7, leb(len(bodies)) + exports)
    code = b""
    for body in bodies:
        full = b"\x00" + body + b"\x0b"
        code += leb(len(full)) + full
    return b"\0asm\x01\0\0\0" + types + funcs + memory + exports + section(10, leb(len(bodies)) + code)


# f32x4.extract_lane 0 of (a * b + c) once renumbered: the builtin's operands in order.
def madd_body(a, b, c):
    return f32x4(a, a, a, a) + f32x4(b, b, b, b) + f32x4(c, c, c, c) + FMA_PROTOTYPE + b"\xfd\x1f\x00"


# The same three bytes as data: i32.const 22525 is encoded 41 fd af 01, and a v128.const can hold them.
DECOYS = (b"\x41\xfd\xaf\x01\x1a"                      # i32.const 22525; drop
          + V128_CONST + FMA_PROTOTYPE + b"\x00" * 13 + b"\x1a"   # v128.const holding fd af 01; drop
          + b"\x28\x02\xfd\xaf\x01"                    # i32.load align=2 offset=22525 (no memory read:
          + b"\x1a")                                  # the address is pushed first, below)


def relax_file(data):
    with tempfile.NamedTemporaryFile(suffix=".wasm", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        run = subprocess.run([sys.executable, TOOL, path], capture_output=True, text=True)
        with open(path, "rb") as f:
            return run, f.read(), path
    finally:
        os.unlink(path)


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def renumbers_the_multiply_adds_only():
    body = b"\x41\x00" + DECOYS + madd_body(2.0, 3.0, 5.0) + b"\x1a" + madd_body(1.0, 3.0, 5.0)
    data = bytearray(module([body], result=0x7D))
    before = bytes(data)
    counts = relax_simd.relax(data)
    assert counts == {0xAF: 2}, counts
    assert bytes(data).count(FMA_STANDARD) == 2
    # Everything else is as it was: the decoys' bytes included.
    expected = before.replace(f32x4(5.0, 5.0, 5.0, 5.0) + FMA_PROTOTYPE, f32x4(5.0, 5.0, 5.0, 5.0) + FMA_STANDARD)
    assert bytes(data) == expected
    assert bytes(data).count(b"\x41\xfd\xaf\x01") == 1 and bytes(data).count(V128_CONST + FMA_PROTOTYPE) == 1


@test
def second_run_changes_nothing():
    run, first, _ = relax_file(module([madd_body(1.0, 2.0, 3.0)], result=0x7D))
    assert run.returncode == 0 and "renumbered 1 x 0xaf -> 0x105" in run.stdout, run.stdout + run.stderr
    again, second, _ = relax_file(first)
    assert again.returncode == 0 and "already renumbered" in again.stdout, again.stdout + again.stderr
    assert second == first


@test
def refuses_modules_it_cannot_read():
    for data, reason in [(b"not wasm at all", "not a WebAssembly module"),
                         (module([madd_body(1.0, 2.0, 3.0)])[:-3], "runs past the end"),
                         (module([b"\x41\x00\x27"]), "unknown opcode"),   # 0x27 is no instruction
                         (module([b"\x41\x00"]), "no relaxed-SIMD multiply-add")]:
        run, after, path = relax_file(data)
        assert run.returncode != 0, f"accepted a module that should fail with {reason!r}"
        assert path in run.stderr and reason in run.stderr, run.stderr
        assert after == data, "a refused file must be left as it was"


@test
def node_runs_the_renumbered_module():
    cases = [(2.0, 3.0, 5.0), (-1.5, 4.0, 0.25), (1e-3, 1e3, -1.0)]
    bodies = [madd_body(a, b, c) for a, b, c in cases]
    run, data, _ = relax_file(module(bodies, result=0x7D))
    assert run.returncode == 0, run.stderr
    script = ("const m = new WebAssembly.Instance(new WebAssembly.Module(require('fs').readFileSync(0)));"
              "console.log(JSON.stringify(Object.keys(m.exports).map((k) => m.exports[k]())));")
    node = subprocess.run(["node", "--experimental-wasm-relaxed-simd", "-e", script], input=data, capture_output=True)
    assert node.returncode == 0, node.stderr.decode()
    got = [float(x) for x in node.stdout.decode().strip()[1:-1].split(",")]
    expected = [a * b + c for a, b, c in cases]
    assert all(abs(g - e) < 1e-6 for g, e in zip(got, expected)), (got, expected)
    plain = subprocess.run(["node", "-e", script], input=data, capture_output=True)
    assert plain.returncode != 0, "without relaxed SIMD node must refuse the module"


def main():
    passed = failed = 0
    for fn in TESTS:
        try:
            fn()
            passed += 1
            print(f"ok   {fn.__name__}")
        except Exception:
            failed += 1
            print(f"FAIL {fn.__name__}")
            traceback.print_exc()
    print(f"relax_simd: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
