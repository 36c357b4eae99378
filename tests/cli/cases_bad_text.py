# The bad-TEXT rows of the hostile-input catalog (issue 14) through attnscope-cli: every text gives exit 0
# with a result, or exit 2 with one line on stderr and no output file; never a sanitizer report, a hang or
# an abort. Texts go through --text-file so NUL and invalid UTF-8 bytes reach the program as they are.
# Exec'd by test_cli.py in its namespace (test, run, FIXTURES, read_safetensors).

BAD_TEXTS = {
    "empty": b"",
    "whitespace": b"   \t\n\r\n  \xc2\xa0\xe3\x80\x80",
    "controls": b"a\x00b\x1b[31mred\x1b[0m\r\nline\rover\x7f\x01",
    "zero_width_bom": "\ufeffzero\u200bwidth\u200cnon\u200djoin\u2060wj\ufeffbom".encode(),
    "bidi": "photo\u202egpj.exe \u2066iso\u2069 \u05e9\u05dc\u05d5\u05dd \u0633\u0644\u0627\u0645 \u202b\u202a\u202c\u200f".encode(),
    "emoji": "\U0001F468\u200d\U0001F469\u200d\U0001F467 \U0001F1EB\U0001F1F7 \U0001F44D\U0001F3FD \u2764\ufe0f".encode()
             + "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F".encode(),
    "invalid_utf8": b"bad \xff\xfe \xed\xa0\x80 lone surrogate (as Emscripten writes one) \xc3",
    "combining_marks": ("a" + "\u0301" * 500 + " word").encode(),
    "one_word_100k": b"a" * 100000,
}


def bad_text_file(d, name, data):
    path = os.path.join(d, name + ".txt")
    with open(path, "wb") as f:
        f.write(data)
    return path


def vocab_size(tokenizer_path):
    j = json.load(open(tokenizer_path, encoding="utf-8"))
    vocab = j["model"]["vocab"]
    ids = list(vocab.values()) if isinstance(vocab, dict) else list(range(len(vocab)))
    ids += [t["id"] for t in j.get("added_tokens", [])]
    return max(ids) + 1


def exit_0_with_result_or_2_with_one_line(rc, out, err, out_path=None):
    assert "AddressSanitizer" not in err and "runtime error" not in err, f"sanitizer report: {err}"
    assert rc in (0, 2), f"exit code {rc}, stderr: {err!r}"
    if rc == 2:
        assert len(err.strip().splitlines()) == 1, f"expected one line on stderr, got: {err!r}"
        assert out == "", f"unexpected stdout: {out!r}"
        if out_path:
            assert not os.path.exists(out_path), "a failed command left an output file"
    elif out_path:
        assert os.path.getsize(out_path) > 0


@test
def tokenize_every_bad_text_with_every_tokenizer_family():
    tokenizers = [os.path.join(FIXTURES, m, "tokenizer.json") for m in ("gpt2-tiny", "llama-tiny", "bert-tiny", "roberta-tiny")]
    tokenizers.append(os.path.join(FIXTURES, "unigram-tokenizer.json"))
    with tempfile.TemporaryDirectory() as d:
        for tok in tokenizers:
            n_vocab = vocab_size(tok)
            for name, data in BAD_TEXTS.items():
                rc, out, err = run("tokenize", "--tokenizer", tok, "--no-special", "--text-file", bad_text_file(d, name, data))
                assert rc == 0 and err == "", (tok, name, rc, err)
                got = json.loads(out)
                assert len(got["ids"]) == len(got["tokens"]), (tok, name)
                assert all(0 <= i < n_vocab for i in got["ids"]), (tok, name, got["ids"][:20])
                if name == "empty":
                    assert got["ids"] == [], (tok, got)
                elif name not in ("whitespace",) or "bert" not in tok:
                    assert got["ids"], (tok, name)   # BERT drops whitespace; everything else gives tokens


@test
def tokenize_byte_level_keeps_every_byte_of_bad_text():
    # GPT-2's byte-level BPE is lossless: the tokens' bytes are the (repaired) text, NUL and U+202E included.
    byte_of = {}
    n = 0
    for b in range(256):
        if 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255:
            byte_of[chr(b)] = b
        else:
            byte_of[chr(256 + n)] = b
            n += 1
    tok = os.path.join(FIXTURES, "gpt2-tiny", "tokenizer.json")
    with tempfile.TemporaryDirectory() as d:
        for name in ("controls", "zero_width_bom", "bidi", "emoji", "combining_marks", "invalid_utf8"):
            data = BAD_TEXTS[name]
            rc, out, err = run("tokenize", "--tokenizer", tok, "--no-special", "--text-file", bad_text_file(d, name, data))
            assert rc == 0, err
            back = bytes(byte_of[c] for t in json.loads(out)["tokens"] for c in t)
            # Invalid bytes are first repaired to U+FFFD, the way Rust's from_utf8_lossy does.
            assert back == data.decode("utf-8", "replace").encode(), (name, back[:60])


@test
def trace_every_bad_text_exits_0_with_a_file_or_2_with_one_line():
    with tempfile.TemporaryDirectory() as d:
        for model, extra in (("gpt2-tiny", []), ("llama-tiny", []), ("bert-tiny", ["--score-position", "0"])):
            for name, data in BAD_TEXTS.items():
                out_path = os.path.join(d, f"{model}-{name}.safetensors")
                rc, out, err = run("trace", "--model", os.path.join(FIXTURES, model), "--text-file",
                                   bad_text_file(d, name, data), "--out", out_path, *extra)
                exit_0_with_result_or_2_with_one_line(rc, out, err, out_path)
                if name == "empty" and model != "bert-tiny":
                    assert rc == 2 and "no tokens" in err, (model, err)   # BERT still has [CLS] [SEP]
                else:
                    assert rc == 0, (model, name, err)
                if name == "one_word_100k" and rc == 0 and "bert" not in model:
                    # Cut to the context, said once on stderr.
                    assert "kept the first" in err and len(err.strip().splitlines()) == 1, err


@test
def trace_100k_characters_is_cut_to_the_context_with_a_notice():
    text = ("The animal didn't cross the street because it was too tired. \u52a8\u7269 42! " * 1500)[:100000]
    with tempfile.TemporaryDirectory() as d:
        path = bad_text_file(d, "long", text.encode())
        for model in ("gpt2-tiny", "llama-tiny"):
            info_rc, info_out, info_err = run("info", "--model", os.path.join(FIXTURES, model))
            assert info_rc == 0, info_err
            n_ctx = json.loads(info_out)["n_ctx"]
            rc, out, err = run("tokenize", "--tokenizer", os.path.join(FIXTURES, model, "tokenizer.json"), "--text-file", path)
            assert rc == 0, err
            n_tokens = len(json.loads(out)["ids"])
            assert n_tokens > 20000, n_tokens
            out_path = os.path.join(d, model + ".safetensors")
            rc, out, err = run("trace", "--model", os.path.join(FIXTURES, model), "--text-file", path, "--out", out_path)
            assert rc == 0, err
            lines = err.strip().splitlines()
            assert lines == [f"attnscope-cli trace: input has {n_tokens} tokens; kept the first {n_ctx} (the model's context)"], err
            got = read_safetensors(out_path)
            assert got["input_ids"][0] == [n_ctx], got["input_ids"][0]
