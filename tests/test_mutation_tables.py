"""Each lab's checker has a mutation-testing table (made by ``python tools/mutation.py LAB``, a
script, not a test: it runs the checker once per mutant) and no survivor in it is unexplained:
each one is either killed by a checker test or explained in the lab's equivalent_mutants.toml."""

from __future__ import annotations

import tomllib

import pytest

from conftest import REPO
from dslab.labs import NAMES


@pytest.mark.parametrize("lab", NAMES)
def test_the_lab_has_a_mutation_table_with_no_unexplained_survivor(lab):
    table = REPO / "docs" / "mutation" / f"{lab}.md"
    assert table.is_file(), f"run python tools/mutation.py {lab} and commit {table.name}"
    text = table.read_text(encoding="utf-8")
    assert "UNEXPLAINED" not in text, (
        f"docs/mutation/{lab}.md lists a survivor nobody has explained: kill it with a checker "
        f"test, or say why it changes nothing in tests/labs/{lab}/equivalent_mutants.toml")


@pytest.mark.parametrize("lab", NAMES)
def test_every_explanation_names_a_survivor_of_the_table(lab):
    path = REPO / "tests" / "labs" / lab / "equivalent_mutants.toml"
    why = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    text = (REPO / "docs" / "mutation" / f"{lab}.md").read_text(encoding="utf-8")
    stale = [k for k in why if f"`{k}`" not in text]
    assert not stale, f"explanations for mutants the table no longer lists: {stale}"
    assert all(len(v.split()) >= 4 for v in why.values()), "say why, in a sentence"
