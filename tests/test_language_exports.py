"""Segment languages and speech without transcript in search, retrieval, counts and exports."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from storage import InvalidInputError, Project, SegmentDraft
from storage.interop import export_codings, export_transcript
from storage.interop.transcript_export import PLACEHOLDER, render_transcript

RU = "Ну, в поликлинике очередь большая."
KK = "Емханада кезек көп, бірақ дәрігер жақсы."


@pytest.fixture()
def mixed(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A Russian/Kazakh focus group with one stretch of speech without transcript."""
    folder = tmp_path / "almaty.fieldscribe"
    with Project.create(folder, coder="aigerim") as p:
        p.set_languages("ru,kk")
        s = p.sessions.add_session("FG Almaty", kind="focus_group")
        ru, kk, gap, unknown = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 2000, RU, speaker="P1", language="ru"),
                SegmentDraft(2000, 4000, KK, speaker="P2", language="kk"),
                SegmentDraft(4000, 7000, "", speaker="P1", language="kk", untranscribed=True),
                SegmentDraft(7000, 8000, "очередь", speaker="P3"),
            ],
        )
        code = p.codebook.ensure_code_path("Health/Queues")
        for seg in (ru, kk, unknown):
            p.codebook.apply_code(seg.id, code.id)
        ids = {"session": s.id, "ru": ru.id, "kk": kk.id, "gap": gap.id, "unknown": unknown.id}
        ids["code"] = code.id
    return folder, ids


def test_search_filters_by_language(mixed) -> None:
    folder, ids = mixed
    with Project.open(folder, readonly=True) as p:
        both = p.transcript.search("очередь OR кезек")
        assert {h.segment_id for h in both} == {ids["ru"], ids["kk"], ids["unknown"]}
        assert {h.language for h in both} == {"ru", "kk", None}
        kk = p.transcript.search("очередь OR кезек", language="KK")
        assert [h.segment_id for h in kk] == [ids["kk"]]
        ru = p.transcript.search("очередь", language="ru", session_id=ids["session"])
        assert [h.segment_id for h in ru] == [ids["ru"]]
        unknown = p.transcript.search("очередь", language="")
        assert [h.segment_id for h in unknown] == [ids["unknown"]]
        with pytest.raises(InvalidInputError, match="Unknown language code 'xx'"):
            p.transcript.search("очередь", language="xx")


def test_retrieval_filters_by_language_and_light_rows_carry_it(mixed) -> None:
    folder, ids = mixed
    with Project.open(folder, readonly=True) as p:
        everything = p.retrieval.retrieve([ids["code"]])
        assert [r.language for r in everything] == ["ru", "kk", None]
        kk = p.retrieval.retrieve([ids["code"]], language="kk")
        assert [r.segment_id for r in kk] == [ids["kk"]]
        assert [r.segment_id for r in p.retrieval.retrieve([ids["code"]], language="")] == [
            ids["unknown"]
        ]
        assert p.retrieval.languages_present() == ["kk", "ru"]
        light = p.retrieval.transcript_segments(ids["session"])
        assert [(s.language, s.untranscribed) for s in light] == [
            ("ru", False), ("kk", False), ("kk", True), (None, False),
        ]  # fmt: skip
        cols = p.retrieval.transcript_columns(ids["session"], chunk=3)
        assert [cols.segment(i).language for i in range(len(cols))] == ["ru", "kk", "kk", None]
        assert list(cols.untranscribed) == [0, 0, 1, 0]
        seg = cols.segment(2)
        cols.delete(2)
        cols.insert(2, seg)
        assert cols.segment(2).untranscribed and cols.segment(2).language == "kk"


def test_sessions_count_speech_without_transcript(mixed) -> None:
    folder, ids = mixed
    with Project.open(folder) as p:
        (s,) = p.sessions.all()
        assert s.untranscribed_count == 1
        assert s.languages == ["kk", "ru"]
        p.transcript.update_segment(ids["gap"], text="Иә, солай.")
        assert p.sessions.get_session(ids["session"]).untranscribed_count == 0


def test_json_export_has_language_and_untranscribed(mixed, tmp_path: Path) -> None:
    folder, ids = mixed
    with Project.open(folder) as p:
        export_transcript(p, ids["session"], "json", tmp_path / "t.json")
    data = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert data["languages"] == ["ru", "kk"]
    assert [(s["language"], s["untranscribed"]) for s in data["segments"]] == [
        ("ru", False), ("kk", False), ("kk", True), (None, False),
    ]  # fmt: skip
    assert data["segments"][0]["text"] == RU  # Cyrillic verbatim


def test_vtt_srt_txt_show_language_and_placeholder(mixed) -> None:
    folder, ids = mixed
    with Project.open(folder) as p:
        vtt = render_transcript(p, ids["session"], "vtt")
        srt = render_transcript(p, ids["session"], "srt")
        txt = render_transcript(p, ids["session"], "txt")
    assert f"<v P1><lang ru>{RU}</lang>" in vtt
    assert f"<v P2><lang kk>{KK}</lang>" in vtt
    assert f"<v P1>{PLACEHOLDER}" in vtt
    assert "<v P3>очередь" in vtt  # unknown language: no tag
    assert f"P1: {PLACEHOLDER}" in srt and "<lang" not in srt
    assert f"P1: {PLACEHOLDER}" in txt


def test_docx_marks_languages_and_placeholder(mixed, tmp_path: Path) -> None:
    folder, ids = mixed
    out = tmp_path / "t.docx"
    with Project.open(folder) as p:
        export_transcript(p, ids["session"], "docx", out)
    doc = Document(str(out))
    runs = {r.text: r for para in doc.paragraphs for r in para.runs}

    def lang(run) -> str | None:
        el = run._r.find(qn("w:rPr") + "/" + qn("w:lang"))
        return None if el is None else el.get(qn("w:val"))

    assert lang(runs[RU]) == "ru-RU"
    assert lang(runs[KK]) == "kk-KZ"
    assert lang(runs["очередь"]) is None
    placeholder = runs[PLACEHOLDER]
    assert placeholder.italic
    para = next(p for p in doc.paragraphs if KK in p.text)
    assert para._p.pPr.find(qn("w:rPr") + "/" + qn("w:lang")).get(qn("w:val")) == "kk-KZ"


def test_codings_export_has_a_language_column(mixed, tmp_path: Path) -> None:
    folder, _ids = mixed
    out = tmp_path / "c.csv"
    with Project.open(folder) as p:
        export_codings(p, out)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["language"] for r in rows] == ["ru", "kk", ""]


def test_vtt_round_trip_keeps_each_segments_language(mixed, tmp_path: Path) -> None:
    """A VTT written by FieldScribe (or any tool using <lang>) brings the languages back."""
    from storage.interop.transcript_import import parse_transcript

    folder, ids = mixed
    with Project.open(folder) as p:
        out = tmp_path / "fg.vtt"
        export_transcript(p, ids["session"], "vtt", out)
    parsed = parse_transcript(out)
    assert [(d.text, d.language) for d in parsed.drafts] == [
        (RU, "ru"), (KK, "kk"), (PLACEHOLDER, None), ("очередь", None),
    ]  # fmt: skip
    with Project.open(folder) as p:  # into a new session: stored with the segments
        from storage.interop.transcript_import import import_transcript

        other = p.sessions.add_session("FG Almaty, again")
        import_transcript(p, other.id, out)
        # the cue without <lang> gets what its letters leave among the project's: Russian
        assert [s.language for s in p.transcript.segments(other.id)] == ["ru", "kk", None, "ru"]
    # region subtags and unknown codes
    cue = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v A><lang en-GB>Hello</lang>\n\n"
    cue += "00:01.000 --> 00:02.000\n<lang zz>Odd</lang>\n"
    (tmp_path / "x.vtt").write_text(cue, encoding="utf-8")
    cues = parse_transcript(tmp_path / "x.vtt").drafts
    assert [(d.speaker, d.text, d.language) for d in cues] == [
        ("A", "Hello", "en"), (None, "Odd", None),
    ]  # fmt: skip


@pytest.mark.parametrize("languages", [["ru", "kk"], ["kk"]])
def test_qdpx_names_each_sources_languages_and_keeps_speech_without_transcript(
    tmp_path: Path, languages: list[str]
) -> None:
    """REFI-QDA has no place for a segment's language: a source variable "Languages" names a
    recording's languages (most spoken first), and speech without transcript is written as
    "[speech without transcript]" (not a blank line). Imported again, a source in one
    language gives each segment that language, a mixed one each segment its own (the
    "Segment languages" variable), and the placeholders are placeholders again."""
    import re
    import zipfile

    from storage.interop import export_qdpx, import_qdpx
    from tests.interop_support import make_wav

    wav = make_wav(tmp_path / "audio")
    folder = tmp_path / "fg.fieldscribe"
    with Project.create(folder, coder="aigerim") as p:
        s = p.sessions.import_audio(wav, kind="focus_group", title="FG Almaty")
        p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 1000, KK, speaker="P2", language="kk"),
                SegmentDraft(1000, 1500, "", speaker="P1", language="kk", untranscribed=True),
                SegmentDraft(1500, 2000, RU, speaker="P1", language=languages[0]),
            ],
        )
        out = tmp_path / "fg.qdpx"
        export_qdpx(p, out)
    with zipfile.ZipFile(out) as z:
        qde = z.read("project.qde").decode("utf-8")
        text = next(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".txt"))
    assert 'name="Languages"' in qde
    assert re.search(r"<TextValue>kk(, ru)?</TextValue>", qde)
    assert text.splitlines()[1] == f"P1: {PLACEHOLDER}"
    back = tmp_path / "back.fieldscribe"
    import_qdpx(out, back, coder="dora")
    with Project.open(back, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert [(g.text, g.untranscribed) for g in segments] == [
            (KK, False), ("", True), (RU, False)
        ]  # fmt: skip
        # one language: the source's "Languages" gives it to each; mixed: "Segment languages"
        assert [g.language for g in segments] == ["kk", "kk", languages[0]]
        assert "Languages" not in (session.notes or "")


def test_an_imported_transcript_without_languages_gets_them_from_its_letters(
    tmp_path: Path,
) -> None:
    """An SRT says nothing of languages: each segment gets the one its letters leave among the
    project's (Kazakh letters: Kazakh; other Cyrillic: Russian; Latin: English), else none."""
    from storage.core.languages import guess_language
    from storage.interop.transcript_import import import_transcript

    expected = ["ru", "kk", "en"]
    assert guess_language(KK, expected) == "kk"
    assert guess_language(RU, expected) == "ru"
    assert guess_language("We waited three weeks.", expected) == "en"
    assert guess_language("123 ...", expected) is None
    assert guess_language("Мен", ["kk", "en"]) == "kk"
    assert guess_language("Hello", ["en", "de"]) is None
    assert guess_language("anything", ["kk"]) == "kk"
    srt = tmp_path / "fg.srt"
    cues = [RU, KK, "We waited three weeks.", "42"]
    srt.write_text(
        "\n".join(
            f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\n{text}\n" for i, text in enumerate(cues)
        ),
        encoding="utf-8",
    )
    with Project.create(tmp_path / "p.fieldscribe", coder="a") as p:
        p.set_languages("ru,kk,en")
        s = p.sessions.add_session("FG")
        import_transcript(p, s.id, srt)
        assert [g.language for g in p.transcript.segments(s.id)] == ["ru", "kk", "en", None]


def test_kazakh_without_a_kazakh_letter_but_in_a_name_is_kazakh() -> None:
    """Kazakh whose only Kazakh letter is in a name ("Мен Ғалымға айттым.", I told Ғалым) was
    guessed Russian (an import stored it as ru, out of the Kazakh filters): frequent Kazakh
    words Russian lacks (мен, емес, керек, деп...) say Kazakh; Russian lines stay Russian."""
    from storage.core.languages import KAZAKH_PLAIN_WORDS, guess_language, typed_mismatch

    expected = ["ru", "kk", "en"]
    assert guess_language("Мен Ғалымға айттым.", expected) == "kk"
    assert guess_language("Ол керек емес, деп айтты.", expected) == "kk"
    for russian in ("Я сказал Ғалыму.", "Да, не знаю.", "Адам пришёл в бар.", RU):
        assert guess_language(russian, expected) == "ru"
    assert typed_mismatch("Мен оны айттым", "ru", expected) is not None
    # no listed word is a Russian word the Russian stop-words know
    from analysis.stopwords import stopwords

    assert not KAZAKH_PLAIN_WORDS & stopwords(["ru"])


def test_transcript_exports_name_the_session_kind_as_people_read_it(mixed, tmp_path) -> None:
    folder, ids = mixed
    with Project.open(folder) as p:
        text = render_transcript(p, ids["session"], "txt")
        export_transcript(p, ids["session"], "docx", tmp_path / "fg.docx")
    assert text.splitlines()[1] == "Focus group"
    heading = [par.text for par in Document(str(tmp_path / "fg.docx")).paragraphs[:3]]
    assert any("Focus group" in line for line in heading) and "focus_group" not in str(heading)


def test_a_project_made_from_a_qdpx_expects_the_languages_its_recordings_name(
    tmp_path: Path,
) -> None:
    """A Russian and Kazakh project exported as .qdpx and imported into a new project expected
    no language (File ▸ Project settings read "not set": its next transcription detected the
    language on its own), though every recording names its languages in the file."""
    from storage.interop import export_qdpx, import_qdpx
    from tests.interop_support import make_wav

    wav = make_wav(tmp_path / "audio")
    with Project.create(tmp_path / "a.fieldscribe", coder="lead") as p:
        p.set_languages(["ru", "kk"])
        for title, langs in (("FG 1", ["kk", "ru", "ru"]), ("FG 2", ["en"])):
            s = p.sessions.import_audio(wav, title=title, again=True)
            drafts = [
                SegmentDraft(i * 500, i * 500 + 400, text, language=lang)
                for i, (lang, text) in enumerate(zip(langs, [KK, RU, RU], strict=False))
            ]
            p.transcript.add_segments(s.id, drafts)
        export_qdpx(p, tmp_path / "a.qdpx")
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "b.fieldscribe", coder="dora")
    with Project.open(tmp_path / "b.fieldscribe", readonly=True) as p:
        assert p.languages == ["ru", "kk", "en"]  # each recording's, most spoken first


def test_a_qdpx_carries_the_projects_own_languages_and_their_order(tmp_path: Path) -> None:
    """A project expecting ru, kk, en and de (German added for the next recordings), whose
    one recording is in Kazakh and Russian, came back from its .qdpx expecting "kk, ru" (the
    segments' languages, most spoken first): German was lost and the order was not the
    project's. The Languages variable's Description lists them; another tool keeps it as the
    variable's text and FieldScribe reads it back. A project with no recording keeps its own."""
    from lxml import etree

    from storage.interop import export_qdpx, import_qdpx
    from tests.interop_support import SCHEMA, make_wav

    wav = make_wav(tmp_path / "audio")
    with Project.create(tmp_path / "a.fieldscribe", coder="lead") as p:
        p.set_languages(["ru", "kk", "en", "de"])
        s = p.sessions.import_audio(wav, title="FG 1")
        p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(i * 500, i * 500 + 400, text, language=lang)
                for i, (lang, text) in enumerate([("kk", KK), ("kk", KK), ("ru", RU)])
            ],
        )
        export_qdpx(p, tmp_path / "a.qdpx")
    with Project.create(tmp_path / "empty.fieldscribe", coder="lead") as p:
        p.set_languages(["kk", "ru"])
        export_qdpx(p, tmp_path / "empty.qdpx")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for name in ("a.qdpx", "empty.qdpx"):
        doc = etree.fromstring(zipfile.ZipFile(tmp_path / name).read("project.qde"))
        assert schema.validate(doc), schema.error_log
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "b.fieldscribe", coder="dora")
    with Project.open(tmp_path / "b.fieldscribe", readonly=True) as p:
        assert p.languages == ["ru", "kk", "en", "de"]
        (session,) = p.sessions.all()
        assert session.languages == ["kk", "ru"]  # the recording's own, as before
    import_qdpx(tmp_path / "empty.qdpx", tmp_path / "c.fieldscribe", coder="dora")
    with Project.open(tmp_path / "c.fieldscribe", readonly=True) as p:
        assert p.languages == ["kk", "ru"]
