"""REFI-QDA ``Link``s (ATLAS.ti's code and quotation links, NVivo's relationships and see-also
links) survive a round trip: NVivo -> FieldScribe -> NVivo gives back each link between items
FieldScribe imported, with its GUID, name, direction and colour, its ends the same codes,
sources, passages, notes and cases; links to what is not imported (a picture's area) or
without an end are reported; a note linked to a passage stays that passage's note, not a link.
Before, every link was only reported ("N links (not supported by FieldScribe)") and lost."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from storage import Project
from storage.interop import export_qdpx, import_qdpx
from storage.team.bundle_export import export_bundle
from tests.interop_support import SCHEMA

NS = "{urn:QDA-XML:project:1.0}"
TEXT = "Айгүл: Ауылда емхана жоқ.\nАйгүл: Автобус күніне бір рет жүреді 🚌."
WORDS = {100: "емхана жоқ", 102: "Автобус күніне бір рет"}


def _g(n: int) -> str:
    return f"{n:08X}-3333-4333-8333-{n:012X}"  # NVivo writes them upper-case


def _link(n: int, origin: int, target: int | None, name: str, direction: str, colour: str) -> str:
    to = f' targetGUID="{_g(target)}"' if target is not None else ""
    return (
        f'<Link guid="{_g(n)}" name="{name}" direction="{direction}" color="{colour}" '
        f'originGUID="{_g(origin)}"{to}/>'
    )


def _sel(n: int, code: int) -> str:
    start = TEXT.index(WORDS[n])
    return (
        f'<PlainTextSelection guid="{_g(n)}" startPosition="{start}" '
        f'endPosition="{start + len(WORDS[n])}"><Coding guid="{_g(n + 1)}">'
        f'<CodeRef targetGUID="{_g(code)}"/></Coding></PlainTextSelection>'
    )


LINKS = [  # (guid, origin, target, name, direction, colour): kept
    (60, 10, 11, "себебі", "OneWay", "#FF0000"),  # code -> code
    (61, 100, 102, "қайшы", "Bidirectional", "#00f"),  # passage <-> passage
    (62, 20, 12, "туралы", "Associative", "#123456"),  # source - code
    (63, 90, 91, "see also", "OneWay", "#ABCDEF"),  # note -> note
    (64, 40, 10, "is", "Associative", "#000000"),  # case - code
]


def _qde() -> str:
    kept = "".join(_link(*link) for link in LINKS)
    return (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="Ауыл" origin="NVivo 14"><CodeBook><Codes>'
        f'<Code guid="{_g(10)}" name="Емхана" isCodable="true"/>'
        f'<Code guid="{_g(11)}" name="Көлік" isCodable="true"/>'
        f'<Code guid="{_g(12)}" name="Ауыл" isCodable="true"/></Codes></CodeBook>'
        f'<Variables><Variable guid="{_g(30)}" name="Жасы" typeOfVariable="Integer"/></Variables>'
        f'<Cases><Case guid="{_g(40)}" name="Айгүл"><VariableValue><VariableRef '
        f'targetGUID="{_g(30)}"/><IntegerValue>47</IntegerValue></VariableValue>'
        f'<SourceRef targetGUID="{_g(20)}"/></Case></Cases>'
        f'<Sources><TextSource guid="{_g(20)}" name="Сұхбат">'
        f"<PlainTextContent>{TEXT}</PlainTextContent>{_sel(100, 10)}{_sel(102, 11)}"
        f'</TextSource><PictureSource guid="{_g(25)}" name="Карта" path="internal://m.png">'
        f'<PictureSelection guid="{_g(110)}" firstX="1" firstY="1" secondX="5" secondY="5"/>'
        f'</PictureSource></Sources><Notes><Note guid="{_g(90)}" name="Бірінші">'
        f"<PlainTextContent>Шулы бөлме.</PlainTextContent></Note>"
        f'<Note guid="{_g(91)}" name="Екінші"><PlainTextContent>Қайта сұрау.</PlainTextContent>'
        f'</Note><Note guid="{_g(92)}" name="Аннотация"><PlainTextContent>Маңызды.'
        f"</PlainTextContent></Note></Notes><Links>{kept}"
        f"{_link(65, 92, 100, 'annotation', 'OneWay', '#111111')}"  # a note's place
        f"{_link(66, 110, 10, 'map', 'OneWay', '#222222')}"  # a picture's area: not kept
        f"{_link(67, 11, None, 'half', 'OneWay', '#333333')}"  # no target: not kept
        f'</Links><NoteRef targetGUID="{_g(90)}"/><NoteRef targetGUID="{_g(91)}"/></Project>'
    )


def _archive(tmp_path: Path) -> Path:
    archive = tmp_path / "nvivo.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", _qde().encode())
        zf.writestr("m.png", b"\x89PNG\r\n\x1a\n")
    return archive


def _root(archive: Path) -> etree._Element:
    with zipfile.ZipFile(archive) as zf:
        return etree.fromstring(zf.read("project.qde"))


def _links(archive: Path) -> set[tuple[str | None, ...]]:
    """Each link as its name, direction, colour and ends, each end as what it is (a code's
    name, a source's, a note's, a case's, a passage's words): independent of GUIDs."""
    root = _root(archive)
    text = {}
    with zipfile.ZipFile(archive) as zf:
        for s in root.iter(f"{NS}TextSource"):
            path = (s.get("plainTextPath") or "").removeprefix("internal://")
            inline = s.findtext(f"{NS}PlainTextContent")
            body = inline if path == "" else zf.read(f"sources/{path}").decode("utf-8-sig")
            text[(s.get("guid") or "").lower()] = body or ""
    what: dict[str, str] = {}
    for el in root.iter():
        guid = (el.get("guid") or "").strip("{}").lower()
        tag = etree.QName(el).localname
        if tag in ("Code", "TextSource", "Note", "Case", "PictureSource"):
            what[guid] = f"{tag}:{el.get('name')}"
        elif tag == "PlainTextSelection":
            body = text[(el.getparent().get("guid") or "").lower()]
            s, e = int(el.get("startPosition")), int(el.get("endPosition"))
            what[guid] = f"words:{body[s:e]}"
    return {
        (
            link.get("name"),
            link.get("direction"),
            (link.get("color") or "").upper(),
            what.get((link.get("originGUID") or "").strip("{}").lower()),
            what.get((link.get("targetGUID") or "").strip("{}").lower()),
        )
        for link in root.iter(f"{NS}Link")
    }


def test_links_survive_a_round_trip(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    report = import_qdpx(archive, tmp_path / "p", coder="me")
    said = " ".join([*report.notes, *report.not_imported])
    assert "5 links between codes" in said, said
    assert "2 links to an item not imported here" in said, said
    assert "links (not supported" not in said and "link (not supported" not in said
    with Project.open(tmp_path / "p") as p:
        # the annotation linked to a passage is its coding's memo, not a link
        assert any("Маңызды." in (c.memo or "") for c in p.codebook.codings())
        export_qdpx(p, tmp_path / "out.qdpx")
    root = _root(tmp_path / "out.qdpx")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    original = {link for link in _links(archive) if link[0] not in ("annotation", "map", "half")}
    assert len(original) == 5
    assert _links(tmp_path / "out.qdpx") == original
    kept_guids = {(link.get("guid") or "").upper() for link in root.iter(f"{NS}Link")}
    assert kept_guids == {_g(n) for n, *_ in LINKS}
    # the export imported again, and exported again: the same links
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again") as p:
        export_qdpx(p, tmp_path / "again.qdpx")
    assert _links(tmp_path / "again.qdpx") == original
    # the same file imported again into the project: nothing doubled, nothing reported lost
    again = import_qdpx(archive, tmp_path / "p", coder="me")
    assert not any("links between" in line for line in again.notes)
    with Project.open(tmp_path / "p") as p:
        export_qdpx(p, tmp_path / "out2.qdpx")
    assert _links(tmp_path / "out2.qdpx") == original


def test_a_link_whose_end_was_deleted_is_not_exported(tmp_path: Path) -> None:
    import_qdpx(_archive(tmp_path), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        (ауыл,) = [c for c in p.codebook.codes() if c.name == "Ауыл"]
        p.codebook.delete_code(ауыл.id)
        export_qdpx(p, tmp_path / "out.qdpx")
    root = _root(tmp_path / "out.qdpx")
    assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(root)
    assert {link[0] for link in _links(tmp_path / "out.qdpx")} == {
        "себебі",
        "қайшы",
        "see also",
        "is",
    }


def test_a_coder_s_copy_exports_the_links(tmp_path: Path) -> None:
    import_qdpx(_archive(tmp_path), tmp_path / "lead", coder="lead")
    with Project.open(tmp_path / "lead") as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    with Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "ann", coder="ann") as ann:
        export_qdpx(ann, tmp_path / "ann.qdpx")
    assert len(_links(tmp_path / "ann.qdpx")) == 5


def test_links_made_here_survive_a_round_trip(tmp_path: Path) -> None:
    """Links a researcher made in FieldScribe (`links add`, the codebook's Links list) go out
    as REFI-QDA ``Link``s (valid against the schema) and come back from the file as links."""
    with Project.create(tmp_path / "p", coder="me") as p:
        session = p.sessions.add_session("Сұхбат")
        seg = p.transcript.add_segment(session.id, 0, 4000, "Автобус күніне бір рет жүреді.")
        a, b = (p.codebook.ensure_code_path(c) for c in ("Қол жетімділік/Көлік", "Денсаулық"))
        coding = p.codebook.apply_code(seg.id, a.id, start_cp=0, end_cp=7)
        p.links.add(("code", a.id), ("code", b.id), "is cause of")
        p.links.add(("coding", coding.id), ("code", b.id), "shows", direction="Associative")
        p.links.add(("session", session.id), ("code", b.id), "about", direction="Bidirectional")
        made = {(k.name, k.direction) for k in p.links.all()}
        export_qdpx(p, tmp_path / "out.qdpx")
    root = _root(tmp_path / "out.qdpx")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    written = _links(tmp_path / "out.qdpx")
    assert {(name, d, origin, target) for name, d, _c, origin, target in written} == {
        ("is cause of", "OneWay", "Code:Көлік", "Code:Денсаулық"),
        ("shows", "Associative", "words:Автобус", "Code:Денсаулық"),
        ("about", "Bidirectional", "TextSource:Сұхбат", "Code:Денсаулық"),
    }
    report = import_qdpx(tmp_path / "out.qdpx", tmp_path / "back", coder="me")
    assert any("3 links between" in line for line in report.notes), report.notes
    with Project.open(tmp_path / "back") as back:
        assert {(k.name, k.direction) for k in back.links.all()} == made
        labels = {k.describe() for k in back.links.all()}
    assert "code 'Қол жетімділік/Көлік' → is cause of → code 'Денсаулық'" in labels


def test_an_export_writes_a_link_s_name_with_pseudonyms(tmp_path: Path) -> None:
    """A link's name is pseudonymised as a code's name is (it was written with the real
    name while the code beside it read "Болат")."""
    with Project.create(tmp_path / "p", coder="me") as p:
        p.privacy.set_pseudonym("Ғалым", "Болат")
        a, b = (p.codebook.ensure_code_path(c) for c in ("Ғалым", "Су"))
        p.links.add(("code", a.id), ("code", b.id), "Ғалым complains of")
        export_qdpx(p, tmp_path / "out.qdpx")
    assert {(k[0], k[3]) for k in _links(tmp_path / "out.qdpx")} == {
        ("Болат complains of", "Code:Болат")
    }


def test_a_link_s_memo_survives_a_round_trip(tmp_path: Path) -> None:
    """A link's memo goes out as a ``Note`` its ``Link`` refers to (``NoteRef``: the schema's
    only place for it) and comes back as the link's memo, not as a journal memo; before, the
    export wrote no memo at all."""
    with Project.create(tmp_path / "p", coder="me") as p:
        session = p.sessions.add_session("Сұхбат")
        seg = p.transcript.add_segment(session.id, 0, 4000, "Автобус күніне бір рет жүреді.")
        a, b = (p.codebook.ensure_code_path(c) for c in ("Көлік", "Денсаулық"))
        coding = p.codebook.apply_code(seg.id, a.id, start_cp=0, end_cp=7)
        p.links.add(("code", a.id), ("code", b.id), "is cause of", memo="Ауылда емхана жоқ.")
        p.links.add(("coding", coding.id), ("code", b.id), "shows", memo="Екі жол\nмемо 🚌")
        p.links.add(("session", session.id), ("code", b.id), "about")
        made = {(k.describe(), k.memo) for k in p.links.all()}
        export_qdpx(p, tmp_path / "out.qdpx")
    root = _root(tmp_path / "out.qdpx")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    notes = {n.get("guid"): n.findtext(f"{NS}PlainTextContent") for n in root.iter(f"{NS}Note")}
    memos = {
        link.get("name"): [notes[r.get("targetGUID")] for r in link.iter(f"{NS}NoteRef")]
        for link in root.iter(f"{NS}Link")
    }
    assert memos == {
        "is cause of": ["Ауылда емхана жоқ."],
        "shows": ["Екі жол\nмемо 🚌"],
        "about": [],
    }
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "back", coder="me")
    with Project.open(tmp_path / "back") as back:
        assert {(k.describe(), k.memo) for k in back.links.all()} == made
        assert back.codebook.memos() == []  # the memos are the links', not the journal's
        export_qdpx(back, tmp_path / "again.qdpx")
    # imported again into the same project: nothing doubled
    import_qdpx(tmp_path / "again.qdpx", tmp_path / "back", coder="me")
    with Project.open(tmp_path / "back") as back:
        assert {(k.describe(), k.memo) for k in back.links.all()} == made
        assert back.codebook.memos() == []


def test_the_memo_of_a_link_not_kept_is_in_the_journal(tmp_path: Path) -> None:
    qde = (
        _qde()
        .replace(
            f"{_link(66, 110, 10, 'map', 'OneWay', '#222222')}",
            f'<Link guid="{_g(66)}" name="map" originGUID="{_g(110)}" targetGUID="{_g(10)}">'
            f'<NoteRef targetGUID="{_g(93)}"/></Link>',
        )
        .replace(
            "</Notes>",
            f'<Note guid="{_g(93)}" name="Картадан"><PlainTextContent>Жол '
            "алыс.</PlainTextContent></Note></Notes>",
        )
    )
    archive = tmp_path / "nvivo.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde.encode())
        zf.writestr("m.png", b"\x89PNG\r\n\x1a\n")
    import_qdpx(archive, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        assert [
            (m.target_type, m.title, m.text) for m in p.codebook.memos() if m.title == "Картадан"
        ] == [("journal", "Картадан", "Жол алыс.")]


def test_every_kind_of_end_is_an_origin_and_a_target_through_qdpx_and_bundles(
    tmp_path: Path,
) -> None:
    """REFI-QDA's ``Link`` takes any item at either end (``originGUID``/``targetGUID``): each
    of a code, a session, a passage, a memo and a participant linked to each other one (20
    links, "participant P3 → code Distrust" as well as the other way) comes back whole from
    a .qdpx export and a bundle. Before, a FieldScribe file's link of a memo (to a code, a
    passage, a session or a participant, either way) was read as that memo's place, as
    NVivo's annotation links are: the memo became the passage's memo and 8 links were lost."""
    with Project.create(tmp_path / "p", coder="me") as p:
        session = p.sessions.add_session("Сұхбат")
        seg = p.transcript.add_segment(session.id, 0, 4000, "Мен оларға сенбеймін.")
        code = p.codebook.ensure_code_path("Distrust")
        coding = p.codebook.apply_code(seg.id, code.id, start_cp=4, end_cp=10)
        person = p.sessions.add_participant("P3")
        memo = p.codebook.add_memo("project", None, "Шулы бөлме.", title="Бірінші")
        ends = {
            "code": code.id,
            "session": session.id,
            "coding": coding.id,
            "memo": memo.id,
            "participant": person.id,
        }
        for a, one in ends.items():
            for b, other in ends.items():
                if a != b:
                    p.links.add((a, one), (b, other), f"{a} to {b}")
        made = {k.describe() for k in p.links.all()}
        export_qdpx(p, tmp_path / "out.qdpx")
        export_bundle(p, tmp_path / "p.fsbundle")
    assert len(made) == 20
    assert "participant 'P3' → participant to code → code 'Distrust'" in made
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "back", coder="me")
    with Project.open(tmp_path / "back") as back:
        assert {k.describe() for k in back.links.all()} == made
        assert [(m.target_type, m.title) for m in back.codebook.memos()] == [("project", "Бірінші")]
    with Project.from_bundle(tmp_path / "p.fsbundle", tmp_path / "ann", coder="ann") as ann:
        assert {k.describe() for k in ann.links.all()} == made
