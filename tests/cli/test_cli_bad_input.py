"""Bad input (issue 2, section 7), end to end through ``python -m tmtui score``: one clear
error line per bad record with its line or index, the good records still scored, never a
traceback, never a hang, and no raw control character ever reaches the terminal."""

from __future__ import annotations

import json
import random
import re

import pytest

from tests.cli.clihelp import DS, answer, record_line, results_obj, run
from tmtui.core.answer import format_answer
from tmtui.core.diagnose import Kind
from tmtui.core.mutate import flawed_steps
from tmtui.io.records import InstanceSpec, Record, encode_record

# C0 controls except newline, DEL, C1 controls, bidi overrides/isolates and zero-width marks
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
TIMEOUT = 90


def assert_clean(data: bytes) -> str:
    text = data.decode("utf-8")  # valid UTF-8, no lone surrogates
    found = sorted({f"U+{ord(c):04X}" for c in RAW_CONTROL.findall(text)})
    assert not found, f"raw control characters reached the terminal: {found}"
    assert "Traceback" not in text
    return text


def check(r, *, code: int) -> tuple[str, str]:
    out, err = assert_clean(r.out), assert_clean(r.err)
    assert r.code == code, (r.code, err[-2000:])
    return out, err


def error_lines(err: str, source: str) -> dict[str, str]:
    """{'line 3': message} from the per-record error lines on stderr."""
    found = {}
    for line in err.splitlines():
        m = re.match(rf"tmtui: .*{re.escape(source)}: ((?:line|sample) \d+): (.+)$", line)
        if m:
            assert m.group(1) not in found, f"two error lines for {m.group(1)}"
            found[m.group(1)] = m.group(2)
    return found


# -- tmtui JSONL ---------------------------------------------------------------------------


def _good(i: int) -> bytes:
    return record_line(i, answer(i))


def _bad_jsonl_lines() -> dict[str, bytes]:
    good = json.loads(_good(0))
    spec = good["instance"]

    def rec(**over) -> bytes:
        return json.dumps({**good, **over}).encode() + b"\n"

    return {
        "bad json": b'{"instance_id": "x", "answer": \n',
        "not an object": b"[1, 2, 3]\n",
        "wrong type": rec(index="zero"),
        "wrong type answer": rec(answer=["A", "B"]),
        "float index": rec(index=1.5),
        "missing field": json.dumps({k: v for k, v in good.items() if k != "answer"}).encode()
        + b"\n",
        "bad status": rec(status="finished"),
        "invalid utf-8": _good(1).replace(b'"model":"test-model"', b'"model":"\xff\xfe\xc3"'),
        "lone surrogate": rec(answer="### step 0:\n- Queue State: [\ud800]"),
        "deeply nested": b'{"instance_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
        "nested arrays": b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "bad instance m": rec(instance={**spec, "m": 0}),
        "bad instance symbol": rec(instance={**spec, "rules": {"AB": "A"}}),
        "absurd cap": rec(instance={**spec, "max_states": 10**12}),
        "exploding truth": rec(
            instance={**spec, "rules": {"A": "A" * 1000}, "init": "AA", "max_states": 20_000}
        ),
        "NUL byte in json": b'{"instance_id": "\x00"}\n',
    }


def test_jsonl_bad_records_each_get_one_line(tmp_path):
    bad = _bad_jsonl_lines()
    lines = [_good(0)]
    expect = {}
    for name, line in bad.items():
        lines.append(line)
        expect[f"line {len(lines)}"] = name
        lines.append(_good(len(lines) % 20))
    # odd but valid: a huge index (the record carries its instance) is scored
    lines.append(record_line(3, answer(3), index=10**40))
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(lines))
    good_count = len(lines) - len(bad)

    r = run("score", path, "--json", "--bootstrap", "0", timeout=TIMEOUT)
    out, err = check(r, code=1)
    errors = error_lines(err, "mixed.jsonl")
    assert set(errors) == set(expect), (sorted(errors), sorted(expect))
    for msg in errors.values():
        assert msg.strip() and len(msg) < 400
    assert errors[next(k for k, v in expect.items() if v == "invalid utf-8")] == "invalid UTF-8"
    d = json.loads(out)
    assert d["n_samples"] == good_count
    assert d["passed"] == good_count
    assert len(d["errors"]) == len(bad)

    r = run("score", path, "--bootstrap", "0", timeout=TIMEOUT)  # the table
    out, err = check(r, code=1)
    m = re.search(r"│ samples\s+│\s+(\d+) │", out)
    assert m is not None and int(m.group(1)) == good_count
    assert set(error_lines(err, "mixed.jsonl")) == set(expect)


def test_control_characters_never_reach_the_terminal(tmp_path):
    """ESC sequences, NUL, BEL, C1 and bidi overrides in ids, model names, answers, claims and
    even the file name come out visible, in the table, the per-sample table, JSON and errors."""
    inst = DS[0]
    steps = flawed_steps(inst, {3: Kind.WRONG_PRODUCTION}, rng=random.Random(1))
    steps[3].appended = "\x1b[31mX\x9b\u202e"  # the claim shows up in the diagnosis
    nasty = "\x1b[2J\x1b]0;pwned\x07\x00\x08\x7f\x9b31m\u202e\u2066"
    ans = nasty + format_answer(steps) + nasty
    spec = InstanceSpec(
        id=nasty + inst.id,
        m=inst.m,
        alphabet=list(inst.alphabet),
        rules=dict(inst.rules),
        init=inst.init,
    )
    good = encode_record(
        Record(
            instance_id=nasty,
            dataset="tmbench" + nasty,
            index=0,
            model="model" + nasty,
            status="complete",
            answer=ans,
            instance=spec,
        )
    )
    bad_id = encode_record(
        Record(
            instance_id=nasty,
            dataset="nowhere" + nasty,
            index=0,
            model=nasty,
            status="complete",
            answer=nasty,
        )
    )
    path = tmp_path / ("evil\x1b[2J\u202e.jsonl")
    path.write_bytes(good + bad_id + b'{"x": "\x1b[31m' + b"\n")
    for extra in ([], ["--per-sample"], ["--compare"], ["--compat", "tmbench", "--per-sample"]):
        r = run("score", path, "--bootstrap", "0", *extra, timeout=TIMEOUT)
        out, err = check(r, code=1)
        assert "␛" in err  # the escape is shown, not obeyed
        assert "samples" in out
    r = run("score", path, "--bootstrap", "0", "--json", "--per-sample", timeout=TIMEOUT)
    out, err = check(r, code=1)
    d = json.loads(out)
    assert d["per_sample"][0]["diagnosis"]["kind"] == "wrong-production"
    assert "\x1b" in d["per_sample"][0]["diagnosis"]["message"]  # kept, but escaped in JSON
    assert "\\u001b" in out
    # a file that cannot be read at all, with a control character in its name
    png = tmp_path / "x\x1b[31m.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    check(run("score", png, timeout=TIMEOUT), code=2)


def test_huge_answer_and_absurd_step_numbers(tmp_path):
    prose = ("no steps here, just words " * 4 + "\n") * 200_000  # ~21 MB
    assert len(prose) > 20_000_000
    absurd = (
        "step 99999999999999999999999: Queue State: [A B]\n"
        f"step {'9' * 5000}: Queue State: [A]\n"
        "### step 18446744073709551617:\n- Queue State: [C]\n"
        "step -1: Queue State: [D]\n"
    ) + answer(2)
    path = tmp_path / "big.jsonl"
    path.write_bytes(
        _good(0) + record_line(1, prose) + record_line(2, absurd) + record_line(3, "x" * 20_000_000)
    )
    for mode in ([], ["--compat", "tmbench"]):
        r = run("score", path, "--json", "--per-sample", "--bootstrap", "0", *mode, timeout=TIMEOUT)
        out, _err = check(r, code=0)
        d = json.loads(out)
        assert d["n_samples"] == 4
        rows = {s["index"]: s for s in d["per_sample"]}
        assert rows[0]["passed"]
        assert rows[1]["diagnosis"]["kind"] == "format:nothing-parsable"
        assert rows[3]["diagnosis"]["kind"] == "format:nothing-parsable"
        assert rows[2]["passed"]  # the absurd steps are extra, never sized
        assert rows[2]["extra_steps"] >= 1


# -- official files ------------------------------------------------------------------------


def test_official_file_with_bad_samples(tmp_path):
    obj = results_obj({i: answer(i) for i in range(10)})
    s = obj["samples"]
    s[1]["init_str"] = 12  # wrong type
    del s[2]["rule"]  # missing field
    s[3]["ans"] = {"text": "no"}  # wrong type
    s[4]["id"] = "\x1b[31mred\x1b[0m"  # control characters in an id: still scored
    s[4]["ans"] = "\x00\x07" + s[4]["ans"]
    s[5]["rule"]["A"] = "B" * 1000  # the stored truth now disagrees with the rules
    s[9]["rule"]["A"] = "B" * 2_000_000  # a trace too large to score, refused up front
    s[6]["ans"] = "PLACEHOLDER"
    text = json.dumps(obj)
    text = text.replace('"PLACEHOLDER"', '"step 1: \\ud800 lone"')
    data = text.encode()
    at = data.index(b"Here is", data.index(json.dumps(obj["samples"][7]["id"]).encode()))
    data = data[:at] + b"\xff" + data[at + 1 :]  # invalid UTF-8 inside sample 7
    path = tmp_path / "results.json"
    path.write_bytes(data)
    r = run("score", path, "--json", "--bootstrap", "0", timeout=TIMEOUT)
    out, err = check(r, code=1)
    errors = error_lines(err, "results.json")
    assert set(errors) == {f"sample {i}" for i in (1, 2, 3, 6, 7, 9)}, errors
    assert errors["sample 7"] == "invalid UTF-8"
    assert (
        "could need 60,000,0" in errors["sample 9"] and "limit is 50,000,000" in errors["sample 9"]
    )
    d = json.loads(out)
    assert d["n_samples"] == 4  # samples 0, 4, 5, 8
    assert d["passed"] == 3  # sample 5's rules were changed: its stored truth disagrees
    assert d["truth_mismatches"] == ["sample 5: stored step_results disagree with the rules"]


def test_truncated_official_file(tmp_path):
    data = json.dumps(results_obj({i: answer(i) for i in range(6)}), indent=1).encode()
    cut = data.index(b'"prompts"', data.index(b'"prompts"', data.index(b'"prompts"') + 1) + 1)
    path = tmp_path / "cut.json"
    path.write_bytes(data[: cut + 100])  # inside sample 2
    r = run("score", path, "--json", "--bootstrap", "0", timeout=TIMEOUT)
    out, err = check(r, code=1)
    assert "not valid JSON" in err and "sample 2: truncated" in err
    assert json.loads(out)["n_samples"] == 2


def test_deeply_nested_official_file(tmp_path):
    obj = results_obj({i: answer(i) for i in range(4)})
    obj["samples"].insert(1, "NESTED")
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(obj).replace('"NESTED"', "[" * 100_000 + "]" * 100_000))
    r = run("score", path, "--json", "--bootstrap", "0", timeout=TIMEOUT)
    out, err = check(r, code=1)
    assert "sample 1:" in err
    assert json.loads(out)["n_samples"] == 4


# -- files that are not TMBench files at all -------------------------------------------------

NOT_TMBENCH = {
    "empty.json": b"",
    "blank.json": b"\n\n  \n",
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
    "array.json": b'[{"id": "x", "init_str": "AB"}]',
    "object.json": b'{"results": []}',
    "text.txt": b"just some text\x1b[31m\n",
    "nul.bin": b"\x00" * 1000,
}


@pytest.mark.parametrize("name", sorted(NOT_TMBENCH))
def test_not_a_tmbench_file_is_one_line(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(NOT_TMBENCH[name])
    r = run("score", path, timeout=TIMEOUT)
    out, err = check(r, code=2)
    lines = [x for x in err.splitlines() if x.strip()]
    assert lines[0].startswith("tmtui: error: ") and name in lines[0]
    assert len(lines) <= 2  # the file's line, and at most "no answers to score"
    assert out == ""


def test_directory_and_missing_file(tmp_path):
    _out, err = check(run("score", tmp_path, timeout=TIMEOUT), code=2)
    assert "directory" in err
    _out, err = check(run("score", tmp_path / "nope.json", timeout=TIMEOUT), code=2)
    assert "no such file" in err


def test_bad_files_do_not_stop_good_ones(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_bytes(_good(0) + _good(1))
    paths = []
    for name, data in NOT_TMBENCH.items():
        p = tmp_path / name
        p.write_bytes(data)
        paths.append(p)
    r = run("score", *paths, good, "--json", "--bootstrap", "0", timeout=TIMEOUT)
    out, _err = check(r, code=1)
    d = json.loads(out)
    assert d["n_samples"] == 2
    assert len(d["unreadable_files"]) == len(NOT_TMBENCH)
    assert all(x.count("\n") == 0 for x in d["unreadable_files"])


def test_validate_on_bad_files(tmp_path):
    for name, data in NOT_TMBENCH.items():
        p = tmp_path / name
        p.write_bytes(data)
        _out, err = check(run("validate", p, timeout=TIMEOUT), code=2)
        assert err.startswith("tmtui: error: ") and err.count("\n") == 1


USAGE_NASTY = "X\x1b]2;PWNED\x07\u202e\x9b1J\u2066"


@pytest.mark.parametrize(
    "args",
    [
        ["score", "--" + USAGE_NASTY],  # click: "No such option: ..."
        ["prompt", "tmbench", USAGE_NASTY],  # click: "Got unexpected extra argument(s) (...)"
        ["human", "status", "--" + USAGE_NASTY],  # a command of a command
        [USAGE_NASTY],  # "No such command"
        ["score", "--parser", USAGE_NASTY, "x"],  # a choice
    ],
)
def test_usage_errors_show_arguments_as_text(args):
    """The usage errors click writes (an unknown option, an extra argument) quote the
    argument: its escapes and bidi controls are shown as stand-ins, exit 2."""
    r = run(*args, timeout=TIMEOUT)
    _, err = check(r, code=2)
    assert "PWNED" in err  # the argument is quoted, made visible


def test_a_host_that_is_no_host_is_one_line():
    """``serve --host`` with text that is no address: one line (before: an AttributeError
    traceback from the error handler for the IDNA codec's UnicodeError)."""
    r = run("serve", "--host", "h\x1b]2;PWNED\x07\u009b.example", "--port", "0", timeout=TIMEOUT)
    _, err = check(r, code=2)
    assert err.startswith("tmtui: error: bad --host") and err.count("\n") == 1


def test_any_unicode_error_is_one_line(monkeypatch, capsys):
    """A codec error that is neither an encode nor a decode error (the IDNA codec raises a
    plain UnicodeError) is one line too, not a traceback from the handler itself."""
    import importlib

    cli_app = importlib.import_module("tmtui.cli.app")  # the module (tmtui.cli.app is the app)

    def boom() -> None:
        raise UnicodeError("encoding with 'idna' codec failed (UnicodeError: label \x1b[2J)")

    monkeypatch.setattr(cli_app, "app", boom)
    monkeypatch.setattr("sys.argv", ["tmtui", "serve"])
    with pytest.raises(SystemExit) as exc:
        cli_app.main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("tmtui: error: some text cannot be encoded: encoding with 'idna'")
    assert err.count("\n") == 1 and "\x1b" not in err
