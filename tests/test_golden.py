"""The README's commands print the same JSON as when these files were written: a change to the
core or a lab that moves a number by accident fails here. (Written when the contract's second
edition landed; metrics, theory and checks were byte-identical to the first edition's, and the
params lost only the fields of other experiments.) After a deliberate change, regenerate with
``dslab <command> --json > tests/golden/<name>.json`` and say why in the commit."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from dslab.cli import main

COMMANDS = {
    "raft-partition": ["run", "raft", "--partition"],
    "queueing-m-m-4": ["run", "queueing", "--set", "servers=4", "--set", "arrival_rate_per_s=340"],
    "hashing-add-node": ["run", "hashing", "--add-node"],
    "retries-layers": ["run", "retries", "--layers"],
    "quorum-sloppy": ["run", "quorum", "--sloppy"],
    "stampede-mass-expiry": ["run", "stampede", "--mass-expiry"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_command_prints_the_pinned_json(name, capsys):
    assert main([*COMMANDS[name], "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    pinned = json.loads((REPO / "tests" / "golden" / f"{name}.json").read_text())
    for part in ("params", "metrics", "theory", "checks"):
        assert printed[part] == pinned[part], f"{name}: {part} changed"
    assert printed == pinned
