# The mini-english zoo model: `eval` on fresh held-out data reaches 95% on the positions the grammar
# determines, every claim of its card holds, and `heads` on the card's example text shows the featured
# head attending from the last "to" to the name that was not repeated. Run inside test_cli.py's namespace
# (test, run, expect_clean_failure).

MINIENGLISH_MODEL = os.path.join(os.path.dirname(os.path.dirname(HERE)), "assets", "models", "mini-english")


@test
def minienglish_eval_reaches_95_percent_and_its_claims_hold():
    rc, out, err = run("eval", "--model", MINIENGLISH_MODEL, "--task", "mini-english", "--n", "300",
                       "--seed", "31337")
    assert rc == 0, f"exit {rc}: {err}"
    lines = out.strip().splitlines()
    claims = [l for l in lines if l.startswith("claim ")]
    assert len(claims) >= 3, f"several head types expected, got {claims!r}"
    for line in claims:
        assert line.endswith(" holds"), line
    last = lines[-1]
    assert last.startswith("accuracy: ") and last.endswith("%"), f"last line {last!r}"
    assert float(last[len("accuracy: "):-1]) >= 95.0, last


@test
def minienglish_eval_refuses_another_tasks_model():
    # The agreement model's vocabulary lacks the names: one clear line naming the folder, not a bogus accuracy.
    agreement = os.path.join(os.path.dirname(MINIENGLISH_MODEL), "agreement")
    expect_clean_failure(["eval", "--model", agreement, "--task", "mini-english", "--n", "20"],
                         "not the mini-english task's")
