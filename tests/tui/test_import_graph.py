"""The import graph: no circles (in the TUI, and anywhere in tmtui), widgets that know no
feed, a controller that knows no widget, and a live layer that knows no TUI.

Read from the source (every ``import``, at the top, inside a function or under
``TYPE_CHECKING``), so a lazy import cannot hide a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tmtui

ROOT = Path(tmtui.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    out = {}
    for f in ROOT.rglob("*.py"):
        parts = f.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = f
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for name, f in mods.items():
        package = name if f.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in mods}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for a in node.names:
                    full = f"{base}.{a.name}"
                    if full in mods:
                        deps.add(full)
                    elif base in mods:
                        deps.add(base)
        deps.discard(name)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_through_the_tui_or_the_live_layer() -> None:
    graph = _graph()
    assert "tmtui.tui.screens.watch" in graph and "tmtui.live.trace" in graph
    mine = [c for c in _cycles(graph) if any(m.startswith(("tmtui.tui", "tmtui.live")) for m in c)]
    assert mine == []


def test_no_import_circle_anywhere_in_tmtui() -> None:
    """Not in the TUI, and nowhere else either (the CLI's human commands and their browser
    commands, the sources and the human-store reader, a session and what it shows, a report's
    builder and its assembly each made one once)."""
    assert _cycles(_graph()) == []


def test_who_may_import_whom() -> None:
    graph = _graph()
    for name, deps in graph.items():
        if name.startswith("tmtui.live"):
            bad = {d for d in deps if d.startswith(("tmtui.tui", "tmtui.model", "tmtui.cli"))}
            assert not bad, f"{name} (headless) imports {bad}"
        if name.startswith("tmtui.tui.widgets"):
            feeds = {"tmtui.live.feeds", "tmtui.model.feed", "tmtui.tui.controller"}
            assert not deps & feeds, f"the widget {name} imports a feed: {deps & feeds}"
            screens = {d for d in deps if d.startswith(("tmtui.tui.screens", "tmtui.tui.app"))}
            assert not screens, f"the widget {name} imports {screens}"
    controller = graph["tmtui.tui.controller"]
    assert not {d for d in controller if d.startswith("tmtui.tui.widgets")}
    # the actions mixin does not import the screen it mixes into; screens never import the app
    assert "tmtui.tui.screens.watch" not in graph["tmtui.tui.screens.actions"]
    for name, deps in graph.items():
        if name.startswith("tmtui.tui.screens"):
            assert "tmtui.tui.app" not in deps, name
