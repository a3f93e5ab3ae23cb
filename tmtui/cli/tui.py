"""The trace debugger commands: ``tmtui watch`` (live) and ``tmtui view`` (saved records).

Only the standard library and Typer at module level: Textual, the client and the server are
imported inside the commands, so ``tmtui --help`` and ``tmtui score`` never load them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tmtui.cli.app import app, fail, load_dataset_or_fail, pick_instance, warn
from tmtui.core.parsed import ParserMode

_THEME_HELP = "dark | light (or any Textual theme name)."
_PARSER_HELP = "Start with strict (tmtui's parser) or tmbench (the official regex); m switches."


def _need_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise fail(
            "this command is a terminal UI and needs a terminal (headless: tmtui run, tmtui score)"
        )


def _run_app(tui_app) -> None:
    tui_app.run()
    if getattr(tui_app, "error", None):
        raise fail(tui_app.error)


def _replay_instance(path: Path, index: int | None, sid: str | None):
    """The instance of the sample to replay from a record or results file."""
    from tmtui.io.sources import ItemError, SourceError, iter_items

    try:
        items = [it for it in iter_items(path) if not isinstance(it, ItemError)]
    except SourceError as exc:
        raise fail(str(exc)) from None
    if not items:
        raise fail(f"{path}: no answer to replay")
    if sid is not None:
        for it in items:
            if it.instance.id == sid:
                return it.instance
        raise fail(f"{path}: no sample with id {sid!r}")
    if index is not None:
        for it in items:
            if it.instance.index == index:
                return it.instance
        raise fail(f"{path}: no sample with index {index}")
    return items[0].instance


@app.command(rich_help_panel="Trace debugger")
def watch(
    dataset: Annotated[
        str,
        typer.Argument(help="A preset (tmbench, tmbench-greek, ...) or a dataset file."),
    ] = "tmbench",
    index: Annotated[
        int | None, typer.Option("--index", "-i", help="Sample index (default 0).")
    ] = None,
    sample_id: Annotated[str | None, typer.Option("--id", help="Sample id (sha256).")] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model id (default: the embedded synthetic model)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)."),
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option("--replay", help="Stream a recorded answer (tmtui JSONL or results file)."),
    ] = None,
    tokens_per_second: Annotated[
        float | None,
        typer.Option(
            "--tokens-per-second",
            help="Embedded model's rate (0 = at once; default 150, replays: recorded timing).",
        ),
    ] = None,
    prompt: Annotated[
        str | None, typer.Option("--prompt", help="Prompt template: tmbench | zero-shot.")
    ] = None,
    error_rate: Annotated[
        float | None,
        typer.Option("--error-rate", help="Synthetic model's mistakes per step (default 0.03)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Synthetic model's seed.")] = 0,
    reasoning: Annotated[
        str, typer.Option("--reasoning", help="Synthetic reasoning: field | think | none.")
    ] = "field",
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", help="Completion token limit (default 16384).")
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where s appends the record (JSONL).")
    ] = Path("tmtui-watch.jsonl"),
    parser: Annotated[ParserMode, typer.Option("--parser", help=_PARSER_HELP)] = ParserMode.STRICT,
    compat: Annotated[
        bool, typer.Option("--compat", hidden=True, help="Old spelling of --parser tmbench.")
    ] = False,
    theme: Annotated[str, typer.Option("--theme", help=_THEME_HELP)] = "dark",
    config: Annotated[
        Path | None, typer.Option("--config", help="Config file (default: XDG config dir).")
    ] = None,
) -> None:
    """Watch a model simulate one instance, live, beside the true simulation.

    With no arguments: TMBench instance 0 answered by the embedded synthetic model (served on
    a loopback port, reached through the same client as any endpoint).
    """
    from tmtui.config import ConfigError, load_settings
    from tmtui.core.prompts import TEMPLATES, messages, prompt_sha256

    if index is not None and sample_id is not None:
        raise fail("--index and --id exclude each other")
    if tokens_per_second is not None and tokens_per_second < 0:
        raise fail("--tokens-per-second must be >= 0")
    if error_rate is not None and not 0 <= error_rate <= 1:
        raise fail("--error-rate must be within 0..1")
    if reasoning not in ("field", "think", "none"):
        raise fail("--reasoning must be field, think or none")
    try:
        settings = load_settings(
            config, model=model, base_url=base_url, max_tokens=max_tokens, prompt=prompt
        )
    except ConfigError as exc:
        raise fail(str(exc)) from None
    template = settings.prompt
    if template not in TEMPLATES:
        raise fail(f"unknown prompt template {template!r}; choose from {', '.join(TEMPLATES)}")
    serve = None
    from tmtui.model.serve import ServeOptions

    if replay is not None:
        if not replay.exists():
            raise fail(f"{replay}: no such file")
        inst = _replay_instance(replay, index, sample_id)
        serve = ServeOptions(synthetic=False, replay=replay, tokens_per_second=tokens_per_second)
        model_id, url = "replay", "http://127.0.0.1:0/v1"
    else:
        ds = load_dataset_or_fail(dataset)
        if not len(ds):
            raise fail(f"{dataset}: no samples")
        inst = pick_instance(ds, index, sample_id)
        embedded = base_url is None and (model is None or model == "synthetic")
        if embedded:
            from tmtui.model.synthetic import DEFAULT_ERROR_RATE

            serve = ServeOptions(
                tokens_per_second=tokens_per_second,
                error_rate=DEFAULT_ERROR_RATE if error_rate is None else error_rate,
                seed=seed,
                reasoning=reasoning,
            )
            model_id, url = "synthetic", "http://127.0.0.1:0/v1"
        else:
            if not settings.model:
                raise fail("no model: pass --model (or set OPENAI_MODEL / model in the config)")
            if not settings.base_url:
                raise fail("no endpoint: pass --base-url (or set OPENAI_BASE_URL)")
            if tokens_per_second is not None:
                warn("--tokens-per-second only applies to the embedded model; ignored")
            model_id, url = settings.model, settings.base_url
    from tmtui.model.client import ClientConfig

    client = ClientConfig(
        base_url=url,
        model=model_id,
        api_key=None if serve is not None else settings.api_key_value(),
        temperature=settings.temperature,
        top_p=settings.top_p,
        # a replay is the recorded answer, whole (unless a limit was asked for)
        max_tokens=(max_tokens if replay is not None else settings.max_tokens),
        seed=settings.seed,
        reasoning_effort=settings.reasoning_effort,
        extra_body=dict(settings.extra_body) or None,
        connect_timeout=settings.connect_timeout,
        stall_seconds=settings.stall_seconds,
        max_retries=settings.max_retries,
    )
    msgs = messages(inst, template)
    psha = prompt_sha256(inst, template)
    _need_terminal()
    from tmtui.model.feed import ClientFeed
    from tmtui.model.recorder import Recorder
    from tmtui.tui.app import TmtuiApp, load_keymap
    from tmtui.tui.plans import WatchPlan

    feed = ClientFeed(client, msgs, serve=serve)
    ds_name = inst.dataset or dataset

    def make_recorder() -> Recorder:
        params = client.params()
        if template != "tmbench":
            params["prompt"] = template
        return Recorder(
            instance=inst,
            model=model_id,
            dataset=ds_name,
            params=params,
            prompt_template=template,
            prompt_sha256=psha,
            messages=msgs,
        )

    where = "embedded synthetic model" if model_id == "synthetic" else model_id
    if replay is not None:
        where = f"replay of {replay.name}"
    plan = WatchPlan(
        inst,
        feed,
        make_recorder=make_recorder,
        save_path=output,
        title=where,
        mode=ParserMode.TMBENCH if compat else parser,
    )
    _run_app(TmtuiApp(plan, theme=theme, keymap=load_keymap(config)))


@app.command(rich_help_panel="Trace debugger")
def view(
    file: Annotated[
        Path, typer.Argument(help="Records (tmtui JSONL) or an official results file.")
    ],
    sample: Annotated[
        int | None,
        typer.Option("--sample", "-n", help="Open sample N (its # in the list) at once."),
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option("--compare", help="A second file: its answers beside the first's."),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where s appends a sample's record (JSONL).")
    ] = Path("tmtui-saved.jsonl"),
    parser: Annotated[ParserMode, typer.Option("--parser", help=_PARSER_HELP)] = ParserMode.STRICT,
    compat: Annotated[
        bool, typer.Option("--compat", hidden=True, help="Old spelling of --parser tmbench.")
    ] = False,
    theme: Annotated[str, typer.Option("--theme", help=_THEME_HELP)] = "dark",
    config: Annotated[
        Path | None, typer.Option("--config", help="Config file (for the \\[keymap] table).")
    ] = None,
) -> None:
    """Step through saved answers: a sortable, filterable sample list; Enter debugs one."""
    from tmtui.io.sources import SourceError, sniff

    for p in (file, compare):
        if p is None:
            continue
        try:
            sniff(p)
        except SourceError as exc:
            raise fail(str(exc)) from None
    if sample is not None and sample < 0:
        raise fail("--sample must be >= 0")
    _need_terminal()
    from tmtui.tui.app import TmtuiApp, load_keymap
    from tmtui.tui.plans import ViewPlan

    plan = ViewPlan(
        file,
        sample=sample,
        compare=compare,
        save_path=output,
        mode=ParserMode.TMBENCH if compat else parser,
    )
    _run_app(TmtuiApp(plan, theme=theme, keymap=load_keymap(config)))
