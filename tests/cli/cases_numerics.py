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
