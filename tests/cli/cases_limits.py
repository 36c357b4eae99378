# Limits (issue 14 item 3): a model folder whose config is huge and whose small model.safetensors claims
# a terabyte of weights is refused from the header alone, with one line naming the folder, what the model
# needs and what the machine has: exit 2, no output file, and no large allocation (the CLI runs with its
# memory capped: ASan's max_allocation_size_mb and hard_rss_limit_mb in the sanitised build, `ulimit -v`
# otherwise).
# Exec'd by test_cli.py in its namespace (test, run, FIXTURES).
import re
import resource

MEMORY_CAP_MB = 768   # far below what the claim would need; above what the CLI needs to say so


_sanitised = {}


def cli_is_sanitised():
    """Whether the CLI has AddressSanitizer: GCC links libasan dynamically (ldd shows it), clang links its
    runtime into the binary, whose symbol names then appear in the file."""
    if CLI not in _sanitised:
        p = subprocess.run(["ldd", CLI], capture_output=True, text=True)
        with open(CLI, "rb") as f:
            _sanitised[CLI] = "libasan" in p.stdout or b"__asan_init" in f.read()
    return _sanitised[CLI]


def run_capped(*args):
    """Runs the CLI with its memory capped at MEMORY_CAP_MB: an allocation past it crashes the run."""
    env = dict(os.environ)
    sanitised = cli_is_sanitised()
    if sanitised:
        # ASan reserves terabytes of address space for its shadow, so ulimit -v cannot apply; its own caps
        # abort with a report on any one allocation past the cap, and on resident memory past it.
        caps = ":max_allocation_size_mb=%d:hard_rss_limit_mb=%d:allocator_may_return_null=0" % (MEMORY_CAP_MB, MEMORY_CAP_MB)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + caps).lstrip(":")

    def cap():
        if not sanitised:
            limit = MEMORY_CAP_MB << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    p = subprocess.run([CLI, *args], capture_output=True, timeout=120, env=env, preexec_fn=cap)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def huge_model(d):
    """gpt2-tiny's tokenizer, a config with a huge context, depth and width, and a 200-byte
    model.safetensors whose one tensor, wte, claims 1 TiB (a consistent entry: [2^20, 2^18] F32)."""
    folder = os.path.join(d, "huge-model")
    os.makedirs(folder)
    shutil.copy(os.path.join(FIXTURES, "gpt2-tiny", "tokenizer.json"), folder)
    config = json.load(open(os.path.join(FIXTURES, "gpt2-tiny", "config.json")))
    config.update({"n_layer": 100000, "n_head": 4096, "n_embd": 262144, "n_positions": 1 << 30, "n_ctx": 1 << 30})
    json.dump(config, open(os.path.join(folder, "config.json"), "w"))
    rows, cols = 1 << 20, 1 << 18
    header = json.dumps({"transformer.wte.weight": {"dtype": "F32", "shape": [rows, cols],
                                                    "data_offsets": [0, rows * cols * 4]}}).encode()
    header += b" " * (-len(header) % 8)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + bytes(64))
    return folder


@test
def a_model_claiming_a_terabyte_is_refused_from_its_header_with_memory_capped():
    with tempfile.TemporaryDirectory() as d:
        folder = huge_model(d)
        out_path = os.path.join(d, "t.safetensors")
        for args in (["info", "--model", folder],
                     ["trace", "--model", folder, "--text", "The cat sat", "--out", out_path]):
            rc, out, err = run_capped(*args)
            assert rc == 2, f"{args[0]}: exit code {rc}, stderr: {err[-2000:]!r}"
            assert "AddressSanitizer" not in err and "runtime error" not in err, err[-2000:]
            lines = err.strip().splitlines()
            assert len(lines) == 1, err
            # The folder, what the model needs (1 TiB of weights and a little more), what the machine has.
            assert lines[0].startswith("error: " + folder + ": ") or (folder + ": ") in lines[0], lines[0]
            assert re.search(r"this model needs 1024\.\d GB \(model\.safetensors holds 1024\.0 GB of weights\); "
                             r"this machine has \d+\.\d GB$", lines[0]), lines[0]
            assert out == ""
            assert not os.path.exists(out_path) and not os.path.exists(out_path + ".tmp")


@test
def the_same_check_lets_a_real_model_load_under_the_same_cap():
    # The cap is no refusal by itself: the fixture model runs under it (so the refusal above is the
    # estimate's, not the cap's).
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "t.safetensors")
        rc, out, err = run_capped("trace", "--model", os.path.join(FIXTURES, "gpt2-tiny"), "--text", "The cat sat",
                                  "--out", out_path)
        assert rc == 0, err[-2000:]
        assert os.path.getsize(out_path) > 0
