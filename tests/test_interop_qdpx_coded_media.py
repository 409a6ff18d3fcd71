"""What other tools' REFI-QDA exports carry that the import used to drop with a line in its
report: codings of a recording that has no transcript (MAXQDA, ATLAS.ti and QualCoder code
audio and video directly: ``AudioSelection``/``VideoSelection`` with ``Coding``s), codings of a
whole source (a ``Coding`` on the source itself), a note linked to a ``Transcript``, and a
coding whose own user is its ``modifyingUser``."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

NS = 'xmlns="urn:QDA-XML:project:1.0"'
U1, U2 = "a1000000-0000-4000-8000-000000000001", "a1000000-0000-4000-8000-000000000002"
C1, C2, C3 = (f"c1000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
SRC, TR, NOTE = (
    "51000000-0000-4000-8000-000000000001",
    "71000000-0000-4000-8000-000000000001",
    "81000000-0000-4000-8000-000000000001",
)


def _g(n: int) -> str:
    return f"e1000000-0000-4000-8000-{n:012d}"


def _head(origin: str = "MAXQDA 24") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="Далалық жоба" '
        f'origin="{origin}"><Users><User guid="{U1}" name="Айгүл"/>'
        f'<User guid="{U2}" name="Дмитрий"/></Users><CodeBook><Codes>'
        f'<Code guid="{C1}" name="Сенім" isCodable="true" color="#1f77b4"/>'
        f'<Code guid="{C2}" name="Деньги" isCodable="true" color="#ff7f0e"/>'
        f'<Code guid="{C3}" name="Тіл" isCodable="true" color="#2ca02c"/>'
        "</Codes></CodeBook>"
    )


def test_a_codings_own_modifying_user_is_its_coder(tmp_path: Path) -> None:
    """The REFI-QDA samples write a ``Coding`` with its user as ``modifyingUser``; the coding
    went to the selection's creatingUser (another coder), which agreement then counted."""
    text = "Ауылда сенім бар.\nДеньги решают всё."
    qde = (
        _head() + f'<Sources><TextSource guid="{SRC}" name="Сұхбат 1"><PlainTextContent>{text}'
        f'</PlainTextContent><PlainTextSelection guid="{_g(1)}" startPosition="0" '
        f'endPosition="17" creatingUser="{U1}" creationDateTime="2024-03-01T10:00:00Z">'
        f'<Coding guid="{_g(2)}" modifyingUser="{U2}" modifiedDateTime="2024-03-02T11:30:00Z">'
        f'<CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection></TextSource></Sources>'
        "</Project>"
    )
    import_qdpx(write_qdpx(tmp_path / "m.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (coding,) = p.codebook.codings()
    assert coding.coder == "Дмитрий"
    assert coding.created_at.startswith("2024-03-02T11:30")


def test_a_note_linked_to_a_transcript_is_its_sessions_memo(tmp_path: Path) -> None:
    qde = (
        _head("ATLAS.ti 23")
        + f'<Sources><AudioSource guid="{SRC}" name="Фокус-топ" path="internal://none.wav">'
        f'<Transcript guid="{TR}" name="Фокус-топ.txt"><PlainTextContent>'
        "Ерлан: Сәлеметсіз бе.\nАнна: Здравствуйте.</PlainTextContent></Transcript>"
        f'</AudioSource></Sources><Notes><Note guid="{NOTE}" name="Транскрипция" '
        f'creatingUser="{U1}"><PlainTextContent>Екінші бөлімі естілмейді.</PlainTextContent>'
        f'</Note></Notes><Links><Link guid="{_g(9)}" originGUID="{NOTE}" targetGUID="{TR}"/>'
        "</Links></Project>"
    )
    report = import_qdpx(write_qdpx(tmp_path / "l.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        memos = [(m.target_type, m.target_id, m.text) for m in p.codebook.memos()]
    assert memos == [("session", session.id, "Екінші бөлімі естілмейді.")]
    assert not any("link" in line.lower() for line in report.not_imported)
