# attnscope-cli train / eval (tests/cli/test_cli.py exec()s this file in its own namespace).
import csv
import json
import os
import shutil
import tempfile


@test
def train_short_run_writes_a_loadable_folder_and_eval_measures_it():
    d = tempfile.mkdtemp()
    try:
        out = os.path.join(d, "induction")
        rc, so, se = run("train", "--task", "induction", "--out", out, "--steps", "10", "--seed", "3", "--quiet")
        assert rc == 0, se
        assert "held-out accuracy" in so and out in so, so
        for f in ("config.json", "model.safetensors", "tokenizer.json", "README.md", "card.json", "train_log.csv",
                  "golden_trace.safetensors", "loss.png"):
            assert os.path.exists(os.path.join(out, f)), f
        with open(os.path.join(out, "config.json")) as f:
            assert json.load(f)["architectures"] == ["GPT2LMHeadModel"]
        with open(os.path.join(out, "card.json")) as f:
            card = json.load(f)
        assert card["task"] == "induction" and card["steps"] == 10 and card["seed"] == 3
        assert "--steps 10" in card["command"]
        with open(os.path.join(out, "train_log.csv")) as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 10 and rows[0]["step"] == "1"
        rc, info, se = run("info", "--model", out)
        assert rc == 0, se
        rc, so, se = run("eval", "--model", out, "--task", "induction", "--n", "50", "--no-claims")
        assert rc == 0, se
        last = so.strip().splitlines()[-1]
        assert last.startswith("accuracy: ") and last.endswith("%"), last
        # The same seed gives the same weights.
        out2 = os.path.join(d, "again")
        rc, so, se = run("train", "--task", "induction", "--out", out2, "--steps", "10", "--seed", "3", "--quiet")
        assert rc == 0, se
        with open(os.path.join(out, "model.safetensors"), "rb") as a, open(os.path.join(out2, "model.safetensors"), "rb") as b:
            assert a.read() == b.read(), "a seed did not reproduce its model"
    finally:
        shutil.rmtree(d)


@test
def train_and_eval_usage_errors():
    d = tempfile.mkdtemp()
    try:
        target = os.path.join(d, "never")
        expect_clean_failure(["train", "--task", "nope", "--out", target], "unknown task 'nope'")
        assert not os.path.exists(target)
        expect_clean_failure(["train", "--out", target], "--task")
        expect_clean_failure(["eval", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--task", "nope"], "unknown task 'nope'")
        expect_clean_failure(["eval", "--model", d, "--task", "induction"], d)
        expect_clean_failure(["eval", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--task", "induction"],
                             "vocabulary is not the induction task's")
        expect_clean_failure(["eval", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--task", "induction", "--n", "0"],
                             "--n must be positive")
        f = os.path.join(d, "afile")
        open(f, "w").close()
        expect_clean_failure(["train", "--task", "induction", "--out", f, "--steps", "1"], "is not a folder")
    finally:
        shutil.rmtree(d)
