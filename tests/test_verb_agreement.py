"""The verb that agrees with a count comes from ``storage.core.words.verb`` ("1 coding refers",
"3 codings refer"), never from a ternary written where the message is."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.core.words import plural, verb

ROOT = Path(__file__).resolve().parent.parent

# an independent model: verbs for one thing and their forms for many, written out by hand
FOR_MANY = {
    "was": "were",
    "is": "are",
    "has": "have",
    "does": "do",
    "goes": "go",
    "refers": "refer",
    "names": "name",
    "points": "point",
    "starts": "start",
    "ends": "end",
    "runs": "run",
    "differs": "differ",
    "reaches": "reach",
    "passes": "pass",
    "washes": "wash",
    "fixes": "fix",
    "buzzes": "buzz",
    "applies": "apply",
    "carries": "carry",
    "uses": "use",
    "sizes": "size",
    "dies": "die",
    "says": "say",
    "Was": "Were",
    "Refers": "Refer",
}


@given(n=st.integers(-3, 10**6), one=st.sampled_from(sorted(FOR_MANY)))
def test_a_verb_agrees_with_its_count(n: int, one: str) -> None:
    assert verb(n, one) == (one if n == 1 else FOR_MANY[one])


@given(
    n=st.integers(-3, 10**6),
    noun=st.sampled_from(["coding", "segment", "line end", "note reference"]),
    one=st.sampled_from(sorted(FOR_MANY)),
)
def test_a_count_and_its_verb_read_together(n: int, noun: str, one: str) -> None:
    said = f"{plural(n, noun)} {verb(n, one)}"
    assert said == (f"1 {noun} {one}" if n == 1 else f"{n} {noun}s {FOR_MANY[one]}")


@given(n=st.integers(-3, 10**6), one=st.text(min_size=1), many=st.text())
def test_a_phrase_for_many_is_taken_as_given(n: int, one: str, many: str) -> None:
    assert verb(n, one, many) == (one if n == 1 else many)


def test_the_examples_of_the_docstring() -> None:
    assert f"{plural(1, 'coding')} {verb(1, 'refers')}" == "1 coding refers"
    assert f"{plural(3, 'coding')} {verb(3, 'refers')}" == "3 codings refer"
    assert verb(0, "has its speaker", "have speakers") == "have speakers"


@pytest.mark.parametrize("one", ["refer", "it was", "pass", "as", "", "was!", "x's"])
@pytest.mark.parametrize("n", [1, 2])
def test_what_is_not_one_verb_for_one_thing_is_refused_at_any_count(n: int, one: str) -> None:
    """Refused for a count of 1 too, so that a wrong call fails in the first test that runs it."""
    with pytest.raises(ValueError, match="give its form for many too"):
        verb(n, one)


# ------------------------------------------------------------------------- the scan
_ONE_THEN_MANY = (ast.Eq, ast.LtE)  # `n == 1`, `n <= 1`: the first branch is for one
_MANY_THEN_ONE = (ast.NotEq, ast.Gt, ast.GtE)  # `n != 1`, `n > 1`: the second is
_IRREGULAR = {("was", "were"), ("is", "are"), ("has", "have"), ("does", "do")}


def _words(node: ast.expr) -> set[str] | None:
    """The words of a branch written as a string (an f-string's text between placeholders)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return set(node.value.split())
    if isinstance(node, ast.JoinedStr):
        text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return set(str(text).split())
    return None


def _for_one_first(test: ast.expr) -> bool | None:
    """Whether the ternary's first branch is for a count of one (``x == 1``), its second
    (``x != 1``, ``x > 1``), or None where the test compares nothing with 1."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        right = test.comparators[0]
        if isinstance(right, ast.Constant) and right.value == 1:
            if isinstance(test.ops[0], _ONE_THEN_MANY):
                return True
            if isinstance(test.ops[0], _MANY_THEN_ONE):
                return False
    return None


def _agrees(one: set[str], many: set[str]) -> bool:
    """A word for one in ``one`` has its form for many in ``many``."""
    for word in one - many:
        try:
            if verb(2, word) in many:
                return True
        except ValueError:
            continue
    return False


def inline_agreements(source: str) -> list[int]:
    """The lines of ``'was' if n == 1 else 'were'``-style ternaries: a verb and its form for
    many in the two branches. Where the test compares nothing with 1 (``if one``) only
    was/were, is/are, has/have and does/do are told from a noun's plural."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.IfExp):
            continue
        first, second = _words(node.body), _words(node.orelse)
        if first is None or second is None:
            continue
        order = _for_one_first(node.test)
        if order is None:
            pairs = {(a, b) for a in first | second for b in first | second}
            hit = bool(pairs & _IRREGULAR)
        else:
            hit = _agrees(first, second) if order else _agrees(second, first)
        if hit:
            found.append(node.lineno)
    return sorted(found)


def _product_lines(scan: Callable[[str], list[int]]) -> list[str]:
    """``path:line`` of each place ``scan`` finds in main.py and the product's packages."""
    files = [ROOT / "main.py"] + [
        path
        for package in ("storage", "transcribe", "analysis", "cli", "gui")
        for path in sorted((ROOT / package).rglob("*.py"))
    ]
    return [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        for line in scan(path.read_text(encoding="utf-8"))
    ]


def test_no_verb_agrees_with_a_count_inline() -> None:
    """storage/, transcribe/, gui/, cli/ and main.py wrote the verb that agrees with a count
    some 40 times as `'was' if n == 1 else 'were'`; ``verb(n, "was")`` says it now."""
    inline = _product_lines(inline_agreements)
    assert not inline, "write these with storage.core.words.verb:\n" + "\n".join(inline)


def test_the_scan_finds_what_it_looks_for() -> None:
    source = "\n".join(
        [
            "a = f\"{'was' if n == 1 else 'were'} kept\"",
            "b = 'were' if len(x) != 1 else 'was'",
            "c = 'refers' if count == 1 else 'refer'",
            "d = 'has a timestamp' if n == 1 else 'have timestamps'",
            "e = 'it if it is' if len(s) == 1 else 'those that are'",
            "f = 'reach' if len(x) > 1 else 'reaches'",
            "g = 'it was' if one else 'they were'",
            "h = f'{a} is' if n == 1 else f'{a} are'",
        ]
    )
    assert inline_agreements(source) == [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize(
    "source",
    [
        "'id' if len(unknown) == 1 else 'ids'",
        "'Sessions' if several else 'Session'",
        "'names' if one else 'name'",  # a regular verb under a test that is no count: missed
        "'its' if n == 1 else 'their'",
        "'it' if n == 1 else 'them'",
        "'these sessions' if len(found) > 1 else 'this session'",
        "'It was' if n == 1 else 'Each was'",
        "'starts' if starts[0] else 'ends'",
        "verb(n, 'was')",
    ],
)
def test_the_scan_leaves_nouns_pronouns_and_the_helper_alone(source: str) -> None:
    assert inline_agreements(source) == []


def inline_plural_endings(source: str) -> list[int]:
    """The lines of ``f"{n} segment{'s' if n != 1 else ''}"``-style ternaries: a noun's
    ending chosen by a count with 1, where ``plural`` says it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.IfExp)
            and _for_one_first(node.test) is not None
            and {_words_text(node.body), _words_text(node.orelse)} in ({"", "s"}, {"", "es"})
        ):
            found.append(node.lineno)
    return sorted(found)


def _words_text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def test_no_noun_ending_agrees_with_a_count_inline() -> None:
    """``transcribe/runner.py``, ``storage/team/conflicts.py``, ``gui/team_conflicts.py`` and
    ``storage/interop/_common.py`` wrote "segment{'s' if n != 1 else ''}" beside ``plural``."""
    inline = _product_lines(inline_plural_endings)
    assert not inline, "write these with storage.core.words.plural:\n" + "\n".join(inline)


def test_the_ending_scan_finds_what_it_looks_for() -> None:
    source = "\n".join(
        [
            "a = f\"{n} segment{'s' if n != 1 else ''}\"",
            "b = f\"{n} line{'' if n == 1 else 's'}\"",
            "c = f\"{n} match{'es' if count > 1 else ''}\"",
            "d = f\"{n} file{'s' if many else ''}\"",  # not a count with 1: left alone
            "e = 'x' if n == 1 else 'y'",
        ]
    )
    assert inline_plural_endings(source) == [1, 2, 3]
