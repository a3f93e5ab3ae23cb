"""tmtui's record schema: one JSONL line per attempt (a model's answer or a human's).

Records are self-contained: each carries the instance it answers (m, alphabet, rules, initial
queue, step cap), so rescoring a file never needs the model or the dataset again. See
docs/records.md for every field.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

import msgspec

from tmtui.core.datasets import Instance

__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "STATUSES",
    "FailedTry",
    "InstanceSpec",
    "Kind",
    "Record",
    "Status",
    "Timing",
    "Usage",
    "decode_record",
    "encode_record",
    "instance_of",
    "instance_of_spec",
    "spec_of",
]

SCHEMA_VERSION = 1
# who made the attempt: a model (through tmtui run / watch) or a person (a human session)
Kind = Literal["model", "human"]
# how the attempt ended: complete, interrupted (a failure or a stop midway), error (nothing
# usable came back) or cut (cancelled on purpose, e.g. --stop-after-divergence)
Status = Literal["complete", "interrupted", "error", "cut"]
KINDS: tuple[str, ...] = get_args(Kind)
STATUSES: tuple[str, ...] = get_args(Status)


class InstanceSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    id: str
    m: int
    alphabet: list[str]
    rules: dict[str, str]
    init: str
    max_states: int = 31


class Usage(msgspec.Struct, kw_only=True, omit_defaults=True):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    total_tokens: int | None = None
    source: str = "server"  # "server", "tiktoken:<encoding>" or "estimate"


class Timing(msgspec.Struct, kw_only=True, omit_defaults=True):
    started_at: str | None = None  # wall clock, ISO 8601 UTC
    first_token_ms: float | None = None  # monotonic, from the request
    elapsed_ms: float | None = None
    # when the try that produced the answer was sent (ms since the first request; > 0 after
    # retries). Replays wait chunks[0][0] - answer_start_ms before the first chunk.
    answer_start_ms: float | None = None
    turns: int | None = None  # requests that make up the answer (--continue-until-halt)


class FailedTry(msgspec.Struct, kw_only=True, omit_defaults=True):
    error: str
    partial: str = ""  # the text received before the try failed
    reasoning: str = ""
    at_ms: float | None = None


class Record(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One attempt at one instance."""

    schema_version: int = SCHEMA_VERSION
    kind: Kind = "model"
    instance_id: str
    dataset: str
    index: int
    model: str  # the model's name; for a human attempt, the interface or condition
    # a human attempt's participant and session (never set for a model; omitted when None)
    participant: str | None = None
    session: str | None = None
    status: Status
    answer: str
    reasoning: str = ""
    finish_reason: str | None = None
    instance: InstanceSpec | None = None
    prompt_template: str = "tmbench"
    prompt_sha256: str = ""
    max_steps: int | None = None  # the step cap asked for, when not the dataset's
    params: dict[str, Any] = {}
    usage: Usage | None = None
    # arrival of each streamed chunk: [ms since the request, content chars, reasoning chars]
    chunks: list[list[float]] = []
    timing: Timing | None = None
    error: str | None = None
    tries: list[FailedTry] = []  # failed tries before this one, with their partial text
    repeat: int = 0
    run_id: str = ""
    created_at: str = ""
    meta: dict[str, Any] = {}


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Record)


def encode_record(rec: Record) -> bytes:
    """One JSONL line (with its newline)."""
    return _encoder.encode(rec) + b"\n"


# the fields whose value is one of a few words, and the words (for a clear error)
_CHOICES = {"$.kind": KINDS, "$.status": STATUSES}


def decode_record(line: bytes | str) -> Record:
    """One record; raises msgspec.ValidationError or DecodeError (one line) when it is not."""
    try:
        return _decoder.decode(line)
    except msgspec.ValidationError as exc:
        msg = str(exc)
        at = msg.rpartition(" - at `")[2].rstrip("`")
        if msg.startswith("Invalid enum value") and at in _CHOICES:
            raise msgspec.ValidationError(
                f"{at[2:]} must be one of {', '.join(_CHOICES[at])} - at `{at}`"
            ) from None
        raise


def spec_of(inst: Instance) -> InstanceSpec:
    return InstanceSpec(
        id=inst.id,
        m=inst.m,
        alphabet=list(inst.alphabet),
        rules=dict(inst.rules),
        init=inst.init,
        max_states=inst.max_states,
    )


def instance_of_spec(
    spec: InstanceSpec, *, index: int, dataset: str, max_states: int | None = None
) -> Instance:
    """The instance an embedded spec describes (the one place a stored instance is rebuilt:
    records here, human sessions' items in :mod:`tmtui.human.attempt`)."""
    return Instance(
        id=spec.id,
        init=spec.init,
        rules=dict(spec.rules),
        m=spec.m,
        alphabet=tuple(spec.alphabet),
        max_states=spec.max_states if max_states is None else max_states,
        index=index,
        dataset=dataset,
    )


def instance_of(rec: Record) -> Instance | None:
    """The instance a record answers, from its embedded spec."""
    spec = rec.instance
    if spec is None:
        return None
    max_states = rec.max_steps + 1 if rec.max_steps is not None else None
    return instance_of_spec(spec, index=rec.index, dataset=rec.dataset, max_states=max_states)
