"""A text a .qdpx names that cannot be read costs one report line: which source, why, and what
was not imported (a text file holding binary data gave a second line, "it has no plain text",
which was not why, and said nothing of the codings lost)."""

from __future__ import annotations

from pathlib import Path

from storage.interop import import_qdpx
from tests.interop_support import write_qdpx
from tests.test_interop_qdpx_losses_named import _av_files, _av_qde, _g

NOISE = b"%PDF-1.4\n" + bytes(range(256)) * 8


def _said(tmp_path: Path, files: dict[str, bytes], name: str) -> list[str]:
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", _av_qde(), files), tmp_path / "p")
    return [line for line in report.not_imported if name in line]


def test_a_text_source_holding_binary_data_is_one_line(tmp_path: Path) -> None:
    files = _av_files(tmp_path) | {f"sources/{_g(80)}.txt": NOISE}
    assert _said(tmp_path, files, "Күнделік") == [
        f"Text source 'Күнделік': its text 'internal://{_g(80)}.txt' holds no text (a PDF), so "
        "it could not be read; export it again from the program that made it."
    ]


def test_a_transcript_holding_binary_data_is_one_line_with_its_codings(tmp_path: Path) -> None:
    files = _av_files(tmp_path) | {f"sources/{_g(60)}.txt": NOISE}
    assert _said(tmp_path, files, "Сұхбат") == [
        f"Transcript of 'Сұхбат.wav': its text 'internal://{_g(60)}.txt' holds no text (a "
        "PDF), so it could not be read; export it again from the program that made it; the "
        "session has no segments; 1 coded selection was not imported."
    ]


def test_a_missing_transcript_is_one_line_with_its_codings(tmp_path: Path) -> None:
    files = {k: v for k, v in _av_files(tmp_path).items() if _g(60) not in k}
    (line,) = _said(tmp_path, files, "Сұхбат")
    assert line.startswith(
        f"Transcript of 'Сұхбат.wav': its text 'internal://{_g(60)}.txt' is missing from the "
        "archive, which names it as its own"
    )
    assert line.endswith("; the session has no segments; 1 coded selection was not imported.")
