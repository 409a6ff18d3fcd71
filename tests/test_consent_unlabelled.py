"""Only consented participants: speech whose speaker is unknown goes out only when everyone
known to be in its session consented.

A one-to-one interview never run through speaker detection has no speaker labels; its
participant is in the session through a consent record alone. When they refused quotation (or
their answer was not recorded), every "--consented-only" export still held the whole interview:
``excluded_segment_ids`` never left out a segment without a speaker. Now such segments are kept
only when the session has a participant, every participant's consent covers the purpose, and
no speaker label of it is linked to nobody (``ConsentRecords.unlabelled_consented``).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydub import AudioSegment

from analysis.words import keywords_in_context
from storage import Project
from storage.core.audio import configure_pydub
from storage.interop.codings_export import export_codings
from storage.interop.qdpx_export import export_qdpx
from storage.interop.transcript_export import export_transcript
from storage.privacy.models import ExportPrivacy
from storage.privacy.view import private_view
from storage.team.bundle_export import export_bundle
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import fs_here as fs
from tests.test_consent_export_audio import _tone

ONLY = ExportPrivacy(consented_only="export")
#: the interviewee's answer about quotation (transcription: yes)
ANSWERS = {"refuses": False, "unknown": None, "consents": True}
SAID = "Су нашар, баға қымбат"


def _interview(tmp_path: Path, answer: str) -> tuple[Path, str]:
    """An interview of 4 s of tone, its two segments without a speaker (never run through
    speaker detection), the second coded; P01 (age 34) in it by a consent record alone."""
    folder = tmp_path / "I.fieldscribe"
    with Project.create(folder, name="I", coder="lead") as p:
        session = p.sessions.import_audio(_tone(tmp_path / "i.wav", 4), kind="interview")
        segs = p.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, 1500, "Менің атым Айгүл, бастайық."),
                SegmentDraft(2000, 3500, f"{SAID}."),
            ],
        )
        p.codebook.apply_code(segs[1].id, p.codebook.ensure_code_path("Water").id)
        who = p.sessions.add_participant("P01", {"age": "34"})
        p.consent.set_consent(
            who.id, session.id, recording=True, transcription=True, quotation=ANSWERS[answer]
        )
        return folder, session.id


def _transcripts(project: Project, sid: str, out: Path) -> dict[str, str]:
    texts = {}
    for fmt in ("txt", "srt", "vtt", "json"):
        path = export_transcript(project, sid, fmt, out / f"t.{fmt}", privacy=ONLY)
        texts[fmt] = Path(path).read_text(encoding="utf-8")
    docx = export_transcript(project, sid, "docx", out / "t.docx", privacy=ONLY)
    with zipfile.ZipFile(docx) as zf:
        texts["docx"] = zf.read("word/document.xml").decode("utf-8")
    return texts


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_an_interview_without_speakers_goes_out_only_with_consent(
    tmp_path: Path, answer: str
) -> None:
    folder, sid = _interview(tmp_path, answer)
    kept = answer == "consents"
    with Project.open(folder) as p:
        texts = _transcripts(p, sid, tmp_path)
        for fmt, text in texts.items():
            assert (SAID in text) is kept, fmt
        # nor does the JSON's session say how many segments it held, or how many were coded
        said = json.loads(texts["json"])["session"]
        assert (said["segment_count"], said["coded_segment_count"]) == (2 * kept, 1 * kept)
        export_codings(p, tmp_path / "c.csv", privacy=ONLY)
        rows = list(csv.reader(io.StringIO((tmp_path / "c.csv").read_text("utf-8-sig"))))
        assert len(rows) == 1 + kept and (SAID in str(rows)) is kept
        export_codings(p, tmp_path / "c.xlsx", privacy=ONLY)
        sheet = load_workbook(tmp_path / "c.xlsx").active
        assert sheet is not None
        assert (SAID in str([c.value for r in sheet.iter_rows() for c in r])) is kept
        found = keywords_in_context(p, "нашар", privacy=ONLY)
        assert len(found) == kept  # keyword in context (analysis) reads the same filter
        export_qdpx(p, tmp_path / "i.qdpx", privacy=ONLY)
        export_bundle(p, tmp_path / "b.fsbundle", privacy=ONLY)
    with zipfile.ZipFile(tmp_path / "i.qdpx") as zf:
        qde = zf.read("project.qde").decode("utf-8")
        (member,) = [n for n in zf.namelist() if n.startswith("sources/") and ".txt" not in n]
        media = zf.read(member)
        texts = qde + "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if ".txt" in n)
    assert (SAID in texts) is kept
    # the participant who refused, or whose answer is unknown, has no Case (their attributes)
    assert ('name="P01"' in qde) is kept and ("Value>34</" in qde) is kept
    configure_pydub()
    audio = AudioSegment.from_file(io.BytesIO(media), format=Path(member).suffix.lstrip("."))
    for start, end in ((100, 1400), (2100, 3400)):  # the tone, or silence where left out
        assert (audio[start:end].rms > 1000) is kept, (start, end, audio[start:end].rms)
    with zipfile.ZipFile(tmp_path / "b.fsbundle") as zf:
        (tmp_path / "b.db").write_bytes(zf.read("project.db"))
    conn = sqlite3.connect(tmp_path / "b.db")
    try:
        texts = [r[0] for r in conn.execute("SELECT text FROM segments")]
    finally:
        conn.close()
    assert len(texts) == 2 * kept and (SAID in str(texts)) is kept


def test_the_command_line_says_why_and_what_to_do(tmp_path: Path) -> None:
    """It said "their segments' speakers have no consent to export (link speakers ...)": the
    interview has no speakers; say they have none and how to give them one."""
    folder, sid = _interview(tmp_path, "unknown")
    out = tmp_path / "o.txt"
    said = fs("export", folder, "--session", sid, "--format", "txt", "-o", out, "--consented-only")
    line = said.stdout.strip()
    assert line.startswith(
        f"Wrote 0 of 2 segments to {out} (txt): 2 left out, their segments have no speaker and "
        "not everyone in their session is known to have consented to export (detect speakers "
        "with fieldscribe speakers "
    )
    assert "fieldscribe speaker" in line and " assign ..." in line and "fieldscribe consent" in line
    codings = fs("export-codings", folder, "-o", tmp_path / "c.csv", "--consented-only")
    assert "Wrote 0 of 1 coding to" in codings.stdout
    assert "1 left out, its segment has no speaker and not everyone in its session is " in (
        codings.stdout
    )


def test_unlabelled_speech_of_a_session_with_an_unlinked_speaker_is_left_out(
    tmp_path: Path,
) -> None:
    """Everyone linked consented, but a speaker label is linked to nobody: who said the
    unlabelled words is unknown, so they are left out with that speaker's."""
    with Project.create(tmp_path / "F.fieldscribe", coder="lead") as p:
        sid = p.sessions.add_session("FG", "focus_group").id
        segs = p.transcript.add_segments(
            sid,
            [
                SegmentDraft(0, 1000, "Сәлем.", speaker="Speaker 1"),
                SegmentDraft(1000, 2000, "Кім?", speaker="Speaker 2"),
                SegmentDraft(2000, 3000, "Білмеймін."),
            ],
        )
        yes = p.sessions.add_participant("P01")
        p.sessions.map_speaker(sid, "Speaker 1", yes.id)
        p.consent.set_consent(yes.id, sid, transcription=True, quotation=True)
        left = p.consent.left_out("export")
        assert left.by_speaker == {segs[1].id} and left.unlabelled == {segs[2].id}
        p.sessions.map_speaker(sid, "Speaker 2", yes.id)  # both labels are P01 now
        assert p.consent.excluded_segment_ids("export") == set()


# --------------------------------------------------------------------- property test
_LABELS = ["Speaker 1", "Speaker 2", "Speaker 3"]
_ANSWER = st.sampled_from([True, False, None])


@st.composite
def _sessions(draw: st.DrawFn) -> list[dict[str, object]]:
    sessions = []
    for _ in range(draw(st.integers(1, 3))):
        segments = draw(st.lists(st.sampled_from([*_LABELS, None]), min_size=1, max_size=6))
        # (a consent record for the session?, transcription, quotation)
        participants = draw(st.lists(st.tuples(st.booleans(), _ANSWER, _ANSWER), max_size=3))
        # each label used: linked to one of the participants (index) or to nobody (None)
        links = {
            label: draw(st.one_of(st.none(), st.integers(0, len(participants) - 1)))
            if participants
            else None
            for label in dict.fromkeys(x for x in segments if x is not None)
        }
        sessions.append({"segments": segments, "participants": participants, "links": links})
    return sessions


def _may_go(session: dict[str, object], label: str | None) -> bool:
    """The rule, said independently: a labelled segment goes when its label is linked to a
    participant who said yes to transcription and quotation; an unlabelled one when the
    session has participants (linked to a label, or with a consent record for it), all of
    them said yes to both, and every label is linked."""
    participants = session["participants"]
    links = session["links"]
    assert isinstance(participants, list) and isinstance(links, dict)
    yes = [record and t is True and q is True for record, t, q in participants]
    if label is not None:
        return links[label] is not None and yes[links[label]]
    present = {k for k, (record, _, _) in enumerate(participants) if record}
    present |= {k for k in links.values() if k is not None}
    return bool(present) and all(yes[k] for k in present) and None not in links.values()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sessions=_sessions())
def test_what_a_consented_only_export_keeps_is_what_the_rule_allows(
    tmp_path_factory: pytest.TempPathFactory, sessions: list[dict[str, object]]
) -> None:
    folder = tmp_path_factory.mktemp("prop") / "P.fieldscribe"
    allowed: set[str] = set()
    every: set[str] = set()
    with Project.create(folder, coder="lead") as p:
        for n, session in enumerate(sessions):
            sid = p.sessions.add_session(f"S{n}", "interview").id
            labels = session["segments"]
            assert isinstance(labels, list)
            drafts = [
                SegmentDraft(i * 1000, i * 1000 + 900, f"сөз {n}.{i}", speaker=label)
                for i, label in enumerate(labels)
            ]
            segs = p.transcript.add_segments(sid, drafts)
            people = []
            for k, (record, t, q) in enumerate(session["participants"]):  # type: ignore[attr-defined]
                who = p.sessions.add_participant(f"P{n}.{k}")
                people.append(who.id)
                if record:
                    p.consent.set_consent(who.id, sid, transcription=t, quotation=q)
            for label, k in session["links"].items():  # type: ignore[attr-defined]
                if k is not None:
                    p.sessions.map_speaker(sid, label, people[k])
            for seg, label in zip(segs, labels, strict=True):
                every.add(seg.id)
                if _may_go(session, label):
                    allowed.add(seg.id)
        with private_view(p, ONLY) as view:
            kept = {g.id for s in view.sessions.all() for g in view.transcript.segments(s.id)}
        assert kept == allowed
        assert p.consent.excluded_segment_ids("export") == every - allowed


def test_a_check_of_a_session_nobody_is_in_does_not_say_everyone_consented(
    tmp_path: Path,
) -> None:
    """``consent --check`` of an interview nobody is linked to said "Everyone in the session
    consented to export." (exit 0), while an export of only consented participants leaves all
    of it out: consent of no one is unknown consent."""
    folder = tmp_path / "I.fieldscribe"
    with Project.create(folder, name="I", coder="lead") as p:
        sid = p.sessions.add_session("Interview", "interview").id
        p.transcript.add_segments(
            sid, [SegmentDraft(0, 900, "Су нашар."), SegmentDraft(1000, 1900, "Иә.")]
        )
    said = fs("consent", folder, "--session", sid, "--check", "export", ok=False)
    assert said.returncode == 2, said.stderr
    assert said.stdout.startswith(
        "Nobody in the session is linked to a participant or has a consent record for it, so "
        "consent to export is unknown for its 2 segments without a speaker (--consented-only "
        "leaves them out)"
    ), said.stdout
    (problem,) = json.loads(fs("consent", folder, "--session", sid, "--check", "export", "--json",
                               ok=False).stdout)  # fmt: skip
    assert problem["participant_id"] is None and problem["missing"] == [
        "transcription",
        "quotation",
    ]
    with Project.open(folder) as p:
        who = p.sessions.add_participant("P01")
        p.consent.set_consent(who.id, sid, transcription=True, quotation=True)
    assert fs("consent", folder, "--session", sid, "--check", "export").stdout.startswith(
        "Everyone in the session consented to export."
    )


def test_a_blind_coders_count_of_codings_left_out_for_no_speaker_is_of_her_own(
    tmp_path: Path,
) -> None:
    """Under blind coding a coder's codings export holds her own codings only (``kept_codings``),
    but the count of those left out for being on speech without a speaker counted everyone's:
    "Wrote 0 of 1 coding: 1 left out" said 2 of them had no speaker."""
    from storage.interop.codings_export import kept_codings, unlabelled_left_out

    folder, sid = _interview(tmp_path, "refuses")  # the lead coded the second segment
    with Project.open(folder) as lead:
        lead.team.set_blind_coding(True)
        export_bundle(lead, tmp_path / "lead.fsbundle")
    alice = Project.from_bundle(
        tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="alice"
    )
    with alice:
        first = alice.transcript.segments(sid)[0]
        alice.codebook.apply_code(first.id, alice.codebook.ensure_code_path("Names").id)
        assert kept_codings(alice, ONLY) == (0, 1)  # her own one, on unlabelled speech
        assert unlabelled_left_out(alice, ONLY) == 1
    out = tmp_path / "alice.csv"
    said = fs("export-codings", tmp_path / "a.fieldscribe", "--output", out, "--consented-only")
    assert "Wrote 0 of 1 coding to" in said.stdout, said.stdout
    assert "1 left out, its segment has no speaker" in said.stdout, said.stdout
    with Project.open(tmp_path / "a.fieldscribe") as alice:
        alice.team.set_blind_coding(False)
        assert kept_codings(alice, ONLY) == (0, 2)
        assert unlabelled_left_out(alice, ONLY) == 2
