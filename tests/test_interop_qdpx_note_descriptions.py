"""A REFI-QDA ``Note`` is a text source (``TextSourceType``): it may hold a ``Description``
beside its text, or only a ``Description``. The memo kept the text alone: a note given only as
its description became an empty memo, and a note's description was lost."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

U = "c3000000-0000-4000-8000-000000000001"
N1, N2, N3, N4 = (f"c3000000-0000-4000-8000-00000000001{i}" for i in range(4))


def test_a_notes_description_arrives_with_its_text(tmp_path: Path) -> None:
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="notes" origin="Other tool">'
        f'<Users><User guid="{U}" name="Дана"/></Users><Notes>'
        f'<Note guid="{N1}" name="Сипаттамасы бар" creatingUser="{U}">'
        "<Description>Екінші күнгі сұхбаттар 🔖</Description>"
        "<PlainTextContent>Ауыл әкімі 𝔸 келмеді.</PlainTextContent></Note>"
        f'<Note guid="{N2}" name="Тек сипаттама"><Description>Тек осы 😀 ғана</Description></Note>'
        f'<Note guid="{N3}" name="Мәтін ғана"><PlainTextContent>Жай ескерту</PlainTextContent>'
        "</Note>"
        f'<Note guid="{N4}" name="Біздің журнал"><Description>journal</Description>'
        "<PlainTextContent>FieldScribe жазған</PlainTextContent></Note>"
        "</Notes></Project>"
    )
    report = import_qdpx(write_qdpx(tmp_path / "n.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        memos = sorted((m.title, m.text) for m in p.codebook.memos())
    assert memos == [
        ("Біздің журнал", "FieldScribe жазған"),  # FieldScribe's own mark of a journal note
        ("Мәтін ғана", "Жай ескерту"),
        ("Сипаттамасы бар", "Екінші күнгі сұхбаттар 🔖\n\nАуыл әкімі 𝔸 келмеді."),
        ("Тек сипаттама", "Тек осы 😀 ғана"),
    ]
    assert report.memos == 4
