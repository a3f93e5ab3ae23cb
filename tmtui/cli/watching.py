"""``tmtui watch``'s preparation: check the flags, pick the instance, resolve the endpoint.

Everything before the terminal UI starts, so that bad input is one line and an exit code
even without a terminal. Only the standard library at module level (``tmtui watch --help``
imports this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmtui.cli.app import (
    check_finite,
    fail,
    load_dataset_or_fail,
    load_settings_or_fail,
    pick_instance,
    warn,
)
from tmtui.core.parsed import ParserMode


@dataclass
class WatchFlags:
    """``tmtui watch``'s argument and options, as given (see the command for their help)."""

    dataset: str
    index: int | None
    sample_id: str | None
    model: str | None
    base_url: str | None
    replay: Path | None
    tokens_per_second: float | None
    prompt: str | None
    error_rate: float | None
    seed: int
    reasoning: str
    max_tokens: int | None
    output: Path
    parser: ParserMode
    compat: bool
    theme: str
    config: Path | None


@dataclass
class Watch:
    """What ``tmtui watch`` debugs: one instance, its prompt, and where the prompt goes."""

    instance: Any  # tmtui.core.datasets.Instance
    template: str
    messages: list[dict[str, str]]
    prompt_sha256: str
    client: Any  # tmtui.model.endpoint.ClientConfig
    serve: Any  # tmtui.model.serve.ServeOptions of the embedded model, or None
    title: str
    dataset_name: str

    def recorder(self) -> Any:
        """A :class:`~tmtui.model.recorder.Recorder` for the answer (its parameters are read
        now: the embedded server's address is known once it has started)."""
        from tmtui.model.recorder import Recorder

        params = self.client.params()
        if self.template != "tmbench":
            params["prompt"] = self.template
        return Recorder(
            instance=self.instance,
            model=self.client.model,
            dataset=self.dataset_name,
            params=params,
            prompt_template=self.template,
            prompt_sha256=self.prompt_sha256,
            messages=self.messages,
        )


def prepare_watch(f: WatchFlags) -> Watch:
    """Bad input: one line, exit 2."""
    if f.index is not None and f.sample_id is not None:
        raise fail("--index and --id exclude each other")
    check_finite(tokens_per_second=f.tokens_per_second, error_rate=f.error_rate)
    if f.tokens_per_second is not None and f.tokens_per_second < 0:
        raise fail("--tokens-per-second must be >= 0")
    if f.error_rate is not None and not 0 <= f.error_rate <= 1:
        raise fail("--error-rate must be within 0..1")
    if f.reasoning not in ("field", "think", "none"):
        raise fail("--reasoning must be field, think or none")
    settings = load_settings_or_fail(
        f.config, model=f.model, base_url=f.base_url, max_tokens=f.max_tokens, prompt=f.prompt
    )
    from tmtui.core.prompts import TEMPLATES, messages, prompt_sha256

    template = settings.prompt
    if template not in TEMPLATES:
        raise fail(f"unknown prompt template {template!r}; choose from {', '.join(TEMPLATES)}")
    if f.replay is not None:
        if not f.replay.exists():
            raise fail(f"{f.replay}: no such file")
        inst = _replay_instance(f.replay, f.index, f.sample_id)
    else:
        ds = load_dataset_or_fail(f.dataset)
        if not len(ds):
            raise fail(f"{f.dataset}: no samples")
        inst = pick_instance(ds, f.index, f.sample_id)
    client, serve = _endpoint(f, settings)
    model_id = client.model
    title = "embedded synthetic model" if model_id == "synthetic" else model_id
    if f.replay is not None:
        title = f"replay of {f.replay.name}"
    return Watch(
        instance=inst,
        template=template,
        messages=messages(inst, template),
        prompt_sha256=prompt_sha256(inst, template),
        client=client,
        serve=serve,
        title=title,
        dataset_name=inst.dataset or f.dataset,
    )


def _endpoint(f: WatchFlags, settings: Any) -> tuple[Any, Any]:
    """(the ClientConfig, the ServeOptions of the embedded model or None). With no flags, the
    embedded synthetic model (the environment and the config file do not change that)."""
    from tmtui.model.endpoint import EndpointError, resolve_endpoint
    from tmtui.model.serve import ServeOptions

    try:
        endpoint = resolve_endpoint(
            settings,
            model=f.model,
            base_url=f.base_url,
            max_tokens=f.max_tokens,
            replay=f.replay is not None,
            synthetic_by_default=True,
        )
    except EndpointError as exc:
        if exc.missing == "model":
            raise fail(
                "no model: pass --model (or set OPENAI_MODEL / model in the config)"
            ) from None
        raise fail("no endpoint: pass --base-url (or set OPENAI_BASE_URL)") from None
    if endpoint.embedded == "replay":
        serve = ServeOptions(
            synthetic=False, replay=f.replay, tokens_per_second=f.tokens_per_second
        )
    elif endpoint.embedded == "synthetic":
        from tmtui.model.synthetic import DEFAULT_ERROR_RATE

        serve = ServeOptions(
            tokens_per_second=f.tokens_per_second,
            error_rate=DEFAULT_ERROR_RATE if f.error_rate is None else f.error_rate,
            seed=f.seed,
            reasoning=f.reasoning,
        )
    else:
        serve = None
        if f.tokens_per_second is not None:
            warn("--tokens-per-second only applies to the embedded model; ignored")
    return endpoint.config, serve


def _replay_instance(path: Path, index: int | None, sid: str | None) -> Any:
    """The instance of the sample to replay from a record or results file."""
    from tmtui.io.sources import ItemError, SourceError, iter_items

    try:
        items = [it for it in iter_items(path) if not isinstance(it, ItemError)]
    except SourceError as exc:
        raise fail(str(exc)) from None
    if not items:
        raise fail(f"{path}: no answer to replay")
    if sid is not None:
        from tmtui.core.datasets import Dataset

        # the same rule as everywhere: the id, or a prefix only one sample's id starts with
        found = {id(it.instance): it.instance for it in items}
        ds = Dataset(samples=list(found.values()))
        pick = ds.find_id(sid)
        ids = {inst.id for inst in pick}
        if len(ids) == 1:
            return pick[0]
        if not ids:
            raise fail(f"{path}: no sample whose id is or starts with {sid!r}")
        raise fail(f"{path}: {len(ids)} samples have ids starting with {sid!r}: give more")
    if index is not None:
        for it in items:
            if it.instance.index == index:
                return it.instance
        raise fail(f"{path}: no sample with index {index}")
    return items[0].instance
