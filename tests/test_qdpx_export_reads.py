"""A .qdpx export of a big project reads what it needs once (a focus-group series of 18,000
segments and 36,000 codings took 3.5 s; `bench/big_project_bench.py`)."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import storage.interop.qdpx_build as qdpx_build
from storage import Project, SegmentDraft
from storage.interop import export_qdpx
from storage.transcript.transcript import Transcript


def test_a_session_is_read_once_for_its_languages_and_a_users_guid_derived_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every session's segments were read twice for its languages (four times in all) and
    the coder's GUID derived (a uuid5) for each of the codings; the file is the same."""
    with Project.create(tmp_path / "a.fieldscribe", coder="aigerim") as p:
        code = p.codebook.ensure_code_path("Доверие")
        for n in range(2):
            session = p.sessions.add_session(f"Фокус-группа {n + 1}")
            segs = p.transcript.add_segments(session.id, [
                SegmentDraft(i * 1000, i * 1000 + 900, f"Сөз {i} слово", speaker="P1",
                             language="kk" if i % 2 else "ru")
                for i in range(6)
            ])  # fmt: skip
            for seg in segs:
                p.codebook.apply_code(seg.id, code.id)
        export_qdpx(p, tmp_path / "before.qdpx")  # nothing counted: the file to compare with
        reads: Counter[str] = Counter()
        derived: Counter[str] = Counter()
        real_segments, real_guid = Transcript.segments, qdpx_build.derived_guid

        def segments(self: Any, session_id: str, *args: Any, **kwargs: Any) -> Any:
            reads[session_id] += 1
            return real_segments(self, session_id, *args, **kwargs)

        def guid(*parts: str) -> str:
            derived["/".join(parts[1:])] += 1
            return real_guid(*parts)

        monkeypatch.setattr(Transcript, "segments", segments)
        monkeypatch.setattr(qdpx_build, "derived_guid", guid)
        export_qdpx(p, tmp_path / "after.qdpx")
    # its languages, its text, its media (which of its parts to silence): once each
    assert sorted(reads.values()) == [3, 3]
    assert derived["user/aigerim"] == 1
    with (
        zipfile.ZipFile(tmp_path / "before.qdpx") as a,
        zipfile.ZipFile(tmp_path / "after.qdpx") as b,
    ):
        assert a.read("project.qde") == b.read("project.qde")
