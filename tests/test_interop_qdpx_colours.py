"""Eight-digit hex colours in a REFI-QDA file: ``#RRGGBBAA`` (CSS) or ``#AARRGGBB`` (Qt).

Before, eight digits were always read as ``#RRGGBBAA``: a file written with Qt's
``QColor.name(HexArgb)`` (opaque green ``#ff2e7d32``) gave every code a wrong colour
(``#ff2e7d``, pink). Code colours are opaque, so the byte that is ``ff`` in every one of a file's
eight-digit colours is the alpha (``colours.hex8_order``); when that does not decide, CSS's
order is taken. The property test writes random opaque colours in either order, as a .qdpx and
as a .qdc, and compares with that rule written here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.interop import import_qdpx
from storage.interop.colours import read_colour
from storage.interop.qdc import import_codebook
from tests.test_interop_qdpx_left import _g, project, write

RGB = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))


def _hex(rgb: tuple[int, int, int]) -> str:
    return "".join(f"{c:02x}" for c in rgb)


def _expected(rgbs: list[tuple[int, int, int]], argb: bool) -> list[str]:
    """The model: the written order, unless every value both starts and ends with ff (then
    nothing tells the orders apart and CSS's is read)."""
    written = [("ff" + _hex(c)) if argb else (_hex(c) + "ff") for c in rgbs]
    if all(w.startswith("ff") and w.endswith("ff") for w in written):
        return ["#" + w[:6] for w in written]
    return ["#" + _hex(c) for c in rgbs]


def _codes(rgbs: list[tuple[int, int, int]], argb: bool, upper: bool) -> str:
    out = ""
    for i, c in enumerate(rgbs):
        value = "#" + (("ff" + _hex(c)) if argb else (_hex(c) + "ff"))
        out += f'<Code guid="{_g(i)}" name="C{i}" isCodable="true" '
        out += f'color="{value.upper() if upper else value}"/>'
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rgbs=st.lists(RGB, min_size=1, max_size=5), argb=st.booleans(), upper=st.booleans())
@example(rgbs=[(0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28)], argb=True, upper=True)
def test_eight_digit_colours_are_read_in_the_order_the_file_uses(
    tmp_path: Path, rgbs: list[tuple[int, int, int]], argb: bool, upper: bool
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    archive = write(folder / "in.qdpx", project("", _codes(rgbs, argb, upper)))
    import_qdpx(archive, folder / "out.fieldscribe", coder="me")
    with Project.open(folder / "out.fieldscribe", readonly=True) as p:
        got = {c.name: c.colour for c in p.codebook.codes()}
    want = _expected(rgbs, argb)
    assert [got[f"C{i}"] for i in range(len(rgbs))] == want
    # a .qdc codebook of the same codes reads them alike
    qdc = folder / "book.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
        f'origin="Qt tool"><Codes>{_codes(rgbs, argb, upper)}</Codes></CodeBook>',
        encoding="utf-8",
    )
    target = Project.create(folder / "qdc.fieldscribe", coder="me")
    import_codebook(target, qdc)
    got = {c.name: c.colour for c in target.codebook.codes()}
    target.close()
    assert [got[f"C{i}"] for i in range(len(rgbs))] == want


def test_one_colour_alone_keeps_the_css_reading() -> None:
    assert read_colour("#11223380") == "#112233"  # translucent: nothing says ARGB
    assert read_colour("#ff0000ff") == "#ff0000"  # opaque red in CSS order, or blue: CSS
    assert read_colour("#ff2e7d32", "argb") == "#2e7d32"
