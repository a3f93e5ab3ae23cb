"""tmtui records: the schema round trip, the crash-safe writer and the tolerant reader."""

from __future__ import annotations

import json
import os

import msgspec
import pytest

from tmtui.core.datasets import generate_preset
from tmtui.io import jsonl as jsonl_mod
from tmtui.io.jsonl import BadLine, RecordWriter, iter_jsonl, repair_tail
from tmtui.io.records import (
    SCHEMA_VERSION,
    STATUSES,
    FailedTry,
    InstanceSpec,
    Record,
    Timing,
    Usage,
    decode_record,
    encode_record,
    instance_of,
    spec_of,
)


def _record(i: int = 0, **over) -> Record:
    inst = generate_preset("tmbench")[i]
    fields = {
        "instance_id": inst.id,
        "dataset": "tmbench",
        "index": i,
        "model": "m",
        "status": "complete",
        "answer": f"### step 0:\n- Queue State: [{' '.join(inst.init)}]\n",
        "instance": spec_of(inst),
    }
    fields.update(over)
    return Record(**fields)


def test_round_trip_with_every_field():
    rec = _record(
        3,
        kind="human",
        reasoning="thinking… \u202e",
        finish_reason="length",
        prompt_template="zero-shot",
        prompt_sha256="a" * 64,
        max_steps=50,
        params={"temperature": 0.0, "nested": {"a": [1, 2]}},
        usage=Usage(prompt_tokens=10, completion_tokens=20, source="tiktoken:o200k_base"),
        chunks=[[0.0, 3, 0], [12.5, 7, 2]],
        timing=Timing(started_at="2025-01-01T00:00:00Z", first_token_ms=5.0, elapsed_ms=99.0),
        error=None,
        tries=[FailedTry(error="timeout", partial="### step 0", at_ms=1.0)],
        repeat=2,
        run_id="r1",
        created_at="2025-01-01T00:00:01Z",
        meta={"note": "ß中文"},
        status="cut",
    )
    line = encode_record(rec)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    back = decode_record(line)
    assert back == rec
    assert back.schema_version == SCHEMA_VERSION
    # the answer with newlines and control characters stays on one line
    rec2 = _record(answer="a\nb\x1b[31m\x00\r\n")
    line2 = encode_record(rec2)
    assert line2.count(b"\n") == 1
    assert decode_record(line2).answer == "a\nb\x1b[31m\x00\r\n"


def test_decode_rejects_bad_records():
    good = json.loads(encode_record(_record()))
    with pytest.raises(msgspec.ValidationError, match="status"):
        decode_record(json.dumps({**good, "status": "weird"}))
    with pytest.raises(msgspec.ValidationError):
        decode_record(json.dumps({**good, "index": "0"}))
    del good["answer"]
    with pytest.raises(msgspec.ValidationError, match="answer"):
        decode_record(json.dumps(good))


# a model record exactly as schema_version 1 wrote it before kind and status were typed
OLD_LINE = (
    b'{"instance_id":"abc","dataset":"tmbench","index":3,"model":"gpt-x","status":"interrupted",'
    b'"answer":"### step 0:\\n- Queue State: [A B]\\n","reasoning":"hm","finish_reason":"length",'
    b'"instance":{"id":"abc","m":2,"alphabet":["A","B"],"rules":{"A":"B","B":"A"},"init":"AB",'
    b'"max_states":5},"max_steps":4,"params":{"temperature":0},"usage":{"completion_tokens":9},'
    b'"chunks":[[1.5,10,2]],"timing":{"elapsed_ms":3.0},"error":"stream cut","repeat":1,'
    b'"run_id":"r","created_at":"2025-01-01T00:00:00Z","meta":{"k":1}}\n'
)


def test_old_record_lines_still_decode_and_encode_byte_for_byte():
    rec = decode_record(OLD_LINE)
    assert (rec.schema_version, rec.kind, rec.status) == (1, "model", "interrupted")
    assert rec.participant is None and rec.session is None
    assert rec.answer == "### step 0:\n- Queue State: [A B]\n"
    assert rec.usage.completion_tokens == 9 and rec.timing.elapsed_ms == 3.0
    assert instance_of(rec).run.states() == ["AB", "B"]
    # the same record built by a writer today is the same line, byte for byte
    written = Record(
        instance_id="abc",
        dataset="tmbench",
        index=3,
        model="gpt-x",
        status="interrupted",
        answer="### step 0:\n- Queue State: [A B]\n",
        reasoning="hm",
        finish_reason="length",
        instance=InstanceSpec(
            id="abc", m=2, alphabet=["A", "B"], rules={"A": "B", "B": "A"}, init="AB", max_states=5
        ),
        max_steps=4,
        params={"temperature": 0},
        usage=Usage(completion_tokens=9),
        chunks=[[1.5, 10, 2]],
        timing=Timing(elapsed_ms=3.0),
        error="stream cut",
        repeat=1,
        run_id="r",
        created_at="2025-01-01T00:00:00Z",
        meta={"k": 1},
    )
    assert encode_record(written) == OLD_LINE
    assert written == rec
    # the version written out explicitly, and an explicit kind, read the same
    explicit = OLD_LINE.replace(b"{", b'{"schema_version":1,"kind":"model",', 1)
    assert decode_record(explicit) == rec
    for status in STATUSES:
        assert decode_record(OLD_LINE.replace(b"interrupted", status.encode())).status == status


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "finished", "status must be one of complete, interrupted, error, cut"),
        ("status", "", "status must be one of complete, interrupted, error, cut"),
        ("kind", "robot", "kind must be one of model, human"),
        ("kind", "Model", "kind must be one of model, human"),
    ],
)
def test_a_bad_kind_or_status_is_one_clear_bad_line(tmp_path, field, value, message):
    good = json.loads(encode_record(_record()))
    bad = json.dumps({**good, field: value}).encode() + b"\n"
    with pytest.raises(msgspec.ValidationError) as exc:
        decode_record(bad)
    assert str(exc.value) == f"{message} - at `$.{field}`"
    path = tmp_path / "r.jsonl"
    path.write_bytes(encode_record(_record(0)) + bad + encode_record(_record(1)))
    items = [x for _, x in iter_jsonl(path)]
    assert [type(x).__name__ for x in items] == ["Record", "BadLine", "Record"]
    assert items[1] == BadLine(2, f"{message} - at `$.{field}`")
    # a wrong type is msgspec's own message, which names the field too
    with pytest.raises(msgspec.ValidationError, match=f"got `int` - at `\\$.{field}`"):
        decode_record(json.dumps({**good, field: 3}))


def test_a_human_record_round_trips():
    rec = _record(
        7,
        kind="human",
        model="tmtui-human",
        participant="P-017",
        session="2025-03-01-a",
        status="cut",
        timing=Timing(started_at="2025-03-01T10:00:00Z", elapsed_ms=81234.5),
        meta={"keystrokes": 412},
    )
    line = encode_record(rec)
    obj = json.loads(line)
    assert (obj["kind"], obj["participant"], obj["session"]) == ("human", "P-017", "2025-03-01-a")
    back = decode_record(line)
    assert back == rec
    assert instance_of(back).rules_sha256() == generate_preset("tmbench")[7].rules_sha256()
    # a model record has neither field on the line
    model_line = encode_record(_record(7))
    assert b"participant" not in model_line and b"session" not in model_line
    assert b'"kind"' not in model_line  # the default kind is left out, as before


def test_instance_of_rebuilds_the_instance():
    inst = generate_preset("tmbench")[5]
    rec = _record(5)
    got = instance_of(rec)
    assert got.run.states() == inst.run.states()
    assert got.rules_sha256() == inst.rules_sha256()
    rec.max_steps = 40
    assert instance_of(rec).max_states == 41
    rec.instance = None
    assert instance_of(rec) is None


def test_writer_appends_and_fsyncs_every_record(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(jsonl_mod.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    path = tmp_path / "sub" / "runs.jsonl"
    with RecordWriter(path) as w:
        for i in range(3):
            w.write(_record(i))
            # each record is on disk (flushed) before the next one is written
            assert path.read_bytes().count(b"\n") == i + 1
        assert w.written == 3
    assert len(synced) >= 3
    with RecordWriter(path) as w:  # reopening appends
        w.write(_record(3))
    items = list(iter_jsonl(path))
    assert [n for n, _ in items] == [1, 2, 3, 4]
    assert [r.index for _, r in items] == [0, 1, 2, 3]


def test_torn_last_line_is_repaired_before_appending(tmp_path):
    path = tmp_path / "runs.jsonl"
    with RecordWriter(path) as w:
        w.write(_record(0))
        w.write(_record(1))
    whole = path.read_bytes()
    torn = encode_record(_record(2))[:37]
    path.write_bytes(whole + torn)
    # a reader reports the torn line and keeps the good ones
    items = list(iter_jsonl(path))
    assert [type(x).__name__ for _, x in items] == ["Record", "Record", "BadLine"]
    assert items[2][1].line == 3 and "truncated last line" in items[2][1].message
    # the writer cuts it off, then appends cleanly
    w = RecordWriter(path)
    assert w.repaired == len(torn)
    w.write(_record(3))
    w.close()
    items = list(iter_jsonl(path))
    assert all(isinstance(x, Record) for _, x in items)
    assert [x.index for _, x in items] == [0, 1, 3]


def test_repair_tail_cases(tmp_path):
    p = tmp_path / "x.jsonl"
    assert repair_tail(p) == 0  # no file
    p.write_bytes(b"")
    assert repair_tail(p) == 0
    p.write_bytes(b'{"a":1}\n')
    assert repair_tail(p) == 0
    p.write_bytes(b"no newline at all")
    assert repair_tail(p) == len(b"no newline at all") and p.read_bytes() == b""
    big = b"x" * 200_000  # longer than the reader's block
    p.write_bytes(b'{"a":1}\n' + big)
    assert repair_tail(p) == len(big) and p.read_bytes() == b'{"a":1}\n'


def test_iter_jsonl_reports_bad_lines_with_numbers_and_goes_on(tmp_path):
    good = encode_record(_record(0))
    lines = [
        good,
        b"\n",  # blank lines are skipped, not errors
        b"this is not json\n",
        b'{"instance_id": 5}\n',
        b'{"instance_id": "x", "dataset": "d", "index": 0, "model": "m", "status": "complete"}\n',
        good.replace(b'"model":"m"', b'"model":"\xff\xfe"'),
        b'{"instance_id": "\\ud800 and more text", "dataset": "d"}\n',
        b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"\n",
        encode_record(_record(1)),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(lines))
    items = list(iter_jsonl(path))
    assert [n for n, _ in items] == [1, 3, 4, 5, 6, 7, 8, 9, 10]
    bad = {n: x.message for n, x in items if isinstance(x, BadLine)}
    assert sorted(bad) == [3, 4, 5, 6, 7, 8, 9]
    assert "malformed" in bad[3]
    assert "instance_id" in bad[4]
    assert "answer" in bad[5]
    assert bad[6] == "invalid UTF-8"
    assert "surrogate" in bad[7]
    assert [x.index for _, x in items if isinstance(x, Record)] == [0, 1]
    for msg in bad.values():
        assert "\n" not in msg and len(msg) <= 200
    assert str(BadLine(3, "oops")) == "line 3: oops"


def test_a_last_line_without_newline_that_is_complete_is_kept(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(encode_record(_record(0)) + encode_record(_record(1)).rstrip(b"\n"))
    items = list(iter_jsonl(path))
    assert [x.index for _, x in items] == [0, 1]


def test_a_bad_last_line_without_newline_is_one_error(tmp_path):
    path = tmp_path / "x.jsonl"
    last = encode_record(_record(1)).rstrip(b"\n").replace(b'"model":"m"', b'"model":"\xff"')
    path.write_bytes(encode_record(_record(0)) + last)
    items = list(iter_jsonl(path))
    assert isinstance(items[0][1], Record)
    assert items[1] == (2, BadLine(2, "invalid UTF-8"))


def test_a_torn_last_line_cut_inside_a_character_is_truncated_not_invalid(tmp_path):
    path = tmp_path / "x.jsonl"
    rec = _record(1)
    rec.model = "μοντέλο"
    last = encode_record(rec)
    cut = last.index("έ".encode()) + 1  # inside the two bytes of έ
    path.write_bytes(encode_record(_record(0)) + last[:cut])
    items = list(iter_jsonl(path))
    assert items[1] == (2, BadLine(2, "truncated last line (the writer was interrupted)"))


@pytest.mark.parametrize("raised", ["unicode", "decode"])
def test_invalid_utf8_is_decided_from_the_bytes_whatever_the_decoder_raises(
    tmp_path, monkeypatch, raised
):
    """msgspec 0.22 raised UnicodeDecodeError for invalid UTF-8, 0.23 raises DecodeError:
    the reader's answer must not depend on which."""
    import msgspec

    import tmtui.io.jsonl as jsonl

    real = jsonl.decode_record

    def fake(raw):
        try:
            bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            if raised == "unicode":
                raise
            raise msgspec.DecodeError("some new wording") from exc
        return real(raw)

    monkeypatch.setattr(jsonl, "decode_record", fake)
    bad = encode_record(_record(1)).replace(b'"model":"m"', b'"model":"\xff"')
    path = tmp_path / "x.jsonl"
    for tail in (bad, bad.rstrip(b"\n")):  # a middle line and a last line without newline
        path.write_bytes(encode_record(_record(0)) + tail)
        assert list(iter_jsonl(path))[1] == (2, BadLine(2, "invalid UTF-8"))
