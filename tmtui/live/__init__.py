"""The headless live trace: an answer fed in batches, parsed incrementally, aligned to the
truth and explained step by step, with the samples, feeds and timings around it.

No Textual, rich, typer or openai here (the TUI renders what this layer computes; the tests
and the benchmarks drive it directly). It may import :mod:`tmtui.core`, :mod:`tmtui.io` and
:mod:`tmtui.scoring`.

* :mod:`~tmtui.live.trace` — :class:`Trace` (one answer to one instance) and :class:`Changes`.
* :mod:`~tmtui.live.text_lines` — append-only text kept as lines.
* :mod:`~tmtui.live.sample` — a sample to debug (an instance and an answer).
* :mod:`~tmtui.live.catalog` — the scored samples of a saved file (``tmtui view``).
* :mod:`~tmtui.live.feeds` — a recorded answer replayed as stream events.
* :mod:`~tmtui.live.timing` — what a recording had written at time t.
* :mod:`~tmtui.live.status` — what a stream is doing (state, tokens, times).
* :mod:`~tmtui.live.readings` — where the strict parser and the official regex disagree.
"""
