#!/usr/bin/env python3
"""Renumbers the fused multiply-adds in a WebAssembly module from the relaxed-SIMD prototype's opcode to
the standard's, in place.

Why: Debian 12's Emscripten 3.1.6 compiles with clang 14, which knows relaxed SIMD only as the 2021
prototype. Its f32x4.fma (0xfd 0xaf) is what the standard calls f32x4.relaxed_madd (0xfd 0x105), with
the operands on the stack in the same order (a * b + c for the builtin's (a, b, c); the tests check the
numbers), and browsers accept only the standard's number. Both encodings are two bytes (af 01 -> 85 02),
so the module's layout does not move.

The code section is decoded instruction by instruction, so only real opcodes are rewritten, never a byte
pattern inside a constant or an index. clang 14 put its other relaxed opcodes in what were then gaps of
the SIMD opcode space; nothing here emits them, and a module holding one would fail validation.

    tools/relax_simd.py module.wasm      prints how many instructions it renumbered (none on a second run)
"""
import sys

RENUMBER = {0xAF: 0x105}  # prototype f32x4.fma -> f32x4.relaxed_madd



class WasmError(Exception):
    pass


class Reader:
    def __init__(self, data, pos, end):
        self.data, self.pos, self.end = data, pos, end

    def byte(self):
        if self.pos >= self.end:
            raise WasmError(f"unexpected end at byte {self.pos}")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def leb(self):
        """An unsigned or signed LEB128 (only its extent matters here); returns (value, start, length)."""
        start, value, shift = self.pos, 0, 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value, start, self.pos - start
            if shift > 70:
                raise WasmError(f"LEB128 too long at byte {start}")

    def skip(self, n):
        if self.pos + n > self.end:
            raise WasmError(f"unexpected end at byte {self.pos}")
        self.pos += n

    def memarg(self):
        self.leb()
        self.leb()


BLOCK_TYPE_BYTES = {0x40, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F}
U32_ONE = {0x07, 0x08, 0x09, 0x0C, 0x0D, 0x10, 0x12, 0x18, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2}


def encode_leb_padded(value, length):
    out = bytearray()
    for i in range(length):
        b = value & 0x7F
        value >>= 7
        out.append(b | (0x80 if i + 1 < length else 0))
    if value:
        raise WasmError("opcode does not fit the original encoding")
    return bytes(out)


def patch_body(data, r, counts):
    """Walks one function body's instructions, renumbering as it goes."""
    n_local_groups = r.leb()[0]
    for _ in range(n_local_groups):
        r.leb()
        r.byte()
    while r.pos < r.end:
        op = r.byte()
        if op in (0x02, 0x03, 0x04, 0x06):              # block, loop, if, try: a block type
            if data[r.pos] in BLOCK_TYPE_BYTES:
                r.byte()
            else:
                r.leb()
        elif op in U32_ONE:
            r.leb()
        elif op in (0x11, 0x13):                         # call_indirect, return_call_indirect
            r.leb()
            r.leb()
        elif op == 0x0E:                                 # br_table
            for _ in range(r.leb()[0] + 1):
                r.leb()
        elif op == 0x1C:                                 # select with types
            r.skip(r.leb()[0])
        elif 0x28 <= op <= 0x3E:                         # loads and stores
            r.memarg()
        elif op in (0x3F, 0x40, 0xD0):                   # memory.size / grow, ref.null
            r.byte()
        elif op in (0x41, 0x42):                         # i32 / i64 const
            r.leb()
        elif op == 0x43:
            r.skip(4)
        elif op == 0x44:
            r.skip(8)
        elif op == 0xFC:
            sub = r.leb()[0]
            if sub in (8,):
                r.leb()
                r.byte()
            elif sub in (9, 13, 15, 16, 17):
                r.leb()
            elif sub in (10,):
                r.byte()
                r.byte()
            elif sub in (11,):
                r.byte()
            elif sub in (12, 14):
                r.leb()
                r.leb()
            elif sub > 17:
                raise WasmError(f"unknown 0xfc opcode {sub} at byte {r.pos}")
        elif op == 0xFD:
            sub, start, length = r.leb()
            if sub in RENUMBER:
                data[start:start + length] = encode_leb_padded(RENUMBER[sub], length)
                counts[sub] = counts.get(sub, 0) + 1
            elif sub <= 11 or sub in (0x5C, 0x5D):       # v128 loads, splats, store
                r.memarg()
            elif sub in (12, 13):                        # v128.const, i8x16.shuffle
                r.skip(16)
            elif 0x15 <= sub <= 0x22:                    # extract / replace lane
                r.byte()
            elif 0x54 <= sub <= 0x5B:                    # load / store lane
                r.memarg()
                r.byte()
            elif 0x100 <= sub <= 0x113:                  # the standard's relaxed opcodes: already renumbered
                counts["standard"] = counts.get("standard", 0) + 1
            elif sub > 0xFF:
                raise WasmError(f"unknown 0xfd opcode 0x{sub:x} at byte {start}")
        elif op == 0xFE:                                 # atomics (the threaded build)
            sub = r.leb()[0]
            if sub == 0x03:
                r.byte()
            else:
                r.memarg()
        elif op <= 0x01 or op in (0x05, 0x0B, 0x0F, 0x19, 0x1A, 0x1B, 0xD1) or 0x45 <= op <= 0xC4:
            pass
        else:
            raise WasmError(f"unknown opcode 0x{op:02x} at byte {r.pos - 1}")
    if r.pos != r.end or data[r.end - 1] != 0x0B:
        raise WasmError(f"function body ending at byte {r.end} does not end with `end`")


def relax(data):
    """Renumbers data (a bytearray holding a module) in place; returns {prototype opcode: count}, plus
    {"standard": count} for relaxed opcodes already numbered as the standard numbers them."""
    if data[:8] != b"\0asm\x01\0\0\0":
        raise WasmError("not a WebAssembly module (version 1)")
    counts = {}
    r = Reader(data, 8, len(data))
    while r.pos < len(data):
        section = r.byte()
        size = r.leb()[0]
        begin, end = r.pos, r.pos + size
        if end > len(data):
            raise WasmError(f"section {section} runs past the end of the file")
        if section == 10:
            s = Reader(data, begin, end)
            for _ in range(s.leb()[0]):
                body_size = s.leb()[0]
                patch_body(data, Reader(data, s.pos, s.pos + body_size), counts)
                s.skip(body_size)
            if s.pos != end:
                raise WasmError("code section has bytes after its last body")
        r.pos = end
    return counts


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    with open(path, "rb") as f:
        data = bytearray(f.read())
    try:
        counts = relax(data)
    except WasmError as e:
        sys.exit(f"{path}: {e}")
    standard = counts.pop("standard", 0)
    if not counts:
        if standard:  # a second run on the same file (a build step repeated)
            print(f"{path}: already renumbered ({standard} relaxed-SIMD instructions)")
            return
        sys.exit(f"{path}: no relaxed-SIMD multiply-add found (was it compiled with -mrelaxed-simd?)")
    with open(path, "wb") as f:
        f.write(data)
    print(f"{path}: renumbered " + ", ".join(f"{n} x 0x{op:x} -> 0x{RENUMBER[op]:x}" for op, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
