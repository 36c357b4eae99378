# The encoder zoo models (coref, brackets): `eval` on fresh held-out data re-measures each card claim and
# reports >= 95%, and the built-in coreference suite names the coref card's head. Exec'd by test_cli.py in
# its namespace (test, run, expect_clean_failure, FIXTURES).

ZOO = os.path.join(os.path.dirname(os.path.dirname(HERE)), "assets", "models")


def eval_zoo(task, seed):
    rc, out, err = run("eval", "--model", os.path.join(ZOO, task), "--task", task, "--n", "300", "--seed", str(seed))
    assert rc == 0, (task, out, err)
    lines = out.strip().splitlines()
    assert lines[-1].startswith("accuracy: ") and lines[-1].endswith("%"), lines[-1]
    assert float(lines[-1][len("accuracy: "):-1]) >= 95.0, lines[-1]
    claims = [l for l in lines if l.startswith("claim ")]
    with open(os.path.join(ZOO, task, "card.json"), encoding="utf-8") as f:
        card = json.load(f)
    assert len(claims) == len(card["claims"]) > 0, out
    assert all(l.endswith(" holds") for l in claims), out
    return card


@test
def eval_coref_zoo_model_reaches_95_percent_and_its_claims_hold():
    eval_zoo("coref", 777)


@test
def eval_brackets_zoo_model_reaches_95_percent_and_its_claim_holds():
    eval_zoo("brackets", 778)


@test
def probe_coreference_suite_names_the_coref_cards_head():
    card = eval_zoo("coref", 779)
    L, H = card["featured"]["layer"], card["featured"]["head"]
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "probe.json")
        rc, out, err = run("probe", "--model", os.path.join(ZOO, "coref"), "--suite", "coreference", "--out", out_path)
        assert rc == 0, err
        with open(out_path, encoding="utf-8") as f:
            res = json.load(f)
    n_head_cases = sum(1 for c in res["cases"] if c["scope"] == "head")
    assert n_head_cases == 10, n_head_cases
    assert res["head_pass_count"][L * res["n_head"] + H] == n_head_cases, res["head_pass_count"]
    best = res["best_heads"][0]
    assert best["passes"] == n_head_cases, best
