# `heads`: every head of every fixture gets a label; per-query entropy and mean distance equal the
# transformers reference; the induction score is deterministic for a seed; bad usage is one line, exit 2,
# no file. Run inside test_cli.py's namespace (test, run, expect_clean_failure, FIXTURES, read_safetensors).

HEADS_FIXTURES = {  # family -> tolerance (BF16 weights: attention itself matches only to ~3e-4)
    "gpt2-tiny": 1e-4, "gpt2-f16": 1e-4, "llama-tiny": 1e-4, "qwen2-tiny": 1e-4, "bert-tiny": 1e-4,
    "roberta-tiny": 1e-4, "distilbert-tiny": 1e-4, "llama-bf16-sharded": 5e-3,
}


def _heads_json(args):
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "heads.json")
        rc, out, err = run("heads", *args, "--out", out_path)
        assert rc == 0, f"exit {rc}: {err}"
        with open(out_path, encoding="utf-8") as f:
            return json.load(f), out, err


@test
def heads_every_fixture_labels_every_head_and_matches_reference_stats():
    for model, tol in HEADS_FIXTURES.items():
        ref = read_safetensors(os.path.join(FIXTURES, model, "reference.safetensors"))
        n_cases = sum(1 for k in ref if k.endswith(".input_ids"))
        assert n_cases >= 4, model
        for c in range(n_cases):
            ids = ",".join(str(i) for i in ref[f"case{c}.input_ids"][1])
            data, out, _ = _heads_json(["--model", os.path.join(FIXTURES, model), "--ids", ids, "--no-induction"])
            shape = ref[f"case{c}.entropy"][0]
            L, H, T = shape
            assert data["n_layer"] == L and data["n_head"] == H, (model, data["n_layer"], data["n_head"])
            assert len(data["heads"]) == L * H
            assert data["ids"] == list(ref[f"case{c}.input_ids"][1])
            names = {p["name"] for p in data["patterns"]}
            assert len(names) == 11
            assert [s["key"] for s in data["statistics"]][:3] == ["entropy", "entropy_norm", "mean_distance"]
            assert "BOS rule" in data["notes"]
            entropy, distance = [], []
            for i, h in enumerate(data["heads"]):
                assert (h["layer"], h["head"]) == (i // H, i % H)
                assert h["label"] in names, h["label"]
                assert 0.0 <= h["confidence"] <= 1.0
                for s in data["statistics"]:
                    assert s["key"] in h, s["key"]
                assert set(h["scores"]) == names
                assert h["scores"][h["label"]] == max(h["scores"].values())
                assert h["induction"] == -1
                entropy += h["per_query"]["entropy"]
                distance += h["per_query"]["mean_distance"]
            d_e = max_diff(entropy, ref[f"case{c}.entropy"][1])
            d_d = max_diff(distance, ref[f"case{c}.mean_distance"][1])
            assert d_e < tol and d_d < tol, f"{model} case {c}: entropy {d_e}, distance {d_d}"
            # The table: one row per head after the header, with the label.
            rows = [line for line in out.splitlines()[1:] if line[:1].isdigit()]
            assert len(rows) == L * H
            assert rows[0].split()[2] == data["heads"][0]["label"]


@test
def heads_induction_score_deterministic_for_a_seed():
    model = os.path.join(FIXTURES, "gpt2-tiny")
    base = ["--model", model, "--text", "The cat sat on the mat.", "--induction-length", "8"]
    a, _, _ = _heads_json(base + ["--seed", "5"])
    b, _, _ = _heads_json(base + ["--seed", "5"])
    c, _, _ = _heads_json(base + ["--seed", "6"])
    ia = [h["induction"] for h in a["heads"]]
    assert ia == [h["induction"] for h in b["heads"]]
    assert ia != [h["induction"] for h in c["heads"]]
    assert all(0.0 <= v <= 1.0 for v in ia), ia
    assert a["induction"]["length"] == 8 and a["induction"]["seed"] == 5


@test
def heads_bart_kinds():
    model = os.path.join(FIXTURES, "bart-tiny")
    for kind in ("self", "decoder", "cross"):
        data, _, _ = _heads_json(["--model", model, "--text", "The cat sat, then it slept.", "--kind", kind,
                                  "--no-induction"])
        assert data["kind"] == kind
        assert len(data["heads"]) == data["n_layer"] * data["n_head"] > 0
        for h in data["heads"]:
            assert 0.0 <= h["confidence"] <= 1.0
            if kind == "cross":
                assert h["mean_distance"] == -1 and h["previous_token"] == -1
    assert "key_tokens" in data


@test
def heads_bad_usage_is_one_line_and_no_file():
    gpt2 = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "heads.json")
        cases = [
            (["heads", "--model", gpt2, "--out", out_path], "--text"),
            (["heads", "--model", gpt2, "--text", "hi", "--ids", "1,2", "--out", out_path], "only one"),
            (["heads", "--model", gpt2, "--text", "hi", "--kind", "sideways", "--out", out_path], "--kind"),
            (["heads", "--model", gpt2, "--text", "hi", "--kind", "cross", "--out", out_path], "encoder-decoder"),
            (["heads", "--model", gpt2, "--text", "hi", "--induction-length", "1", "--out", out_path], "--induction-length"),
            (["heads", "--model", gpt2, "--text", "hi", "--seed", "-3", "--out", out_path], "--seed"),
            (["heads", "--model", gpt2, "--ids", "1,99999999", "--out", out_path], "99999999"),
            (["heads", "--model", os.path.join(tmp, "nowhere"), "--text", "hi", "--out", out_path], "nowhere"),
            (["heads", "--model", gpt2, "--text", "hi", "--bogus", "--out", out_path], "--bogus"),
        ]
        for args, phrase in cases:
            expect_clean_failure(args, phrase, out_path)
        rc, out, err = run("heads", "--model", gpt2, "--text", "hi", "--out", os.path.join(tmp, "no", "dir", "h.json"))
        assert rc == 2 and len(err.strip().splitlines()) == 1, err
