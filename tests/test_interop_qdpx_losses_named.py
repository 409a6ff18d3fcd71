"""What the REFI-QDA import report says of what it could not keep: a selection marked without
a code is not a "coded selection" (an uncoded PDF area was reported as one)."""

from __future__ import annotations

from pathlib import Path

from storage.interop import import_qdpx
from tests.interop_support import write_qdpx
from tests.test_interop_qdpx_coded_media import C1, SRC, _g, _head

_AREA = 'firstX="1" firstY="1" secondX="9" secondY="9"'


def _pdf(selections: str, representation: str = "") -> str:
    return (
        _head("NVivo 14") + f'<Sources><PDFSource guid="{SRC}" name="Есеп.pdf" '
        f'path="internal://{SRC}.pdf">{selections}{representation}</PDFSource></Sources>'
        "</Project>"
    )


def _area(n: int, coded: bool) -> str:
    coding = f'<Coding guid="{_g(n + 100)}"><CodeRef targetGUID="{C1}"/></Coding>' if coded else ""
    return f'<PDFSelection guid="{_g(n)}" {_AREA}>{coding}</PDFSelection>'


def test_an_uncoded_pdf_area_is_not_called_coded(tmp_path: Path) -> None:
    files = {f"sources/{SRC}.pdf": b"%PDF-1.4"}
    qdpx = write_qdpx(tmp_path / "a.qdpx", _pdf(_area(1, coded=False)), files)
    report = import_qdpx(qdpx, tmp_path / "p", coder="me")
    (line,) = [x for x in report.not_imported if "Есеп.pdf" in x]
    assert "coded" not in line
    assert line.endswith(
        "pdf sources are not supported (1 area marked without a code not imported)."
    )


def test_coded_and_uncoded_areas_are_counted_apart(tmp_path: Path) -> None:
    files = {f"sources/{SRC}.pdf": b"%PDF-1.4"}
    pdf = _pdf(_area(1, coded=True) + _area(2, coded=False) + _area(3, coded=False))
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", pdf, files), tmp_path / "p", coder="me")
    (line,) = [x for x in report.not_imported if "Есеп.pdf" in x]
    assert "(1 coded area and 2 areas marked without a code not imported)." in line


def test_a_pdf_with_text_names_its_uncoded_areas(tmp_path: Path) -> None:
    """A PDF with its text (a Representation): its areas of pages were all "coded areas"."""
    rep = f'<Representation guid="{_g(50)}" name="Есеп" plainTextPath="internal://{_g(50)}.txt"/>'
    files = {f"sources/{SRC}.pdf": b"%PDF-1.4", f"sources/{_g(50)}.txt": "Мәтін.".encode()}
    pdf = _pdf(_area(1, coded=False), rep)
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", pdf, files), tmp_path / "p", coder="me")
    (line,) = [x for x in report.not_imported if "Есеп.pdf" in x]
    assert line == (
        "PDF source 'Есеп.pdf': 1 area of its pages marked without a code "
        "(FieldScribe codes text, not areas)."
    )
