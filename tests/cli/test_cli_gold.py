"""CLI: export-gold (formats, bins, exclusion, limit and seed, bad input, safe writing,
streaming), prompt and run with the tail template."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.clihelp import DS, invoke, run
from tmtui.core.datasets import GenerationSpec, generate
from tmtui.core.gold import FORMATS, Exclusion, GoldFilter
from tmtui.core.prompts import messages
from tmtui.core.score import score_sample
from tmtui.io.gold import GoldWriter, export_gold
from tmtui.io.official import dump_official


def lines(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()]


def dataset_file(tmp_path: Path, name: str, ds) -> Path:
    p = tmp_path / name
    p.write_bytes(dump_official(ds))
    return p


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_exported_trace_passes_the_scorer(tmp_path, fmt):
    out = tmp_path / "gold.jsonl"
    r = invoke("export-gold", "tmbench", "--format", fmt, "-o", out)
    assert r.code == 0, r.stderr
    recs = lines(out)
    assert len(recs) == 100
    by_id = {inst.id: inst for inst in DS}
    for rec in recs:
        inst = by_id[rec["instance_id"]]
        system, user, assistant = rec["messages"]
        assert [system["role"], user["role"], assistant["role"]] == ["system", "user", "assistant"]
        assert [system, user] == messages(inst, fmt)
        sc = score_sample(inst, assistant["content"])
        assert sc.passed and sc.verdicts == "c" * len(inst.run)
        assert rec["steps"] == inst.run.last_step and rec["format"] == fmt
        assert rec["longest_queue"] == max(len(s) for s in inst.run)
        assert rec["halted"] == inst.run.halted
    assert f"wrote 100 gold traces ({fmt})" in r.stderr


def test_length_bins_limit_and_seed(tmp_path):
    ds = generate(GenerationSpec(n=60, seed=5, max_states=41), name="gen")
    src = dataset_file(tmp_path, "gen.json", ds)
    out = tmp_path / "bin.jsonl"
    r = invoke("export-gold", src, "-o", out, "--min-steps", "40", "--max-queue", "30")
    assert r.code == 0, r.stderr
    want = [i.id for i in ds if i.run.last_step >= 40 and max(len(s) for s in i.run) <= 30]
    assert [x["instance_id"] for x in lines(out)] == want and 0 < len(want) < 60
    assert "outside the length bins" in r.stderr
    a, b, c = (tmp_path / f"{n}.jsonl" for n in "abc")
    assert invoke("export-gold", src, "-o", a, "--limit", "7", "--seed", "3").code == 0
    assert invoke("export-gold", src, "-o", b, "--limit", "7", "--seed", "3").code == 0
    assert invoke("export-gold", src, "-o", c, "--limit", "7").code == 0
    ids_a = [x["instance_id"] for x in lines(a)]
    assert ids_a == [x["instance_id"] for x in lines(b)] and len(ids_a) == 7
    assert [x["instance_id"] for x in lines(c)] == [i.id for i in ds][:7]
    assert ids_a != [i.id for i in ds][:7]


def test_exclusion_by_id_and_by_rules_and_queue_under_another_id(tmp_path):
    bench = DS.to_official()
    # the held-out file: instance 2 under its own id, instance 5 under another id
    held = dict(bench)
    held["samples"] = [bench["samples"][2], {**bench["samples"][5], "id": "not-its-id"}]
    held_path = tmp_path / "held.json"
    held_path.write_text(json.dumps(held))
    out = tmp_path / "train.jsonl"
    r = invoke("export-gold", "tmbench", "--exclude", held_path, "-o", out)
    assert r.code == 0, r.stderr
    ids = {x["instance_id"] for x in lines(out)}
    assert len(ids) == 98 and DS[2].id not in ids and DS[5].id not in ids
    assert "excluded 2 instances" in r.stderr
    assert "1 by id, 1 by rules and initial queue under another id" in r.stderr
    # a whole benchmark held out: nothing of it in the training data
    r = invoke("export-gold", "tmbench", "--exclude", "tmbench", "-o", out)
    assert r.code == 0 and lines(out) == [] and "excluded 100 instances" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "yaml"], "unknown format 'yaml'; choose from tmbench, tail, indexed"),
        (["--min-steps", "9", "--max-steps", "3"], "--min-steps 9 is above --max-steps 3"),
        (["--max-queue", "-1"], "--max-queue must be >= 0"),
        (["--limit", "-2"], "--limit must be >= 0"),
        (["--exclude", "nope.json"], "nope.json: no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    out = tmp_path / "o.jsonl"
    r = invoke("export-gold", "tmbench", "-o", out, *args)
    assert r.code == 2
    assert r.stderr.count("\n") == 1 and message in r.stderr
    assert not out.exists()


def test_inputs_that_are_not_datasets(tmp_path):
    out = tmp_path / "o.jsonl"
    r = invoke("export-gold", tmp_path / "missing.json", "-o", out)
    assert r.code == 2 and "no such file, and not a preset" in r.stderr
    rec = tmp_path / "records.jsonl"
    invoke("export-gold", "tmbench", "-o", rec)  # a gold file is not a dataset either
    r = invoke("export-gold", rec, "-o", out)
    assert r.code == 2 and r.stderr.count("\n") == 1 and "not a dataset" in r.stderr


def test_broken_files(tmp_path):
    out = tmp_path / "o.jsonl"
    r = invoke("export-gold", tmp_path, "-o", out)
    assert r.code == 2 and r.stderr.count("\n") == 1 and "is a directory" in r.stderr
    cut = tmp_path / "cut.json"
    cut.write_bytes(dataset_file(tmp_path, "whole.json", DS).read_bytes()[:3000])
    # what can be read is written (exit 1); the rest is reported
    r = invoke("export-gold", cut, "-o", out)
    assert r.code == 1 and "truncated" in r.stderr
    assert [x["instance_id"] for x in lines(out)] == [DS[0].id, DS[1].id]
    # a held-out file must be read whole: an instance held out in part could leak
    out2 = tmp_path / "o2.jsonl"
    r = invoke("export-gold", "tmbench", "--exclude", cut, "-o", out2)
    assert r.code == 2 and r.stderr.count("\n") == 1 and "--exclude" in r.stderr
    assert not out2.exists()
    empty = tmp_path / "empty.json"
    empty.write_text('{"samples": [')
    r = invoke("export-gold", empty, "-o", out2)
    assert r.code == 2 and r.stderr.count("\n") == 1 and "not valid JSON" in r.stderr


def test_outputs_that_are_not_ours_are_refused(tmp_path):
    ds_path = dataset_file(tmp_path, "bench.json", DS)
    before = ds_path.read_bytes()
    r = invoke("export-gold", "tmbench", "-o", ds_path)
    assert r.code == 2 and "refusing to write" in r.stderr and "not a gold trace file" in r.stderr
    assert ds_path.read_bytes() == before
    r = invoke("export-gold", "tmbench", "-o", tmp_path)
    assert r.code == 2 and "a directory" in r.stderr
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = run("export-gold", "tmbench", "-o", fifo, timeout=30)
    assert r.code == 2 and b"FIFO" in r.err
    # a gold file written before is replaced, whole
    out = tmp_path / "gold.jsonl"
    assert invoke("export-gold", "tmbench", "-o", out, "--limit", "3").code == 0
    assert invoke("export-gold", "tmbench", "-o", out, "--limit", "5").code == 0
    assert len(lines(out)) == 5
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_failed_export_leaves_the_output_as_it_was(tmp_path):
    out = tmp_path / "gold.jsonl"
    assert invoke("export-gold", "tmbench", "-o", out, "--limit", "2").code == 0
    before = out.read_bytes()

    def boom():
        yield DS[0]
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError), GoldWriter(out) as w:
        export_gold(boom(), w, "tail", bins=GoldFilter(), exclusion=Exclusion())
        w.commit()
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_bad_samples_cost_nothing_of_the_good_ones(tmp_path):
    obj = DS.to_official()
    obj["samples"] = [obj["samples"][0], {"id": 1, "rule": "x"}, obj["samples"][1]]
    p = tmp_path / "mixed.json"
    p.write_text(json.dumps(obj))
    out = tmp_path / "gold.jsonl"
    r = invoke("export-gold", p, "-o", out)
    assert r.code == 1
    assert [x["instance_id"] for x in lines(out)] == [DS[0].id, DS[1].id]
    assert "sample 1" in r.stderr


def _peak(n: int, tmp_path: Path) -> tuple[int, int]:
    """Peak traced memory exporting ``n`` traces drawn one at a time (a generator)."""
    spec = GenerationSpec(n=1, max_states=201, min_states=201)

    def instances():
        for seed in range(n):
            yield generate(GenerationSpec(**{**spec.__dict__, "seed": seed}))[0]

    out = tmp_path / f"many{n}.jsonl"
    tracemalloc.start()
    try:
        with GoldWriter(out) as w:
            counts = export_gold(instances(), w, "tail", bins=GoldFilter(), exclusion=Exclusion())
            w.commit()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return counts.written, peak


def test_exporting_many_traces_streams(tmp_path):
    """Ten times the traces, about the same peak memory: nothing is kept but the current one
    (the written file grows tenfold)."""
    few, peak_few = _peak(20, tmp_path)
    many, peak_many = _peak(200, tmp_path)
    assert (few, many) == (20, 200)
    size_few = (tmp_path / "many20.jsonl").stat().st_size
    size_many = (tmp_path / "many200.jsonl").stat().st_size
    assert size_many > 9 * size_few
    assert peak_many < 1.5 * peak_few + 256 * 1024, (peak_few, peak_many)


def test_export_shows_progress_on_stderr(tmp_path):
    out = tmp_path / "gold.jsonl"
    r = invoke("export-gold", "tmbench", "-o", out, "--progress")
    assert r.code == 0 and "export-gold" in r.stderr and "100/100" in r.stderr


def test_prompt_with_the_tail_template():
    r = invoke("prompt", "tmbench", "--index", "4", "--template", "tail")
    assert r.code == 0
    assert "## Answer format (tail):" in r.stdout
    assert "   - Read: C from position 4 (written by step 2)" in r.stdout
    assert invoke("prompt", "tmbench", "--index", "4", "--template", "indexed").code == 0


def test_run_with_the_tail_template_records_it_for_report(tmp_path):
    """The embedded synthetic model answers a tail prompt in the tail format; the records
    keep the template, and report groups by it."""
    tail_out, plain_out = tmp_path / "tail.jsonl", tmp_path / "plain.jsonl"
    common = ["--model", "synthetic", "--samples", "0-3", "--no-progress", "--no-score"]
    r = run("run", "tmbench", "--template", "tail", "-o", tail_out, *common, timeout=120)
    assert r.code == 0, r.stderr
    assert run("run", "tmbench", "-o", plain_out, *common, timeout=120).code == 0
    recs = lines(tail_out)
    assert len(recs) == 4 and all(x["prompt_template"] == "tail" for x in recs)
    assert all("- Read: " in x["answer"] and "- Length: " in x["answer"] for x in recs)
    r = run("report", tail_out, plain_out, "--by", "template", "--json", timeout=120)
    assert r.code == 0, r.stderr
    rows = {row["group"]["template"]: row["n_samples"] for row in json.loads(r.stdout)["rows"]}
    assert rows == {"tail": 4, "tmbench": 4}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 1 << 20),
    st.integers(1, 3),
    st.integers(1, 60),
    st.sampled_from(FORMATS),
    st.sampled_from([("A", "B", "C", "D", "E"), ("α", "β", "γ"), ("1", "2", "3", "4")]),
)
def test_every_exported_line_of_generated_instances_passes(seed, m, cap, fmt, alphabet):
    """Property: whatever the instances, every line export_gold writes, its assistant
    message scored by tmtui's own parser and scorer, is right at every step."""
    import tempfile

    ds = generate(
        GenerationSpec(n=5, seed=seed, m=m, alphabet=alphabet, max_states=cap + 1), name="g"
    )
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "g.jsonl"
        with GoldWriter(out) as w:
            export_gold(iter(ds), w, fmt, bins=GoldFilter(), exclusion=Exclusion())
            w.commit()
        recs = lines(out)
    assert [r["instance_id"] for r in recs] == [i.id for i in ds]
    for inst, rec in zip(ds, recs, strict=True):
        sc = score_sample(inst, rec["messages"][2]["content"])
        assert sc.passed and sc.verdicts == "c" * len(inst.run) and sc.diagnosis is None
        assert rec["messages"][:2] == messages(inst, fmt)


@pytest.mark.parametrize(
    "args",
    [
        ["watch", "--template", "nope"],
        ["run", "tmbench", "--model", "synthetic", "--template", "nope", "-o", "x.jsonl"],
        ["prompt", "tmbench", "--index", "0", "--template", "nope"],
    ],
)
def test_an_unknown_template_is_one_line(tmp_path, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoke(*args)
    assert r.code == 2 and r.stderr.count("\n") == 1
    assert "choose from tmbench, zero-shot, tail, indexed" in r.stderr
    assert not (tmp_path / "x.jsonl").exists()


def test_exclude_the_instances_of_a_file_of_answers(tmp_path):
    from tests.cli.clihelp import answer, record_line

    runs = tmp_path / "runs.jsonl"
    runs.write_bytes(b"".join(record_line(i, answer(i)) for i in (4, 9)))
    out = tmp_path / "train.jsonl"
    r = invoke("export-gold", "tmbench", "--exclude", runs, "-o", out)
    assert r.code == 0, r.stderr
    ids = {x["instance_id"] for x in lines(out)}
    assert len(ids) == 98 and not ids & {DS[4].id, DS[9].id}
    assert "excluded 2 instances" in r.stderr
    # a line that cannot be read could hide a held-out instance: refused
    runs.write_bytes(record_line(4, answer(4)) + b'{"instance_id": 3}\n')
    r = invoke("export-gold", "tmbench", "--exclude", runs, "-o", tmp_path / "o2.jsonl")
    assert r.code == 2 and r.stderr.count("\n") == 1 and "--exclude" in r.stderr
