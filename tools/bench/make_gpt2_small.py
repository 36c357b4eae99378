#!/usr/bin/env python3
"""Writes a GPT-2-small-size model folder with random weights, in Hugging Face layout, for benchmarks.

    tools/bench/make_gpt2_small.py --out build/bench/gpt2-small-f32 [--dtype f32|f16] [--layers 12]
        [--width 768] [--heads 12] [--seed 1]

124M parameters at the defaults (GPT2LMHeadModel, tied embeddings, 1024 positions, 50257 tokens). The
tokenizer is the real GPT-2 one, copied from tests/fixtures/gpt2-tiny. The folder is generated on demand
and never committed: it is ~500 MB in f32. Weights are N(0, 0.02) like transformers' initializer, layer
norms ones and zeros, so activations and attention stay in a realistic range.
"""
import argparse
import json
import os
import shutil
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "gpt2-tiny")
VOCAB = 50257
POSITIONS = 1024


def tensor_shapes(layers, width):
    shapes = {"transformer.wte.weight": [VOCAB, width], "transformer.wpe.weight": [POSITIONS, width],
              "transformer.ln_f.weight": [width], "transformer.ln_f.bias": [width]}
    for i in range(layers):
        p = f"transformer.h.{i}."
        shapes.update({
            p + "ln_1.weight": [width], p + "ln_1.bias": [width],
            p + "attn.c_attn.weight": [width, 3 * width], p + "attn.c_attn.bias": [3 * width],
            p + "attn.c_proj.weight": [width, width], p + "attn.c_proj.bias": [width],
            p + "ln_2.weight": [width], p + "ln_2.bias": [width],
            p + "mlp.c_fc.weight": [width, 4 * width], p + "mlp.c_fc.bias": [4 * width],
            p + "mlp.c_proj.weight": [4 * width, width], p + "mlp.c_proj.bias": [width],
        })
    return shapes


def initial_values(name, shape, rng, dtype, ones=None):
    if ones is not None and name in ones:
        values = np.ones(shape, np.float32)
    elif ones is None and (name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight")):
        values = np.ones(shape, np.float32)
    elif len(shape) == 1:
        values = np.zeros(shape, np.float32)
    else:
        values = rng.normal(0.0, 0.02, size=shape).astype(np.float32)
    return values.astype(dtype)


# ones: the names of the tensors that start as ones (layer norm weights); None: GPT-2's.
def write_safetensors(path, shapes, rng, dtype, ones=None):
    names = sorted(shapes)
    dtype_name = {np.float32: "F32", np.float16: "F16"}[dtype]
    size = np.dtype(dtype).itemsize
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name in names:
        n = int(np.prod(shapes[name])) * size
        header[name] = {"dtype": dtype_name, "shape": shapes[name], "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)   # data starts 8-byte aligned, as the safetensors writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in names:
            f.write(initial_values(name, shapes[name], rng, dtype, ones).tobytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--dtype", choices=["f32", "f16"], default="f32")
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--width", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    dtype = np.float32 if args.dtype == "f32" else np.float16
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(FIXTURE, "config.json")) as f:
        config = json.load(f)
    config.update({"n_embd": args.width, "n_head": args.heads, "n_layer": args.layers,
                   "n_positions": POSITIONS, "vocab_size": VOCAB,
                   "dtype": "float32" if args.dtype == "f32" else "float16"})
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    shutil.copyfile(os.path.join(FIXTURE, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    write_safetensors(os.path.join(args.out, "model.safetensors"), tensor_shapes(args.layers, args.width),
                      np.random.default_rng(args.seed), dtype)
    params = sum(int(np.prod(s)) for s in tensor_shapes(args.layers, args.width).values())
    print(f"{args.out}: GPT-2 layout, {args.layers} layers, width {args.width}, {params / 1e6:.1f}M parameters, "
          f"{args.dtype}")


if __name__ == "__main__":
    main()
