"""Structural rules of issue 7 the import contracts cannot state, read from the source.

* one scoring path: outside the core, only :mod:`tmtui.scoring` calls the core's per-sample
  scorer (everyone else calls ``tmtui.scoring.score_item`` and friends);
* the parser mode is one type (:class:`tmtui.core.parsed.ParserMode`): no ``"strict"`` or
  ``"tmbench"`` string stands for a parser mode in an argument, a default or a comparison;
* an :class:`~tmtui.core.datasets.Instance` is built from its parts only where a format is
  read or a dataset made; everywhere else it is rebuilt with ``Instance.replace`` or read through
  those readers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tmtui

ROOT = Path(tmtui.__file__).resolve().parent
MODES = {"strict", "tmbench"}
MODE_NAMES = {"mode", "parser", "parser_mode"}


def _files() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def _rel(f: Path) -> str:
    return f.relative_to(ROOT.parent).as_posix()


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_mode_literal(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in MODES


def mode_literals(tree: ast.AST) -> list[int]:
    """Lines where a "strict"/"tmbench" string is used as a parser mode."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in MODE_NAMES:
            if _is_mode_literal(node.value):
                lines.append(node.value.lineno)  # type: ignore[attr-defined]
        elif isinstance(node, ast.Call) and _name(node.func) in ("ParserMode", "of"):
            lines += [a.lineno for a in node.args if _is_mode_literal(a)]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            positional = args.posonlyargs + args.args
            with_defaults = positional[len(positional) - len(args.defaults) :]
            pairs = list(zip(with_defaults, args.defaults, strict=True))
            pairs += [
                (a, d)
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                if d is not None
            ]
            lines += [d.lineno for a, d in pairs if a.arg in MODE_NAMES and _is_mode_literal(d)]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            named = any((_name(s) or "") in MODE_NAMES for s in sides)
            if named and any(_is_mode_literal(s) for s in sides):
                lines.append(node.lineno)
            for s in sides:  # mode in ("strict", "tmbench")
                if (
                    named
                    and isinstance(s, ast.Tuple | ast.List | ast.Set)
                    and any(_is_mode_literal(e) for e in s.elts)
                ):
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_the_literal_finder_finds_modes_written_as_strings():
    code = """
score_files([p], mode="strict")
ParserMode("tmbench")
ParserMode.of("strict")
def f(x, parser="tmbench"): ...
if mode == "strict": ...
if parser in ("strict", "tmbench"): ...
render(inst, "tmbench")              # a prompt template: not a mode
label = "strict"                     # a word on screen: not a mode
score_files([p], mode=ParserMode.STRICT)
"""
    assert mode_literals(ast.parse(code)) == [2, 3, 4, 5, 6, 7]


def test_no_parser_mode_is_written_as_a_string():
    found = {}
    for f in _files():
        lines = mode_literals(ast.parse(f.read_text(encoding="utf-8")))
        if lines:
            found[_rel(f)] = lines
    assert found == {}, f"use tmtui.core.parsed.ParserMode, not a string: {found}"


def _imports_of(tree: ast.AST) -> set[tuple[str, str]]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out |= {(node.module, a.name) for a in node.names}
    return out


@pytest.mark.parametrize(
    ("module", "name", "allowed"),
    [
        # the core's per-sample scorer and its parsers, aligned: only the scoring path
        ("tmtui.core.score", "score_sample", ("tmtui/scoring/", "tmtui/core/")),
        ("tmtui.core.score", "compat_verdicts", ("tmtui/scoring/", "tmtui/core/")),
        # aligning a whole parse: the scoring path, and the runner's stream cutter (turns.py:
        # when to cut or continue a stream, not a score)
        ("tmtui.core.align", "align", ("tmtui/scoring/", "tmtui/core/", "tmtui/model/turns.py")),
    ],
)
def test_one_scoring_path(module, name, allowed):
    users = [
        _rel(f)
        for f in _files()
        if (module, name) in _imports_of(ast.parse(f.read_text(encoding="utf-8")))
        and not _rel(f).startswith(allowed)
    ]
    assert users == [], f"{module}.{name} outside the scoring path: {users}"


# where an Instance is made from its parts: generation, the prompt's inverse, and the readers
# of the official format and of tmtui records
BUILDERS = {
    "tmtui/core/datasets.py",
    "tmtui/core/prompts.py",
    "tmtui/io/official.py",
    "tmtui/io/records.py",
}


def test_an_instance_is_built_from_parts_only_by_its_readers():
    found = {}
    for f in _files():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        calls = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Instance"
        ]
        if calls and _rel(f) not in BUILDERS:
            found[_rel(f)] = calls
    assert found == {}, f"build it through io.records / Instance.replace: {found}"
