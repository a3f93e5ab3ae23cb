"""Official TMBench files (datasets and results) and telling file kinds apart."""

from __future__ import annotations

import json

import pytest

from tmtui.core.answer import format_answer
from tmtui.core.datasets import DatasetError, generate_preset
from tmtui.core.mutate import flawed_steps
from tmtui.core.prompts import render
from tmtui.io.official import BadSample, OfficialFile, ResultSample, dump_official
from tmtui.io.records import Record, encode_record, spec_of
from tmtui.io.sources import (
    MAX_TAPE,
    MAX_TRUTH,
    ItemError,
    ScoreItem,
    SourceError,
    iter_items,
    load_dataset,
    open_source,
    size_problem,
    sniff,
)

DS = generate_preset("tmbench")


def results_obj(n: int = 6) -> dict:
    """An official results file: the dataset's samples plus prompts, ans and num_token."""
    obj = DS.to_official()
    obj["samples"] = obj["samples"][:n]
    for i, s in enumerate(obj["samples"]):
        s["prompts"] = render(DS[i])
        s["ans"] = format_answer(flawed_steps(DS[i]))
        s["num_token"] = 1000 + i
    return obj


def write(tmp_path, name: str, data: bytes | str):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return p


def test_results_file(tmp_path):
    obj = results_obj()
    del obj["samples"][2]["ans"]  # the official evaluator skips it
    p = write(tmp_path, "gemini.json", json.dumps(obj, indent=1))
    f = OfficialFile(p)
    assert f.whole and f.file_errors == []
    assert len(f) == 6
    assert f.symbol_set == ("A", "B", "C", "D", "E") and f.max_step == 31
    items = list(f)
    assert all(isinstance(x, ResultSample) for x in items)
    assert items[2].answer is None
    assert items[0].answer == obj["samples"][0]["ans"]
    assert items[4].step_results == obj["samples"][4]["step_results"]
    assert items[4].num_token == 1004
    assert items[4].instance.run.states() == DS[4].run.states()
    assert [x.index for x in items] == list(range(6))
    scored = list(iter_items(p))
    assert [x.where for x in scored] == ["sample 0", "sample 1", "sample 3", "sample 4", "sample 5"]
    assert all(isinstance(x, ScoreItem) for x in scored)
    assert scored[0].model == "gemini" and scored[0].truth == obj["samples"][0]["step_results"]
    src = open_source(p)
    list(src.items())
    assert src.skipped == [2]


def test_dataset_file(tmp_path):
    p = write(tmp_path, "TMBench.json", dump_official(DS))
    f = OfficialFile(p)
    assert len(f) == 100
    ds = f.to_dataset()
    assert len(ds) == 100 and ds.validate() == []
    assert ds.rule_max_length == 5 and ds.str_max_length == 9
    assert dump_official(ds) == dump_official(DS)
    assert dump_official(load_dataset(str(p))) == dump_official(DS)
    # and a dataset file has nothing to score
    assert list(iter_items(p)) == []


def test_variant_dataset_file(tmp_path):
    greek = generate_preset("tmbench-greek")
    p = write(tmp_path, "TMBenchGreek.json", dump_official(greek))
    ds = OfficialFile(p).to_dataset()
    assert ds.symbol_set == ("α", "β", "γ", "δ", "ε")
    assert ds[3].run.states() == greek[3].run.states()


def test_per_sample_errors_keep_the_others(tmp_path):
    obj = results_obj()
    obj["samples"][1]["init_str"] = 5
    del obj["samples"][2]["rule"]
    obj["samples"][3]["ans"] = ["not", "a", "string"]
    obj["samples"][4]["rule"] = {"AB": "C"}
    obj["samples"][5]["delete_count"] = 0
    obj["samples"].append("not an object")
    obj["samples"].append({"init_str": "AB", "rule": {"A": "B"}, "ans": None})
    p = write(tmp_path, "bad.json", json.dumps(obj))
    items = list(OfficialFile(p))
    assert isinstance(items[0], ResultSample)
    bad = {x.index: x.message for x in items if isinstance(x, BadSample)}
    assert sorted(bad) == [1, 2, 3, 4, 5, 6, 7]
    assert "init_str" in bad[1]
    assert "rule" in bad[2]
    assert "ans" in bad[3]
    assert "single character" in bad[4]
    assert "delete_count" in bad[5]
    assert "object" in bad[6]
    assert "null" in bad[7]
    assert str(BadSample(3, "x")) == "sample 3: x"
    scored = list(iter_items(p))
    assert [x.where for x in scored if isinstance(x, ScoreItem)] == ["sample 0"]
    errs = [x for x in scored if isinstance(x, ItemError)]
    assert [e.where for e in errs] == [f"sample {i}" for i in range(1, 8)]
    assert str(errs[0]).startswith(f"{p}: sample 1: ")


def test_truncated_file_scores_the_samples_before_the_cut(tmp_path):
    data = json.dumps(results_obj(), indent=1).encode()
    cut = data.index(b'"id"', data.index(b'"ans"', data.index(b'"ans"') + 10))  # inside sample 2
    p = write(tmp_path, "cut.json", data[: cut + 40])
    f = OfficialFile(p)
    assert not f.whole
    assert f.file_errors and "not valid JSON" in f.file_errors[0]
    items = list(f)
    assert [type(x).__name__ for x in items] == ["ResultSample", "ResultSample", "BadSample"]
    assert "truncated" in items[2].message
    scored = list(iter_items(p))
    assert [x.where for x in scored] == ["file", "sample 0", "sample 1", "sample 2"]
    assert isinstance(scored[1], ScoreItem) and isinstance(scored[2], ScoreItem)


def test_invalid_utf8_in_one_sample(tmp_path):
    data = json.dumps(results_obj(), indent=1).encode()
    at = data.index(b"Here is", data.index(b'"ans"', data.index(b'"ans"') + 10))  # sample 1
    p = write(tmp_path, "u.json", data[:at] + b"\xff" + data[at + 1 :])
    items = list(OfficialFile(p))
    assert isinstance(items[1], BadSample) and items[1].message == "invalid UTF-8"
    assert sum(isinstance(x, ResultSample) for x in items) == 5


@pytest.mark.parametrize(
    ("old", "new"),
    [(b'"rule_min_length"', b'"rule_min\xff_length"'), (b'"symbol_set"', b'"symbol\xfe_set"')],
)
def test_invalid_utf8_in_the_header_falls_back_to_sample_by_sample(tmp_path, old, new):
    data = json.dumps(results_obj(), indent=1).encode().replace(old, new, 1)
    p = write(tmp_path, "u.json", data)
    f = OfficialFile(p)
    assert not f.whole and "invalid UTF-8" in f.file_errors[0]
    assert sum(isinstance(x, ResultSample) for x in f) == 6


def test_invalid_utf8_in_the_symbol_set(tmp_path):
    data = json.dumps(results_obj(), indent=1).encode().replace(b'"A",', b'"\xff",', 1)
    p = write(tmp_path, "u.json", data)
    with pytest.raises(DatasetError, match="symbol_set"):
        OfficialFile(p)
    with pytest.raises(SourceError, match="symbol_set"):
        open_source(p)


def test_deeply_nested_sample(tmp_path):
    obj = results_obj()
    obj["samples"].insert(2, "NESTED")
    text = json.dumps(obj).replace('"NESTED"', "[" * 100_000 + "]" * 100_000)
    p = write(tmp_path, "nested.json", text)
    f = OfficialFile(p)
    items = list(f)
    assert len(items) == 7
    assert isinstance(items[2], BadSample)
    assert sum(isinstance(x, ResultSample) for x in items) == 6


def test_bad_metadata(tmp_path):
    for meta, msg in (
        ({"max_step": "x"}, "max_step"),
        ({"max_step": 0}, "max_step"),
        ({"delete_count": -1}, "delete_count"),
        ({"symbol_set": ["AB"]}, "symbol_set"),
        ({"samples": {"a": 1}}, "not a list"),
    ):
        obj = {**results_obj(1), **meta}
        p = write(tmp_path, "meta.json", json.dumps(obj))
        with pytest.raises(DatasetError, match=msg):
            OfficialFile(p)


def test_load_dataset_errors(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(str(tmp_path / "missing.json"))
    with pytest.raises(DatasetError, match=r"^\S*x\.json: not valid JSON: invalid UTF-8"):
        load_dataset(str(write(tmp_path, "x.json", b"{\xff")))
    with pytest.raises(SourceError, match="is a directory"):
        load_dataset(str(tmp_path))
    with pytest.raises(DatasetError, match="symbol_set"):
        load_dataset(str(write(tmp_path, "y.json", b'{"symbol_set": 5, "samples": []}')))
    rec = Record(
        instance_id="x", dataset="tmbench", index=0, model="m", status="complete", answer=""
    )
    with pytest.raises(DatasetError, match="JSONL"):
        load_dataset(str(write(tmp_path, "r.jsonl", encode_record(rec))))


# -- sniffing ----------------------------------------------------------------------------


def _rec_line(i: int = 0, answer: str = "x") -> bytes:
    inst = DS[i]
    rec = Record(
        instance_id=inst.id,
        dataset="tmbench",
        index=i,
        model="m",
        status="complete",
        answer=answer,
        instance=spec_of(inst),
    )
    return encode_record(rec)


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "does not start with '{'"),
        (b"[1, 2, 3]", "does not start with '{'"),
        (b'[{"instance_id": "x"}]', "does not start with '{'"),
        (b'{"a": 1}', "no 'samples'"),
        (b"hello world\n", "does not start with '{'"),
    ],
    ids=["empty", "blank", "png", "array", "array-of-records", "no-samples", "text"],
)
def test_sniff_rejects_other_files(tmp_path, data, msg):
    p = write(tmp_path, "f.bin", data)
    with pytest.raises(SourceError, match=msg) as exc:
        sniff(p)
    assert "\n" not in str(exc.value)


def test_sniff_missing_and_directory(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        sniff(tmp_path / "nope.json")
    with pytest.raises(SourceError, match="directory"):
        sniff(tmp_path)


def test_sniff_kinds(tmp_path):
    assert sniff(write(tmp_path, "a.jsonl", _rec_line(0) + _rec_line(1))) == "jsonl"
    assert sniff(write(tmp_path, "b.json", dump_official(DS))) == "official"
    assert sniff(write(tmp_path, "c.json", json.dumps(results_obj()))) == "official"
    assert sniff(write(tmp_path, "d.json", b"\xef\xbb\xbf" + dump_official(DS))) == "official"


def test_sniff_jsonl_whose_first_record_is_huge(tmp_path):
    """A first record longer than the sniffed head (a 200 KB answer) is still JSONL."""
    p = write(tmp_path, "big.jsonl", _rec_line(0, "x" * 200_000) + _rec_line(1))
    assert sniff(p) == "jsonl"
    items = list(iter_items(p))
    assert [type(x).__name__ for x in items] == ["ScoreItem", "ScoreItem"]


@pytest.mark.parametrize(
    "first",
    [
        b"garbage that is not json\n",
        b'{"instance_id": "\xff", "dataset": "tmbench"}\n',
        b'{"schema_version": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
        b'{"instance_id": "torn',
    ],
    ids=["garbage", "invalid-utf8", "deeply-nested", "torn"],
)
def test_jsonl_with_a_bad_first_line_is_still_read(tmp_path, first):
    if not first.endswith(b"\n"):
        first += b"\n"
    p = write(tmp_path, "bad1.jsonl", first + _rec_line(0) + _rec_line(1))
    assert sniff(p) == "jsonl"
    items = list(iter_items(p))
    assert isinstance(items[0], ItemError) and items[0].where == "line 1"
    assert [x.where for x in items[1:]] == ["line 2", "line 3"]
    assert all(isinstance(x, ScoreItem) for x in items[1:])


def test_jsonl_records_resolve_their_instances(tmp_path):
    inst = DS[4]
    embedded = _rec_line(4)
    by_preset = encode_record(
        Record(
            instance_id=inst.id,
            dataset="tmbench",
            index=4,
            model="m",
            status="complete",
            answer="x",
        )
    )
    unknown = encode_record(
        Record(
            instance_id="zz", dataset="mystery", index=0, model="m", status="complete", answer="x"
        )
    )
    bad_system = encode_record(
        Record(
            instance_id="zz",
            dataset="mystery",
            index=0,
            model="m",
            status="complete",
            answer="x",
            instance=spec_of(inst),
        )
    ).replace(b'"m":2', b'"m":0')
    p = write(tmp_path, "r.jsonl", embedded + by_preset + unknown + bad_system)
    items = list(iter_items(p))
    assert items[0].instance.run.states() == inst.run.states()
    assert items[1].instance is inst
    assert isinstance(items[2], ItemError) and "not a known dataset" in items[2].message
    assert isinstance(items[3], ItemError) and "bad instance" in items[3].message


def test_size_limits_refuse_traces_too_large_to_score():
    from tmtui.core.datasets import Instance

    assert all(size_problem(inst) is None for inst in DS.samples)
    wide = Instance(id="w", init="AA", rules={"A": "A" * 1000}, max_states=MAX_TAPE // 999)
    msg = size_problem(wide)
    assert msg is not None and "could need" in msg
    # a modest tape whose states, all kept, would be quadratic
    grow = Instance(id="g", init="AA", rules={"A": "AAA"}, max_states=20_000)
    assert grow.run.total_length() > MAX_TRUTH
    msg = size_problem(grow)
    assert msg is not None and "ground-truth states hold" in msg
    # a huge cap is fine when the machine halts early
    halts = Instance(id="h", init="AAB", rules={"A": "AAA"}, alphabet=("A", "B"), max_states=10**7)
    assert size_problem(halts) is None and len(halts.run) == 2
