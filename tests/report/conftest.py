"""Every report test keeps its cache in its own temporary directory (never ~/.cache)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _report_cache(tmp_path_factory, monkeypatch):
    path = tmp_path_factory.mktemp("report-cache")
    monkeypatch.setenv("TMTUI_CACHE_DIR", str(path))
    return path
