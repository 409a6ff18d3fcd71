"""A new transcription of a session keeps every segment a person worked on.

Worked on: text or language corrected by hand, names replaced by pseudonyms, coded (whole or a
span), redacted, a speaker set by hand, a memo; typed or imported by hand. Without ``replace``
the run is refused in one line that names the kinds of work, before anything is decoded; with
it those segments are kept as they are and only untouched Whisper segments are replaced.

Whisper is faked here (storage is under test, as in tests/test_disk_full.py): the fake writes
the same four timed segments on every run, with the mapped real name in two of them.
``test_redacted_segment_with_the_real_command`` runs the real command and the real model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.errors import InvalidInputError
from storage.transcript.transcript import SegmentDraft
from tests.fake_whisper import FakeWhisperBase, use_fake_whisper
from tests.hardening_support import fingerprint, one_line_error, run_cli, tone_wav
from transcribe import runner
from transcribe.batches import ChunkResult
from transcribe.runner import NeedsReplaceError, transcribe_session

ROOT = Path(__file__).resolve().parent.parent
NAME, PSEUDONYM = "Скайлс", "П02"
LINES = [
    (0, 1000, f"{NAME} открыл запись в клинике."),
    (1000, 2000, "Пациентам понравилась очередь онлайн."),
    (2000, 3000, f"Потом {NAME} сказал спасибо."),
    (3000, 4000, "Встреча закончилась вовремя."),
]


class FakeWhisper(FakeWhisperBase):
    """The four ``LINES`` in Russian, one per batch; counts how often audio was decoded."""

    decoded = 0

    def transcribe_chunks(self, _path: Any, *, start_ms: int = 0, **_k: Any) -> Any:
        FakeWhisper.decoded += 1
        for i, (start, end, text) in enumerate(LINES):
            if start >= start_ms:
                draft = SegmentDraft(start, end, text, language="ru", confidence=0.9)
                yield ChunkResult([draft], start, end, "ru", final=i == len(LINES) - 1)

    def transcribe(self, _audio: Any, *, language: str | None = None, **_k: Any) -> Any:
        """One segment's audio (``runner.retranscribe_segment``): text in the language asked."""
        FakeWhisper.decoded += 1
        text = {"kk": "Кезек бар.", "en": "There is a queue."}.get(language or "", "Есть очередь.")
        yield SegmentDraft(0, 900, text, language=language or "ru", confidence=0.8)


@pytest.fixture
def fake_whisper(monkeypatch: pytest.MonkeyPatch) -> type[FakeWhisper]:
    use_fake_whisper(monkeypatch, FakeWhisper)
    FakeWhisper.decoded = 0
    return FakeWhisper


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_wav(tmp_path_factory.mktemp("audio") / "fg.wav", seconds=4.0)


def _transcribed(folder: Path, wav: Path) -> tuple[Project, str]:
    """A new project with one session transcribed by the fake (4 untouched segments)."""
    project = Project.create(folder, name="Study", coder="coder-a")
    session = project.sessions.import_audio(wav, title="FG")
    transcribe_session(project, session.id)
    return project, session.id


@pytest.fixture
def transcribed(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> Any:  # Iterator[tuple[Project, str]]
    project, sid = _transcribed(tmp_path / "Study.fieldscribe", wav)
    try:
        yield project, sid
    finally:
        project.close()


def _rows(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    conn = project.store.conn
    return {
        t: sorted((tuple(r) for r in conn.execute(f"SELECT * FROM {t}")), key=repr)
        for t in ("segments", "codings", "redactions", "memos", "transcription_state")
    }


def _refused_before_decoding(project: Project, sid: str, *kinds: str) -> str:
    """Re-transcribing without replace is refused, names ``kinds``, decodes nothing, changes
    nothing; returns the message."""
    before, decoded = _rows(project), FakeWhisper.decoded
    with pytest.raises(NeedsReplaceError) as caught:
        transcribe_session(project, sid)
    message = str(caught.value)
    assert "\n" not in message and "--replace" in message
    for kind in kinds:
        assert kind in message, message
    assert FakeWhisper.decoded == decoded  # refused before any decoding
    assert _rows(project) == before
    return message


def _no_dangling_rows(project: Project) -> None:
    conn = project.store.conn
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    dangling = conn.execute(
        "SELECT id FROM memos WHERE target_type = 'segment' AND target_id NOT IN "
        "(SELECT id FROM segments)"
    ).fetchall()
    assert dangling == []


def _cli_project(tmp_path: Path, wav: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    folder = tmp_path / "P.fieldscribe"
    assert run_cli(capsys, "new", folder, "--languages", "ru,kk")[0] == 0
    code, out, err = run_cli(capsys, "import", folder, wav, "--title", "FG", "--json")
    assert code == 0, err
    code, _out, err = run_cli(capsys, "transcribe", folder, "--session", "FG", "--json")
    assert code == 0, err
    return folder, json.loads(out)[0]["id"]


def _segments(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    code, out, err = run_cli(capsys, "segments", folder, "--session", "FG", "--json")
    assert code == 0, err
    segments: list[dict[str, Any]] = json.loads(out)
    return segments


def _content(folder: Path) -> tuple[list[str], dict[str, str]]:
    """The project's rows and files, without the planner's statistics (``PRAGMA optimize`` at
    close adds those for a table a command read through an index, as the refusal reads the
    redactions and memos)."""
    dump, files = fingerprint(folder)
    return [line for line in dump if "sqlite_stat" not in line], files


def _cli_refused(folder: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    before, decoded = _content(folder), FakeWhisper.decoded
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG")
    assert code == 1 and out == ""
    line = one_line_error(err)
    assert "--replace" in line and kind in line, line
    assert FakeWhisper.decoded == decoded and _content(folder) == before


# ------------------------------------------ redactions, codings, memos, speakers set by hand
def test_a_redacted_segment_is_protected_and_kept(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    first, *others = project.transcript.segments(sid)
    redaction = project.redactions.redact(first.id, 0, 6, "NAME")
    stats = project.transcription.transcript_stats(sid)
    assert (stats.redacted, stats.protected, stats.untouched) == (1, 1, 3)

    message = _refused_before_decoding(project, sid, "1 redacted")
    assert message.startswith("Session 'FG' has 1 segment holding someone's work")

    summary = transcribe_session(project, sid, replace=True)  # used to fail: FOREIGN KEY
    assert summary.segments_kept == 1 and summary.segments_replaced == 3
    segments = project.transcript.segments(sid)
    assert segments[0].id == first.id and len(segments) == 4
    assert not {s.id for s in others} & {s.id for s in segments}  # the untouched were replaced
    assert project.redactions.get_redaction(redaction.id).segment_id == first.id
    _no_dangling_rows(project)


def test_a_destroyed_redaction_keeps_its_segment_too(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    first = project.transcript.segments(sid)[0]
    project.redactions.destroy_span(first.id, 0, 6, "NAME")
    _refused_before_decoding(project, sid, "1 redacted")
    transcribe_session(project, sid, replace=True)
    kept = project.transcript.get_segment(first.id)
    assert kept.text.startswith("[NAME]") and NAME not in kept.text
    _no_dangling_rows(project)


def test_span_codings_memos_and_hand_set_speakers_are_protected(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    a, b, c, d = project.transcript.segments(sid)
    code = project.codebook.ensure_code_path("Услуги/Запись")
    span = project.codebook.apply_code(a.id, code.id, start_cp=0, end_cp=6)
    whole = project.codebook.apply_code(a.id, project.codebook.ensure_code_path("Итог").id)
    memo = project.codebook.add_memo("segment", b.id, "Проверить время.")
    project.speakers.reassign_segments([c.id], "Модератор")
    stats = project.transcription.transcript_stats(sid)
    assert (stats.coded_segments, stats.codings, stats.memos, stats.speakers) == (1, 2, 1, 1)
    assert stats.protected == 3 and stats.untouched == 1

    _refused_before_decoding(
        project, sid, "3 segments", "1 coded (2 codings)", "1 with a memo", "1 with a speaker"
    )
    summary = transcribe_session(project, sid, replace=True)
    assert summary.segments_kept == 3 and summary.codings_kept == 2
    ids = [s.id for s in project.transcript.segments(sid)]
    assert ids[:3] == [a.id, b.id, c.id] and d.id not in ids and len(ids) == 4
    assert {x.id for x in project.codebook.codings(segment_id=a.id)} == {span.id, whole.id}
    assert [m.id for m in project.codebook.memos("segment", b.id)] == [memo.id]
    assert project.transcript.get_segment(c.id).speaker == "Модератор"
    _no_dangling_rows(project)


def test_a_segment_with_several_kinds_of_work_is_counted_once(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    first = project.transcript.segments(sid)[0]
    project.transcript.update_segment(first.id, text=first.text + " (проверено)")
    project.codebook.apply_code(first.id, project.codebook.ensure_code_path("Итог").id)
    project.redactions.redact(first.id, 0, 6)
    stats = project.transcription.transcript_stats(sid)
    assert (stats.edited, stats.coded_segments, stats.redacted, stats.protected) == (1, 1, 1, 1)
    assert transcribe_session(project, sid, replace=True).segments_kept == 1


def test_cli_redact_then_transcribe(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _sid = _cli_project(tmp_path, wav, capsys)
    first = _segments(folder, capsys)[0]["id"]
    args = ("--segment", first, "--span", "0:10", "--category", "NAME")
    assert run_cli(capsys, "redact", folder, *args)[0] == 0
    _cli_refused(folder, capsys, "1 redacted")
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG", "--replace")
    assert code == 0, err  # was 70: IntegrityError: FOREIGN KEY constraint failed
    assert "Kept 1 segment holding" in out
    assert _segments(folder, capsys)[0]["id"] == first
    code, out, _err = run_cli(capsys, "redact", folder, "--list", "--json")
    assert [r["segment_id"] for r in json.loads(out)] == [first]


@pytest.mark.slow
def test_redacted_segment_with_the_real_command(tmp_path: Path) -> None:
    """The report's steps, with the real command, decoder and model (tiny.en)."""
    from tests.media import espeak

    audio = espeak(
        tmp_path / "s.wav",
        "The village clinic opened a new online booking service. Skyles said the committee "
        "met on Tuesday.",
    )
    folder = tmp_path / "P.fieldscribe"
    py = [sys.executable, str(ROOT / "main.py")]

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*py, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=300
        )

    assert run("new", folder, "--languages", "en").returncode == 0
    assert run("import", folder, audio, "--title", "FG").returncode == 0
    assert run("transcribe", folder, "--session", "FG").returncode == 0
    segments = json.loads(run("segments", folder, "--session", "FG", "--json").stdout)
    first = segments[0]["id"]
    assert (
        run("redact", folder, "--segment", first, "--span", "0:10", "--category", "NAME").returncode
        == 0
    )
    refused = run("transcribe", folder, "--session", "FG")
    assert refused.returncode == 1, refused.stderr
    assert one_line_error(refused.stderr) and "1 redacted" in refused.stderr
    replaced = run("transcribe", folder, "--session", "FG", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    after = json.loads(run("segments", folder, "--session", "FG", "--json").stdout)
    assert after[0]["id"] == first and after[0]["text"] == segments[0]["text"]


# -------------------------------------------------------------- a language corrected by hand
def test_a_hand_set_language_marks_the_segment_and_is_kept(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    second = project.transcript.segments(sid)[1]
    assert not second.edited
    same = project.transcript.update_segment(second.id, language="ru")  # no change: no work
    assert not same.edited and project.transcription.transcript_stats(sid).protected == 0
    corrected = project.transcript.update_segment(second.id, language="kk")
    assert corrected.edited and corrected.language == "kk"

    _refused_before_decoding(project, sid, "1 hand-edited (text, language or pseudonyms)")
    transcribe_session(project, sid, replace=True)
    kept = project.transcript.get_segment(second.id)  # same id: not replaced
    assert (kept.language, kept.text) == ("kk", second.text)
    assert len(project.transcript.segments(sid)) == 4  # the new segment over it was not added


def test_cli_segment_language_then_transcribe(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _sid = _cli_project(tmp_path, wav, capsys)
    second = _segments(folder, capsys)[1]["id"]
    code, out, err = run_cli(capsys, "segment-language", folder, second, "kk", "--json")
    assert code == 0, err
    assert json.loads(out)["edited"] is True and json.loads(out)["language"] == "kk"
    _cli_refused(folder, capsys, "1 hand-edited (text, language or pseudonyms)")
    code, _out, err = run_cli(capsys, "transcribe", folder, "--session", "FG", "--replace")
    assert code == 0, err
    kept = [s for s in _segments(folder, capsys) if s["id"] == second]
    assert len(kept) == 1 and kept[0]["language"] == "kk"


# -------------------------------------------------------------- names replaced by pseudonyms
def test_pseudonymised_segments_are_kept_and_the_name_does_not_come_back(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    a, b, c, _d = project.transcript.segments(sid)
    project.privacy.set_pseudonym(NAME, PSEUDONYM)
    report = project.privacy.apply_pseudonyms(session_id=sid)
    assert report.segments == 2
    assert [project.transcript.get_segment(x.id).edited for x in (a, b, c)] == [True, False, True]
    assert not project.transcript.search(NAME)

    _refused_before_decoding(project, sid, "2 hand-edited")
    summary = transcribe_session(project, sid, replace=True)
    assert summary.segments_kept == 2
    texts = [s.text for s in project.transcript.segments(sid)]
    assert texts[0].startswith(PSEUDONYM) and PSEUDONYM in texts[2]
    assert not any(NAME in t for t in texts)
    assert not project.transcript.search(NAME)  # nor in the search index
    assert project.privacy.pseudonym_candidates(sid) == []


def test_a_mapped_name_in_new_text_is_reported(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    first = project.transcript.segments(sid)[0]
    project.privacy.set_pseudonym(NAME, PSEUDONYM)
    project.privacy.apply_pseudonyms([c.id for c in project.privacy.pseudonym_candidates(sid)][:1])
    assert NAME not in project.transcript.get_segment(first.id).text
    summary = transcribe_session(project, sid, replace=True)
    # the other occurrence was left for review: the new run wrote it again, and says so
    notes = [n for n in summary.notes if "pseudonym mapping" in n]
    assert len(notes) == 1 and "1 occurrence of" in notes[0] and "--review" in notes[0]


def test_no_names_note_without_a_mapping(transcribed: tuple[Project, str]) -> None:
    project, sid = transcribed
    summary = transcribe_session(project, sid)
    assert not [n for n in summary.notes if "pseudonym" in n]


def test_cli_pseudonym_then_transcribe(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _sid = _cli_project(tmp_path, wav, capsys)
    assert run_cli(capsys, "pseudonym", folder, "--set", f"{NAME}={PSEUDONYM}")[0] == 0
    assert run_cli(capsys, "pseudonym", folder, "--apply")[0] == 0
    _cli_refused(folder, capsys, "2 hand-edited")
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG", "--replace")
    assert code == 0, err
    assert "pseudonym mapping" not in out  # no name came back
    assert not any(NAME in s["text"] for s in _segments(folder, capsys))
    code, out, err = run_cli(capsys, "search", folder, NAME, "--json")
    assert code == 0 and json.loads(out) == [], (out, err)


def test_retranscribing_a_pseudonymised_segment_says_the_name_is_back(
    tmp_path: Path,
    wav: Path,
    fake_whisper: type[FakeWhisper],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whisper hears the real name again; names are replaced only after a review, so the
    command says so and names the review (it used to print the name and nothing else)."""
    folder, _sid = _cli_project(tmp_path, wav, capsys)
    assert run_cli(capsys, "pseudonym", folder, "--set", f"{NAME}={PSEUDONYM}")[0] == 0
    assert run_cli(capsys, "pseudonym", folder, "--apply")[0] == 0
    first = _segments(folder, capsys)[0]
    assert first["text"].startswith(PSEUDONYM)

    def heard(self: Any, _audio: Any, **_k: Any) -> Any:
        yield SegmentDraft(0, 900, f"{NAME} открыл запись.", language="ru", confidence=0.8)

    monkeypatch.setattr(FakeWhisper, "transcribe", heard)
    code, out, err = run_cli(capsys, "retranscribe", folder, first["id"], "--replace")
    assert code == 0, err
    assert "Note: 1 occurrence of real names from the pseudonym mapping is in the new text" in out
    assert "--review --session" in out
    # a segment without a mapped name in its new text: no note
    second = _segments(folder, capsys)[1]
    monkeypatch.setattr(FakeWhisper, "transcribe", lambda self, _a, **_k: iter(
        [SegmentDraft(0, 900, "Очередь.", language="ru", confidence=0.8)]))  # fmt: skip
    code, out, err = run_cli(capsys, "retranscribe", folder, second["id"])
    assert code == 0 and "Note:" not in out, (out, err)


# --------------------------------------------------------------- re-transcribing one segment
def test_retranscribing_one_segment_in_another_language_keeps_it_protected(
    transcribed: tuple[Project, str],
) -> None:
    project, sid = transcribed
    a, b, *_ = project.transcript.segments(sid)
    # in its own language (the workbench passes the segment's): Whisper's text, not marked
    again = runner.retranscribe_segment(project, a.id, language="ru")
    assert (again.text, again.edited) == ("Есть очередь.", False)
    # in a language a person chose: a language correction, kept by a session re-transcription
    kazakh = runner.retranscribe_segment(project, b.id, language="kk")
    assert (kazakh.text, kazakh.language, kazakh.edited) == ("Кезек бар.", "kk", True)
    # a hand-set language stays protected when the segment is re-decoded in it
    project.transcript.update_segment(a.id, language="en")
    assert runner.retranscribe_segment(project, a.id, language="en").edited
    _refused_before_decoding(project, sid, "2 hand-edited")
    transcribe_session(project, sid, replace=True)
    assert project.transcript.get_segment(b.id).text == "Кезек бар."
    assert project.transcript.get_segment(a.id).language == "en"


def test_a_cancelled_retranscription_of_one_segment_leaves_it_as_it_was(
    transcribed: tuple[Project, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbench's Cancel stops Whisper between batches; what it had read by then was
    stored as the segment's text (half a sentence). Now nothing changes."""
    project, sid = transcribed
    first = project.transcript.segments(sid)[0]
    cancel = threading.Event()

    def half(self: Any, _audio: Any, **_k: Any) -> Any:
        yield SegmentDraft(0, 400, "Есть", language="ru", confidence=0.8)
        cancel.set()  # the user clicks Cancel while the next batch is decoded
        yield SegmentDraft(400, 900, "очередь.", language="ru", confidence=0.8)

    monkeypatch.setattr(FakeWhisper, "transcribe", half)
    out = runner.retranscribe_segment(project, first.id, language="kk", cancel=cancel)
    after = project.transcript.get_segment(first.id)
    assert (out.text, after.text) == (first.text, first.text)
    assert (after.language, after.edited) == (first.language, first.edited)


# ------------------------------------------------------------- merging and deleting segments
def test_merging_and_deleting_redacted_segments(project: Project) -> None:
    """Merging with the next segment (Edit ▸ Merge) and deleting a segment also remove a
    segment that redactions refer to (they failed: FOREIGN KEY constraint failed)."""
    from storage.history.undo import UndoScope

    sid = project.sessions.add_session("FG").id
    a, b, c = project.transcript.add_segments(
        sid,
        [
            SegmentDraft(i * 1000, i * 1000 + 900, text)
            for i, (_s, _e, text) in enumerate(LINES[:3])
        ],
    )
    hidden = project.redactions.redact(b.id, 0, 9)
    memo = project.codebook.add_memo("segment", b.id, "о времени")
    merged, record = project.history.record_edit(
        UndoScope.of(segments=[a.id, b.id]), lambda: project.transcript.merge_with_next(a.id)
    )
    moved = project.redactions.get_redaction(hidden.id)  # same id, over the same words
    assert moved.segment_id == a.id
    assert merged.text[moved.start_cp : moved.end_cp] == LINES[1][2][:9]
    assert [m.id for m in project.codebook.memos("segment", a.id)] == [memo.id]
    project.history.undo_edit(record)  # the next segment comes back with its redaction
    back = project.redactions.get_redaction(hidden.id)
    assert (back.segment_id, back.start_cp, back.end_cp) == (b.id, 0, 9)
    assert [m.id for m in project.codebook.memos("segment", b.id)] == [memo.id]
    project.history.redo_edit(record)
    assert project.redactions.get_redaction(hidden.id).segment_id == a.id

    project.redactions.redact(c.id, 0, 5)
    project.transcript.delete_segment(c.id)
    assert project.redactions.all(segment_id=c.id) == []
    gone = project.audit.entries(action="unredact")[-1]
    assert (gone.target_id, gone.details["reason"]) == (c.id, "the segment was deleted")
    _no_dangling_rows(project)


def test_splitting_a_segment_keeps_its_redactions_over_their_words(project: Project) -> None:
    """Edit ▸ Split: a redaction in the right part went away with the cut, and the words it
    hid showed in exports. Each redaction follows its words; one across the cut hides its
    words in both parts; undo brings the segment back as it was."""
    from storage.history.undo import UndoScope
    from storage.privacy.privacy import export_text

    sid = project.sessions.add_session("FG").id
    text = "Айгерим живёт в Алматы, работает в акимате Медеуского района."
    (seg,) = project.transcript.add_segments(sid, [SegmentDraft(0, 6000, text)])
    name = project.redactions.redact(seg.id, 0, 7, "NAME")
    city = project.redactions.redact(seg.id, text.index("Алматы"), text.index(","), "PLACE")
    office = text.index("акимате")
    across = project.redactions.redact(seg.id, office, len(text) - 1, "ORG")
    cut = text.index("района")  # inside the ORG redaction
    (left, right), record = project.history.record_edit(
        UndoScope.of(segments=[seg.id]), lambda: project.transcript.split_segment(seg.id, cut)
    )
    shown = export_text(project, left) + " | " + export_text(project, right)
    for word in ("Айгерим", "Алматы", "акимате", "Медеуского", "района"):
        assert word not in shown, shown
    assert "[NAME]" in shown and "[PLACE]" in shown and shown.count("[ORG]") == 2
    assert project.redactions.get_redaction(name.id).segment_id == left.id
    assert project.redactions.get_redaction(city.id).segment_id == left.id
    assert [r.category for r in project.redactions.all(segment_id=right.id)] == ["ORG"]
    project.history.undo_edit(record)
    whole = project.transcript.get_segment(seg.id)
    assert whole.text == text
    back = project.redactions.get_redaction(across.id)
    assert (back.segment_id, back.start_cp, back.end_cp) == (seg.id, office, len(text) - 1)
    assert {r.id for r in project.redactions.all(segment_id=seg.id)} == {
        name.id,
        city.id,
        across.id,
    }
    _no_dangling_rows(project)


# --------------------------------------------------------------------------- property
_ACTIONS = (
    "edit",
    "language",
    "same_language",
    "code",
    "code_span",
    "redact",
    "destroy",
    "memo",
    "speaker",
    "pseudonym",
    "nothing",
)


def _act(project: Project, sid: str, action: str, index: int) -> set[str]:
    """Do ``action`` on segment ``index``; return the ids of the segments a person touched."""
    seg = project.transcript.segments(sid)[index]
    if action == "edit":
        project.transcript.update_segment(seg.id, text=seg.text + " (правка)")
    elif action == "language":
        project.transcript.update_segment(seg.id, language="kk" if seg.language != "kk" else "ru")
    elif action == "same_language":  # no change: nobody's work
        project.transcript.update_segment(seg.id, language=seg.language)
        return set()
    elif action in ("code", "code_span"):
        code = project.codebook.ensure_code_path(f"Коды/{action}")
        span = {"start_cp": 0, "end_cp": 4} if action == "code_span" else {}
        project.codebook.apply_code(seg.id, code.id, **span)
    elif action == "redact":
        try:
            project.redactions.redact(seg.id, 0, 4, "NAME")
        except InvalidInputError as refused:  # the same words again: refused, nothing new
            assert "already redacted" in str(refused)
            return set()
    elif action == "destroy":
        project.redactions.destroy_span(seg.id, len(seg.text) - 4, len(seg.text), "GONE")
    elif action == "memo":
        project.codebook.add_memo("segment", seg.id, "заметка")
    elif action == "speaker":
        project.speakers.reassign_segments([seg.id], "Модератор")
    elif action == "pseudonym":
        with_name = {s.id for s in project.transcript.segments(sid) if NAME in s.text}
        project.privacy.set_pseudonym(NAME, PSEUDONYM)
        project.privacy.apply_pseudonyms(session_id=sid)
        return with_name
    else:
        return set()
    return {seg.id}


def _work(project: Project, ids: set[str]) -> dict[str, Any]:
    """What people did to segments ``ids``: their rows and everything anchored to them."""
    conn = project.store.conn
    marks = ",".join("?" * len(ids))
    keep = "id, start_ms, end_ms, speaker, text, language, edited, speaker_edited, words"
    return {
        table: sorted(
            (tuple(r) for r in conn.execute(sql.format(marks=marks), sorted(ids))), key=repr
        )
        for table, sql in {
            "segments": f"SELECT {keep} FROM segments WHERE id IN ({{marks}})",
            "codings": "SELECT * FROM codings WHERE segment_id IN ({marks})",
            "redactions": "SELECT * FROM redactions WHERE segment_id IN ({marks})",
            "memos": "SELECT * FROM memos WHERE target_type = 'segment' AND target_id IN ({marks})",
        }.items()
    }


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    actions=st.lists(
        st.tuples(st.sampled_from(_ACTIONS), st.integers(0, len(LINES) - 1)), max_size=6
    )
)
def test_no_sequence_of_work_is_lost_by_a_new_transcription(
    actions: list[tuple[str, int]], wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Any sequence of a person's actions, then re-transcription: refused without replace
    exactly when someone worked on a segment; with replace it never raises and keeps every
    touched segment with all its work, and replaces every untouched one."""
    with tempfile.TemporaryDirectory() as tmp:
        project, sid = _transcribed(Path(tmp) / "P.fieldscribe", wav)
        try:
            touched: set[str] = set()
            for action, index in actions:
                touched |= _act(project, sid, action, index)
            untouched = {s.id for s in project.transcript.segments(sid)} - touched
            assert project.transcription.transcript_stats(sid).protected == len(touched)
            work = _work(project, touched)
            if touched:
                _refused_before_decoding(project, sid)
            else:
                transcribe_session(project, sid)
            summary = transcribe_session(project, sid, replace=True)
            assert summary.segments_kept == len(touched)
            after = {s.id for s in project.transcript.segments(sid)}
            assert touched <= after and not untouched & after
            assert _work(project, touched) == work
            _no_dangling_rows(project)
            pseudonymised = [t for t in work["segments"] if PSEUDONYM in t[4]]
            hits = {h.segment_id for h in project.transcript.search(NAME)}
            assert not hits & {t[0] for t in pseudonymised}
        finally:
            project.close()


def test_kept_segments_without_text_are_read_again_in_place(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Coded stretches of speech without transcript (a recording coded in MAXQDA without its
    transcript, imported) stayed empty after the session was transcribed: the run's own
    segments lie mostly over them and are left out, so the coder had to type every one. They
    are read again in place now, codings on them, times unchanged; a segment with text that a
    person worked on is not touched, and one that is not coded is the run's to replace."""
    with Project.create(tmp_path / "P.fieldscribe", name="Study", coder="coder-a") as project:
        sid = project.sessions.import_audio(wav, title="FG").id
        coded, typed, plain = project.transcript.add_segments(
            sid,
            [
                SegmentDraft(200, 1800, "", origin="manual", untranscribed=True),
                SegmentDraft(2100, 2900, "Потом сказал спасибо.", origin="manual"),
                SegmentDraft(3100, 3900, "", untranscribed=True),  # Whisper's, untouched
            ],
        )
        code = project.codebook.ensure_code_path("Очередь")
        project.codebook.apply_code(coded.id, code.id)
        assert project.transcription.kept_without_text(sid) == [coded.id]
        summary = transcribe_session(project, sid, replace=True)
        after = {s.id: s for s in project.transcript.segments(sid)}
        assert (after[coded.id].start_ms, after[coded.id].end_ms) == (200, 1800)
        assert after[coded.id].text == "Есть очередь." and not after[coded.id].untranscribed
        assert [c.segment_id for c in project.codebook.codings()] == [coded.id]
        assert after[typed.id].text == "Потом сказал спасибо."  # a person's text stays
        assert plain.id not in after  # untouched: replaced by the run
        assert (summary.kept_read, summary.kept_filled) == (1, 1)
        assert any(
            n.startswith("1 segment of speech without transcript that holds work (coded, "
                         "hand-made) was read again in place, its codings kept: 1 now has text")
            for n in summary.notes
        ), summary.notes  # fmt: skip
        assert project.transcription.kept_without_text(sid) == []


def test_a_cancelled_run_reads_no_kept_segment_again(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Cancel set (the fake writes its batches all the same): nothing is read again."""
    with Project.create(tmp_path / "P.fieldscribe", name="Study", coder="coder-a") as project:
        sid = project.sessions.import_audio(wav, title="FG").id
        (coded,) = project.transcript.add_segments(
            sid, [SegmentDraft(200, 1800, "", origin="manual", untranscribed=True)]
        )
        cancel = threading.Event()
        cancel.set()
        summary = transcribe_session(project, sid, replace=True, cancel=cancel)
        assert summary.kept_read == 0
        assert project.transcript.get_segment(coded.id).text == ""
