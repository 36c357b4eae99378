# `probe`: rule-based attention checks. Exec'd by test_cli.py in its namespace (test, run,
# expect_clean_failure, FIXTURES, read_safetensors).

CHECK_FIXTURES = ["gpt2-tiny", "gpt2-f16", "llama-tiny", "llama-bf16-sharded", "qwen2-tiny", "bert-tiny",
                  "roberta-tiny", "distilbert-tiny", "bart-tiny"]


def probe_json(d, fixture, suite, *extra):
    out_path = os.path.join(d, f"{fixture}-{os.path.basename(suite)}.json")
    rc, out, err = run("probe", "--model", os.path.join(FIXTURES, fixture), "--suite", suite, "--out", out_path, *extra)
    assert rc == 0, (fixture, err)
    with open(out_path, encoding="utf-8") as f:
        return json.load(f), out


@test
def probe_coreference_runs_on_every_fixture_and_reports_per_head():
    with tempfile.TemporaryDirectory() as d:
        for fixture in CHECK_FIXTURES:
            res, out = probe_json(d, fixture, "coreference")
            assert res["suite"] == "coreference"
            assert len(res["cases"]) >= 10, len(res["cases"])
            L, H = res["n_layer"], res["n_head"]
            assert L > 0 and H > 0 and len(res["head_pass_count"]) == L * H
            assert len(res["best_heads"]) == L * H
            counts = [b["passes"] for b in res["best_heads"]]
            assert counts == sorted(counts, reverse=True), counts
            for c in res["cases"]:
                if c["scope"] == "attribution" and fixture == "bart-tiny":
                    assert "encoder-decoder" in c["error"], c
                    continue
                assert "error" not in c, (fixture, c)
                assert c["name"] in out, (c["name"], out)
                if c["scope"] == "head":
                    assert len(c["head_value"]) == L * H
                    assert abs(c["value"] - max(c["head_value"])) < 1e-6
                    assert c["pass"] == (c["value"] > c["threshold"])
                    assert c["head_pass"] == [int(v > c["threshold"]) for v in c["head_value"]]
            assert "cases pass" in out


@test
def probe_margins_equal_the_traced_attention():
    """The animal/street case on gpt2-tiny, recomputed from `trace`'s attentions: weight on animal minus
    weight on street, from the query 'it', for every head."""
    text = "The animal didn't cross the street because it was too tired"
    with tempfile.TemporaryDirectory() as d:
        res, _ = probe_json(d, "gpt2-tiny", "coreference")
        case = next(c for c in res["cases"] if c["name"] == "animal-tired")
        t_path = os.path.join(d, "t.safetensors")
        rc, _, err = run("trace", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--text", text, "--out", t_path)
        assert rc == 0, err
        got = read_safetensors(t_path)
        shape, att = got["attentions"]
        L, H, T, S = shape[-4:]
        assert (case["query"], case["expected"], case["distractors"]) == (8, [1], [6]), case
        assert (case["query_text"], case["expected_text"], case["distractor_text"]) == ("it", ["animal"], ["street"])
        for l in range(L):
            for h in range(H):
                row = ((l * H + h) * T + 8) * S
                margin = att[row + 1] - att[row + 6]
                assert abs(case["head_value"][l * H + h] - margin) < 1e-6, (l, h, margin, case["head_value"])


@test
def probe_every_builtin_suite_on_gpt2_and_bart():
    rc, out, err = run("probe", "--list")
    assert rc == 0, err
    names = [line.split()[0] for line in out.splitlines()]
    for n in ["agreement", "brackets", "coreference", "induction", "previous_token", "translation"]:
        assert n in names, out
    with tempfile.TemporaryDirectory() as d:
        for fixture in ["gpt2-tiny", "bert-tiny", "bart-tiny"]:
            for n in names:
                res, _ = probe_json(d, fixture, n)
                for c in res["cases"]:
                    cross = n == "translation"
                    if cross and fixture != "bart-tiny":
                        assert "encoder-decoder" in c["error"], c
                    elif not (fixture == "bart-tiny" and c["scope"] == "attribution"):
                        assert "error" not in c, (fixture, n, c)


@test
def probe_suite_file_and_stdout_only():
    suite = {"name": "mine", "cases": [{"name": "tired", "text": "The animal was tired because it ran",
                                        "query": "it", "expected": "animal", "distractors": "tired",
                                        "metric": "mass", "threshold": 0.0}]}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "mine.json")
        with open(path, "w") as f:
            json.dump(suite, f)
        rc, out, err = run("probe", "--model", os.path.join(FIXTURES, "llama-tiny"), "--suite", path)
        assert rc == 0, err
        assert out.startswith("suite mine: 1 cases"), out
        assert "it -> animal vs tired" in out, out


@test
def probe_malformed_suites_fail_cleanly():
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "r.json")
        model = os.path.join(FIXTURES, "gpt2-tiny")
        cases = [
            ('{"cases": [{"name": "a", "query": "it", "expected": "x", "distractors": "y"}]}',
             "bad.json: case 'a': field 'text' is missing"),
            ('{"cases": [{"text": "a b", "query": "a", "expected": "b", "distractors": "a", "scope": "heads"}]}',
             "bad.json: case 1: field 'scope' is 'heads'"),
            ('{"cases": [{"name": "t", "text": "a b", "query": "a", "expected": "b", "distractors": "a", "threshold": "x"}]}',
             "bad.json: case 't': field 'threshold' must be a number"),
            ('{"cases": [{"name": "o", "text": "a b", "query": {"text": "a", "occurrence": 0}, "expected": "b", "distractors": "a"}]}',
             "field 'query.occurrence' must be at least 1"),
            ('{"cases": [{"name": "e", "text": "a b", "query": "a", "expected": [], "distractors": "a"}]}',
             "bad.json: case 'e': field 'expected' is empty"),
            ('{"cases": [', "bad.json: malformed JSON"),
        ]
        for text, phrase in cases:
            path = os.path.join(d, "bad.json")
            with open(path, "w") as f:
                f.write(text)
            expect_clean_failure(["probe", "--model", model, "--suite", path, "--out", out_path], phrase, out_path)
        expect_clean_failure(["probe", "--model", model, "--suite", "no-such-suite", "--out", out_path],
                             "built-in suites: agreement", out_path)
        expect_clean_failure(["probe", "--model", os.path.join(d, "nomodel"), "--suite", "coreference", "--out", out_path],
                             "nomodel", out_path)
        expect_clean_failure(["probe", "--model", model, "--out", out_path], "--suite", out_path)
