"""Each segment's language through a .qdpx: FieldScribe's own projects round-trip it in a
source variable "Segment languages" (REFI-QDA's place for facts about a source; other tools
show it as an attribute), and the project.qde stays valid against the REFI-QDA schema."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from storage import Project, SegmentDraft
from storage.interop import export_qdpx, import_qdpx
from storage.interop._common import line_languages, line_languages_value
from tests.interop_support import SCHEMA, make_wav

_QUICK = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
_TEXT = st.text(alphabet="абвгдәғқңөұүһі ABC,.", min_size=1, max_size=20).map(
    lambda t: t.strip() or "сөз"
)
_segment = st.tuples(_TEXT, st.sampled_from(["ru", "kk", "en", None]), st.booleans())


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wav(tmp_path_factory.mktemp("audio"))


def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@settings(max_examples=25, **_QUICK)
@given(segments=st.lists(_segment, min_size=1, max_size=8), audio=st.booleans())
def test_every_segments_language_round_trips(
    tmp_path_factory: pytest.TempPathFactory, wav: Path, segments, audio: bool
) -> None:
    """A mixed-language recording came back from our own .qdpx with no segment's language
    (or, in one language, each segment with it, also those that had none)."""
    tmp = tmp_path_factory.mktemp("rt")
    with Project.create(tmp / "a.fieldscribe", coder="aigerim") as p:
        p.set_languages("ru,kk,en")
        s = p.sessions.import_audio(wav, title="FG") if audio else p.sessions.add_session("FG")
        p.transcript.add_segments(s.id, [
            SegmentDraft(i * 100, i * 100 + 90, "" if gap else text, speaker="P1",
                         language=lang, untranscribed=gap and audio)
            for i, (text, lang, gap) in enumerate(segments)
        ])  # fmt: skip
        before = [(g.text, g.language) for g in p.transcript.segments(s.id)]
        export_qdpx(p, tmp / "a.qdpx")
    with zipfile.ZipFile(tmp / "a.qdpx") as z:
        doc = etree.fromstring(z.read("project.qde"))
    schema = _schema()
    assert schema.validate(doc), schema.error_log
    report = import_qdpx(tmp / "a.qdpx", tmp / "b.fieldscribe", coder="dora")
    with Project.open(tmp / "b.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        after = [(g.text, g.language) for g in p.transcript.segments(session.id)]
        assert "Segment languages" not in (session.notes or "")
    spoken = {lang for _t, lang in before}
    if len(spoken) == 1 and None not in spoken:
        assert after == before  # one language: the source's "Languages" gives it to each
    elif len(spoken) > 1:
        assert after == before, report.notes


def test_the_variable_as_other_tools_see_it(tmp_path: Path) -> None:
    with Project.create(tmp_path / "a.fieldscribe", coder="a") as p:
        s = p.sessions.add_session("FG")
        p.transcript.add_segments(s.id, [
            SegmentDraft(0, 1, "Сәлем", language="kk"), SegmentDraft(1, 2, "Привет", language="ru"),
            SegmentDraft(2, 3, "Ну", language="ru"), SegmentDraft(3, 4, "ok"),
        ])  # fmt: skip
        export_qdpx(p, tmp_path / "a.qdpx")
    with zipfile.ZipFile(tmp_path / "a.qdpx") as z:
        doc = etree.fromstring(z.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    (var,) = doc.findall(".//q:Variables/q:Variable[@name='Segment languages']", ns)
    assert var.get("typeOfVariable") == "Text" and var.findtext("q:Description", namespaces=ns)
    values = [
        vv.findtext("q:TextValue", namespaces=ns)
        for vv in doc.findall(".//q:TextSource/q:VariableValue", ns)
        if vv.find("q:VariableRef", ns).get("targetGUID") == var.get("guid")
    ]
    assert values == ["1 kk, 2-3 ru; 4 lines"]


def test_a_value_that_does_not_fit_the_lines_is_not_read() -> None:
    assert line_languages("1 kk, 2-3 ru; 4 lines", 4) == ["kk", "ru", "ru", None]
    assert line_languages("1 kk, 2-3 ru; 4 lines", 5) is None  # a line added elsewhere
    assert line_languages("1 kk, 2-9 ru; 4 lines", 4) is None
    assert line_languages("kazakh mostly", 4) is None
    assert line_languages(line_languages_value([None, "en"]), 2) == [None, "en"]
