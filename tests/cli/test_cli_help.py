"""--help follows click's conventions: flags show no value, options show their kind of value in
capitals, arguments are named in capitals in the usage line; no paragraph is broken mid-line."""

from __future__ import annotations

import re

import pytest

from tests.cli.clihelp import invoke
from tmtui.cli.app import COMMANDS


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_follows_click_conventions(command):
    args = ["--help"] if command is None else [command, "--help"]
    out = invoke(*args).stdout
    for bad in ("<bool>", "<str>", "<int>", "<float>", "<Path>", "<list", "<strict"):
        assert bad not in out, f"{bad} in tmtui {command} --help"
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage
    assert re.search(r"Usage: tmtui( [a-z-]+)? \[OPTIONS\]", usage)


def test_flags_show_no_value_and_options_show_their_kind():
    out = invoke("score", "--help").stdout
    assert re.search(r"--json\s+Print one JSON object", out)
    assert re.search(r"--bootstrap\s+INTEGER", out)
    assert re.search(r"--parser\s+\[strict\|tmbench\]", out)
    assert "Usage: tmtui score [OPTIONS] FILES..." in out
    assert "Usage: tmtui watch [OPTIONS] [DATASET]" in invoke("watch", "--help").stdout
    assert re.search(r"--version\s+-V\s+Show the version", invoke("--help").stdout)


def test_no_paragraph_of_help_is_broken_mid_sentence():
    out = invoke("watch", "--help").stdout
    assert "(served on a loopback port" in out.replace("\n", " ").replace("  ", " ")
    assert "(served on \n" not in out


@pytest.mark.parametrize("command", ["score", "report", "watch", "view", "run"])
def test_every_command_that_scores_spells_the_parser_one_way(command):
    """One spelling (issue 7): `--parser strict|tmbench`, strict by default; the old `--compat`
    of score, watch and view is hidden."""
    out = invoke(command, "--help").stdout
    assert re.search(r"--parser\s+\[strict\|tmbench\]", out), command
    assert "[default: strict]" in out.split("--parser", 1)[1].split("│ --", 1)[0]
    assert "--compat " not in out
