"""Reports: models and humans side by side, with intervals, paired tests and curves.

Headless (no rich, typer or textual: the CLI renders the table, and the HTML writer imports
matplotlib only when a page is written). The API the CLI and the report screen use:

* :func:`build_report` (files, ``parser``, ``by``, ``compare``, ``vs``, ``bootstrap``,
  ``seed``, ``cache``, callbacks) → :class:`Report`;
* :class:`Report` — ``rows`` (:class:`Row`: the figures of ``tmtui score`` as a
  :class:`~tmtui.core.score.DatasetScore`, the other parser's, tokens or seconds per step,
  the diagnosis mix, :class:`~tmtui.report.curves.Curves`), ``comparisons``
  (:class:`~tmtui.report.paired.Comparison`), ``files``, ``errors``, ``notes``;
  ``samples(row)`` lists a row's attempts worst first; ``to_dict()`` is ``--json``;
* :class:`DigestCache` — the score cache (by file content and parser version);
* :func:`write_markdown` / :func:`markdown_table`, :func:`write_html`.
"""

from __future__ import annotations

from tmtui.report.build import BuildProgress, ReportError, build_report, expand_paths
from tmtui.report.cache import DigestCache, cache_dir
from tmtui.report.curves import Curves, Point
from tmtui.report.groups import CATEGORIES, DIMENSIONS, HUMANS_POOLED, category
from tmtui.report.paired import Comparison
from tmtui.report.tables import FileInfo, Report, Row, SampleRef

__all__ = [
    "CATEGORIES",
    "DIMENSIONS",
    "HUMANS_POOLED",
    "BuildProgress",
    "Comparison",
    "Curves",
    "DigestCache",
    "FileInfo",
    "Point",
    "Report",
    "ReportError",
    "Row",
    "SampleRef",
    "build_report",
    "cache_dir",
    "category",
    "expand_paths",
]
