#!/usr/bin/env python3
"""End-to-end tests of attnscope-cli as a user runs it: outputs against the transformers references,
and every kind of bad input giving one clear line on stderr, exit code 2, no partial output file and
no sanitizer report. Standard library only. Ends with "cli: N passed, M failed"."""
import argparse, base64, json, math, os, re, shutil, struct, subprocess, sys, tempfile, time, traceback, zlib
import xml.etree.ElementTree as ET
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures")
CLI = None
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def run(*args, stdin=None):
    p = subprocess.run([CLI, *args], capture_output=True, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        code = {"F32": "f", "I64": "q"}[info["dtype"]]
        arr = array(code)
        arr.frombytes(data[a:b])
        out[name] = (info["shape"], arr)
    return out


def max_diff(a, b):
    assert len(a) == len(b), f"lengths differ: {len(a)} vs {len(b)}"
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def expect_clean_failure(args, phrase, out_path=None):
    rc, out, err = run(*args)
    assert rc == 2, f"exit code {rc}, stderr: {err!r}"
    assert phrase in err, f"expected {phrase!r} in stderr: {err!r}"
    assert "AddressSanitizer" not in err and "runtime error" not in err, f"sanitizer report: {err}"
    assert len(err.strip().splitlines()) == 1, f"expected one line on stderr, got: {err!r}"
    assert out == "", f"unexpected stdout: {out!r}"
    if out_path:
        assert not os.path.exists(out_path), "a failed command left an output file"
        assert not os.path.exists(out_path + ".tmp"), "a failed command left a temporary file"


# ------------------------------------------------------------------ tokenize
@test
def tokenize_matches_hf_without_specials():
    for model in ["gpt2-tiny", "bert-tiny", "llama-tiny", "roberta-tiny"]:
        tok = os.path.join(FIXTURES, model, "tokenizer.json")
        ref = json.load(open(os.path.join(FIXTURES, model, "tokenizer_reference.json"), encoding="utf-8"))
        for case in ref["cases"][:12]:
            with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
                f.write(case["text"].encode("utf-8"))
            rc, out, err = run("tokenize", "--tokenizer", tok, "--no-special", "--text-file", f.name)
            os.unlink(f.name)
            assert rc == 0, err
            got = json.loads(out)
            assert got["ids"] == case["ids"], (model, case["text"], got["ids"], case["ids"])
            assert got["tokens"] == case["tokens"], (model, case["text"])


@test
def tokenize_adds_special_tokens_by_default():
    tok = os.path.join(FIXTURES, "bert-tiny", "tokenizer.json")
    rc, out, err = run("tokenize", "--tokenizer", tok, "--text", "hello world")
    assert rc == 0, err
    tokens = json.loads(out)["tokens"]
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]", tokens
    rc, out, err = run("tokenize", "--tokenizer", tok, "--no-special", "--text", "hello world")
    assert "[CLS]" not in json.loads(out)["tokens"]


@test
def tokenize_text_file_passes_nul_bytes():
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
        f.write(b"a\x00b")
    rc, out, err = run("tokenize", "--tokenizer", os.path.join(FIXTURES, "gpt2-tiny", "tokenizer.json"),
                       "--text-file", f.name)
    os.unlink(f.name)
    assert rc == 0, err
    assert json.loads(out)["tokens"] == ["a", "\u0100", "b"], out


# ------------------------------------------------------------------ trace
@test
def trace_matches_transformers_on_gpt2():
    ref = read_safetensors(os.path.join(FIXTURES, "gpt2-tiny", "reference.safetensors"))
    with tempfile.TemporaryDirectory() as d:
        for case in range(4):
            ids = ",".join(str(i) for i in ref[f"case{case}.input_ids"][1])
            out_path = os.path.join(d, f"t{case}.safetensors")
            rc, out, err = run("trace", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--ids", ids, "--out", out_path)
            assert rc == 0, err
            got = read_safetensors(out_path)
            assert set(got) == {"input_ids", "attentions", "hidden_states", "last_logits"}, set(got)
            for name, tol in [("attentions", 2e-5), ("hidden_states", 2e-4), ("last_logits", 2e-3)]:
                shape, values = ref[f"case{case}.{name}"]
                assert got[name][0] == shape, (name, got[name][0], shape)
                assert max_diff(got[name][1], values) < tol, (case, name, max_diff(got[name][1], values))


@test
def trace_from_text_tokenizes_like_hf():
    meta = json.load(open(os.path.join(FIXTURES, "gpt2-tiny", "reference.json"), encoding="utf-8"))
    ref = read_safetensors(os.path.join(FIXTURES, "gpt2-tiny", "reference.safetensors"))
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "t.safetensors")
        rc, out, err = run("trace", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--text", meta["texts"][2],
                           "--out", out_path)
        assert rc == 0, err
        got = read_safetensors(out_path)
        assert list(got["input_ids"][1]) == list(ref["case2.input_ids"][1])
        assert max_diff(got["attentions"][1], ref["case2.attentions"][1]) < 2e-5


ENCODERS = ["bert-tiny", "roberta-tiny", "distilbert-tiny"]
BART_TENSORS = [("encoder_attentions", 2e-5), ("decoder_attentions", 2e-5), ("cross_attentions", 2e-5),
                ("encoder_hidden_states", 2e-4), ("decoder_hidden_states", 2e-4), ("last_logits", 2e-3)]


def ids_arg(values):
    return ",".join(str(i) for i in values)


def check_tensors(got, ref, case, checks):
    for name, tol in checks:
        shape, values = ref[f"case{case}.{name}"]
        assert got[name][0] == shape, (case, name, got[name][0], shape)
        assert max_diff(got[name][1], values) < tol, (case, name, max_diff(got[name][1], values))


@test
def trace_matches_transformers_on_encoders():
    for model in ENCODERS:
        ref = read_safetensors(os.path.join(FIXTURES, model, "reference.safetensors"))
        masks = json.load(open(os.path.join(FIXTURES, model, "reference.json"), encoding="utf-8"))["mask_positions"]
        with tempfile.TemporaryDirectory() as d:
            for case, mask in enumerate(masks):
                out_path = os.path.join(d, f"t{case}.safetensors")
                rc, out, err = run("trace", "--model", os.path.join(FIXTURES, model), "--ids",
                                   ids_arg(ref[f"case{case}.input_ids"][1]), "--score-position", str(mask),
                                   "--out", out_path)
                assert rc == 0, (model, err)
                got = read_safetensors(out_path)
                assert set(got) == {"input_ids", "attentions", "hidden_states", "mask_logits"}, (model, set(got))
                assert list(got["input_ids"][1]) == list(ref[f"case{case}.input_ids"][1])
                check_tensors(got, ref, case, [("attentions", 2e-5), ("hidden_states", 2e-4), ("mask_logits", 2e-3)])


@test
def trace_encoder_scores_the_first_mask_by_default():
    # Needs the tokenizer to know "[MASK]" / "<mask>".
    for model in ENCODERS:
        ref = read_safetensors(os.path.join(FIXTURES, model, "reference.safetensors"))
        with tempfile.TemporaryDirectory() as d:
            out_path = os.path.join(d, "t.safetensors")
            rc, out, err = run("trace", "--model", os.path.join(FIXTURES, model), "--ids",
                               ids_arg(ref["case1.input_ids"][1]), "--out", out_path)
            assert rc == 0, (model, err)
            check_tensors(read_safetensors(out_path), ref, 1, [("mask_logits", 2e-3)])


@test
def trace_matches_transformers_on_bart():
    model = os.path.join(FIXTURES, "bart-tiny")
    ref = read_safetensors(os.path.join(model, "reference.safetensors"))
    with tempfile.TemporaryDirectory() as d:
        for case in range(2):
            out_path = os.path.join(d, f"t{case}.safetensors")
            rc, out, err = run("trace", "--model", model, "--ids", ids_arg(ref[f"case{case}.input_ids"][1]),
                               "--decoder-ids", ids_arg(ref[f"case{case}.decoder_input_ids"][1]), "--out", out_path)
            assert rc == 0, err
            got = read_safetensors(out_path)
            assert set(got) == {"input_ids", "decoder_input_ids"} | {n for n, _ in BART_TENSORS}, set(got)
            assert list(got["decoder_input_ids"][1]) == list(ref[f"case{case}.decoder_input_ids"][1])
            check_tensors(got, ref, case, BART_TENSORS)


@test
def trace_npz_loads_in_numpy_with_the_safetensors_tensors():
    import numpy as np   # python3-numpy (tools/setup): the reader people will use
    for model, extra in [("gpt2-tiny", []), ("bart-tiny", ["--decoder-text", "Hi there"])]:
        with tempfile.TemporaryDirectory() as d:
            args = ["trace", "--model", os.path.join(FIXTURES, model), "--text", "The cat sat, then it slept."] + extra
            st_path, npz_path = os.path.join(d, "t.safetensors"), os.path.join(d, "t.npz")
            assert run(*args, "--out", st_path)[0] == 0
            rc, out, err = run(*args, "--out", npz_path)
            assert rc == 0, err
            st = read_safetensors(st_path)
            with np.load(npz_path) as z:
                assert sorted(z.files) == sorted(st), (z.files, list(st))
                for name, (shape, values) in st.items():
                    a = z[name]
                    assert list(a.shape) == shape, (name, a.shape, shape)
                    assert a.dtype == (np.int64 if name.endswith("input_ids") else np.float32), (name, a.dtype)
                    assert np.array_equal(a.ravel(), np.array(values, dtype=a.dtype)), name


@test
def trace_bart_decoder_defaults_to_the_start_token():
    model = os.path.join(FIXTURES, "bart-tiny")
    ref = read_safetensors(os.path.join(model, "reference.safetensors"))
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "t.safetensors")
        rc, out, err = run("trace", "--model", model, "--ids", ids_arg(ref["case0.input_ids"][1]), "--out", out_path)
        assert rc == 0, err
        got = read_safetensors(out_path)
        assert list(got["decoder_input_ids"][1]) == [2], got["decoder_input_ids"]
        assert got["cross_attentions"][0] == [2, 4, 1, 8], got["cross_attentions"][0]
        # The encoder does not depend on the decoder input.
        check_tensors(got, ref, 0, [("encoder_attentions", 2e-5), ("encoder_hidden_states", 2e-4)])


@test
def trace_bart_decoder_text_is_teacher_forced_like_the_reference():
    # Needs the tokenizer: [decoder_start, bos] + the target's tokens, as the reference was made.
    model = os.path.join(FIXTURES, "bart-tiny")
    meta = json.load(open(os.path.join(model, "reference.json"), encoding="utf-8"))
    ref = read_safetensors(os.path.join(model, "reference.safetensors"))
    with tempfile.TemporaryDirectory() as d:
        # The fixture's tokenizer has no post-processor; its source ids were wrapped in <s> ... </s> by hand.
        tgt = meta["pairs"][0][1]
        out_path = os.path.join(d, "t.safetensors")
        rc, out, err = run("trace", "--model", model, "--ids", ids_arg(ref["case0.input_ids"][1]), "--decoder-text", tgt,
                           "--out", out_path)
        assert rc == 0, err
        got = read_safetensors(out_path)
        assert list(got["decoder_input_ids"][1]) == list(ref["case0.decoder_input_ids"][1])
        check_tensors(got, ref, 0, BART_TENSORS)


@test
def info_describes_encoders_and_encoder_decoders():
    for model, arch in [("bert-tiny", "bert"), ("roberta-tiny", "roberta"), ("distilbert-tiny", "distilbert")]:
        rc, out, err = run("info", "--model", os.path.join(FIXTURES, model))
        assert rc == 0, err
        info = json.loads(out)
        assert info["architecture"] == arch and info["causal"] is False and info["encoder_decoder"] is False, info
        assert info["n_ctx"] == 64, info
    rc, out, err = run("info", "--model", os.path.join(FIXTURES, "bart-tiny"))
    assert rc == 0, err
    info = json.loads(out)
    assert info["architecture"] == "bart" and info["causal"] is False and info["encoder_decoder"] is True, info
    assert info["n_decoder_layer"] == 2 and info["decoder_start_token_id"] == 2, info


@test
def encoder_and_bart_usage_errors():
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "x.safetensors")
        bert, bart = os.path.join(FIXTURES, "bert-tiny"), os.path.join(FIXTURES, "bart-tiny")
        expect_clean_failure(["trace", "--model", bert, "--ids", "2,5,3", "--score-position", "3", "--out", out_path],
                             "--score-position 3 is outside the input's 3 tokens", out_path)
        expect_clean_failure(["trace", "--model", bert, "--ids", "2,5,3", "--decoder-ids", "2", "--out", out_path],
                             "apply to encoder-decoder models", out_path)
        expect_clean_failure(["trace", "--model", bart, "--ids", "0,5,2", "--score-position", "1", "--out", out_path],
                             "--score-position applies to encoder (masked-LM) models", out_path)
        expect_clean_failure(["trace", "--model", bart, "--ids", "0,5,2", "--decoder-ids", "2", "--decoder-text", "x",
                              "--out", out_path], "only one", out_path)
        expect_clean_failure(["trace", "--model", bart, "--ids", "0,5,2", "--decoder-ids", "2,600", "--out", out_path],
                             "token id 600 is outside the vocabulary", out_path)
        expect_clean_failure(["trace", "--model", bart, "--ids", "0,5,2", "--decoder-ids", ids_arg([5] * 65),
                              "--out", out_path], "65 decoder tokens exceed the model's context of 64", out_path)


@test
def info_describes_the_model():
    rc, out, err = run("info", "--model", os.path.join(FIXTURES, "gpt2-tiny"))
    assert rc == 0, err
    info = json.loads(out)
    assert info["architecture"] == "gpt2" and info["n_layer"] == 2 and info["n_head"] == 4, info
    assert info["n_embd"] == 32 and info["n_ctx"] == 64 and info["n_vocab"] == 50257, info
    assert info["weight_dtypes"] == ["F32"], info
    assert info["tokenizer"]["type"] == "BPE", info
    assert info["n_params"] > 1_600_000, info


@test
def generate_greedy_equals_transformers():
    for model in ["qwen2-tiny", "gpt2-f16"]:
        meta = json.load(open(os.path.join(FIXTURES, model, "reference.json"), encoding="utf-8"))
        ref = read_safetensors(os.path.join(FIXTURES, model, "reference.safetensors"))
        for case in (0, 3):
            rc, out, err = run("generate", "--model", os.path.join(FIXTURES, model), "--text", meta["texts"][case],
                               "--max-new", "8", "--no-stop")
            assert rc == 0, err
            got = json.loads(out)
            assert got["prompt_ids"] == list(ref[f"case{case}.input_ids"][1]), (model, case)
            assert got["new_ids"] == list(ref[f"case{case}.greedy_generation"][1]), (model, case, got["new_ids"])
            assert got["text"].startswith(meta["texts"][case][:10]), got["text"]


@test
def generate_bart_greedy_equals_transformers():
    meta = json.load(open(os.path.join(FIXTURES, "bart-tiny", "reference.json"), encoding="utf-8"))
    ref = read_safetensors(os.path.join(FIXTURES, "bart-tiny", "reference.safetensors"))
    for case, (source, _target) in enumerate(meta["pairs"]):
        rc, out, err = run("generate", "--model", os.path.join(FIXTURES, "bart-tiny"), "--text", source, "--max-new", "8")
        assert rc == 0, err
        got = json.loads(out)
        assert got["prompt_ids"] == list(ref[f"case{case}.input_ids"][1]), got
        assert got["new_ids"] == list(ref[f"case{case}.greedy_generation"][1]), got
        # trace from the same texts feeds the model exactly the reference's source and target ids
        with tempfile.TemporaryDirectory() as d:
            out_path = os.path.join(d, "t.safetensors")
            rc, out, err = run("trace", "--model", os.path.join(FIXTURES, "bart-tiny"), "--text", source,
                               "--decoder-text", _target, "--out", out_path)
            assert rc == 0, err
            t = read_safetensors(out_path)
            assert list(t["input_ids"][1]) == list(ref[f"case{case}.input_ids"][1])
            assert list(t["decoder_input_ids"][1]) == list(ref[f"case{case}.decoder_input_ids"][1])
            assert max_diff(t["cross_attentions"][1], ref[f"case{case}.cross_attentions"][1]) < 2e-5
    expect_clean_failure(["generate", "--model", os.path.join(FIXTURES, "bert-tiny"), "--text", "a [MASK]"],
                         "an encoder")


@test
def generate_sampling_is_reproducible_with_a_seed():
    args = ["generate", "--model", os.path.join(FIXTURES, "llama-tiny"), "--text", "The keys", "--max-new", "6",
            "--temperature", "1.5", "--top-k", "50", "--no-stop"]
    a = json.loads(run(*args, "--seed", "7")[1])["new_ids"]
    b = json.loads(run(*args, "--seed", "7")[1])["new_ids"]
    c = [json.loads(run(*args, "--seed", str(s))[1])["new_ids"] for s in range(1, 6)]
    assert a == b and len(a) == 6, (a, b)
    assert any(x != a for x in c), "different seeds should give different samples"


# ------------------------------------------------------------------ usage errors
@test
def usage_errors_exit_2_with_one_line():
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "x.safetensors")
        model = os.path.join(FIXTURES, "gpt2-tiny")
        expect_clean_failure(["frobnicate"], "unknown command 'frobnicate'")
        expect_clean_failure([], "missing command")
        expect_clean_failure(["trace", "--model", model, "--text", "hi"], "missing --out")
        expect_clean_failure(["trace", "--model", model, "--text", "hi", "--out", out_path, "--bogus"],
                             "unknown option '--bogus'", out_path)
        expect_clean_failure(["trace", "--model", model, "--ids", "1,x,3", "--out", out_path], "--ids must be", out_path)
        expect_clean_failure(["trace", "--model", model, "--ids", "1,60000", "--out", out_path],
                             "token id 60000 is outside the vocabulary", out_path)
        expect_clean_failure(["trace", "--model", os.path.join(d, "nope"), "--text", "hi", "--out", out_path],
                             "not a folder", out_path)
        expect_clean_failure(["tokenize", "--tokenizer", os.path.join(d, "missing.json"), "--text", "x"],
                             "missing.json")
        expect_clean_failure(["tokenize", "--tokenizer", os.path.join(model, "tokenizer.json")], "missing --text")
        expect_clean_failure(["generate", "--model", model, "--text", "hi", "--temperature", "-1"], "--temperature must be")


# ------------------------------------------------------------------ render
def png_read(path):
    """(width, height, rows) of an 8-bit RGBA PNG: chunks and CRCs checked, IDAT inflated and unfiltered."""
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, ihdr, idat = 8, None, b""
    while pos < len(raw):
        n, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", raw[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body), f"bad CRC in {kind}"
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
        if kind == b"IEND":
            break
    assert ihdr is not None, "no IHDR"
    w, h, depth, color_type = ihdr[:4]
    assert (depth, color_type) == (8, 6), f"expected 8-bit RGBA, got depth {depth} colour type {color_type}"
    data = zlib.decompress(idat)
    stride = w * 4
    assert len(data) == h * (stride + 1), "IDAT size does not match IHDR"
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft, line = data[y * (stride + 1)], bytearray(data[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b, c = prev[i], prev[i - 4] if i >= 4 else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", head[16:24])


def png_colors(rows):
    return {row[i:i + 4] for row in rows for i in range(0, len(row), 4)}


MASKED = bytes([96, 96, 96, 255])   # kMaskedRgba: future cells of causal attention


def has_masked_cells(rows):
    """A run of 12 masked-grey pixels: a cell, not an anti-aliased text edge that happens to be that grey."""
    return any(MASKED * 12 in row for row in rows)
SENTENCE = "The animal didn't cross the street because it was tired"


def render(d, name, *args):
    out_path = os.path.join(d, name)
    rc, out, err = run("render", *args, "--out", out_path)
    assert rc == 0, err
    assert err == "", f"unexpected stderr: {err!r}"
    return out_path


@test
def render_each_view_of_gpt2():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        for view in ["heatmap", "grid", "lines", "flow"]:
            path = render(d, view + ".png", "--model", model, "--text", SENTENCE, "--view", view, "--size", "640x400")
            w, h, rows = png_read(path)
            assert (w, h) == (640, 400), (view, w, h)
            colors = png_colors(rows)
            assert len(colors) > 1, f"{view}: one flat colour"
            if view == "heatmap":
                assert has_masked_cells(rows), "causal heatmap without masked cells"
                assert len(colors) > 20, f"heatmap with only {len(colors)} colours"
        path = render(d, "default.png", "--model", model, "--text", SENTENCE)
        assert png_size(path) == (1600, 1000)


@test
def render_layer_and_head_change_the_picture():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        a = png_read(render(d, "a.png", "--model", model, "--text", SENTENCE, "--size", "480x320"))[2]
        b = png_read(render(d, "b.png", "--model", model, "--text", SENTENCE, "--size", "480x320",
                            "--layer", "1", "--head", "3", "--colormap", "viridis", "--font-size", "14"))[2]
        assert a != b


@test
def render_bart_cross_attention_heatmap():
    model = os.path.join(FIXTURES, "bart-tiny")
    with tempfile.TemporaryDirectory() as d:
        cross = render(d, "cross.png", "--model", model, "--text", "The cat sat on the mat.", "--target", "A cat sat.",
                       "--kind", "cross", "--size", "640x400")
        w, h, rows = png_read(cross)
        assert (w, h) == (640, 400)
        colors = png_colors(rows)
        assert len(colors) > 20, f"only {len(colors)} colours"
        assert not has_masked_cells(rows), "cross attention has no future mask"
        decoder = render(d, "decoder.png", "--model", model, "--text", "The cat sat on the mat.", "--target", "A cat sat.",
                         "--kind", "decoder", "--size", "640x400")
        assert has_masked_cells(png_read(decoder)[2]), "the decoder's self attention is causal"


@test
def render_colormap_and_theme_change_the_picture():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        args = ["--model", model, "--text", SENTENCE, "--size", "480x320"]
        dark = png_read(render(d, "dark.png", *args))[2]
        magma = png_read(render(d, "magma.png", *args, "--colormap", "magma"))[2]
        light = png_read(render(d, "light.png", *args, "--theme", "light"))[2]
        assert magma != dark, "--colormap magma drew the same picture"
        def mean_luma(rows):
            total = n = 0
            for row in rows[::8]:
                for i in range(0, len(row), 32):
                    total += 0.299 * row[i] + 0.587 * row[i + 1] + 0.114 * row[i + 2]
                    n += 1
            return total / n
        assert mean_luma(dark) < 100 < mean_luma(light), (mean_luma(dark), mean_luma(light))


@test
def render_bad_inputs_exit_2_with_no_file():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "x.png")
        base = ["render", "--model", model, "--text", "hi"]
        expect_clean_failure(["render", "--model", os.path.join(d, "nope"), "--text", "hi", "--out", out_path],
                             "not a folder", out_path)
        expect_clean_failure(base + ["--layer", "9", "--out", out_path], "--layer 9 is outside gpt2-tiny's 2 layers", out_path)
        expect_clean_failure(base + ["--head", "-1", "--out", out_path], "--head -1 is outside", out_path)
        expect_clean_failure(base + ["--layer", "x", "--out", out_path], "--layer must be an integer", out_path)
        expect_clean_failure(base + ["--view", "pie", "--out", out_path], "--view wants one of heatmap, grid, lines, flow", out_path)
        expect_clean_failure(base + ["--colormap", "jet", "--out", out_path], "--colormap 'jet'", out_path)
        expect_clean_failure(base + ["--size", "10x10", "--out", out_path], "--size wants WxH", out_path)
        expect_clean_failure(base + ["--theme", "blue", "--out", out_path], "--theme wants dark or light", out_path)
        expect_clean_failure(base + ["--kind", "cross", "--out", out_path], "--kind cross applies to encoder-decoder", out_path)
        expect_clean_failure(base + ["--target", "x", "--out", out_path], "--target applies to encoder-decoder", out_path)
        expect_clean_failure(base, "missing --out")
        unwritable = os.path.join(d, "no-such-dir", "x.png")
        expect_clean_failure(base + ["--out", unwritable], "cannot write " + unwritable, unwritable)


SVG = "{http://www.w3.org/2000/svg}"


def svg_read(path):
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg", root.tag
    return root


def svg_texts(root, cls):
    return [t.text for t in root.iter(SVG + "text") if t.get("class") == cls]


def svg_group(root, gid):
    groups = [g for g in root.iter(SVG + "g") if g.get("id") == gid]
    assert len(groups) == 1, f"expected one <g id={gid!r}>"
    return groups[0]


def gpt2_trace(d, text):
    """(tokens, attentions (L, H, T, T) as a flat array, shape) of gpt2-tiny on text, from the CLI."""
    model = os.path.join(FIXTURES, "gpt2-tiny")
    rc, out, err = run("tokenize", "--tokenizer", os.path.join(model, "tokenizer.json"), "--text", text)
    assert rc == 0, err
    path = os.path.join(d, "trace.safetensors")
    rc, out2, err = run("trace", "--model", model, "--text", text, "--out", path)
    assert rc == 0, err
    shape, values = read_safetensors(path)["attentions"]
    return json.loads(out)["tokens"], values, shape


@test
def render_svg_heatmap_has_title_labels_cells_and_colorbar():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        tokens, att, (L, H, T, S) = gpt2_trace(d, SENTENCE)
        path = render(d, "h.svg", "--model", model, "--text", SENTENCE, "--layer", "1", "--head", "2")
        root = svg_read(path)
        title = root.find(SVG + "title").text
        assert "gpt2-tiny" in title and "heatmap" in title and "layer 1, head 2" in title, title
        assert SENTENCE[:40] in title, title
        labels = [t.replace("\u0120", "\u00b7") for t in tokens]   # Ġ is shown as ·
        assert svg_texts(root, "row-label") == labels, svg_texts(root, "row-label")
        assert svg_texts(root, "col-label") == labels
        cells = list(svg_group(root, "cells"))
        assert len(cells) == T * S, (len(cells), T, S)
        base = (1 * H + 2) * T * S
        for c in cells:
            q, k = int(c.get("data-q")), int(c.get("data-k"))
            assert abs(float(c.get("data-weight")) - att[base + q * S + k]) < 1e-5, (q, k)
            assert (c.get("data-masked") == "1") == (k > q), (q, k)
        bar = list(svg_group(root, "colorbar").iter(SVG + "rect"))
        assert len(bar) == 64, len(bar)
        rgb = lambda r: tuple(int(r.get("fill")[i:i + 2], 16) for i in (1, 3, 5))
        top, bottom = rgb(bar[0]), rgb(bar[-1])
        assert top[0] > 200 and top[1] > 200 and top[2] < 100, top          # viridis: yellow at 1 ...
        assert bottom[0] < 100 and bottom[1] < 30 and bottom[2] > 60, bottom  # ... dark purple at 0
        values = [float(r.get("data-value")) for r in bar]
        assert values == sorted(values, reverse=True) and values[0] <= 1.0 and values[-1] >= 0.0
        ticks = [t.text for t in root.iter(SVG + "text") if t.get("class") == "tick"]
        assert ticks == ["0.00", "0.25", "0.50", "0.75", "1.00"], ticks


@test
def render_svg_grid_lines_and_flow():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        tokens, att, (L, H, T, S) = gpt2_trace(d, SENTENCE)
        grid = svg_read(render(d, "g.svg", "--model", model, "--text", SENTENCE, "--view", "grid"))
        tiles = list(svg_group(grid, "tiles"))
        assert len(tiles) == L * H
        assert all(t.get("href", "").startswith("data:image/png;base64,") for t in tiles)
        assert svg_texts(grid, "row-label") == [f"L{l}" for l in range(L)]
        assert svg_texts(grid, "col-label") == [f"H{h}" for h in range(H)]
        assert len(list(svg_group(grid, "colorbar").iter(SVG + "rect"))) == 64
        # A tile is an embedded PNG of the head's cells, one pixel per (query, key).
        png_path = os.path.join(d, "tile.png")
        with open(png_path, "wb") as f:
            f.write(base64.b64decode(tiles[0].get("href").split(",", 1)[1]))
        w, h, rows = png_read(png_path)
        assert (w, h) == (S, T)

        lines = svg_read(render(d, "l.svg", "--model", model, "--text", SENTENCE, "--view", "lines", "--layer", "1"))
        assert "layer 1, head 0" in lines.find(SVG + "title").text
        drawn = list(svg_group(lines, "lines"))
        want = [(q, k) for q in range(T) for k in range(S) if att[(1 * H + 0) * T * S + q * S + k] >= 0.01]
        assert sorted((int(l.get("data-q")), int(l.get("data-k"))) for l in drawn) == sorted(want)
        for l in drawn:
            q, k = int(l.get("data-q")), int(l.get("data-k"))
            assert abs(float(l.get("stroke-opacity")) - att[(1 * H) * T * S + q * S + k]) < 1e-3
        labels = [t.replace("\u0120", "\u00b7") for t in tokens]
        assert svg_texts(lines, "left-label") == labels and svg_texts(lines, "right-label") == labels
        assert len(list(svg_group(lines, "head-legend").iter(SVG + "line"))) == 1

        flow = svg_read(render(d, "f.svg", "--model", model, "--text", SENTENCE, "--view", "flow"))
        edges = list(svg_group(flow, "edges"))
        assert edges, "no flow edges"
        for e in edges:
            assert float(e.get("data-weight")) >= 0.1 - 1e-6   # the default threshold
            assert 1 <= int(e.get("data-layer")) <= L
        assert svg_texts(flow, "bottom-label") == labels
        assert "edges under 0.10 not drawn" in [t for t in flow.iter(SVG + "text") if t.get("id") == "legend"][0].text


@test
def render_scale_multiplies_the_pixels():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        one = render(d, "one.png", "--model", model, "--text", SENTENCE, "--size", "320x200")
        two = render(d, "two.png", "--model", model, "--text", SENTENCE, "--size", "320x200", "--scale", "2")
        four = render(d, "four.png", "--model", model, "--text", SENTENCE, "--size", "320x200", "--scale", "4",
                      "--view", "lines")
        assert png_size(one) == (320, 200) and png_size(two) == (640, 400) and png_size(four) == (1280, 800)
        # Same layout: the 1x picture's masked-grey cell runs come back twice as long at 2x.
        assert has_masked_cells(png_read(two)[2])
        svg = render(d, "x.out", "--model", model, "--text", SENTENCE, "--format", "svg")
        svg_read(svg)
        out_path = os.path.join(d, "y.png")
        base = ["render", "--model", model, "--text", "hi"]
        expect_clean_failure(base + ["--scale", "3", "--out", out_path], "--scale wants 1, 2 or 4", out_path)
        expect_clean_failure(base + ["--format", "pdf", "--out", out_path], "--format wants png or svg", out_path)
        expect_clean_failure(base + ["--size", "4000x3000", "--scale", "4", "--out", out_path], "million pixels", out_path)
        expect_clean_failure(base + ["--scale", "2", "--out", os.path.join(d, "z.svg")], "--scale applies to PNG",
                             os.path.join(d, "z.svg"))
        bart = ["render", "--model", os.path.join(FIXTURES, "bart-tiny"), "--text", "The cat sat.", "--target", "A cat."]
        expect_clean_failure(bart + ["--kind", "cross", "--view", "flow", "--out", os.path.join(d, "f.svg")],
                             "the flow view has no picture of cross attention", os.path.join(d, "f.svg"))
        cross = svg_read(render(d, "c.svg", *bart[1:], "--kind", "cross"))
        assert "cross attention (target looks at source)" in cross.find(SVG + "title").text
        assert svg_texts(cross, "row-label")[:1] == ["</s>"], "BART's decoder starts with </s>"


# ------------------------------------------------------------------ bad files
def model_copy(d, name="gpt2-tiny"):
    dst = os.path.join(d, "model")
    shutil.copytree(os.path.join(FIXTURES, name), dst)
    for f in os.listdir(dst):
        os.chmod(os.path.join(dst, f), 0o644)
    return dst


def rewrite_safetensors(path, edit_header=None, data_transform=None, raw=None):
    """Rewrites a safetensors file: edit_header(header dict) -> header, data_transform(bytes) -> bytes."""
    with open(path, "rb") as f:
        blob = f.read()
    if raw is not None:
        with open(path, "wb") as f:
            f.write(raw(blob))
        return
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    if edit_header:
        header = edit_header(header)
    if data_transform:
        data = data_transform(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def bad_model_case(phrase, mutate):
    with tempfile.TemporaryDirectory() as d:
        model = model_copy(d)
        mutate(model)
        out_path = os.path.join(d, "out.safetensors")
        expect_clean_failure(["trace", "--model", model, "--ids", "1,2,3", "--out", out_path], phrase, out_path)
        expect_clean_failure(["info", "--model", model], phrase)


def first_tensor(header):
    return sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])


@test
def truncated_safetensors():
    bad_model_case("model.safetensors", lambda m: rewrite_safetensors(
        os.path.join(m, "model.safetensors"), raw=lambda b: b[: len(b) // 2]))


@test
def header_length_beyond_file():
    bad_model_case("model.safetensors", lambda m: rewrite_safetensors(
        os.path.join(m, "model.safetensors"), raw=lambda b: struct.pack("<Q", len(b) * 4) + b[8:]))


@test
def overlapping_offsets():
    def edit(h):
        names = first_tensor(h)
        a, b = h[names[1]]["data_offsets"]
        h[names[1]]["data_offsets"] = [a - 4, b - 4]
        return h
    bad_model_case("model.safetensors", lambda m: rewrite_safetensors(os.path.join(m, "model.safetensors"), edit))


@test
def unknown_dtype():
    def edit(h):
        h[first_tensor(h)[0]]["dtype"] = "F8_E9M9"
        return h
    bad_model_case("F8_E9M9", lambda m: rewrite_safetensors(os.path.join(m, "model.safetensors"), edit))


@test
def missing_tensor():
    def edit(h):
        # Remove the last tensor and its bytes so the file stays valid, only incomplete.
        names = first_tensor(h)
        last = names[-1]
        del h[last]
        return h
    def mutate(m):
        path = os.path.join(m, "model.safetensors")
        with open(path, "rb") as f:
            blob = f.read()
        n = struct.unpack("<Q", blob[:8])[0]
        header = json.loads(blob[8:8 + n])
        last = first_tensor(header)[-1]
        a, b = header[last]["data_offsets"]
        rewrite_safetensors(path, edit, lambda data: data[:a])
        mutate.removed = last
    with tempfile.TemporaryDirectory() as d:
        model = model_copy(d)
        mutate(model)
        expect_clean_failure(["info", "--model", model], "missing tensor '" + mutate.removed.replace("transformer.", ""))


@test
def n_embd_not_divisible_by_n_head():
    def mutate(m):
        path = os.path.join(m, "config.json")
        cfg = json.load(open(path))
        cfg["n_head"] = 5
        json.dump(cfg, open(path, "w"))
    bad_model_case("n_embd=32 is not divisible by n_head=5", mutate)


@test
def shape_mismatch_names_tensor_and_shapes():
    def mutate(m):
        path = os.path.join(m, "config.json")
        cfg = json.load(open(path))
        cfg["n_positions"] = 128
        json.dump(cfg, open(path, "w"))
    bad_model_case("[64, 32] but config n_positions=128, n_embd=32 needs [128, 32]", mutate)


@test
def malformed_config_json():
    bad_model_case("config.json: malformed JSON", lambda m: open(os.path.join(m, "config.json"), "w").write('{"n_embd": 32,,}'))


@test
def deeply_nested_config_json():
    bad_model_case("config.json: JSON nested deeper than",
                   lambda m: open(os.path.join(m, "config.json"), "w").write("[" * 200000 + "]" * 200000))


@test
def ill_typed_config_key():
    def mutate(m):
        path = os.path.join(m, "config.json")
        cfg = json.load(open(path))
        cfg["n_layer"] = "two"
        json.dump(cfg, open(path, "w"))
    bad_model_case("config.json: key 'n_layer' must be an integer, found a string", mutate)


@test
def git_lfs_pointer():
    pointer = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 6545576\n")
    bad_model_case("Git LFS pointer", lambda m: open(os.path.join(m, "model.safetensors"), "w").write(pointer))


@test
def unsupported_architecture():
    def mutate(m):
        path = os.path.join(m, "config.json")
        cfg = json.load(open(path))
        cfg["model_type"] = "t5"
        json.dump(cfg, open(path, "w"))
    bad_model_case("unsupported architecture t5 (supported: gpt2, llama, mistral, qwen2, bert, roberta, xlm-roberta, "
                   "distilbert, bart)", mutate)


@test
def malformed_tokenizer_json():
    bad_model_case("tokenizer.json", lambda m: open(os.path.join(m, "tokenizer.json"), "w").write('{"model": '))


# ------------------------------------------------------------------ analyze
ALL_FAMILIES = ["gpt2-tiny", "gpt2-f16", "llama-tiny", "llama-bf16-sharded", "qwen2-tiny", "bert-tiny", "roberta-tiny",
                "distilbert-tiny"]
# The acceptance tolerances: (absolute, relative), |got - ref| <= abs + rel * |ref| elementwise.
GRAD_TOL = (2e-5, 2e-3)
ANALYZE_TOLERANCES = {
    "target_logprob": GRAD_TOL, "baseline_logprob": GRAD_TOL, "saliency_grad": GRAD_TOL, "saliency_l2": GRAD_TOL,
    "grad_x_input": GRAD_TOL, "head_importance": GRAD_TOL, "integrated_gradients": (5e-4, 1e-2),
    "occlusion_zero": (2e-4, 0.0), "attn_x_grad": (1e-4, 0.0), "rollout": (2e-5, 0.0), "attention_flow": (2e-4, 0.0),
    "entropy": (1e-4, 0.0), "mean_distance": (1e-4, 0.0),
}
ANALYZE_EXACT = ["target", "logit_lens_argmax"]
# llama-bf16-sharded's reference was computed from the f32 weights before they were rounded to BF16 (see
# tests/model/test_gradients.cpp): its gradients, rollout and statistics carry that rounding, ~1e-4.
BF16_TOLERANCES = dict(ANALYZE_TOLERANCES, target_logprob=(3e-4, 3e-2), saliency_grad=(3e-4, 3e-2),
                       saliency_l2=(3e-4, 3e-2), grad_x_input=(3e-4, 3e-2), head_importance=(3e-4, 3e-2),
                       rollout=(1e-4, 0.0), entropy=(5e-3, 0.0), mean_distance=(5e-3, 0.0))


def safetensors_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


def within(got, ref, tol):
    a, r = tol
    assert len(got) == len(ref), f"lengths differ: {len(got)} vs {len(ref)}"
    worst = max((abs(x - y) - (a + r * abs(y)) for x, y in zip(got, ref)), default=-1.0)
    return worst <= 0.0, worst


def analyze(d, model, *args, out_name="a.safetensors"):
    out_path = os.path.join(d, out_name)
    rc, out, err = run("analyze", "--model", os.path.join(FIXTURES, model), *args, "--out", out_path)
    assert rc == 0, (model, args, err)
    assert "AddressSanitizer" not in err and "runtime error" not in err, err
    return out_path


def reference_cases(model):
    ref_path = os.path.join(FIXTURES, model, "reference.safetensors")
    meta = json.load(open(os.path.join(FIXTURES, model, "reference.json"), encoding="utf-8"))
    ref, header = read_safetensors(ref_path), safetensors_header(ref_path)
    n = len([k for k in ref if k.endswith(".input_ids")])
    masks = meta.get("mask_positions", [None] * n)
    return ref, header, [(c, masks[c]) for c in range(n)]


@test
def analyze_matches_transformers_on_every_family():
    for model in ALL_FAMILIES:
        tolerances = BF16_TOLERANCES if model == "llama-bf16-sharded" else ANALYZE_TOLERANCES
        ref, header, cases = reference_cases(model)
        with tempfile.TemporaryDirectory() as d:
            for case, mask in cases:
                args = ["--ids", ids_arg(ref[f"case{case}.input_ids"][1]), "--ig-steps", "32",
                        "--permutation-samples", "1"]
                if mask is not None:
                    args += ["--score-position", str(mask)]
                path = analyze(d, model, *args)
                got, got_header = read_safetensors(path), safetensors_header(path)
                names = [k.split(".", 1)[1] for k in ref if k.startswith(f"case{case}.")]
                compared = 0
                for name in names:
                    if name not in ANALYZE_TOLERANCES and name not in ANALYZE_EXACT:
                        continue
                    r = header[f"case{case}.{name}"]
                    assert name in got, (model, case, name, "missing")
                    assert got_header[name]["dtype"] == r["dtype"], (model, case, name, got_header[name]["dtype"])
                    assert got_header[name]["shape"] == r["shape"], (model, case, name, got_header[name]["shape"])
                    if name in ANALYZE_EXACT:
                        assert list(got[name][1]) == list(ref[f"case{case}.{name}"][1]), (model, case, name)
                    else:
                        ok, worst = within(got[name][1], ref[f"case{case}.{name}"][1], tolerances[name])
                        assert ok, (model, case, name, "exceeds the tolerance by", worst)
                    compared += 1
                # BERT-family references carry fewer analyses; decoders all of them.
                assert compared >= (8 if mask is not None else 14), (model, case, compared)


@test
def analyze_writes_every_tensor_with_consistent_shapes():
    ref, _, _ = reference_cases("gpt2-tiny")
    ids = ref["case1.input_ids"][1]
    T, L, H, k = len(ids), 2, 4, 3
    with tempfile.TemporaryDirectory() as d:
        path = analyze(d, "gpt2-tiny", "--ids", ids_arg(ids), "--ig-steps", "8", "--permutation-samples", "2",
                       "--lens-top-k", str(k))
        got, header = read_safetensors(path), safetensors_header(path)
        shapes = {"input_ids": [T], "target": [1], "score_position": [1], "target_logprob": [1], "score": [1],
                  "baseline_logprob": [1], "ig_completeness_gap": [1], "saliency_grad": [T, 32],
                  "saliency_l2": [T], "grad_x_input": [T], "integrated_gradients": [T], "occlusion_zero": [T],
                  "permutation": [T], "attn_x_grad": [T], "head_importance": [L, H], "head_ablation": [L, H],
                  "rollout": [T, T], "attention_flow": [T, T], "entropy": [L, H, T], "mean_distance": [L, H, T],
                  "logit_lens_argmax": [L + 1, T], "logit_lens_topk_ids": [L + 1, T, k],
                  "logit_lens_topk_probs": [L + 1, T, k], "logit_lens_mid_topk_ids": [L, T, k],
                  "logit_lens_mid_topk_probs": [L, T, k], "logit_lens_target_rank": [L + 1],
                  "logit_lens_target_prob": [L + 1], "activations_hidden_norm": [L + 1, T],
                  "activations_attn_norm": [L, T], "activations_mlp_norm": [L, T]}
        assert {n: v[0] for n, v in got.items()} == shapes, sorted(got)
        assert header["__metadata__"]["ig_steps"] == "8"
        assert got["score_position"][1][0] == T - 1
        assert got["score"][1][0] == got["target_logprob"][1][0]
        # The lens's top-1 is its argmax; the last state is the model's own prediction, ranked first.
        assert list(got["logit_lens_topk_ids"][1][::k]) == list(got["logit_lens_argmax"][1])
        assert got["logit_lens_argmax"][1][L * T + T - 1] == got["target"][1][0]
        assert got["logit_lens_target_rank"][1][L] == 0
        assert abs(got["logit_lens_target_prob"][1][L] - math.exp(got["target_logprob"][1][0])) < 1e-5
        probs = got["logit_lens_topk_probs"][1]
        assert all(probs[i] >= probs[i + 1] for i in range(len(probs) - 1) if (i + 1) % k), "top-k not sorted"
        # Completeness: the reported gap is sum(ig) - (score - baseline).
        gap = sum(got["integrated_gradients"][1]) - (got["score"][1][0] - got["baseline_logprob"][1][0])
        assert abs(gap - got["ig_completeness_gap"][1][0]) < 1e-4, gap
        # Activations: the residual stream's norm entering each layer equals the reference hidden states'.
        hs, hv = ref["case1.hidden_states"]
        D = hs[2]
        for state in range(L):
            for t in range(T):
                row = hv[(state * T + t) * D:(state * T + t + 1) * D]
                want = math.sqrt(sum(x * x for x in row))
                assert abs(got["activations_hidden_norm"][1][state * T + t] - want) < 1e-4 * max(1.0, want)


@test
def analyze_contrastive_gradient_is_the_difference_of_the_two_gradients():
    text = "The keys to the cabinet are on the"
    with tempfile.TemporaryDirectory() as d:
        a = read_safetensors(analyze(d, "gpt2-tiny", "--text", text, "--target", " table", "--ig-steps", "2",
                                     "--permutation-samples", "0", out_name="a.safetensors"))
        b = read_safetensors(analyze(d, "gpt2-tiny", "--text", text, "--target", " the", "--ig-steps", "2",
                                     "--permutation-samples", "0", out_name="b.safetensors"))
        ab = read_safetensors(analyze(d, "gpt2-tiny", "--text", text, "--target", " table", "--foil", " the",
                                      "--ig-steps", "2", "--permutation-samples", "0", out_name="ab.safetensors"))
        assert ab["target"][1][0] == a["target"][1][0] and ab["foil"][1][0] == b["target"][1][0]
        assert a["target"][1][0] != b["target"][1][0]
        assert abs(ab["foil_logprob"][1][0] - b["target_logprob"][1][0]) < 1e-6
        assert abs(ab["score"][1][0] - (a["target_logprob"][1][0] - b["target_logprob"][1][0])) < 1e-5
        diff = [x - y for x, y in zip(a["saliency_grad"][1], b["saliency_grad"][1])]
        assert max_diff(ab["saliency_grad"][1], diff) < 1e-5
        occ = [x - y for x, y in zip(a["occlusion_zero"][1], b["occlusion_zero"][1])]
        assert max_diff(ab["occlusion_zero"][1], occ) < 1e-4
        # An explicit id is the same token as its text.
        by_id = read_safetensors(analyze(d, "gpt2-tiny", "--text", text, "--target", str(a["target"][1][0]),
                                         "--ig-steps", "2", "--permutation-samples", "0", out_name="id.safetensors"))
        assert by_id["saliency_grad"][1] == a["saliency_grad"][1]


@test
def analyze_permutation_is_seeded():
    args = ["--text", "The animal didn't cross", "--ig-steps", "1", "--permutation-samples", "3", "--no-head-ablation"]
    with tempfile.TemporaryDirectory() as d:
        one = read_safetensors(analyze(d, "llama-tiny", *args, "--seed", "5", out_name="1.safetensors"))
        two = read_safetensors(analyze(d, "llama-tiny", *args, "--seed", "5", out_name="2.safetensors"))
        other = read_safetensors(analyze(d, "llama-tiny", *args, "--seed", "6", out_name="3.safetensors"))
        assert one["permutation"][1] == two["permutation"][1]
        assert one["permutation"][1] != other["permutation"][1]
        assert "head_ablation" not in one
        assert any(abs(x) > 1e-6 for x in one["permutation"][1])


@test
def analyze_encoder_text_may_contain_the_mask_token():
    with tempfile.TemporaryDirectory() as d:
        for model, mask in [("bert-tiny", "[MASK]"), ("roberta-tiny", "<mask>")]:
            text = f"The animal didn't {mask} the street."
            got = read_safetensors(analyze(d, model, "--text", text, "--ig-steps", "2", out_name=model + ".safetensors"))
            rc, out, err = run("tokenize", "--tokenizer", os.path.join(FIXTURES, model, "tokenizer.json"), "--text", text)
            assert rc == 0, err
            tokens = json.loads(out)["tokens"]
            assert tokens.count(mask) == 1, tokens
            assert got["score_position"][1][0] == tokens.index(mask), (model, tokens)
            assert list(got["input_ids"][1]) == json.loads(out)["ids"]


@test
def analyze_npz_loads_in_numpy_with_the_safetensors_tensors():
    import numpy as np
    args = ["--text", "The cat sat, then it", "--ig-steps", "2", "--permutation-samples", "1"]
    with tempfile.TemporaryDirectory() as d:
        st = read_safetensors(analyze(d, "gpt2-tiny", *args))
        header = safetensors_header(os.path.join(d, "a.safetensors"))
        npz = analyze(d, "gpt2-tiny", *args, out_name="a.npz")
        with np.load(npz) as z:
            assert sorted(z.files) == sorted(st)
            for name, (shape, values) in st.items():
                a = z[name]
                assert list(a.shape) == shape, (name, a.shape, shape)
                assert a.dtype == (np.int64 if header[name]["dtype"] == "I64" else np.float32), (name, a.dtype)
                assert np.array_equal(a.ravel(), np.array(values, dtype=a.dtype)), name


@test
def analyze_bad_usage_exits_2_with_no_file():
    gpt2, bart = os.path.join(FIXTURES, "gpt2-tiny"), os.path.join(FIXTURES, "bart-tiny")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "a.safetensors")
        cases = [
            (["--model", bart, "--text", "hi"], "analyze supports decoder-only and encoder models"),
            (["--model", gpt2, "--text", "hi", "--ig-steps", "0"], "--ig-steps"),
            (["--model", gpt2, "--text", "hi", "--ig-steps", "x"], "--ig-steps must be an integer"),
            (["--model", gpt2, "--text", "hi", "--target", " giraffe elephant"], "not one"),
            (["--model", gpt2, "--text", "hi", "--target", "99999999"], "outside the vocabulary"),
            (["--model", gpt2, "--text", "hi", "--foil", ""], "--foil is empty"),
            (["--model", gpt2, "--text", "hi there", "--score-position", "9"], "outside the input"),
            (["--model", gpt2, "--ids", "1,99999999"], "99999999"),
            (["--model", gpt2, "--ids", "1,2", "--text", "hi"], "only one"),
            (["--model", gpt2, "--text", "hi", "--seed", "-1"], "--seed"),
            (["--model", gpt2, "--text", "hi", "--permutation-samples", "-2"], "--permutation-samples"),
            (["--model", os.path.join(d, "missing"), "--text", "hi"], "missing"),
            (["--text", "hi"], "missing --model"),
        ]
        for args, phrase in cases:
            expect_clean_failure(["analyze", *args, "--out", out], phrase, out)
        bad_ext = os.path.join(d, "a.json")
        expect_clean_failure(["analyze", "--model", gpt2, "--text", "hi", "--out", bad_ext], ".npz", bad_ext)


def load_case_files():
    """Each command area keeps its tests in tests/cli/cases_<area>.py, run in this module's namespace so
    they share test(), run(), expect_clean_failure() and the fixtures' paths."""
    import glob
    for path in sorted(glob.glob(os.path.join(HERE, "cases_*.py"))):
        with open(path, encoding="utf-8") as f:
            exec(compile(f.read(), path, "exec"), globals())


def main():
    global CLI
    load_case_files()
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("-k", default="")
    args = ap.parse_args()
    CLI = os.path.abspath(args.cli)
    passed = failed = 0
    for fn in TESTS:
        if args.k and args.k not in fn.__name__:
            continue
        start = time.monotonic()
        try:
            fn()
            passed += 1
            print(f"ok   {time.monotonic() - start:6.1f}s {fn.__name__}")
        except Exception:
            failed += 1
            print(f"FAIL {time.monotonic() - start:6.1f}s {fn.__name__}")
            traceback.print_exc()
    print(f"cli: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
