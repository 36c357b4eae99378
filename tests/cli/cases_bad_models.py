# The model-file rows of the bad-input catalog (issue 14), as folders written by write_bad_models from
# the same table the unit tests use (tests/model/bad_model_catalog.cpp): `trace` on each exits 2 with one
# line naming the file and the problem, writes no output file, and no sanitizer speaks. Exec'd by
# test_cli.py in its namespace (test, run, expect_clean_failure, CLI).


def bad_model_folders(d):
    """Writes the catalog into d; returns its index [{name, row, expect}]."""
    writer = os.path.join(os.path.dirname(os.path.dirname(CLI)), "tests", "write_bad_models")
    assert os.path.exists(writer), f"build the write_bad_models target first ({writer})"
    p = subprocess.run([writer, d], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    return json.load(open(os.path.join(d, "catalog.json"), encoding="utf-8"))


@test
def every_bad_model_folder_of_the_catalog_is_refused_with_one_line():
    with tempfile.TemporaryDirectory() as d:
        cases = bad_model_folders(d)
        assert len(cases) >= 80, len(cases)
        out = os.path.join(d, "out.safetensors")
        for c in cases:
            rc, stdout, err = run("trace", "--model", os.path.join(d, c["name"]), "--text", "hi [MASK] <mask>", "--out", out)
            where = f'{c["name"]} ({c["row"]}): exit {rc}, stderr {err!r}'
            if c["loads"]:
                # Loads with a warning line per problem, and traces (a text that avoids the fault).
                assert rc == 0 and err.startswith("attnscope-cli: warning: "), where
                assert all(line.startswith("attnscope-cli: warning: ") for line in err.splitlines()), where
                assert all(phrase in err for phrase in c["expect"]), where
                assert os.path.getsize(out) > 0, where
                os.unlink(out)
                continue
            assert rc == 2, where
            assert err.startswith("attnscope-cli trace: "), where
            assert len(err.strip().splitlines()) == 1, where
            assert "AddressSanitizer" not in err and "runtime error" not in err, where
            for phrase in c["expect"]:
                assert phrase in err, f"{where}: missing {phrase!r}"
            assert stdout == "" and not os.path.exists(out) and not os.path.exists(out + ".tmp"), where
