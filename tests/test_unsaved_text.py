"""Text typed into a segment but not saved: kept in DIR/drafts, found after a crash, never in
bundles or exports."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from storage import Project, SegmentDraft
from storage.core.errors import ReadOnlyError
from storage.team.bundle_export import export_bundle

TYPED = "Ерлан: емхана жаңа онлайн жазылу ашты (typed, not saved)"


def _project(tmp_path: Path) -> tuple[Project, list[str], str]:
    project = Project.create(tmp_path / "Study.fieldscribe", coder="coder-a")
    session = project.sessions.add_session("Focus group 1")
    segs = project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(i * 1000, i * 1000 + 900, f"segment {i} talks about clinics", "S1")
            for i in range(4)
        ],
    )
    return project, [s.id for s in segs], session.id


def test_keep_read_clear(tmp_path: Path) -> None:
    project, segs, sid = _project(tmp_path)
    with project:
        path = project.unsaved_text.keep(segs[2], sid, "segment 2 talks about clinics", TYPED)
        assert path == project.folder / "drafts" / f"segment-{segs[2]}.json"
        record = json.loads(path.read_text(encoding="utf-8"))
        assert record["segment_id"] == segs[2] and record["session_id"] == sid
        assert record["base_text"] == "segment 2 talks about clinics"
        assert record["text"] == TYPED and record["saved_at"].endswith("Z")
        kept = project.unsaved_text.read(segs[2])
        assert kept is not None
        assert (kept.state, kept.number, kept.start_ms, kept.speaker) == ("current", 3, 2000, "S1")
        assert kept.text == TYPED
        # newer typing replaces the file, and no temporary file stays beside it
        project.unsaved_text.keep(segs[2], sid, "segment 2 talks about clinics", TYPED + "!")
        assert [p.name for p in (project.folder / "drafts").iterdir()] == [path.name]
        # an edit saved with the older text leaves the newer typing kept
        assert not project.unsaved_text.clear(segs[2], text=TYPED)
        assert project.unsaved_text.read(segs[2]) is not None
        assert project.unsaved_text.clear(segs[2], text=TYPED + "!")
        assert project.unsaved_text.read(segs[2]) is None
        assert not project.unsaved_text.clear(segs[2])
        assert project.unsaved_text.left() == []


def test_left_after_a_crash_says_whether_the_segment_changed_or_is_gone(tmp_path: Path) -> None:
    project, segs, sid = _project(tmp_path)
    base = "segment {} talks about clinics"
    for i in (0, 1, 3):
        project.unsaved_text.keep(segs[i], sid, base.format(i), f"{TYPED} {i}")
    folder = project.folder
    project.close()  # as a crash would: the files stay
    with Project.open(folder) as project:
        project.transcript.update_segment(segs[1], text="merged from a bundle meanwhile")
        project.transcript.delete_segment(segs[3])
        left = {k.segment_id: k for k in project.unsaved_text.left()}
        assert left[segs[0]].state == "current" and left[segs[0]].number == 1
        assert left[segs[1]].state == "changed"
        assert left[segs[1]].stored_text == "merged from a bundle meanwhile"
        assert left[segs[3]].state == "gone" and left[segs[3]].number is None
        assert left[segs[3]].text == f"{TYPED} 3"  # still there to copy
        assert [k.segment_id for k in project.unsaved_text.left(session_id="other")] == []
        assert len(project.unsaved_text.left(session_id=sid)) == 3


def test_text_the_segment_already_holds_is_not_offered(tmp_path: Path) -> None:
    """The edit was saved, and the program stopped before removing the file: nothing lost."""
    project, segs, sid = _project(tmp_path)
    with project:
        project.unsaved_text.keep(segs[0], sid, "segment 0 talks about clinics", TYPED)
        project.transcript.update_segment(segs[0], text=TYPED)
        assert project.unsaved_text.left() == []
        assert not project.unsaved_text.path(segs[0]).exists()


def test_a_crash_while_writing_leaves_the_previous_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, segs, sid = _project(tmp_path)
    with project:
        project.unsaved_text.keep(segs[0], sid, "segment 0 talks about clinics", TYPED)
        real_write = Path.write_text

        def torn(self: Path, data: str, *args: object, **kwargs: object) -> int:
            real_write(self, data[:10], encoding="utf-8")  # half written, then the crash
            raise KeyboardInterrupt

        monkeypatch.setattr(Path, "write_text", torn)
        with pytest.raises(KeyboardInterrupt):
            project.unsaved_text.keep(segs[0], sid, "segment 0 talks about clinics", "newer")
        monkeypatch.undo()
        kept = project.unsaved_text.read(segs[0])
        assert kept is not None and kept.text == TYPED
        assert sorted(p.name for p in (project.folder / "drafts").iterdir()) == [
            f"segment-{segs[0]}.json"
        ]


def test_an_unreadable_file_is_left_alone(tmp_path: Path) -> None:
    project, segs, _sid = _project(tmp_path)
    with project:
        (project.folder / "drafts").mkdir()
        bad = project.folder / "drafts" / f"segment-{segs[0]}.json"
        bad.write_text("{not json", encoding="utf-8")
        assert project.unsaved_text.left() == []
        assert bad.exists()


def test_an_odd_segment_id_gets_a_safe_file_name(tmp_path: Path) -> None:
    project, _segs, sid = _project(tmp_path)
    with project:
        path = project.unsaved_text.keep("{../../x}", sid, "", TYPED)
        assert path.parent == project.folder / "drafts" and ".." not in path.name
        kept = project.unsaved_text.read("{../../x}")
        assert kept is not None and kept.state == "gone" and kept.text == TYPED


def test_read_only_project_keeps_nothing(tmp_path: Path) -> None:
    project, segs, sid = _project(tmp_path)
    folder = project.folder
    project.close()
    with Project.open(folder, readonly=True) as ro:
        with pytest.raises(ReadOnlyError):
            ro.unsaved_text.keep(segs[0], sid, "segment 0 talks about clinics", TYPED)
    assert not (folder / "drafts").exists()


def test_typed_text_never_travels_in_a_bundle(tmp_path: Path) -> None:
    project, segs, sid = _project(tmp_path)
    with project:
        project.unsaved_text.keep(segs[0], sid, "segment 0 talks about clinics", TYPED)
        export_bundle(project, tmp_path / "out.fsbundle", with_media=True)
    with zipfile.ZipFile(tmp_path / "out.fsbundle") as zf:
        names = zf.namelist()
        assert not [
            n for n in names if "draft" in n or (n.endswith(".json") and n != "manifest.json")
        ]
        for name in names:
            assert TYPED.encode() not in zf.read(name), name
        zf.extract("project.db", tmp_path / "unzipped")
    conn = sqlite3.connect(tmp_path / "unzipped" / "project.db")
    texts = [r[0] for r in conn.execute("SELECT text FROM segments")]
    conn.close()
    assert TYPED not in texts and len(texts) == 4
