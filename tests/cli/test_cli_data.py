"""CLI: --version, generate, prompt, validate."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.cli.clihelp import DS, invoke, run
from tmtui import __version__
from tmtui.core.datasets import generate_preset
from tmtui.core.prompts import render
from tmtui.io.official import dump_official

OFFICIAL_SHA256 = {
    "tmbench": "5a615ae9f686a70df777c6b008e2378973c70a4fb405580e876d8e7efb1656d9",
    "tmbench-greek": "dd0ffb32b2a901aea2a79fb14e269a6922c84e047871df7f99b6b9f0d9c7e402",
    "tmbench-number": "af72974d418a3507876fcee12c880823c390230a37f31513ce7f46329620594f",
    "tmbench-special": "d2bfc369d8babb15060bd776afc64ef2d359ce177dbc7e922f12e2bb31fcf0e9",
}
PROMPT0_SHA256 = "985b7bed5168f79e0ff2c89f11c7fec4553138db4704ed675f6de5ed055fdce6"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_version_as_a_real_process():
    r = run("--version")
    assert r.code == 0
    assert r.stdout.strip() == f"tmtui {__version__}"
    assert r.err == b""


def test_help_lists_the_commands():
    r = invoke("--help")
    assert r.code == 0
    for cmd in ("generate", "prompt", "validate", "score"):
        assert cmd in r.stdout


@pytest.mark.parametrize("preset", sorted(OFFICIAL_SHA256))
def test_generate_preset_to_a_file(tmp_path, preset):
    out = tmp_path / f"{preset}.json"
    r = invoke("generate", "--preset", preset, "-o", out)
    assert r.code == 0
    assert sha(out.read_bytes()) == OFFICIAL_SHA256[preset]
    assert "wrote 100 samples" in r.stderr


def test_generate_preset_to_stdout():
    r = invoke("generate", "--preset", "tmbench")
    assert r.code == 0
    assert sha(r.out) == OFFICIAL_SHA256["tmbench"]


def test_generate_custom(tmp_path):
    out = tmp_path / "custom.json"
    r = invoke(
        "generate",
        "--n",
        "7",
        "--seed",
        "5",
        "--m",
        "3",
        "--alphabet",
        "greek",
        "--rule-len",
        "2-4",
        "--init-len",
        "3-6",
        "--max-steps",
        "12",
        "--min-steps",
        "6",
        "-o",
        out,
    )
    assert r.code == 0, r.stderr
    obj = json.loads(out.read_bytes())
    assert obj["symbol_set"] == ["α", "β", "γ", "δ", "ε"]
    assert obj["delete_count"] == 3 and obj["max_step"] == 13
    assert (obj["rule_min_length"], obj["rule_max_length"]) == (2, 4)
    assert (obj["str_min_length"], obj["str_max_length"]) == (3, 6)
    assert len(obj["samples"]) == 7
    for s in obj["samples"]:
        assert 3 <= len(s["init_str"]) <= 6
        assert all(2 <= len(p) <= 4 for p in s["rule"].values())
        assert 7 <= len(s["step_results"]) <= 13  # must not halt before step 6
        assert set("".join(s["step_results"])) <= set("αβγδε")
    # deterministic
    out2 = tmp_path / "again.json"
    invoke(
        "generate", "--n", "7", "--seed", "5", "--m", "3", "--alphabet", "greek",
        "--rule-len", "2-4", "--init-len", "3-6", "--max-steps", "12", "--min-steps", "6",
        "-o", out2,
    )  # fmt: skip
    assert out.read_bytes() == out2.read_bytes()
    # and it validates
    r = invoke("validate", out)
    assert r.code == 0 and "7 samples checked, 0 disagree" in r.stdout


def test_generate_long_runs_that_do_not_halt_early(tmp_path):
    """Issue 13: `generate --min-steps 200 --max-steps 2000` gives traces that run at least to
    step 200 (none halts earlier) and at most to step 2000, every state the engine's."""
    out = tmp_path / "long.json"
    r = invoke(
        "generate", "--n", "4", "--seed", "3", "--min-steps", "200", "--max-steps", "2000",
        "--init-len", "2-3", "-o", out,
    )  # fmt: skip
    assert r.code == 0, r.stderr
    assert r.stderr == f"tmtui: wrote 4 samples to {out}\n"  # no bar off a terminal
    obj = json.loads(out.read_bytes())
    assert obj["max_step"] == 2001 and len(obj["samples"]) == 4
    for s in obj["samples"]:
        assert 201 <= len(s["step_results"]) <= 2001
        queues = s["step_results"]
        assert all(len(q) >= 2 for q in queues[:-1])  # m = 2: no state before the last halts
    r = invoke("validate", out)
    assert r.code == 0 and "4 samples checked, 0 disagree" in r.stdout


def test_generate_long_runs_reports_progress_per_sample():
    from tmtui.core.datasets import GenerationSpec, generate
    from tmtui.io.official import iter_official

    drawn: list[tuple[int, int]] = []
    ds = generate(
        GenerationSpec(n=3, seed=2, max_states=501, min_states=301),
        progress=lambda done, total: drawn.append((done, total)),
    )
    assert drawn == [(1, 3), (2, 3), (3, 3)]
    assert all(len(inst.run) >= 301 for inst in ds)
    written: list[tuple[int, int]] = []
    data = b"".join(iter_official(ds, lambda d, t: written.append((d, t))))
    assert written == [(1, 3), (2, 3), (3, 3)]
    assert data == b"".join(iter_official(ds))  # the same bytes with or without a callback


def test_generate_default_custom_is_the_official_recipe():
    r = invoke("generate")
    assert r.code == 0 and sha(r.out) == OFFICIAL_SHA256["tmbench"]


def test_generate_explicit_alphabet():
    r = invoke("generate", "--n", "3", "--alphabet", "XYZ")
    obj = json.loads(r.out)
    assert obj["symbol_set"] == ["X", "Y", "Z"]


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        (["--preset", "nope"], "unknown preset"),
        (["--rule-len", "5-2"], "bad range"),
        (["--init-len", "x"], "not a range"),
        (["--alphabet", "AA"], "twice"),
        (["--m", "0"], "m must be"),
        (["--min-steps", "40"], "must-not-halt"),
    ],
)
def test_generate_errors(args, msg):
    r = invoke("generate", *args)
    assert r.code == 2
    assert msg in r.stderr
    assert r.stderr.startswith("tmtui: error: ") and r.stderr.count("\n") == 1


def test_generate_unwritable_output(tmp_path):
    r = invoke("generate", "--preset", "tmbench", "-o", tmp_path / "no" / "dir" / "x.json")
    assert r.code == 2 and "cannot write" in r.stderr


def test_prompt_index_0_is_the_official_prompt():
    r = invoke("prompt", "tmbench", "--index", "0")
    assert r.code == 0
    assert sha(r.out) == PROMPT0_SHA256


def test_prompt_as_a_real_process():
    r = run("prompt", "tmbench", "--index", "0")
    assert r.code == 0 and sha(r.out) == PROMPT0_SHA256


def test_prompt_by_id_and_from_a_file(tmp_path):
    inst = DS[17]
    r = invoke("prompt", "tmbench", "--id", inst.id[:12])
    assert r.code == 0 and r.stdout == render(inst)
    f = tmp_path / "TMBench.json"
    f.write_bytes(dump_official(DS))
    r = invoke("prompt", f, "--index", "17")
    assert r.stdout == render(inst)


def test_prompt_json_messages():
    r = invoke("prompt", "tmbench-greek", "--index", "2", "--json")
    assert r.code == 0
    msgs = r.json()
    assert msgs == [
        {"role": "system", "content": "You are a helpful assistant. Please reason step by step."},
        {"role": "user", "content": render(generate_preset("tmbench-greek")[2])},
    ]


def test_prompt_template_and_max_steps():
    r = invoke("prompt", "tmbench", "--index", "1", "--template", "zero-shot", "--max-steps", "50")
    assert r.code == 0
    assert "## Example:" not in r.stdout and "or 50 steps." in r.stdout


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        (["tmbench", "--index", "100"], "outside 0..99"),
        (["tmbench", "--id", "ffffffffffffffff"], "no sample whose id is or starts with"),
        (["tmbench", "--template", "nope"], "unknown template"),
        (["no-such-file.json"], "no such file"),
    ],
)
def test_prompt_errors(args, msg):
    r = invoke("prompt", *args)
    assert r.code == 2 and msg in r.stderr


def test_validate(tmp_path):
    f = tmp_path / "TMBench.json"
    f.write_bytes(dump_official(DS))
    r = invoke("validate", f)
    assert r.code == 0
    assert "100 samples checked, 0 disagree with the rules" in r.stdout
    obj = json.loads(f.read_bytes())
    obj["samples"][42]["step_results"][5] = "EEEEE"
    f.write_text(json.dumps(obj))
    r = invoke("validate", f)
    assert r.code == 1
    assert "1 disagree" in r.stdout
    assert "sample 42: step 5: stored 'EEEEE'" in r.stderr


def test_validate_reports_bad_samples_and_unreadable_files(tmp_path):
    obj = json.loads(dump_official(DS))
    obj["samples"][3]["rule"] = "nope"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(obj))
    r = invoke("validate", f)
    assert r.code == 1 and "sample 3:" in r.stderr
    assert "99 samples checked" in r.stdout
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    r = invoke("validate", png)
    assert r.code == 2 and r.stderr.startswith("tmtui: error: ")
    assert invoke("validate", "tmbench").code == 0


def test_id_accepts_any_unique_prefix_and_says_when_a_prefix_is_ambiguous():
    from tests.cli.clihelp import DS

    full = invoke("prompt", "tmbench", "--id", DS[3].id).stdout
    for n in (1, 4, 5, 8):
        prefix = DS[3].id[:n]
        owners = [inst for inst in DS if inst.id.startswith(prefix)]
        r = invoke("prompt", "tmbench", "--id", prefix)
        if len(owners) == 1:
            assert r.code == 0 and r.stdout == full, prefix
        else:
            assert r.code == 2 and "give more of the id" in r.stderr
    five = DS[3].id[:5]
    assert len([i for i in DS if i.id.startswith(five)]) == 1
    assert invoke("prompt", "tmbench", "--id", five).stdout == full
    bad = invoke("prompt", "tmbench", "--id", "zzzz")
    assert bad.code == 2 and "no sample whose id is or starts with 'zzzz'" in bad.stderr


def test_every_id_option_says_the_same_thing():
    from tmtui.cli.app import ID_HELP

    for command in ("prompt", "watch"):
        out = " ".join(invoke(command, "--help").stdout.split())
        assert " ".join(ID_HELP.split())[:40] in out.replace("│", "").replace("  ", " ")


def test_prompt_asks_which_sample_instead_of_using_sample_0():
    r = invoke("prompt", "tmbench")
    assert r.code == 2 and "which sample? give --index N (0..99) or --id ID" in r.stderr
    assert r.stdout == ""


def test_malformed_json_says_where_it_breaks(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n "symbol_set": ["A"],\n "max_step": 31 "x"\n}')
    for args in (["prompt", bad, "-i", "0"], ["score", bad], ["validate", bad]):
        r = invoke(*args)
        assert r.code == 2
        assert "not valid JSON: line 3 column 17: Expecting ',' delimiter" in r.stderr, args
        assert "no 'samples' array found" not in r.stderr


def test_a_file_whose_only_samples_are_bad_says_why_not_an_index_range(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"samples": [ {"a": 1,, }\n]}')
    r = invoke("prompt", bad, "-i", "0")
    assert r.code == 2
    assert "no readable sample: sample 0:" in r.stderr
    assert "outside 0..-1" not in r.stderr


def test_prompt_shows_a_hostile_datasets_controls_and_json_keeps_them_exact(tmp_path):
    """A dataset whose alphabet holds ESC, BEL, C1 CSI and a bidi override: the text prompt
    shows them as stand-ins (nothing reaches the terminal raw); --json keeps the exact text,
    every such character escaped."""
    obj = DS.to_official()
    obj["samples"] = obj["samples"][:1]
    s = obj["samples"][0]
    del s["step_results"], s["id"]
    hostile = ["\x1b", "\x07", "\x9b", "\u202e"]
    obj["symbol_set"] = ["A", "B", "C", "D", "E", *hostile]
    s["init_str"] = "AB" + "".join(hostile) + "C"
    p = tmp_path / "hostile.json"
    p.write_text(json.dumps(obj))
    text = invoke("prompt", p, "-i", "0")
    assert text.code == 0
    for ch in hostile:
        assert ch.encode() not in text.out
    assert "Init: [A B ␛ ␇ \\x9b \\u202e C]" in text.stdout
    raw = invoke("prompt", p, "-i", "0", "--json")
    for ch in hostile:
        assert ch.encode() not in raw.out
    msgs = json.loads(raw.stdout)
    assert "Init: [A B \x1b \x07 \x9b \u202e C]" in msgs[1]["content"]
