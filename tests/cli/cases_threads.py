# --threads and ATTN_THREADS (core/parallel.h) through the CLI: any thread count writes the same bytes, bad
# values are usage errors. Exec'd by test_cli.py in its namespace (test, run, expect_clean_failure, FIXTURES).


def trace_bytes(d, name, *extra, env=None):
    out_path = os.path.join(d, name + ".safetensors")
    p = subprocess.run([CLI, "trace", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--text", "Hello world, hello",
                        "--out", out_path, *extra], capture_output=True, timeout=300, env=env)
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    with open(out_path, "rb") as f:
        return f.read()


@test
def trace_threads_give_the_same_bytes_as_one_thread():
    # gpt2-tiny's LM head (50257 x 32) is large enough to be split at the default threshold.
    with tempfile.TemporaryDirectory() as d:
        one = trace_bytes(d, "one", "--threads", "1")
        assert trace_bytes(d, "two", "--threads", "2") == one
        assert trace_bytes(d, "many", "--threads", "64") == one   # clamped to the machine's
        env = dict(os.environ, ATTN_THREADS="2")
        assert trace_bytes(d, "env", env=env) == one
        assert trace_bytes(d, "default") == one


@test
def threads_bad_values_exit_2_with_one_line():
    gpt2 = os.path.join(FIXTURES, "gpt2-tiny")
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "t.safetensors")
        for value in ["0", "-1", "two", "2x"]:
            expect_clean_failure(["trace", "--model", gpt2, "--text", "hi", "--out", out_path, "--threads", value],
                                 "--threads must be a whole number >= 1", out_path)
        expect_clean_failure(["trace", "--model", gpt2, "--text", "hi", "--out", out_path, "--threads"],
                             "--threads needs a value", out_path)
