"""resolve_endpoint: the one decision behind `tmtui run` and `tmtui watch` (embedded model or a
real endpoint, the model and base URL checked, the ClientConfig built)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tmtui.cli.watching import WatchFlags, prepare_watch
from tmtui.config import load_settings
from tmtui.core.parsed import ParserMode
from tmtui.model.endpoint import EMBEDDED_URL, EndpointError, resolve_endpoint


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment and no config file; returns monkeypatch to set variables."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "none.toml"))
    return monkeypatch


def test_settings_decide_for_run(env):
    embedded = resolve_endpoint(load_settings(model="synthetic", temperature=0.5))
    assert embedded.embedded == "synthetic"
    assert (embedded.config.base_url, embedded.config.model) == (EMBEDDED_URL, "synthetic")
    assert embedded.config.temperature == 0.5
    with pytest.raises(EndpointError) as no_model:
        resolve_endpoint(load_settings())
    assert no_model.value.missing == "model"
    with pytest.raises(EndpointError) as no_url:
        resolve_endpoint(load_settings(model="m"))
    assert no_url.value.missing == "endpoint"
    env.setenv("OPENAI_BASE_URL", "http://example.test/v1")
    env.setenv("OPENAI_API_KEY", "sk-from-env")
    real = resolve_endpoint(load_settings(model="m", seed=3), stop=["x"], timeout=None)
    assert real.embedded is None
    c = real.config
    assert (c.base_url, c.model, c.seed, c.stop, c.key()) == (
        "http://example.test/v1",
        "m",
        3,
        ["x"],
        "sk-from-env",
    )
    # what the command passes wins, None included
    assert resolve_endpoint(load_settings(model="m"), api_key=None).config.key() is None


def test_an_embedded_model_is_asked_with_no_key(env):
    env.setenv("OPENAI_API_KEY", "sk-real")
    got = resolve_endpoint(load_settings(model="synthetic"), api_key="sk-real")
    assert got.embedded == "synthetic" and got.config.key() is None


def test_watch_flags_decide_and_the_environment_does_not(env):
    env.setenv("OPENAI_BASE_URL", "http://example.test/v1")
    env.setenv("OPENAI_MODEL", "gpt-env")
    settings = load_settings()
    got = resolve_endpoint(settings, synthetic_by_default=True)
    assert got.embedded == "synthetic" and got.config.model == "synthetic"
    real = resolve_endpoint(load_settings(model="gpt-x"), model="gpt-x", synthetic_by_default=True)
    assert real.embedded is None
    assert (real.config.model, real.config.base_url) == ("gpt-x", "http://example.test/v1")
    env.delenv("OPENAI_MODEL")
    with pytest.raises(EndpointError) as no_model:
        resolve_endpoint(
            load_settings(base_url="http://h/v1"), base_url="http://h/v1", synthetic_by_default=True
        )
    assert no_model.value.missing == "model"


def test_a_replay_is_streamed_whole_unless_the_flag_limits_it(env):
    whole = resolve_endpoint(load_settings(), replay=True)
    assert whole.embedded == "replay" and whole.config.model == "replay"
    assert whole.config.max_tokens is None
    limited = resolve_endpoint(load_settings(max_tokens=50), max_tokens=50, replay=True)
    assert limited.config.max_tokens == 50


def _flags(**kw) -> WatchFlags:
    values = {
        "dataset": "tmbench",
        "index": None,
        "sample_id": None,
        "model": None,
        "base_url": None,
        "replay": None,
        "tokens_per_second": None,
        "prompt": None,
        "error_rate": None,
        "seed": 0,
        "reasoning": "field",
        "max_tokens": None,
        "output": Path("tmtui-watch.jsonl"),
        "parser": ParserMode.STRICT,
        "compat": False,
        "theme": "dark",
        "config": None,
    }
    values.update(kw)
    return WatchFlags(**values)


def test_prepare_watch_defaults_to_the_embedded_synthetic_model(env):
    w = prepare_watch(_flags(index=3, error_rate=0.0, tokens_per_second=0))
    assert w.instance.index == 3 and w.title == "embedded synthetic model"
    assert w.serve is not None and w.serve.synthetic and w.serve.error_rate == 0.0
    assert w.serve.tokens_per_second == 0 and w.serve.reasoning == "field"
    assert w.client.model == "synthetic" and w.client.key() is None
    rec = w.recorder()
    assert rec.model == "synthetic" and rec.dataset == "tmbench"


def test_prepare_watch_on_a_real_endpoint_ignores_the_rate(env, capsys):
    w = prepare_watch(_flags(model="gpt-x", base_url="http://example.test/v1", tokens_per_second=5))
    assert w.serve is None and w.title == "gpt-x"
    assert w.client.base_url == "http://example.test/v1"
    assert "--tokens-per-second only applies to the embedded model" in capsys.readouterr().err
