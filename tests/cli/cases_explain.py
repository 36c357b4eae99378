# `explain`: the explanation on every fixture family; the stated probability equals the one `trace`'s
# logits give; --json carries facts, sentences and numbers; bad usage is one line and exit 2.
import re

EXPLAIN_FAMILIES = ["gpt2-tiny", "gpt2-f16", "llama-tiny", "qwen2-tiny", "bert-tiny", "roberta-tiny",
                    "distilbert-tiny", "llama-bf16-sharded", "bart-tiny"]
EXPLAIN_TEXT = "The animal didn't cross the street because it was"


def explain_text_for(model):
    # Encoders explain a mask token (the first [MASK] / <mask>), as `trace` scores it.
    if model in ("bert-tiny", "distilbert-tiny"):
        return EXPLAIN_TEXT + " [MASK]."
    if model == "roberta-tiny":
        return EXPLAIN_TEXT + " <mask>."
    return EXPLAIN_TEXT


def softmax_max(logits):
    m = max(logits)
    s = sum(math.exp(x - m) for x in logits)
    best = max(range(len(logits)), key=lambda i: logits[i])
    return best, 1.0 / s


def format_probability(p):
    # The CLI's format_probability: "%.1f%%", below 1%: "%.2g%%".
    return "%.1f%%" % (p * 100) if abs(p) >= 0.01 else "%.2g%%" % (p * 100)


@test
def explain_states_the_trace_probability_on_every_family():
    for model in EXPLAIN_FAMILIES:
        path = os.path.join(FIXTURES, model)
        text = explain_text_for(model)
        with tempfile.TemporaryDirectory() as d:
            js = os.path.join(d, "e.json")
            rc, out, err = run("explain", "--model", path, "--text", text, "--ig-steps", "4", "--json", js)
            assert rc == 0, (model, err)
            with open(js, encoding="utf-8") as f:
                j = json.load(f)
            assert j["sentences"] and out.startswith(j["sentences"][0]), (model, out)
            assert j["text"] == " ".join(j["sentences"])
            assert len(j["numbers"]) == len(j["number_info"]) > 0
            for n, info in zip(j["numbers"], j["number_info"]):
                s = j["sentences"][info["sentence"]]
                assert s.encode()[info["begin"]:info["end"]].decode() == info["text"], (model, info, s)
            # The probability from `trace`'s logits at the same position, formatted the same way.
            st = os.path.join(d, "t.safetensors")
            bart = model == "bart-tiny"
            extra = ["--decoder-ids", "2,0"] if bart else []
            assert run("trace", "--model", path, "--text", text, *extra, "--out", st)[0] == 0
            logits = read_safetensors(st)["last_logits" if model.startswith(("gpt2", "llama", "qwen2", "bart")) else "mask_logits"][1]
            best, p = softmax_max(list(logits))
            assert j["facts"]["target"] == best, (model, j["facts"]["target"], best)
            assert abs(j["facts"]["probability"] - p) < 1e-4, (model, j["facts"]["probability"], p)
            stated = f"\u201c{j['facts']['predicted']}\u201d with probability {format_probability(p)}"
            assert stated in out, (model, stated, out)
            if bart:
                assert "not available" in out and "faithfulness" not in j, out
            else:
                rows = j["faithfulness"]["rows"]
                assert len(rows) == 21, len(rows)   # 7 methods x k = 1, 2, 3
                assert "Faithfulness" in out and "* " in out
                best_gap = max(sum(r["comprehensiveness"] - r["sufficiency"] for r in rows if r["method"] == m)
                               for m in {r["method"] for r in rows})
                got_gap = sum(r["comprehensiveness"] - r["sufficiency"] for r in rows
                              if r["method"] == j["faithfulness"]["best_method"])
                assert abs(best_gap - got_gap) < 1e-6


@test
def explain_foil_states_both_probabilities():
    path = os.path.join(FIXTURES, "gpt2-tiny")
    rc, out, err = run("explain", "--model", path, "--text", EXPLAIN_TEXT, "--ig-steps", "4", "--foil", " street")
    assert rc == 0, err
    assert "\u201cstreet\u201d" in out.splitlines()[0], out


@test
def explain_bad_usage_is_one_line_and_exit_2():
    gpt2, bart = os.path.join(FIXTURES, "gpt2-tiny"), os.path.join(FIXTURES, "bart-tiny")
    with tempfile.TemporaryDirectory() as d:
        js = os.path.join(d, "e.json")
        for args, phrase in [
            (["--model", gpt2], "--text"),
            (["--model", gpt2, "--text", "hi", "--ids", "1,2"], "only one"),
            (["--model", gpt2, "--text", "hi", "--ig-steps", "0"], "--ig-steps"),
            (["--model", gpt2, "--text", "hi", "--foil", "not one token at all"], "not one"),
            (["--model", gpt2, "--ids", "999999"], "vocabulary"),
            (["--model", bart, "--text", "hi", "--foil", "x"], "encoder-decoder"),
            (["--model", gpt2, "--text", "hi", "--decoder-text", "x"], "encoder-decoder"),
            (["--model", os.path.join(d, "nope"), "--text", "hi"], "nope"),
            (["--model", gpt2, "--text", "hi", "--bogus", "1"], "--bogus"),
        ]:
            expect_clean_failure(["explain", *args, "--json", js], phrase, js)
