# Nothing leaves the machine (issue 14): every command the CLI has, run under strace, opens no socket at
# all, and a trace runs in a network namespace with no interfaces (unshare -n, where this user may make
# one). Exec'd by test_cli.py in its namespace (test, run, CLI, FIXTURES).


def sockets_opened(args):
    """(exit code, the socket/connect calls strace saw) for one CLI command."""
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "strace.log")
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-e", "signal=none", "-o", log,
                            CLI, *args], capture_output=True, timeout=600)
        calls = [line.strip() for line in open(log, encoding="utf-8", errors="replace")
                 if "socket(" in line or "connect(" in line]
        return p.returncode, p.stderr.decode("utf-8", "replace"), calls


@test
def no_command_opens_a_socket():
    assert shutil.which("strace"), "strace is missing (tools/setup installs it)"
    gpt2, bert, bart = (os.path.join(FIXTURES, m) for m in ("gpt2-tiny", "bert-tiny", "bart-tiny"))
    with tempfile.TemporaryDirectory() as d:
        out = lambda name: os.path.join(d, name)
        commands = [
            ["tokenize", "--tokenizer", os.path.join(gpt2, "tokenizer.json"), "--text", "no network"],
            ["info", "--model", bert],
            ["trace", "--model", gpt2, "--text", "the cat sat", "--out", out("t.safetensors")],
            ["trace", "--model", bart, "--text", "a b c", "--out", out("b.safetensors")],
            ["generate", "--model", gpt2, "--text", "the cat", "--max-new", "3"],
            ["analyze", "--model", gpt2, "--text", "the cat sat", "--ig-steps", "4", "--out", out("a.safetensors")],
            ["render", "--model", gpt2, "--text", "the cat sat", "--view", "flow", "--out", out("r.png")],
            ["heads", "--model", gpt2, "--text", "the cat sat", "--out", out("h.json")],
            ["probe", "--model", gpt2, "--suite", "coreference"],
            ["explain", "--model", gpt2, "--text", "the cat sat", "--ig-steps", "4", "--json", out("e.json")],
            ["patch", "--model", gpt2, "--clean", "the cat sat", "--corrupted", "the dog sat", "--out", out("p.json")],
            ["train", "--task", "induction", "--out", out("model"), "--steps", "2", "--quiet"],
        ]
        for args in commands:
            rc, err, calls = sockets_opened(args)
            assert rc == 0, f"{args[0]}: exit {rc}: {err}"
            assert calls == [], f"{args[0]} opened a socket: {calls[:3]}"


@test
def a_trace_runs_without_any_network():
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        print("  (skipped the namespace part: this user may not make a network namespace)")
        return
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "t.safetensors")
        p = subprocess.run(["unshare", "-n", CLI, "trace", "--model", os.path.join(FIXTURES, "gpt2-tiny"),
                            "--text", "offline", "--out", out_path], capture_output=True, timeout=300)
        assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
        assert os.path.getsize(out_path) > 0
