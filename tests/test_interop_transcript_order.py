"""A transcript's lines keep the file's order, also where a timestamp goes back in time (a
stamp typed by hand in oTranscribe or Word after listening again): the session used to show
them sorted by their times, another speaker's words moved above the line they answered."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from storage import Project
from storage.interop.transcript_import import import_transcript_as_session


def _otr(lines: list[tuple[float, str]]) -> str:
    stamp = '<span class="timestamp" contenteditable="false" data-timestamp="{0}">{1}</span>'
    body = "".join(
        f"<p>{stamp.format(t, f'{int(t) // 60:02d}:{int(t) % 60:02d}')} {text}</p>"
        for t, text in lines
    )
    return json.dumps({"text": body, "media": "", "media-time": 0}, ensure_ascii=False)


LINES = [
    (1.0, "Айгерім: Сәлеметсіз бе 😀"),
    (62.0, "Ерлан: Екінші сұрақ 𝔸"),
    (61.0, "Айгерім: Жауап, ұлым үйде"),
    (65.0, "Ерлан: Рақмет"),
]


def _write(tmp_path: Path, shape: str) -> Path:
    if shape == "otr":
        path = tmp_path / "ауыл.otr"
        path.write_text(_otr(LINES), encoding="utf-8")
    elif shape == "txt":
        path = tmp_path / "ауыл.txt"
        path.write_text(
            "".join(f"[00:{int(t) // 60:02d}:{int(t) % 60:02d}] {x}\r\n" for t, x in LINES),
            encoding="utf-8-sig",
        )
    else:
        document = docx.Document()
        for t, text in LINES:
            document.add_paragraph(f"[00:{int(t) // 60:02d}:{int(t) % 60:02d}] {text}")
        path = tmp_path / "ауыл.docx"
        document.save(str(path))
    return path


@pytest.mark.parametrize("shape", ["otr", "txt", "docx"])
def test_a_timestamp_going_back_keeps_the_lines_in_the_files_order(
    project: Project, tmp_path: Path, shape: str
) -> None:
    session_id, result = import_transcript_as_session(project, _write(tmp_path, shape))
    rows = [
        (s.start_ms, s.end_ms, s.speaker, s.text) for s in project.transcript.segments(session_id)
    ]
    assert [r[3] for r in rows] == [
        "Сәлеметсіз бе 😀",
        "Екінші сұрақ 𝔸",
        "Жауап, ұлым үйде",
        "Рақмет",
    ]
    assert [r[2] for r in rows] == ["Айгерім", "Ерлан", "Айгерім", "Ерлан"]
    # the line that went back starts where the line above it starts, and ends the next one's
    assert rows[2][:2] == (62000, 65000) and rows[1][0] == 62000
    (note,) = [n for n in result.notes if "earlier than the line before" in n]
    assert "01:01" in note and "Жауап" in note
