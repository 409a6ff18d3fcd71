"""Typing kept unsaved (DIR/drafts) obeys the privacy operations: ``redact --destroy``,
``pseudonym --apply`` and forgetting a deleted session for good leave no copy of the words on
disk (docs/PRIVACY.md). The raw files under the project folder are read."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from storage import Project, SegmentDraft
from storage.interop.qdpx_export import export_qdpx
from storage.interop.transcript_export import export_transcript
from storage.privacy.text import Replacement, rewrite_typed
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

ROOT = Path(__file__).resolve().parents[1]
PLACE = "Shymkentbay"  # redacted, then destroyed


def _files_holding(folder: Path, word: str) -> list[str]:
    """Files under ``folder`` whose bytes hold ``word`` (UTF-8; ASCII letters in any case)."""
    needle = word.encode().lower()
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and needle in p.read_bytes().lower()
    )


def _project(tmp_path: Path, texts: list[str]) -> tuple[Project, list[str], str]:
    project = Project.create(tmp_path / "Study.fieldscribe", coder="coder-a")
    session = project.sessions.add_session("Focus group 1")
    segs = project.transcript.add_segments(
        session.id,
        [SegmentDraft(i * 1000, i * 1000 + 900, t, "S1") for i, t in enumerate(texts)],
    )
    return project, [s.id for s in segs], session.id


def _raw(project: Project, segment_id: str) -> dict[str, str]:
    return dict(json.loads(project.unsaved_text.path(segment_id).read_text(encoding="utf-8")))


# ----------------------------------------------------------------- redact --destroy
def test_rewrite_typed_carries_the_spans_onto_the_typing() -> None:
    stored = f"she lives in {PLACE} now"
    span = stored.index(PLACE)
    reps = [Replacement(span, span + len(PLACE), "[PLACE]")]
    # typing elsewhere in the segment: the span is found where it moved
    assert rewrite_typed(stored, f"Then she lives in {PLACE} now!", reps) == (
        "Then she lives in [PLACE] now!"
    )
    # the typing corrects the destroyed word itself: what was typed in its place goes too
    assert rewrite_typed(stored, "she lives in Shymkentbai now", reps) == (
        "she lives in [PLACE] now"
    )
    # words typed beside it stay; letters typed onto it go with it
    assert rewrite_typed(stored, f"she lives in the city of {PLACE} now", reps) == (
        "she lives in the city of [PLACE] now"
    )
    assert rewrite_typed(stored, f"she lives in A{PLACE}skiy now", reps) == (
        "she lives in [PLACE] now"
    )
    # the typing deleted the word: nothing to replace, nothing else touched
    assert rewrite_typed(stored, "she lives in  now", reps) == "she lives in  now"
    # untouched typing gets the segment's own result
    assert rewrite_typed(stored, stored, reps) == "she lives in [PLACE] now"


def test_destroy_rewrites_the_typing_kept_for_the_segment(tmp_path: Path) -> None:
    stored = f"she lives in {PLACE} now, near the clinic"
    project, segs, sid = _project(tmp_path, [stored, "an unrelated segment"])
    with project:
        # a coder corrects the very name (the misspelling is not the destroyed word) and
        # adds to the segment; a window killed meanwhile left it in DIR/drafts
        typed = "Then she lives in Shymkentbai now, near the clinic (Shymkentbay district)"
        project.unsaved_text.keep(segs[0], sid, stored, typed)
        project.unsaved_text.keep(segs[1], sid, "an unrelated segment", "an unrelated one")
        start = stored.index(PLACE)
        red = project.redactions.redact(segs[0], start, start + len(PLACE), "PLACE")
        project.redactions.destroy_redactions([red.id])
        folder = project.folder
        # no file under the project folder holds the destroyed word, nor the typed spelling
        assert _files_holding(folder, PLACE) == []
        assert _files_holding(folder, "Shymkentbai") == []
        record = _raw(project, segs[0])
        assert record["text"] == "Then she lives in [PLACE] now, near the clinic ([PLACE] district)"
        # the text it was typed over is the segment's new text: Restore is still offered
        assert record["base_text"] == project.transcript.get_segment(segs[0]).text
        kept = project.unsaved_text.read(segs[0])
        assert kept is not None and kept.state == "current"
        assert _raw(project, segs[1])["text"] == "an unrelated one"  # other segments as they were
        (entry,) = project.audit.entries(action="destroy")
        assert entry.details["unsaved_texts"] == 1


def test_destroy_removes_kept_files_it_cannot_read(tmp_path: Path) -> None:
    """A torn or foreign file of the segment cannot be rewritten: it goes, as does a temporary
    file a crash left while writing one."""
    stored = f"she lives in {PLACE} now"
    project, segs, sid = _project(tmp_path, [stored])
    with project:
        path = project.unsaved_text.keep(segs[0], sid, stored, stored + "!")
        path.write_text(f'{{"text": "{PLACE} and more', encoding="utf-8")  # unreadable
        part = path.with_name(f".{path.name}.part")
        part.write_text(f"{PLACE} half written", encoding="utf-8")
        start = stored.index(PLACE)
        project.redactions.destroy_span(segs[0], start, start + len(PLACE), "PLACE")
        assert _files_holding(project.folder, PLACE) == []
        assert not path.exists() and not part.exists()


def test_destroy_from_the_command_line(tmp_path: Path) -> None:
    stored = f"she lives in {PLACE} now"
    project, segs, sid = _project(tmp_path, [stored])
    folder = project.folder
    project.unsaved_text.keep(segs[0], sid, stored, f"she lives in {PLACE} now, she said")
    start = stored.index(PLACE)
    project.close()
    done = subprocess.run(
        [
            *(sys.executable, str(ROOT / "main.py"), "redact", str(folder), "--destroy"),
            *("--segment", segs[0], "--span", f"{start}:{start + len(PLACE)}"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "The destroyed words were replaced in 1 unsaved text kept in drafts/ too" in done.stdout
    assert _files_holding(folder, PLACE) == []
    with Project.open(folder) as project:
        (kept,) = project.unsaved_text.left()
        assert kept.text == "she lives in [REDACTED] now, she said" and kept.state == "current"


# ----------------------------------------------------------------- pseudonym --apply
def test_apply_replaces_the_names_in_kept_typing(tmp_path: Path) -> None:
    stored = "Ерлан сказал, что Ерлану нужна запись"
    project, segs, sid = _project(tmp_path, [stored, "Айгерим молчала"])
    with project:
        other = project.sessions.add_session("Interview 2")
        (seg2,) = project.transcript.add_segments(
            other.id, [SegmentDraft(0, 900, "говорит Ерлан", "S1")]
        )
        project.unsaved_text.keep(segs[0], sid, stored, stored + ", а у Ерлана её нет")
        project.unsaved_text.keep(seg2.id, other.id, "говорит Ерлан", "говорит Ерлан снова")
        project.privacy.set_pseudonym("Ерлан", "Марат")
        # one session first: the other session's kept typing is not touched
        project.privacy.apply_pseudonyms(session_id=sid)
        record = _raw(project, segs[0])
        assert record["text"] == "Марат сказал, что Марату нужна запись, а у Марата её нет"
        assert record["base_text"] == project.transcript.get_segment(segs[0]).text
        kept = project.unsaved_text.read(segs[0])
        assert kept is not None and kept.state == "current"  # Restore still offered
        assert _raw(project, seg2.id)["text"] == "говорит Ерлан снова"
        project.privacy.apply_pseudonyms()  # the whole project
        assert _raw(project, seg2.id) == {
            **_raw(project, seg2.id),
            "base_text": "говорит Марат",
            "text": "говорит Марат снова",
        }
        drafts = project.folder / "drafts"
        assert _files_holding(drafts, "Ерлан") == []
        entries = project.audit.entries(action="pseudonym_apply")
        assert [e.details.get("unsaved_texts") for e in entries] == [1, 1]


def test_apply_keeps_a_form_rejected_as_another_person(tmp_path: Path) -> None:
    """What the reviewer said is not this person stays, in the typing as in the segment."""
    stored = "Ерлан и Ерлана пришли"
    project, segs, sid = _project(tmp_path, [stored])
    with project:
        project.unsaved_text.keep(segs[0], sid, stored, stored + " вместе")
        project.privacy.set_pseudonym("Ерлан", "Марат")
        candidates = project.privacy.pseudonym_candidates()
        keep = [c.id for c in candidates if c.matched != "Ерлана"]
        assert len(keep) == len(candidates) - 1
        project.privacy.apply_pseudonyms(keep)
        segment_text = project.transcript.get_segment(segs[0]).text
        record = _raw(project, segs[0])
        assert record["base_text"] == segment_text
        assert record["text"] == segment_text + " вместе"
        assert "Ерлана" in record["text"] and "Марат " in record["text"]


# ----------------------------------------------------------------- deleted sessions
def test_deleting_a_session_keeps_its_typing_forgetting_it_removes_it(tmp_path: Path) -> None:
    stored = f"she lives in {PLACE} now"
    project, segs, sid = _project(tmp_path, [stored, "second"])
    with project:
        project.unsaved_text.keep(segs[0], sid, stored, stored + " (typed)")
        project.sessions.delete_session(sid)
        # a coder's typing is data: still offered, to copy (its segment is gone)
        (kept,) = project.unsaved_text.left()
        assert kept.state == "gone" and kept.text == stored + " (typed)"
        project.sessions.restore_session(sid)
        (kept,) = project.unsaved_text.left()
        assert kept.state == "current"  # restored with its ids: Restore is offered again
        project.sessions.delete_session(sid)
        torn = project.unsaved_text.path(segs[1])
        torn.write_text(f'{{"text": "{PLACE} cut short', encoding="utf-8")  # cannot be read
        project.sessions.forget_deleted_session(sid)
        assert project.unsaved_text.left() == []
        assert not project.unsaved_text.path(segs[0]).exists() and not torn.exists()
        assert _files_holding(project.folder / "drafts", PLACE) == []
        (entry,) = project.audit.entries(action="session_forget")
        assert entry.details["unsaved_texts"] == 2


# ----------------------------------------------------------------- merges and exports
def test_a_merge_that_replaces_or_deletes_a_segment_leaves_the_typing_to_copy(
    tmp_path: Path,
) -> None:
    """Nothing lost: the kept typing stays, marked changed or gone (the bar offers Copy)."""
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    alice.transcript.update_segment(segs[1], text="alice corrected this one")
    alice.transcript.delete_segment(segs[2])
    export_bundle(alice, tmp_path / "alice.fsbundle")
    alice.close()
    with lead:
        texts = {i: lead.transcript.get_segment(i).text for i in segs[1:3]}
        sid = lead.transcript.get_segment(segs[1]).session_id
        for i in segs[1:3]:
            lead.unsaved_text.keep(i, sid, texts[i], texts[i] + " (the lead typed)")
        merge_bundles(lead, [tmp_path / "alice.fsbundle"])
        left = {k.segment_id: k for k in lead.unsaved_text.left()}
        assert left[segs[1]].state == "changed"
        assert left[segs[1]].stored_text == "alice corrected this one"
        assert left[segs[2]].state == "gone"
        assert [left[i].text for i in segs[1:3]] == [
            t + " (the lead typed)" for t in texts.values()
        ]


def test_kept_typing_is_in_no_export(tmp_path: Path) -> None:
    marker = "Qwertyzebra typed and never saved"
    project, segs, sid = _project(tmp_path, ["first segment", "second segment"])
    with project:
        project.unsaved_text.keep(segs[0], sid, "first segment", marker)
        export_qdpx(project, tmp_path / "out.qdpx")
        export_bundle(project, tmp_path / "out.fsbundle")
        for fmt in ("txt", "docx", "srt", "vtt", "json"):
            export_transcript(project, sid, fmt, tmp_path / f"out.{fmt}")
    for name in ("out.qdpx", "out.fsbundle"):
        with zipfile.ZipFile(tmp_path / name) as zf:
            for member in zf.namelist():
                assert "draft" not in member, (name, member)
                assert b"qwertyzebra" not in zf.read(member).lower(), (name, member)
    for fmt in ("txt", "srt", "vtt", "json"):
        assert "Qwertyzebra" not in (tmp_path / f"out.{fmt}").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "out.docx") as zf:
        assert not any(b"Qwertyzebra" in zf.read(m) for m in zf.namelist())
