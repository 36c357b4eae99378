# The encoder-decoder zoo model (`translate`, BART) through the CLI. Exec'd by test_cli.py in its namespace
# (test, run, expect_clean_failure, FIXTURES, read_safetensors).

TRANSLATE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "assets", "models", "translate")


@test
def eval_translate_reaches_95_percent_and_its_claims_hold():
    rc, out, err = run("eval", "--model", TRANSLATE, "--task", "translate", "--n", "200", "--seed", "31")
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert lines[-1].startswith("accuracy: "), lines
    accuracy = float(lines[-1][len("accuracy: "):].rstrip("%"))
    assert accuracy >= 95.0, accuracy
    claims = [l for l in lines if l.startswith("claim ")]
    assert len(claims) == 3 and all(l.endswith(" holds") for l in claims), claims


@test
def translate_folder_is_bart_in_the_hugging_face_layout():
    with open(os.path.join(TRANSLATE, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    with open(os.path.join(FIXTURES, "bart-tiny", "config.json"), encoding="utf-8") as f:
        reference = json.load(f)
    assert config["architectures"] == ["BartForConditionalGeneration"]
    assert set(config) == set(reference), set(config) ^ set(reference)
    assert config["decoder_start_token_id"] == config["eos_token_id"]
    tensors = read_safetensors(os.path.join(TRANSLATE, "model.safetensors"))
    D, V = config["d_model"], config["vocab_size"]
    assert tensors["model.shared.weight"][0] == [V, D]
    assert tensors["final_logits_bias"][0] == [1, V]
    assert "lm_head.weight" not in tensors
    for stack in ("encoder", "decoder"):
        assert tensors[f"model.{stack}.embed_positions.weight"][0] == [config["max_position_embeddings"] + 2, D]
    assert tensors["model.decoder.layers.0.encoder_attn.q_proj.weight"][0] == [D, D]
    assert f"model.decoder.layers.{config['decoder_layers']}.fc1.weight" not in tensors
    assert sum(os.path.getsize(os.path.join(TRANSLATE, n)) for n in os.listdir(TRANSLATE)) < 4 * 1024 * 1024


@test
def probe_translate_checks_pass_at_the_featured_cross_attention_head():
    with open(os.path.join(TRANSLATE, "card.json"), encoding="utf-8") as f:
        card = json.load(f)
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "probe.json")
        rc, out, err = run("probe", "--model", TRANSLATE, "--suite", os.path.join(TRANSLATE, "checks.json"), "--out", out_path)
        assert rc == 0, err
        with open(out_path, encoding="utf-8") as f:
            res = json.load(f)
    H = res["n_head"]
    featured = card["featured"]["layer"] * H + card["featured"]["head"]
    assert len(res["cases"]) >= 30
    assert all(c["attention"] == "cross" for c in res["cases"] if "attention" in c)
    assert res["head_pass_count"][featured] >= 0.8 * len(res["cases"]), res["head_pass_count"]


@test
def eval_translate_refuses_a_model_of_another_family():
    expect_clean_failure(["eval", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--task", "translate", "--n", "5"],
                         "not the translate task's")
