# `patch` and the intervention flags of `trace` and `analyze` (exec()d by test_cli.py in its namespace).

CLEAN = "The animal didn't cross the street because it was too tired"
CORRUPTED = "The street didn't cross the street because it was too tired"


def n_tokens(model, text):
    rc, out, err = run("tokenize", "--tokenizer", os.path.join(FIXTURES, model, "tokenizer.json"), "--text", text)
    assert rc == 0, err
    return len(json.loads(out)["ids"])


def patch_json(d, model, clean, corrupted, *extra):
    out = os.path.join(d, f"{model}.json")
    rc, stdout, err = run("patch", "--model", os.path.join(FIXTURES, model), "--clean", clean, "--corrupted",
                          corrupted, *extra, "--out", out)
    assert rc == 0, err
    return json.load(open(out, encoding="utf-8")), stdout


@test
def patch_refuses_different_lengths_naming_both():
    gpt2 = os.path.join(FIXTURES, "gpt2-tiny")
    clean, corrupted = "The animal was tired", "The big brown animal was very tired"
    a, b = n_tokens("gpt2-tiny", clean), n_tokens("gpt2-tiny", corrupted)
    assert a != b
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "p.json")
        expect_clean_failure(["patch", "--model", gpt2, "--clean", clean, "--corrupted", corrupted, "--out", out],
                             f"clean has {a}, corrupted has {b}", out)


@test
def patch_clean_equals_corrupted_gives_zeros():
    with tempfile.TemporaryDirectory() as d:
        for model in ["gpt2-tiny", "llama-tiny", "bert-tiny"]:
            r, stdout = patch_json(d, model, CLEAN, CLEAN)
            assert r["clean_diff"] == r["corrupted_diff"], (model, r["clean_diff"], r["corrupted_diff"])
            assert r["answer"]["id"] != r["wrong_answer"]["id"]
            assert len(r["residual"]) == r["n_layer"] + 1 and len(r["residual"][0]) == r["n_token"]
            assert len(r["heads"]) == r["n_layer"] and len(r["heads"][0]) == r["n_head"]
            assert all(v == 0.0 for row in r["residual"] + r["heads"] for v in row), model
            assert "logit difference: clean" in stdout and "best head: L" in stdout


@test
def patch_last_state_at_the_scored_position_recovers_everything():
    assert n_tokens("gpt2-tiny", CLEAN) == n_tokens("gpt2-tiny", CORRUPTED)
    with tempfile.TemporaryDirectory() as d:
        r, stdout = patch_json(d, "gpt2-tiny", CLEAN, CORRUPTED)
        L, T, p = r["n_layer"], r["n_token"], r["position"]
        assert p == T - 1
        assert abs(r["clean_diff"] - r["corrupted_diff"]) > 1e-3
        assert abs(r["residual"][L][p] - 1.0) < 1e-4, r["residual"][L]
        # The swapped word is the only difference: at the embeddings, its position alone recovers it all.
        changed = [t for t in range(T) if r["clean"]["ids"][t] != r["corrupted"]["ids"][t]]
        assert len(changed) == 1, changed
        assert abs(r["residual"][0][changed[0]] - 1.0) < 1e-4
        assert all(r["residual"][0][t] == 0.0 for t in range(T) if t != changed[0])
        assert f"clean {r['clean_diff']:.4f}, corrupted {r['corrupted_diff']:.4f}" in stdout
        # safetensors: the same numbers.
        st = os.path.join(d, "p.safetensors")
        rc, _, err = run("patch", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--clean", CLEAN, "--corrupted",
                         CORRUPTED, "--out", st)
        assert rc == 0, err
        got = read_safetensors(st)
        assert got["residual"][0] == [L + 1, T] and got["heads"][0] == [L, r["n_head"]]
        flat = [v for row in r["residual"] for v in row]
        assert max_diff(got["residual"][1], flat) < 1e-6
        assert list(got["clean_ids"][1]) == r["clean"]["ids"]


@test
def patch_answer_options_and_bad_input():
    gpt2 = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        r, _ = patch_json(d, "gpt2-tiny", CLEAN, CORRUPTED, "--answer", "5", "--wrong-answer", "9", "--position", "3")
        assert (r["answer"]["id"], r["wrong_answer"]["id"], r["position"]) == (5, 9, 3)
        out = os.path.join(d, "bad.json")
        base = ["patch", "--model", gpt2, "--clean", CLEAN, "--corrupted", CORRUPTED]
        for extra, phrase in [(["--position", "99"], "--position 99"), (["--answer", "5", "--wrong-answer", "5"], "same token"),
                              (["--answer", "99999999"], "outside the vocabulary")]:
            expect_clean_failure(base + extra + ["--out", out], phrase, out)
        expect_clean_failure(base + ["--out", os.path.join(d, "p.txt")], ".json or .safetensors")
        bart = os.path.join(FIXTURES, "bart-tiny")
        expect_clean_failure(["patch", "--model", bart, "--clean", "a b", "--corrupted", "a c", "--out", out],
                             "encoder-decoder", out)


def trace_logits(d, name, *flags, model="gpt2-tiny"):
    out = os.path.join(d, name + ".safetensors")
    rc, _, err = run("trace", "--model", os.path.join(FIXTURES, model), "--text", CLEAN, *flags, "--out", out)
    assert rc == 0, err
    return read_safetensors(out)


@test
def trace_ablation_changes_logits_reproducibly():
    with tempfile.TemporaryDirectory() as d:
        plain = trace_logits(d, "plain")["last_logits"][1]
        a = trace_logits(d, "a", "--ablate", "1.2")["last_logits"][1]
        b = trace_logits(d, "b", "--ablate", "1.2")["last_logits"][1]
        assert max_diff(a, plain) > 1e-5
        assert list(a) == list(b)
        mean = trace_logits(d, "m", "--ablate", "1.2:mean")["last_logits"][1]
        assert max_diff(mean, plain) > 1e-5 and max_diff(mean, a) > 1e-5
        # Repeated flags and a comma list are the same request.
        rep = trace_logits(d, "r", "--ablate", "1.2", "--ablate", "0.1")["last_logits"][1]
        com = trace_logits(d, "c", "--ablate", "1.2,0.1")["last_logits"][1]
        assert list(rep) == list(com) and max_diff(rep, a) > 1e-6


@test
def trace_knockout_and_mask_remove_attention():
    with tempfile.TemporaryDirectory() as d:
        t = trace_logits(d, "k", "--knockout", "5>1@1", "--mask-token", "2")
        (L, H, T, S), probs = t["attentions"]
        at = lambda l, h, q, k: probs[((l * H + h) * T + q) * S + k]
        for l in range(L):
            for h in range(H):
                assert all(at(l, h, q, 2) == 0.0 for q in range(T) if q != 2)
        assert all(at(1, h, 5, 1) == 0.0 for h in range(H))
        assert any(at(0, h, 5, 1) > 0.0 for h in range(H))
        # An encoder: masking works in both directions of its attention.
        e = trace_logits(d, "e", "--mask-token", "1", "--score-position", "3", model="bert-tiny")
        (L, H, T, S), probs = e["attentions"]
        assert all(probs[((l * H + h) * T + q) * S + 1] == 0.0 for l in range(L) for h in range(H) for q in range(T) if q != 1)


@test
def intervention_flags_refuse_bad_values():
    gpt2 = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.safetensors")
        for flags, phrase in [(["--ablate", "9.0"], "layer 9 is outside the model's 2 layers"),
                              (["--ablate", "1.7"], "head 7 is outside the model's 4 heads"),
                              (["--ablate", "1.x"], "expected LAYER.HEAD"),
                              (["--ablate", "1.2:half"], "expected LAYER.HEAD"),
                              (["--knockout", "3-2"], "expected QUERY>KEY"),
                              (["--knockout", "3>2@5"], "layer 5 is outside"),
                              (["--knockout", "99>2"], "position 99 is outside the input's"),
                              (["--mask-token", "x"], "expected a token position"),
                              (["--mask-token", "99"], "position 99 is outside")]:
            expect_clean_failure(["trace", "--model", gpt2, "--text", CLEAN, *flags, "--out", out], phrase, out)
            expect_clean_failure(["analyze", "--model", gpt2, "--text", CLEAN, *flags, "--ig-steps", "2", "--out", out],
                                 phrase, out)


@test
def analyze_runs_with_the_interventions():
    gpt2 = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        def analyze(name, *flags):
            out = os.path.join(d, name + ".safetensors")
            rc, _, err = run("analyze", "--model", gpt2, "--text", CLEAN, "--ig-steps", "2", "--permutation-samples",
                             "1", *flags, "--out", out)
            assert rc == 0, err
            return read_safetensors(out), err
        plain, _ = analyze("plain")
        ablated, _ = analyze("ablated", "--ablate", "1.2")
        H = ablated["head_ablation"][0][1]
        # Ablating a head that is already off changes nothing.
        assert ablated["head_ablation"][1][1 * H + 2] == 0.0
        assert plain["head_ablation"][1][1 * H + 2] != 0.0
        assert max_diff(plain["saliency_l2"][1], ablated["saliency_l2"][1]) > 0.0
        _, err = analyze("mean", "--ablate", "1.2:mean")
        assert "mean ablations are left out" in err
