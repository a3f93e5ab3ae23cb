"""One rule step explained: which single mistake turns the right next queue into the one the
model wrote (wrong head, wrong production, wrong deletion count, or the retained middle copied
wrongly: symbols dropped, duplicated, inserted or substituted at a position)."""

from __future__ import annotations

from tmtui.core.align import differing_span
from tmtui.core.kinds import Kind
from tmtui.core.parsed import StepOccurrence
from tmtui.core.tagsystem import TagSystem

__all__ = ["copy_diff", "explain_transition"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def copy_diff(expected: str, got: str) -> tuple[str, dict]:
    """Describe how ``got`` differs from ``expected`` as one edit at one position."""
    p, e_end, g_end = differing_span(expected, got)
    e_mid = expected[p:e_end]
    g_mid = got[p:g_end]
    # "index" is 0-based; messages speak of the 1-based position of the first symbol affected
    detail = {"index": p, "expected": e_mid, "got": g_mid}
    pos = p + 1
    if not g_mid:
        detail["op"] = "dropped"
        detail["count"] = len(e_mid)
        return f"dropped {_plural(len(e_mid), 'symbol')} at position {pos}", detail
    if not e_mid:
        n = len(g_mid)
        around = expected[max(0, p - n) : p] + "|" + expected[p : p + n]
        dup = expected[max(0, p - n) : p] == g_mid or expected[p : p + n] == g_mid
        detail["op"] = "duplicated" if dup else "inserted"
        detail["count"] = n
        detail["context"] = around
        verb = "duplicated" if dup else "inserted"
        return f"{verb} {_plural(n, 'symbol')} at position {pos}", detail
    if len(e_mid) == len(g_mid):
        n = sum(1 for a, b in zip(e_mid, g_mid, strict=True) if a != b)
        detail["op"] = "substituted"
        detail["count"] = n
        return f"substituted {_plural(n, 'symbol')} at position {pos}", detail
    detail["op"] = "garbled"
    detail["count"] = max(len(e_mid), len(g_mid))
    return (
        f"garbled {len(e_mid)} symbols into {len(g_mid)} at position {pos}",
        detail,
    )


def explain_transition(
    system: TagSystem, prev: str, got: str, claims: StepOccurrence | None = None
) -> tuple[Kind, str, dict]:
    """Which single mistake turns one rule step from ``prev`` into ``got``.

    ``prev`` must not be a halting queue; ``got`` differs from the right next queue. What the
    model said it did (its ``Head Symbol:`` and ``Action: Append ... Remove ...`` lines, in
    ``claims``) decides between explanations that give the same queue, e.g. a production never
    appended versus a block dropped from a periodic middle.
    """
    m = system.m
    res = system.step(prev)
    if res is None:
        return Kind.FAILURE_TO_HALT, "stepped from a halting queue", {}
    head, prod, rest = res.head, res.production, prev[m:]
    if got == prev:
        return Kind.STALE_STATE, "wrote the previous queue again unchanged", {}
    prods = system.productions
    claimed_head = claims.head_claim if claims else None
    claimed_app = claims.append_claim if claims else None
    claimed_rem = claims.remove_claim if claims else None
    # 1. what the model said it did, when that was wrong
    if (
        claimed_head
        and claimed_head != head
        and claimed_head in prods
        and (claimed_app is None or claimed_app == prods[claimed_head])
    ):
        return (
            Kind.WRONG_HEAD,
            f"read head {claimed_head} instead of {head}",
            {"head": head, "read": claimed_head, "claimed": True},
        )
    if claimed_app is not None and claimed_app != prod:
        for sym in system.alphabet:
            if sym != head and prods.get(sym) == claimed_app:
                return (
                    Kind.WRONG_HEAD,
                    f"read head {sym} instead of {head} (appended {sym}'s production)",
                    {"head": head, "read": sym, "appended": claimed_app, "claimed": True},
                )
        return (
            Kind.WRONG_PRODUCTION,
            f"appended {claimed_app or 'nothing'} instead of {prod} (head {head})",
            {"head": head, "production": prod, "appended": claimed_app, "claimed": True},
        )
    if claimed_rem is not None and len(claimed_rem) != m and claimed_rem:
        return (
            Kind.WRONG_DELETION,
            f"deleted {len(claimed_rem)} symbols instead of {m}",
            {"deleted": len(claimed_rem), "m": m, "claimed": True},
        )
    # 2. the queue alone
    if got.startswith(rest):
        tail = got[len(rest) :]
        for sym in system.alphabet:
            if sym != head and prods.get(sym) == tail:
                return (
                    Kind.WRONG_HEAD,
                    f"read head {sym} instead of {head} (appended {sym}'s production)",
                    {"head": head, "read": sym, "appended": tail},
                )
    # deleting the wrong number of symbols: none, one too few or too many, or twice m (a
    # larger count that fits is taken as symbols dropped from a periodic middle instead)
    if got.endswith(prod):
        kept = got[: len(got) - len(prod)]
        d = len(prev) - len(kept)
        if d != m and d in (0, m - 1, m + 1, 2 * m) and prev.endswith(kept):
            return (
                Kind.WRONG_DELETION,
                f"deleted {d} symbols instead of {m}",
                {"deleted": d, "m": m},
            )
        # production right: the retained middle was copied wrong
        msg, detail = copy_diff(rest, kept)
        return Kind.COPY_ERROR, f"copy error: {msg}", detail
    if got.startswith(rest):
        tail = got[len(rest) :]
        return (
            Kind.WRONG_PRODUCTION,
            f"appended {tail or 'nothing'} instead of {prod} (head {head})",
            {"head": head, "production": prod, "appended": tail},
        )
    msg, detail = copy_diff(rest + prod, got)
    return Kind.OTHER, f"queue differs: {msg}", detail
