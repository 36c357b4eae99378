# Numerics that never poison a view (issue 14): a model whose weights hold a NaN still traces (exit 0,
# the file written: it is what the model computes) and the CLI says on stderr, once each, which weight is
# bad (at load) and where NaN/Inf first appeared (in the trace). Exec'd by test_cli.py in its namespace (test, run, FIXTURES, read_safetensors).


def poisoned_copy(d, tensor, index, value):
    """A copy of gpt2-tiny in d with one f32 value of `tensor` replaced."""
    src = os.path.join(FIXTURES, "gpt2-tiny")
    dst = os.path.join(d, "gpt2-poisoned")
    shutil.copytree(src, dst)
    path = os.path.join(dst, "model.safetensors")
    raw = bytearray(open(path, "rb").read())
    n = struct.unpack("<Q", raw[:8])[0]
    info = json.loads(raw[8:8 + n])[tensor]
    at = 8 + n + info["data_offsets"][0] + 4 * index
    raw[at:at + 4] = struct.pack("<f", value)
    open(path, "wb").write(bytes(raw))
    return dst


@test
def a_nan_weight_traces_with_one_warning_naming_where_it_started():
    with tempfile.TemporaryDirectory() as d:
        for tensor, value, where in [("transformer.h.1.attn.c_attn.weight", float("nan"), "layer 1's attention weights"),
                                     ("transformer.h.0.mlp.c_fc.weight", float("inf"), "layer 0's output"),
                                     ("transformer.wte.weight", float("nan"), "the embeddings")]:
            model = poisoned_copy(d, tensor, 5 if "wte" not in tensor else 32 * 464 + 3, value)
            out_path = os.path.join(d, "t.safetensors")
            # Token 464 (" The") is in the text, so a poisoned embedding row is read.
            rc, out, err = run("trace", "--model", model, "--text", "The cat sat on the mat", "--out", out_path)
            assert rc == 0, err
            # Two warnings: the load names the bad tensor, the trace where NaN/Inf first appears.
            lines = err.strip().splitlines()
            assert len(lines) == 2, (tensor, err)
            assert "warning" in lines[0] and f"(first: '{tensor}'" in lines[0], (tensor, err)
            assert "warning" in lines[1] and where in lines[1], (tensor, err)
            assert os.path.getsize(out_path) > 0
            shutil.rmtree(model)

        # The clean model: no warning at all.
        rc, out, err = run("trace", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--text", "The cat sat",
                           "--out", os.path.join(d, "clean.safetensors"))
        assert rc == 0 and err == "", err


BAD_COLOUR = bytes([255, 0, 255, 255])   # colormap_bad_color(): NaN / infinity, never a weight


@test
def nan_heads_have_no_pattern_and_pictures_say_what_magenta_means():
    with tempfile.TemporaryDirectory() as d:
        # NaN in layer 1's query/key/value weights: every head of layer 1 attends with NaN; layer 0 is clean.
        model = poisoned_copy(d, "transformer.h.1.attn.c_attn.weight", 5, float("nan"))
        text = "The cat sat on the mat"
        heads_path = os.path.join(d, "heads.json")
        rc, out, err = run("heads", "--model", model, "--text", text, "--out", heads_path, "--no-induction")
        assert rc == 0, err
        heads = json.load(open(heads_path))["heads"]
        bad = [h for h in heads if h.get("bad_values")]
        assert {h["layer"] for h in bad} == {1}, [(h["layer"], h["head"], h["label"]) for h in heads]
        assert all(h["label"] is None and h["confidence"] == 0 for h in bad)
        assert all(isinstance(h["label"], str) for h in heads if h["layer"] == 0)

        def picture(model_dir, name, *args):
            path = os.path.join(d, name)
            rc, out, err = run("render", "--model", model_dir, "--text", text, "--size", "900x600", *args, "--out", path)
            assert rc == 0 and os.path.getsize(path) > 0, err
            return png_read(path)

        # Layer 1's heatmap: its cells are magenta, and the colorbar's swatch says what that means.
        w, h, rows = picture(model, "bad.png", "--view", "heatmap", "--layer", "1")
        assert sum(row.count(BAD_COLOUR * 8) for row in rows) > 50, "NaN cells drawn in the bad colour"
        # Layer 0 is clean, but the trace holds NaN: only the legend's swatch is magenta.
        w, h, rows = picture(model, "clean_layer.png", "--view", "heatmap", "--layer", "0")
        swatch_rows = [y for y, row in enumerate(rows) if BAD_COLOUR * 8 in row]
        assert 0 < len(swatch_rows) < 40, f"one swatch, not cells: {len(swatch_rows)} rows"
        # The grid's tiles of layer 1 carry the "NaN" badge instead of a pattern, in the bad colour.
        w, h, rows = picture(model, "grid.png", "--view", "grid")
        assert any(BAD_COLOUR in row for row in rows)
        # Similarity: the bad head's row and column of the JSD matrix are magenta (a cross, more than the
        # note above the layout), and the clean model's view has none.
        w, h, rows = picture(model, "similarity.png", "--view", "similarity")
        assert sum(row.count(BAD_COLOUR * 8) for row in rows) > 400, "the bad head's JSD row and column"
        w, h, rows = picture(os.path.join(FIXTURES, "gpt2-tiny"), "clean-similarity.png", "--view", "similarity")
        assert not any(BAD_COLOUR in row for row in rows)
        # A clean model's picture has no magenta at all.
        w, h, rows = picture(os.path.join(FIXTURES, "gpt2-tiny"), "clean.png", "--view", "heatmap", "--layer", "0")
        assert not any(BAD_COLOUR in row for row in rows)

        # SVG: NaN cells are magenta rects carrying their value, and the colorbar has the same swatch and text.
        def svg(model_dir, name, *args):
            path = os.path.join(d, name)
            rc, out, err = run("render", "--model", model_dir, "--text", text, *args, "--out", path)
            assert rc == 0, err
            return open(path, encoding="utf-8").read()
        doc = svg(model, "bad.svg", "--view", "heatmap", "--layer", "1")
        assert re.search(r'<rect [^>]*id="bad-swatch"[^>]*#ff00ff|<rect [^>]*#ff00ff[^>]*id="bad-swatch"', doc, re.I), doc[:2000]
        assert ">NaN / inf<" in doc
        assert len(re.findall(r'data-weight="nan"[^>]*#ff00ff|#ff00ff[^>]*data-weight="nan"', doc, re.I)) > 10
        for view in ("heatmap", "grid"):
            assert 'id="bad-swatch"' in svg(model, view + ".svg", "--view", view, "--layer", "0"), view
            assert 'id="bad-swatch"' not in svg(os.path.join(FIXTURES, "gpt2-tiny"), "clean-" + view + ".svg", "--view", view)
