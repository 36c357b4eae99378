# The decoder zoo models (induction, agreement): `eval` on fresh held-out data reaches the card's bar and
# ends with the accuracy line; `heads` on the induction model labels the heads its card names. Run inside
# test_cli.py's namespace (test, run, expect_clean_failure, FIXTURES).

DECTASKS_MODELS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "assets", "models")


def _dectasks_card(name):
    with open(os.path.join(DECTASKS_MODELS, name, "card.json"), encoding="utf-8") as f:
        return json.load(f)


@test
def dectasks_eval_reaches_95_percent_on_fresh_held_out_data():
    for name in ("induction", "agreement"):
        rc, out, err = run("eval", "--model", os.path.join(DECTASKS_MODELS, name), "--task", name, "--n", "300",
                           "--seed", "4242")
        assert rc == 0, f"{name}: exit {rc}: {err}"
        lines = out.strip().splitlines()
        claims = [l for l in lines if l.startswith("claim ")]
        assert claims, f"{name}: no claim lines in {out!r}"
        for line in claims:
            assert line.endswith(" holds"), f"{name}: {line}"
        last = lines[-1]
        assert last.startswith("accuracy: ") and last.endswith("%"), f"{name}: last line {last!r}"
        accuracy = float(last[len("accuracy: "):-1])
        assert accuracy >= 95.0, f"{name}: {accuracy}%"


@test
def dectasks_induction_heads_labels_the_previous_token_head():
    card = _dectasks_card("induction")
    claims = {c["pattern"]: c for c in card["claims"]}
    assert "previous_token" in claims, claims.keys()
    prev = claims["previous_token"]
    assert prev["layer"] == 0
    assert any(c["layer"] == 1 for c in card["claims"]), "no claim about the copying layer"
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "heads.json")
        # The card's own example: a span of words repeated once.
        rc, out, err = run("heads", "--model", os.path.join(DECTASKS_MODELS, "induction"), "--text",
                           card["example_text"], "--out", out_path)
        assert rc == 0, f"exit {rc}: {err}"
        with open(out_path, encoding="utf-8") as f:
            data = json.load(f)
    head = data["heads"][prev["layer"] * data["n_head"] + prev["head"]]
    assert head["label"] == "previous_token", head["label"]
