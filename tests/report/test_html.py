"""The HTML page: one self-contained file (nothing fetched), every chart there, untrusted
names escaped; and, where Debian's chromium is installed, the page rendered in headless
Chromium with its network log checked."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, FLAGS
from tests.report.reportkit import answer, human, record, write_records
from tmtui.core.diagnose import Kind
from tmtui.report import build_report
from tmtui.report.html import html_report, write_html
from tmtui.report.plots import clean_svg

HOSTILE = '<script>alert("x")</script> $\\frac{1}{0}$ \x1b[31m'


@pytest.fixture
def page(tmp_path) -> tuple[Path, str]:
    recs = [
        record(i, answer(i, (4, Kind.COPY_ERROR) if i % 3 == 0 else None, seed=i)) for i in range(6)
    ]
    recs += [record(i, answer(i), model=HOSTILE) for i in range(6)]
    recs += [human(i, "P01", answer(i, (2, Kind.WRONG_HEAD) if i == 1 else None)) for i in range(3)]
    recs += [human(i, "P02") for i in range(3)]
    f = write_records(tmp_path / "runs.jsonl", recs)
    rep = build_report([f], bootstrap=100, cache=None)
    out = tmp_path / "report.html"
    write_html(rep, out)
    return out, out.read_text(encoding="utf-8")


def test_the_page_is_self_contained(page):
    _, text = page
    assert text.startswith("<!DOCTYPE html>")
    for bad in ("http://", "https://", "//cdn", "<script", "<link", "@import", "<img", "<iframe"):
        assert bad not in text, bad
    # every url(...) points inside the page (matplotlib's clip paths)
    assert all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", text))
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', text))
    assert text.count('<svg class="chart"') == 4  # accuracy, survival, hazard, queue length
    assert "@media print" in text


def test_untrusted_names_are_escaped(page):
    _, text = page
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "\x1b" not in text and "␛" in text
    assert r"\$\frac" not in text  # the chart shows the dollar signs as typed, not as math


def test_clean_svg_takes_out_what_points_outside():
    raw = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="5pt" '
        'viewBox="0 0 10 5" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
        " <metadata><rdf:RDF xmlns:dc='http://purl.org/dc/elements/1.1/'/></metadata>\n"
        ' <use xlink:href="#m1"/></svg>'
    )
    out = clean_svg(raw)
    assert out.startswith('<svg class="chart"') and "http" not in out and "metadata" not in out
    assert 'viewBox="0 0 10 5"' in out and 'xlink:href="#m1"' in out


def test_long_runs_add_the_first_failing_step(tmp_path):
    f = write_records(
        tmp_path / "long.jsonl",
        [record(1, answer(1), max_steps=40), record(2, answer(2), max_steps=40)],
    )
    rep = build_report([f], bootstrap=0, cache=None)
    assert rep.rows[0].curves.steps == 41
    assert html_report(rep).count('<svg class="chart"') == 5


def _chromium(url: str, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _page_requests(html: Path, tmp: Path) -> tuple[str, set[str]]:
    """The DOM after loading, and every URL the page itself asked for (chromium's own
    background requests, which have no page origin, are not the page's)."""
    log = tmp / f"{html.stem}.netlog.json"
    ran = _chromium(html.as_uri(), f"--log-net-log={log}", "--dump-dom")
    assert ran.returncode == 0, ran.stderr[-2000:]
    text = log.read_text()
    try:
        events = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit: close it
        events = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {v: k for k, v in events["constants"]["logEventTypes"].items()}
    urls = set()
    for e in events["events"]:
        p = e.get("params") or {}
        if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "file://" in str(
            p.get("network_isolation_key", "")
        ):
            urls.add(p.get("url", ""))
    return ran.stdout, urls


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_page_renders_in_headless_chromium_and_fetches_nothing(page, tmp_path):
    path, _ = page
    dom, urls = _page_requests(path, tmp_path)
    assert "<h1>tmtui report</h1>" in dom
    assert dom.count('<svg class="chart"') == 4
    assert dom.count("<path") > 100  # the charts were drawn
    assert {u for u in urls if not u.startswith("file:")} == set()
    # the check can fail: the same harness sees a page that fetches something
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    _, leaked = _page_requests(leaky, tmp_path)
    assert "http://127.0.0.1:9/x.png" in leaked
    # and it looks like something: a screenshot that is not blank
    shot = tmp_path / "shot.png"
    ran = _chromium(path.as_uri(), f"--screenshot={shot}", "--window-size=1280,2400")
    assert ran.returncode == 0 and shot.exists()
    from PIL import Image

    with Image.open(shot) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    dark = sum(n for n, (r, g, b) in colours if r + g + b < 600)
    assert dark > 5000  # text and lines, not a white page
