"""Messages of every layer count in words ("1 segment", "2 segments"), never "segment(s)"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from storage.core.errors import InUseError
from storage.core.words import plural
from storage.interop.qdpx_import.context import ImportReport

ROOT = Path(__file__).resolve().parent.parent
# "segment(s)", and "{what}(s)" where a word is put together in an f-string
_EITHER = re.compile(r"[A-Za-z}]\(s\)")


def _texts(source: str) -> list[tuple[int, str]]:
    """The string literals and f-strings of a module (docstrings left out), an f-string's
    placeholders written as ``}``."""
    tree = ast.parse(source)
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "}" for v in node.values)
            found.append((node.lineno, str(text)))
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
        ):
            found.append((node.lineno, node.value))
    return found


def test_no_message_says_either_one_or_many() -> None:
    """storage/, transcribe/, analysis/, cli/ and gui/ said "2 session(s)", "1 coding(s) refer
    to", "Worker(s) ... run", "{what}(s) of codes" in reports, errors and dialogs."""
    either = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for package in ("storage", "transcribe", "analysis", "cli", "gui")
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, text in _texts(path.read_text(encoding="utf-8"))
        if _EITHER.search(text)
    ]
    assert not either, "\n".join(either)


def test_the_scan_finds_what_it_looks_for() -> None:
    source = 'x = f"{n} coding(s)"\ny = f"{n} {what}(s) of codes"\nz = "Worker(s) run"\n'
    assert sorted({line for line, text in _texts(source) if _EITHER.search(text)}) == [1, 2, 3]
    assert not [t for _, t in _texts('"""A doc(s)."""\nint(s)\n') if _EITHER.search(t)]


@given(n=st.integers(0, 3), m=st.integers(0, 3))
def test_qdpx_import_report_counts_in_words(n: int, m: int) -> None:
    """The REFI-QDA import said "Imported F into P: 1 session(s), 1 segment(s), ..."."""
    report = ImportReport(
        "a.qdpx", "P", sessions=n, segments=m, codes=n, codings=m, media_files=n, memos=m
    )
    first = report.describe().splitlines()[0]
    for count, word in ((n, "session"), (m, "segment"), (n, "new code"), (m, "coding")):
        assert plural(count, word) in first, first
    assert f"{plural(n, 'media file')}." in first and "(s)" not in first, first


@pytest.mark.parametrize("n", [1, 3])
def test_speaker_corrections_refusal_counts_in_words(tmp_path: Path, n: int) -> None:
    """``speakers`` over hand-corrected speakers said "1 segments of session ... have"."""
    with Project.create(tmp_path / "p", coder="ann") as p:
        session = p.sessions.add_session("FG")
        segs = p.transcript.add_segments(
            session.id, [SegmentDraft(i * 1000, i * 1000 + 500, "w") for i in range(4)]
        )
        p.speakers.reassign_segments([s.id for s in segs[:n]], "Anna")
        with pytest.raises(InUseError) as caught:
            p.speakers.apply_speaker_labels(session.id, [])
    said = str(caught.value)
    expected = "1 segment of session" if n == 1 else f"{n} segments of session"
    assert said.startswith(expected) and ("has its speaker" if n == 1 else "have") in said
