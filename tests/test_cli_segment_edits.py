"""Editing one segment from the command line: its text (``segment-text``), its language
(``segment-language``), decoding its audio again (``retranscribe``), and naming a segment by
the start of its id in every command that takes one."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from tests.hardening_support import fingerprint, one_line_error, run_cli
from transcribe import runner

# fixed ids: two share their first 9 characters, the third does not
ID_RU = "aaaa1111-0000-7000-8000-000000000001"
ID_KK = "aaaa1111-9999-7000-8000-000000000002"
ID_GAP = "bbbb2222-0000-7000-8000-000000000003"


@pytest.fixture()
def study(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "fg.fieldscribe"
    with Project.create(folder, coder="aigerim") as p:
        p.set_languages("ru,kk")
        s = p.sessions.add_session("FG Shymkent", kind="focus_group")
        made = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 2000, "Очередь в акимате большая.", language="ru"),
                SegmentDraft(2000, 4000, "Әкімдікте кезек көп.", language="kk"),
                SegmentDraft(4000, 7000, "", language="ru", untranscribed=True),
            ],
        )
        with p.transaction():
            for seg, new in zip(made, (ID_RU, ID_KK, ID_GAP), strict=True):
                p.store.conn.execute("UPDATE segments SET id = ? WHERE id = ?", (new, seg.id))
        code = p.codebook.ensure_code_path("Queues")
        p.codebook.apply_code(ID_RU, code.id, start_cp=0, end_cp=7)  # "Очередь"
    return folder, s.id


# ----------------------------------------------------------------------------- segment-text
def test_segment_text_types_a_placeholder_like_the_workbench(study, capsys) -> None:
    folder, _ = study
    code, out, _ = run_cli(capsys, "segment-text", folder, ID_GAP, "Ну, это сложно.")
    assert code == 0 and out.startswith(f"Segment {ID_GAP} now reads: Ну, это сложно.")
    assert "was speech without transcript" in out
    with Project.open(folder, readonly=True) as p:
        seg = p.transcript.get_segment(ID_GAP)
        assert (seg.text, seg.edited, seg.untranscribed) == ("Ну, это сложно.", True, False)
        assert [h.segment_id for h in p.transcript.search("сложно")] == [ID_GAP]
    _, out, _ = run_cli(capsys, "sessions", folder)
    assert "speech without transcript" not in out


def test_segment_text_keeps_span_codings_on_their_words(study, capsys) -> None:
    folder, _ = study
    code, out, _ = run_cli(
        capsys, "segment-text", folder, ID_RU, "Да. Очередь в акимате большая.", "--json"
    )
    assert code == 0 and json.loads(out)["edited"] is True
    with Project.open(folder, readonly=True) as p:
        (coding,) = p.codebook.codings(segment_id=ID_RU)
        text = p.transcript.get_segment(ID_RU).text
        assert text[coding.start_cp : coding.end_cp] == "Очередь" and coding.start_cp == 4
        assert [h.segment_id for h in p.transcript.search("да")] == [ID_RU]


def test_segment_text_refuses_empty_text_and_unknown_ids(study, capsys) -> None:
    folder, _ = study
    before = fingerprint(folder)
    for args in ((ID_GAP, "  "), ("nope", "text"), ("aaaa", "text")):
        code, _, err = run_cli(capsys, "segment-text", folder, *args)
        assert code == 1, args
        one_line_error(err)
    assert fingerprint(folder) == before
    code, out, _ = run_cli(capsys, "segment-text", folder, ID_KK, "Әкімдікте кезек көп.")
    assert code == 0 and "nothing changed" in out
    assert fingerprint(folder) == before


def test_segment_text_in_another_script_than_its_language_gives_a_hint(study, capsys) -> None:
    """Latin text typed into a segment marked ru was stored with no word (the badge, exports
    and the language filter went on calling it Russian); now one line on stderr says how to
    set the language. A hint, not a refusal: the text is stored all the same."""
    folder, _ = study
    with Project.open(folder) as p:
        p.set_languages("ru,kk,en")
    code, out, err = run_cli(capsys, "segment-text", folder, ID_GAP, "Okay, thank you.")
    assert code == 0 and "now reads: Okay, thank you." in out
    assert err == (
        "fieldscribe: note: the text is in Latin and the segment is marked RU (Russian); set "
        f"its language with fieldscribe segment-language {folder} {ID_GAP} en\n"
    )
    # the command it names works
    code, _out, err2 = run_cli(capsys, *err.split("with fieldscribe ")[1].split())
    assert code == 0, err2
    with Project.open(folder, readonly=True) as p:
        seg = p.transcript.get_segment(ID_GAP)
        assert (seg.text, seg.language) == ("Okay, thank you.", "en")
    # Cyrillic into the segment now marked EN: the letters point to Russian
    code, out, err = run_cli(capsys, "segment-text", folder, ID_GAP, "Очень сложно.", "--json")
    assert code == 0 and json.loads(out)["text"] == "Очень сложно."
    assert "the text is in Cyrillic and the segment is marked EN (English)" in err
    assert err.rstrip().endswith(f"{ID_GAP} ru") and err.count("\n") == 1
    # the same script: nothing said
    code, _out, err = run_cli(capsys, "segment-text", folder, ID_KK, "Кезек өте көп.")
    assert code == 0 and err == ""


def test_kazakh_typed_into_a_segment_marked_russian_gives_a_hint(study, capsys) -> None:
    """Speech without transcript that Whisper heard as Russian, typed in Kazakh: the script is
    the same, so nothing was said and the segment stayed Russian."""
    folder, _ = study
    code, _out, err = run_cli(
        capsys, "segment-text", folder, ID_GAP, "Ал бірақ қалада жағдай басқа."
    )
    assert code == 0
    assert err == (
        "fieldscribe: note: the text is in Kazakh letters (ә, қ, ү…) and the "
        f"segment is marked RU (Russian); set its language with fieldscribe segment-language "
        f"{folder} {ID_GAP} kk\n"
    )
    # Russian with one Kazakh word in it: nothing said
    code, _out, err = run_cli(capsys, "segment-text", folder, ID_RU, "Очередь в әкімдік большая.")
    assert code == 0 and err == ""


def test_segment_text_hint_without_project_languages_names_no_code(study, capsys) -> None:
    folder, _ = study
    with Project.open(folder) as p:
        p.set_languages("")
    code, _out, err = run_cli(capsys, "segment-text", folder, ID_KK, "Kezek kop.")
    assert code == 0
    assert "is in Latin and the segment is marked KK (Kazakh)" in err
    assert err.rstrip().endswith(f"segment-language {folder} {ID_KK} CODE")


# ----------------------------------------------------------------------------- id prefixes
def test_a_unique_id_prefix_names_a_segment(study, capsys) -> None:
    folder, _ = study
    code, out, err = run_cli(capsys, "segment-language", folder, "bbbb2222", "kk")
    assert code == 0 and f"Segment {ID_GAP} is now in kk" in out and err == ""
    code, _, _ = run_cli(capsys, "segment-language", folder, "BBBB2222-00", "ru")
    assert code == 0  # as copied, in any case
    code, _, _ = run_cli(capsys, "segment-language", folder, ID_KK, "ru")
    assert code == 0  # a whole id, whatever others start with
    code, out, _ = run_cli(capsys, "code", folder, "--segment", "bbbb", "--code", "Waiting")
    assert code == 0 and ID_GAP in out
    shared = "aaaa1111-"
    code, _, err = run_cli(capsys, "redact", folder, "--segment", shared, "--span", "0:3")
    assert code == 1 and "2 segments" in one_line_error(err)
    code, _, _ = run_cli(capsys, "redact", folder, "--segment", "aaaa1111-0", "--span", "0:7")
    assert code == 0
    with Project.open(folder, readonly=True) as p:
        assert p.transcript.get_segment(ID_GAP).language == "ru"
        assert p.transcript.get_segment(ID_KK).language == "ru"
        assert [r.segment_id for r in p.redactions.all()] == [ID_RU]


def test_an_ambiguous_or_short_prefix_is_one_line_and_changes_nothing(study, capsys) -> None:
    folder, _ = study
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "segment-language", folder, "aaaa1111", "kk")
    line = one_line_error(err)
    assert code == 1 and "starts the ids of 2 segments" in line
    assert ID_RU in line and ID_KK in line
    code, _, err = run_cli(capsys, "segment-language", folder, "bbb", "kk")
    assert code == 1 and "at least 4 characters" in one_line_error(err)
    code, _, err = run_cli(capsys, "code", folder, "--segment", "aaaa", "--code", "New code")
    assert code == 1 and "2 segments" in one_line_error(err)
    assert fingerprint(folder) == before


def test_the_last_characters_of_an_id_name_a_segment(study, capsys) -> None:
    """Ids of one transcription share their start (UUIDv7: the time); their end tells them
    apart, so the last characters name a segment too (when no id starts with them)."""
    folder, _ = study
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "segment-language", folder, "0002", "ru")
    assert code == 0, err  # the end of ID_KK only
    code, out, _ = run_cli(capsys, "segment-text", folder, "00000003", "Сложно.")
    assert code == 0 and out.startswith(f"Segment {ID_GAP} now reads")
    with Project.open(folder, readonly=True) as p:
        assert p.transcript.get_segment(ID_KK).language == "ru"
    with Project.open(folder) as p:  # another segment whose id ends like ID_KK's
        (seg,) = p.transcript.add_segments(
            p.sessions.all()[0].id, [SegmentDraft(9000, 9500, "Да.")]
        )
        twin = "cccc3333-0000-7000-8000-000000000002"
        with p.transaction():
            p.store.conn.execute("UPDATE segments SET id = ? WHERE id = ?", (twin, seg.id))
    after = fingerprint(folder)
    assert after != before
    code, _, err = run_cli(capsys, "segment-language", folder, "0002", "kk")
    line = one_line_error(err)
    assert code == 1 and "ends the ids of 2 segments" in line and "last characters" in line
    assert ID_KK in line and twin in line
    code, _, err = run_cli(capsys, "segment-language", folder, "%000", "kk")
    assert code == 1 and "No segment with id '%000'" in one_line_error(err)  # no wildcard
    code, _, err = run_cli(capsys, "segment-language", folder, "__02", "kk")
    assert code == 1 and "No segment" in one_line_error(err)
    assert fingerprint(folder) == after


def test_segment_language_notes_a_language_the_project_does_not_list(study, capsys) -> None:
    folder, _ = study
    code, out, err = run_cli(capsys, "segment-language", folder, ID_KK, "de", "--json")
    assert code == 0 and json.loads(out)["language"] == "de"  # accepted, JSON untouched
    assert err.count("\n") == 1 and err.startswith("fieldscribe: note: ")
    assert "does not list de (German)" in err and f"languages {folder} --set ru,kk,de" in err
    code, out, err = run_cli(capsys, "segment-language", folder, ID_KK, "kk")
    assert code == 0 and err == ""  # a listed language: nothing to note


# ----------------------------------------------------------------------------- retranscribe
@pytest.fixture()
def fake_decoder(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """``runner.retranscribe_segment`` without Whisper: called with the real one's signature,
    it writes through the same storage call (``replace_transcription``)."""
    calls: list[dict[str, Any]] = []
    real = runner.retranscribe_segment

    def fake(project: Project, segment_id: str, **kw: Any) -> Any:
        inspect.signature(real).bind(project, segment_id, **kw)  # the CLI passes real options
        calls.append({"segment_id": segment_id, **kw})
        seg = project.transcript.get_segment(segment_id)
        language = kw.get("language") or seg.language
        text = "" if language == "de" else f"decoded in {language}"
        return project.transcript.replace_transcription(
            segment_id, text=text, words=[], confidence=0.9, language=language,
            model=kw.get("model"),
        )  # fmt: skip

    monkeypatch.setattr(runner, "retranscribe_segment", fake)
    return calls


def test_retranscribe_one_segment_in_another_language(study, capsys, fake_decoder) -> None:
    folder, _ = study
    code, out, _ = run_cli(
        capsys, "retranscribe", folder, "bbbb", "--language", "KK", "--model", "base"
    )
    assert (
        code == 0
        and out.strip()
        == f"Segment {ID_GAP} re-transcribed in kk (Kazakh) with base: decoded in kk"
    )
    assert fake_decoder == [
        {"segment_id": ID_GAP, "language": "kk", "model": "base", "threads": None}
    ]
    with Project.open(folder, readonly=True) as p:
        seg = p.transcript.get_segment(ID_GAP)
        assert (seg.text, seg.language, seg.untranscribed) == ("decoded in kk", "kk", False)
        assert seg.model == "base"  # which model read it again is recorded (the JSON export)
    code, out, _ = run_cli(capsys, "retranscribe", folder, ID_KK, "--json")
    assert code == 0 and json.loads(out)["text"] == "decoded in kk"
    assert fake_decoder[-1]["language"] is None  # its own language, chosen by the runner


def test_retranscribe_says_when_a_span_coding_lost_its_words(study, capsys, fake_decoder) -> None:
    """The span coding on "Очередь" has no words in the new text: it became a whole-segment
    coding with a flag in its memo, and nothing said so (the command cannot be undone)."""
    folder, _ = study
    code, out, err = run_cli(capsys, "retranscribe", folder, ID_RU)
    assert code == 0, err
    assert out.splitlines()[1] == (
        "Note: 1 span coding lost its words in the new text: it now covers the whole segment, "
        "flagged in the memo (⚑ coded words deleted); mark the words again with fieldscribe "
        "code DIR --segment ID --code PATH --span START:END."
    )
    with Project.open(folder, readonly=True) as p:
        (coding,) = p.codebook.codings(segment_id=ID_RU)
        assert coding.start_cp is None and "coded words deleted" in (coding.memo or "")
    # a segment without span codings: nothing said
    code, out, _ = run_cli(capsys, "retranscribe", folder, ID_KK)
    assert code == 0 and "Note:" not in out


def test_retranscribe_without_text_and_outside_the_languages(study, capsys, fake_decoder) -> None:
    folder, _ = study
    code, out, err = run_cli(capsys, "retranscribe", folder, ID_KK, "--language", "de")
    assert code == 0 and "no text found; it stays speech without transcript" in out
    assert "fieldscribe: note: the project does not list de (German)" in err


def test_retranscribe_refuses_hand_corrected_text_unless_replace(
    study, capsys, fake_decoder
) -> None:
    folder, _ = study
    assert run_cli(capsys, "segment-text", folder, ID_RU, "Очередь большая.")[0] == 0
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "retranscribe", folder, ID_RU)
    assert code == 1 and "corrected by hand" in one_line_error(err) and "--replace" in err
    assert "corrected by hand (typed in, split or merged, or names replaced by pseudonyms)" in err
    for bad in (("--language", "xx"), ("--threads", "0")):
        code, _, err = run_cli(capsys, "retranscribe", folder, ID_RU, "--replace", *bad)
        assert code in (1, 2) and "Traceback" not in err
    assert fake_decoder == [] and fingerprint(folder) == before
    code, _, _ = run_cli(capsys, "retranscribe", folder, ID_RU, "--replace", "--threads", "2")
    assert code == 0 and fake_decoder[-1]["threads"] == 2
    with Project.open(folder, readonly=True) as p:
        # the new text is Whisper's; the segment stays marked as a person's (its language may
        # be one a person set), so a run over the whole session still keeps it
        again = p.transcript.get_segment(ID_RU)
        assert again.text != "Очередь большая." and again.edited is True


def test_retranscribe_after_a_language_correction_needs_no_replace(
    study, capsys, fake_decoder
) -> None:
    """Setting a segment's language and reading its audio again in it is the language
    workflow; it was refused ("corrected by hand (its text or language set...)") without
    --replace. The text typed afterwards is refused again."""
    folder, _ = study
    assert run_cli(capsys, "segment-language", folder, ID_RU, "kk")[0] == 0
    code, _, err = run_cli(capsys, "retranscribe", folder, ID_RU)
    assert code == 0, err
    assert len(fake_decoder) == 1
    with Project.open(folder, readonly=True) as p:
        again = p.transcript.get_segment(ID_RU)
        assert (again.text, again.language) == ("decoded in kk", "kk")
        assert again.edited is True  # a run over the session keeps it
    assert run_cli(capsys, "segment-text", folder, ID_RU, "Очередь большая.")[0] == 0
    code, _, err = run_cli(capsys, "retranscribe", folder, ID_RU)
    assert code == 1 and "--replace" in err


def test_retranscribe_of_a_session_without_audio_is_one_line(study, capsys) -> None:
    folder, _ = study
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "retranscribe", folder, ID_GAP, "--language", "kk")
    assert code == 1 and "has no audio" in one_line_error(err)
    assert fingerprint(folder) == before


def test_the_transcription_summary_names_the_commands(capsys) -> None:
    from types import SimpleNamespace

    from cli.transcribe_cmds import _print_summary

    summary = SimpleNamespace(
        elapsed_s=1.0, duration_ms=1000, resumed_from_ms=0, cancelled=False, language="ru",
        segments_added=2, model="base", notes=[], untranscribed=1, segments_kept=0,
        session_segments=2, by_language=lambda: [("ru", 2)],
    )  # fmt: skip
    _print_summary("FG", summary)
    out = capsys.readouterr().out
    assert "fieldscribe segment-text DIR SEGMENT_ID" in out
    assert "fieldscribe retranscribe DIR SEGMENT_ID --language CODE" in out


# a model of how a segment is named, checked on random ids against the real lookup
_HEX = "0123456789abcdef"


def _expected(ids: list[str], ref: str) -> str | None:
    """The id ``ref`` names by the rules (None: refused): the id itself; else, from 4
    characters, the one id starting with it; else, when no id starts with it, the one ending."""
    if ref in ids:
        return ref
    part = ref.strip().lower()
    if len(part) < 4:
        return None
    starts = [i for i in ids if i.startswith(part)]
    if starts:
        return starts[0] if len(starts) == 1 else None
    ends = [i for i in ids if i.endswith(part)]
    return ends[0] if len(ends) == 1 else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(st.text(_HEX, min_size=6, max_size=10), min_size=1, max_size=6, unique=True),
    data=st.data(),
)
def test_naming_a_segment_by_part_of_its_id_follows_the_rules(
    tmp_path_factory: pytest.TempPathFactory, ids: list[str], data: st.DataObject
) -> None:
    from cli.common import resolve_segment
    from storage.core.errors import InvalidInputError, NotFoundError

    chosen = data.draw(st.sampled_from(ids))
    cut = data.draw(st.integers(1, len(chosen)))
    ref = data.draw(
        st.sampled_from([chosen[:cut], chosen[-cut:], chosen[:cut].upper(), "%_" + chosen[-2:]])
    )
    folder = tmp_path_factory.mktemp("ids") / "p.fieldscribe"
    with Project.create(folder, coder="a") as p:
        s = p.sessions.add_session("S")
        made = p.transcript.add_segments(
            s.id, [SegmentDraft(i * 1000, i * 1000 + 900, "x") for i in range(len(ids))]
        )
        with p.transaction():
            for seg, new in zip(made, ids, strict=True):
                p.store.conn.execute("UPDATE segments SET id = ? WHERE id = ?", (new, seg.id))
        want = _expected(ids, ref)
        try:
            got: str | None = resolve_segment(p, ref)
        except (NotFoundError, InvalidInputError):
            got = None
        assert got == want, (ids, ref)


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(st.text(_HEX, min_size=4, max_size=14), min_size=1, max_size=12, unique=True),
    data=st.data(),
)
def test_listings_show_each_id_by_an_end_that_names_it(ids: list[str], data: Any) -> None:
    """A listing's short id is an end of the id, at least 8 characters (or the whole id),
    and the naming rules take it back to that id alone."""
    from cli.common import SHORT_ID_MIN, shortest_ends

    wanted = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids)))
    short = shortest_ends(ids, wanted)
    assert set(short) == set(wanted)
    for full, shown in short.items():
        assert full.endswith(shown)
        assert len(shown) >= min(SHORT_ID_MIN, len(full))
        assert _expected(ids, shown) == full, (ids, full, shown)
        if shown != full:  # as short as the rules allow, in steps of two from 8
            longer = [full[-n:] for n in range(SHORT_ID_MIN, len(shown), 2)]
            assert all(_expected(ids, end) != full for end in longer)


def test_listings_show_short_ids_that_name_the_segments(tmp_path: Path, capsys) -> None:
    """``segments`` and ``search`` show each id by its last characters (UUIDv7 ids of one
    transcription share their start); ``--json`` keeps the whole id; a shown id names its
    segment in every command."""
    folder = tmp_path / "fg.fieldscribe"
    with Project.create(folder, coder="aigerim") as p:
        s = p.sessions.add_session("FG Almaty")
        made = p.transcript.add_segments(
            s.id, [SegmentDraft(i * 1000, i * 1000 + 900, f"Кезек {i}.") for i in range(30)]
        )
    code, out, _ = run_cli(capsys, "segments", folder, "--session", "FG Almaty")
    assert code == 0
    shown = [line.split()[0] for line in out.splitlines()]
    assert [seg.id[-len(short) :] for seg, short in zip(made, shown, strict=True)] == shown
    assert all(8 <= len(short) < 36 for short in shown)
    code, out, _ = run_cli(capsys, "segments", folder, "--session", "FG Almaty", "--json")
    assert [row["id"] for row in json.loads(out)] == [seg.id for seg in made]
    code, out, _ = run_cli(capsys, "search", folder, "Кезек")
    assert code == 0 and {line.split()[0] for line in out.splitlines()} == set(shown)
    code, _, err = run_cli(capsys, "segment-text", folder, shown[7], "Кезек жоқ.")
    assert code == 0, err
    with Project.open(folder, readonly=True) as p:
        assert p.transcript.get_segment(made[7].id).text == "Кезек жоқ."
