"""A consented-only team bundle carries nothing of a participant left out.

Before (docs/PRIVACY.md, Known limits): a participant who refused kept their row in a
consented-only bundle (pseudonymised), with their attributes, their consent record, their voice
profile and the memos that named them; only their words, speaker labels and timeline were left
out. Now none of it travels, and a lead merging the bundle back (or a teammate starting from it)
gets nothing of them.
"""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.privacy.models import ExportPrivacy
from storage.team.bundle_export import export_bundle
from storage.transcript.transcript import SegmentDraft

ONLY = ExportPrivacy(consented_only="export")


def _focus_group(folder: Path) -> dict[str, str]:
    """P01 agrees to everything; P02 ("Ғалым", from Қарабұлақ) refuses quotation; P05 refused
    and is linked to no speaker yet; P06 agreed and is linked to none either."""
    with Project.create(folder, name="FG", coder="lead") as p:
        s = p.sessions.add_session("Фокус-группа", "focus_group")
        segs = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 1500, "Су нашар, Ғалымға айттым.", speaker="SPEAKER_00"),
                SegmentDraft(2000, 3000, "Бұзаутерек шабындығы жабылды.", speaker="SPEAKER_01"),
            ],
        )
        yes = p.sessions.add_participant("P01", {"ауыл": "Жезқазған"})
        no = p.sessions.add_participant("P02", {"ауыл": "Қарабұлақ"})
        later = p.sessions.add_participant("P05", {"ауыл": "Шұбаркөл"})
        agreed = p.sessions.add_participant("P06", {"ауыл": "Теміртау"})
        p.sessions.map_speaker(s.id, "SPEAKER_00", yes.id)
        p.sessions.map_speaker(s.id, "SPEAKER_01", no.id)
        p.consent.set_consent(yes.id, None, recording=True, transcription=True, quotation=True)
        p.consent.set_consent(no.id, None, recording=True, transcription=True, quotation=False)
        p.consent.set_consent(later.id, None, transcription=True, quotation=False)
        p.consent.set_consent(agreed.id, None, transcription=True, quotation=True)
        p.privacy.set_pseudonym("Ғалым", "Болат", participant_id=no.id)
        code = p.codebook.ensure_code_path("Су")
        p.codebook.apply_code(segs[0].id, code.id, memo="Ғалымның ойы")
        p.codebook.add_memo("project", None, "P02 бас тартты.", title="Келісім")
        p.codebook.add_memo("session", s.id, "Ғалымның дауысы қатты.")
        p.codebook.add_memo("project", None, "P01 жақсы сөйледі.", title="Ескерту")
        p.speakers.add_speaker_profile("Ғалым", [0.1, 0.2], "ecapa", participant_id=no.id)
        p.speakers.add_speaker_profile("Әсел", [0.2, 0.1], "ecapa", participant_id=yes.id)
        return {"session": s.id, "yes": yes.id, "no": no.id, "later": later.id}


def _db(bundle: Path, tmp: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(bundle) as zf:
        (tmp / "bundle.db").write_bytes(zf.read("project.db"))
    return sqlite3.connect(tmp / "bundle.db")


def test_a_participant_left_out_does_not_travel(tmp_path: Path) -> None:
    folder = tmp_path / "FG.fieldscribe"
    ids = _focus_group(folder)
    with Project.open(folder) as p:
        export_bundle(p, tmp_path / "b.fsbundle", privacy=ONLY)
        export_bundle(p, tmp_path / "all.fsbundle")
    with zipfile.ZipFile(tmp_path / "b.fsbundle") as zf:
        raw = zf.read("project.db")
    # (P01 naming him, "Болат айттым", is P01's words, pseudonymised: they go out)
    for gone in ("P02", "Қарабұлақ", "P05", "Шұбаркөл", "Бұзаутерек", ids["no"]):
        assert gone.encode() not in raw, gone
    conn = _db(tmp_path / "b.fsbundle", tmp_path)
    try:
        people = {r[0] for r in conn.execute("SELECT pseudonym FROM participants")}
        assert people == {"P01", "P06"}  # P06 agreed for every session: nothing to hide
        assert {r[0] for r in conn.execute("SELECT participant_id FROM consents")} == {
            ids["yes"],
            conn.execute("SELECT id FROM participants WHERE pseudonym = 'P06'").fetchone()[0],
        }
        assert [r[0] for r in conn.execute("SELECT name FROM speaker_profiles")] == ["Әсел"]
        memos = sorted(r[0] for r in conn.execute("SELECT text FROM memos"))
        assert memos == ["P01 жақсы сөйледі."]  # the memos naming P02 / Ғалым stay home
        (coding_memo,) = conn.execute("SELECT memo FROM codings").fetchone()
        assert coding_memo is None
    finally:
        conn.close()
    # without "only consented" the team bundle is the team's: everyone travels (pseudonymised)
    conn = _db(tmp_path / "all.fsbundle", tmp_path)
    try:
        assert len(conn.execute("SELECT * FROM participants").fetchall()) == 4
        assert len(conn.execute("SELECT * FROM memos").fetchall()) == 3
    finally:
        conn.close()


def test_merging_a_consented_only_bundle_back_shows_nothing_of_them(tmp_path: Path) -> None:
    """The lead's own copy keeps what it has (a row a bundle lacks is not a deletion); a
    teammate starting from the bundle, and a lead merging the teammate's work back, never see
    the participant left out, and the merge reports no change or conflict about them."""
    folder = tmp_path / "FG.fieldscribe"
    ids = _focus_group(folder)
    with Project.open(folder) as p:
        export_bundle(p, tmp_path / "b.fsbundle", privacy=ONLY)
    teammate = tmp_path / "T.fieldscribe"
    with Project.from_bundle(tmp_path / "b.fsbundle", teammate, coder="aru") as t:
        assert [x.pseudonym for x in t.sessions.participants()] == ["P01", "P06"]
        assert t.consent.consents(participant_id=ids["no"]) == []
        assert [m.text for m in t.codebook.memos()] == ["P01 жақсы сөйледі."]
        t.codebook.add_memo("project", None, "Aru's note")
        export_bundle(t, tmp_path / "t.fsbundle")
    with Project.open(folder) as p:
        before = {x.id: x for x in p.sessions.participants()}
        (summary,) = p.team.merge([tmp_path / "t.fsbundle"])
        after = {x.id: x for x in p.sessions.participants()}
        assert after == before  # P02 and P05 are still the lead's, untouched
        assert summary.conflicts == 0
        moved = summary.tables.get("participants")
        assert moved is None or (moved.added, moved.updated, moved.deleted) == (0, 0, 0)
        texts = sorted(m.text for m in p.codebook.memos())
        assert texts == sorted(
            ["P02 бас тартты.", "Ғалымның дауысы қатты.", "P01 жақсы сөйледі.", "Aru's note"]
        )
        assert len(p.consent.consents(participant_id=ids["no"])) == 1
        assert [c.memo for c in p.codebook.codings()] == ["Ғалымның ойы"]


# ------------------------------------------------------------------ against a model
_ANSWER = {"yes": True, "no": False, "none": None}
_people = st.lists(  # a participant: consent for every session, and per session (absent: -)
    st.tuples(
        st.sampled_from(list(_ANSWER)),
        st.lists(st.sampled_from(["-", "yes", "no"]), min_size=2, max_size=2),
    ),
    min_size=1,
    max_size=3,
)
_speakers = st.lists(  # per session: speakers (linked participant or None, how many segments)
    st.lists(st.tuples(st.none() | st.integers(0, 2), st.integers(0, 2)), max_size=3),
    min_size=1,
    max_size=2,
)


def _travels(people: list[Any], sessions: list[Any], unlabelled: list[bool]) -> set[int]:
    """The participants a consented-only bundle carries, from the rule written out
    (docs/PRIVACY.md, Bundles), not from the code: one travels when something of theirs is
    kept, or when nothing of theirs is left out and they said yes for every session."""

    def covers(p: int, s: int) -> bool:
        general, own = people[p]
        answer = own[s] if own[s] != "-" else general
        return answer == "yes"

    shown: set[int] = set()
    hidden: set[int] = set()
    for s, speakers in enumerate(sessions):
        linked = {p for p, _n in speakers if p is not None and p < len(people)}
        unlinked = any(p is None or p >= len(people) for p, n in speakers if n)
        by_record = {p for p in range(len(people)) if people[p][1][s] != "-"} - linked
        known = linked | by_record
        everyone = bool(known) and not unlinked and all(covers(p, s) for p in known)
        for p, n in speakers:
            if p is not None and p < len(people) and n:
                (shown if covers(p, s) else hidden).add(p)
        for p in by_record:
            if everyone:
                shown.add(p)
            elif not covers(p, s):
                hidden.add(p)
    del unlabelled  # segments without a speaker change what is kept, not who
    return {
        p for p in range(len(people)) if p in shown or (p not in hidden and people[p][0] == "yes")
    }


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=_people, sessions=_speakers, unlabelled=st.lists(st.booleans(), min_size=2, max_size=2)
)
def test_who_travels_in_a_consented_only_bundle_matches_the_rule(
    tmp_path_factory: pytest.TempPathFactory,
    people: list[Any],
    sessions: list[Any],
    unlabelled: list[bool],
) -> None:
    tmp = tmp_path_factory.mktemp("b")
    folder = tmp / "P.fieldscribe"
    with Project.create(folder, name="P", coder="lead") as p:
        pids = []
        for i, (general, _own) in enumerate(people):
            who = p.sessions.add_participant(f"P{i:02d}", {"ауыл": f"Ауыл{i}"})
            pids.append(who.id)
            answer = _ANSWER[general]
            if answer is not None:
                p.consent.set_consent(who.id, None, transcription=answer, quotation=answer)
            p.codebook.add_memo("project", None, f"P{i:02d} туралы.")
            p.speakers.add_speaker_profile(
                f"Дауыс{i}", [0.1, float(i)], "ecapa", participant_id=who.id
            )
        for s, speakers in enumerate(sessions):
            sid = p.sessions.add_session(f"S{s}").id
            drafts = [
                SegmentDraft(k * 10_000 + j * 1000, k * 10_000 + j * 1000 + 900, "Иә.", f"SP{k}")
                for k, (_who, n) in enumerate(speakers)
                for j in range(n)
            ]
            if unlabelled[s]:
                drafts.append(SegmentDraft(90_000, 90_900, "Жоқ."))
            p.transcript.add_segments(sid, drafts)
            for k, (who_index, _n) in enumerate(speakers):
                if who_index is not None and who_index < len(people):
                    p.sessions.map_speaker(sid, f"SP{k}", pids[who_index])
            for i, (_general, own) in enumerate(people):
                if own[s] != "-":
                    yes = own[s] == "yes"
                    p.consent.set_consent(pids[i], sid, transcription=yes, quotation=yes)
        export_bundle(p, tmp / "b.fsbundle", privacy=ONLY)
    expected = {f"P{i:02d}" for i in _travels(people, sessions, unlabelled)}
    conn = _db(tmp / "b.fsbundle", tmp)
    try:
        rows = dict(conn.execute("SELECT id, pseudonym FROM participants").fetchall())
        assert set(rows.values()) == expected
        assert {r[0] for r in conn.execute("SELECT participant_id FROM consents")} <= set(rows)
        profiles = {r[0] for r in conn.execute("SELECT participant_id FROM speaker_profiles")}
        assert profiles == set(rows)
        memos = {r[0].split()[0] for r in conn.execute("SELECT text FROM memos")}
        assert memos == expected
        linked = {r[0] for r in conn.execute("SELECT participant_id FROM session_speakers")}
        assert linked - {None} <= set(rows)
    finally:
        conn.close()
    with Project.from_bundle(tmp / "b.fsbundle", tmp / "T.fieldscribe", coder="aru") as t:
        assert {x.pseudonym for x in t.sessions.participants()} == expected
