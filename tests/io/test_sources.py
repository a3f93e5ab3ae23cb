"""The registry of source kinds: each file goes to the one kind that claims it, a new kind
(a SQLite store of human attempts) registers in a few lines, and items can carry their
prompt."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tmtui.core.answer import format_answer
from tmtui.core.datasets import DatasetError, generate_preset
from tmtui.core.mutate import flawed_steps
from tmtui.core.prompts import render
from tmtui.core.score import score_sample
from tmtui.io.jsonl import BadLine
from tmtui.io.official import OfficialFile, dump_official
from tmtui.io.records import Record, decode_record, encode_record, spec_of
from tmtui.io.sources import (
    KINDS,
    UNKNOWN_KIND,
    Head,
    ItemError,
    JsonlSource,
    OfficialSource,
    Resolver,
    ScoreItem,
    Source,
    SourceError,
    kind_of,
    load_dataset,
    open_source,
    record_instance,
    register,
    sniff,
)

DS = generate_preset("tmbench")


def _record(i: int, **over) -> Record:
    fields = {
        "instance_id": DS[i].id,
        "dataset": "tmbench",
        "index": i,
        "model": "m",
        "status": "complete",
        "answer": format_answer(flawed_steps(DS[i])),
        "instance": spec_of(DS[i]),
    }
    return Record(**{**fields, **over})


def _results(tmp_path: Path, n: int = 3) -> Path:
    obj = DS.to_official()
    obj["samples"] = obj["samples"][:n]
    for i, s in enumerate(obj["samples"]):
        s["prompts"] = [render(DS[i])] if i % 2 else render(DS[i])  # both shapes are used
        s["ans"] = format_answer(flawed_steps(DS[i]))
    p = tmp_path / "results.json"
    p.write_text(json.dumps(obj))
    return p


def test_each_file_opens_as_the_kind_that_claims_it(tmp_path):
    assert KINDS[:2] == [JsonlSource, OfficialSource]
    jl = tmp_path / "r.jsonl"
    jl.write_bytes(encode_record(_record(0)))
    src = open_source(jl)
    assert type(src) is JsonlSource and src.kind == "jsonl" and src.path == jl
    assert kind_of(jl) is JsonlSource and sniff(jl) == "jsonl"
    res = open_source(_results(tmp_path))
    assert type(res) is OfficialSource and res.kind == "official"
    assert isinstance(res.official, OfficialFile) and len(res.official) == 3
    assert [x.where for x in res.items()] == ["sample 0", "sample 1", "sample 2"]
    assert res.skipped == []


def test_a_file_no_kind_claims_is_one_line_naming_it(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello\n")
    with pytest.raises(SourceError) as exc:
        open_source(p)
    assert str(exc.value) == f"{p}: {UNKNOWN_KIND}"


def test_load_dataset_names_the_kind_it_got_instead(tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_bytes(encode_record(_record(0)))
    with pytest.raises(DatasetError) as exc:
        load_dataset(str(p))
    assert str(exc.value) == f"{p}: a tmtui JSONL record file, not a dataset"
    d = tmp_path / "TMBench.json"
    d.write_bytes(dump_official(DS))
    assert dump_official(load_dataset(str(d))) == dump_official(DS)


def test_items_carry_their_prompt_when_asked(tmp_path):
    res = open_source(_results(tmp_path))
    assert all(x.prompt is None for x in res.items())  # not decoded unless asked for
    items = list(res.items(with_prompts=True))
    assert [x.prompt for x in items] == [render(DS[i]) for i in range(3)]
    # a record's prompt is rendered again from its instance, template and step cap
    jl = tmp_path / "r.jsonl"
    recs = [
        _record(0),
        _record(1, prompt_template="zero-shot", max_steps=12),
        _record(2, prompt_template="no-such-template"),
    ]
    jl.write_bytes(b"".join(map(encode_record, recs)))
    items = list(open_source(jl).items(with_prompts=True))
    assert items[0].prompt == render(DS[0])
    assert items[1].prompt == render(DS[1], "zero-shot", max_step=12)
    assert items[1].instance.max_states == 13
    assert items[2].prompt is None
    assert all(x.prompt is None for x in open_source(jl).items())


# -- a new kind: human attempts in SQLite, registered the way the module docstring says ------


class HumanDbSource(Source):
    kind = "human-db"
    description = "a tmtui human-attempt database"

    @classmethod
    def sniff(cls, head: Head) -> bool:
        return head.data.startswith(b"SQLite format 3\x00")

    def items(
        self, resolver: Resolver | None = None, *, with_prompts: bool = False
    ) -> Iterator[ScoreItem | ItemError]:
        with sqlite3.connect(self.path) as db:
            rows = db.execute("SELECT n, line FROM attempts ORDER BY n").fetchall()
        for n, line in rows:
            where = f"attempt {n}"
            try:
                rec = decode_record(line)
            except ValueError as exc:
                yield ItemError(str(self.path), where, str(BadLine(n, str(exc))))
                continue
            inst = record_instance(rec, resolver)
            if isinstance(inst, str):
                yield ItemError(str(self.path), where, inst)
                continue
            yield ScoreItem(
                str(self.path), where, inst, rec.answer, model=rec.model, kind=rec.kind, record=rec
            )


@pytest.fixture
def human_db_kind():
    register(HumanDbSource, before=JsonlSource)
    try:
        yield HumanDbSource
    finally:
        KINDS.remove(HumanDbSource)


def test_a_sqlite_kind_of_human_attempts_registers_in_a_few_lines(tmp_path, human_db_kind):
    assert KINDS[0] is HumanDbSource and KINDS[1:3] == [JsonlSource, OfficialSource]
    db_path = tmp_path / "study.db"
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE attempts (n INTEGER, line BLOB)")
        for n, i in enumerate((3, 4), 1):
            rec = _record(i, kind="human", model="tmtui-human", participant="P1", session="s1")
            db.execute("INSERT INTO attempts VALUES (?, ?)", (n, encode_record(rec)))
        db.execute("INSERT INTO attempts VALUES (3, ?)", (b'{"kind": "alien"}',))
    db.close()
    assert sniff(db_path) == "human-db"
    src = open_source(db_path)
    assert isinstance(src, HumanDbSource)
    items = list(src.items())
    good = [x for x in items if isinstance(x, ScoreItem)]
    assert [x.where for x in good] == ["attempt 1", "attempt 2"]
    assert all(x.kind == "human" and x.record.participant == "P1" for x in good)
    assert [score_sample(x.instance, x.answer).passed for x in good] == [True, True]
    assert isinstance(items[2], ItemError) and items[2].where == "attempt 3"
    # the other kinds are still found, and registering twice does not duplicate
    register(HumanDbSource, before=JsonlSource)
    assert KINDS.count(HumanDbSource) == 1
    jl = tmp_path / "r.jsonl"
    jl.write_bytes(encode_record(_record(0)))
    assert type(open_source(jl)) is JsonlSource


def test_a_kind_may_refuse_a_file_it_recognises(tmp_path):
    p = tmp_path / "obj.json"
    p.write_text('{"a": 1}')
    with pytest.raises(SourceError, match="a JSON object with no 'samples': not a TMBench file"):
        kind_of(p)
