#!/usr/bin/env python3
"""Writes a BART-base-size model folder with random weights, in Hugging Face layout, for benchmarks.

    /usr/bin/python3 tools/bench/make_bart.py --out build/bench/bart-base-f32 [--layers 6] [--width 768]
        [--heads 12] [--seed 1]

BartForConditionalGeneration with bart-base's shape at the defaults (6 encoder and 6 decoder layers, width
768, 3072-wide feed-forward, 1024 positions): 99M parameters in the layers. The tokenizer and vocabulary are
the bart-tiny fixture's (600 tokens), so the LM head is small; the layers are what a trace spends its time
on. Generated on demand, never committed. Weights are N(0, 0.02), layer norms ones and zeros.
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_gpt2_small import write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "bart-tiny")
POSITIONS = 1024


def tensor_shapes(layers, width, vocab):
    ffn = 4 * width
    shapes = {"model.shared.weight": [vocab, width], "final_logits_bias": [1, vocab]}

    def linear(name, n_out, n_in):
        shapes[name + ".weight"] = [n_out, n_in]
        shapes[name + ".bias"] = [n_out]

    def norm(name):
        shapes[name + ".weight"] = [width]
        shapes[name + ".bias"] = [width]

    for side in ("encoder", "decoder"):
        shapes[f"model.{side}.embed_positions.weight"] = [POSITIONS + 2, width]
        norm(f"model.{side}.layernorm_embedding")
        for i in range(layers):
            p = f"model.{side}.layers.{i}."
            for attn in ("self_attn", "encoder_attn") if side == "decoder" else ("self_attn",):
                for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                    linear(p + attn + "." + proj, width, width)
                norm(p + attn + "_layer_norm")
            linear(p + "fc1", ffn, width)
            linear(p + "fc2", width, ffn)
            norm(p + "final_layer_norm")
    return shapes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--width", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(FIXTURE, "config.json")) as f:
        config = json.load(f)
    config.update({"d_model": args.width, "encoder_layers": args.layers, "decoder_layers": args.layers,
                   "encoder_attention_heads": args.heads, "decoder_attention_heads": args.heads,
                   "encoder_ffn_dim": 4 * args.width, "decoder_ffn_dim": 4 * args.width,
                   "max_position_embeddings": POSITIONS})
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    shutil.copyfile(os.path.join(FIXTURE, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    shapes = tensor_shapes(args.layers, args.width, config["vocab_size"])
    # make_gpt2_small's writer: layer norm weights are ones when their names say so; here every norm's.
    ones = {name for name in shapes if ("layer_norm" in name or "layernorm" in name) and name.endswith(".weight")}
    write_safetensors(os.path.join(args.out, "model.safetensors"), shapes, np.random.default_rng(args.seed),
                      np.float32, ones)
    params = sum(int(np.prod(s)) for s in shapes.values())
    print(f"{args.out}: BART layout, {args.layers} + {args.layers} layers, width {args.width}, "
          f"{params / 1e6:.1f}M parameters, f32")


if __name__ == "__main__":
    main()
