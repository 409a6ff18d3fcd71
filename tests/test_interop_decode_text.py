"""Transcript files in the encodings Windows, Unix and older Russian and Kazakh tools write:
read as what they say, not as Windows-1252 mojibake."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from storage.interop import parse_transcript
from storage.interop._common import decode_text


def _cues(path: Path) -> list[tuple[int, int, str | None, str]]:
    return [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parse_transcript(path).drafts]


def _put(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


SRT_RU = "1\r\n00:00:01,000 --> 00:00:02,500\r\nИнтервьюер: Привет, как дела?\r\n\r\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1251", "koi8_r", "cp866"]
)
def test_encodings(tmp_path: Path, encoding: str) -> None:
    """cp1251 and KOI8-R Russian were read as Windows-1252 (mojibake); UTF-16 without a byte
    order mark as garbage."""
    path = _put(tmp_path, "t.srt", SRT_RU.encode(encoding))
    assert _cues(path) == [(1000, 2500, "Интервьюер", "Привет, как дела?")]


def test_bom_utf16_vtt_is_detected(tmp_path: Path) -> None:
    text = "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Айгерим>Сәлем\r\n"
    for encoding in ("utf-16", "utf-8-sig"):
        path = _put(tmp_path, "t.txt", text.encode(encoding))
        assert _cues(path) == [(1000, 2000, "Айгерим", "Сәлем")]


def test_kazakh_in_windows_kz1048(tmp_path: Path) -> None:
    line = "[00:00:01] Ә.Н.: Сәлеметсіз бе! Қалың қалай?\n"
    path = _put(tmp_path, "t.txt", line.encode("kz1048"))
    assert _cues(path) == [(1000, 1000, "Ә.Н.", "Сәлеметсіз бе! Қалың қалай?")]


@pytest.mark.parametrize(
    "text",
    [
        "Café crème à la française, naïve.",
        "Привет, как дела? Всё хорошо, спасибо.",
        "Ну, мен білмеймін, короче, ештеңе.",
        "Сәлеметсіз бе! Қалың қалай? Үйде ме?",
    ],
)
def test_decode_text_picks_the_code_page_that_reads_as_words(text: str) -> None:
    for encoding in ("utf-8", "cp1252", "cp1251", "kz1048", "koi8_r", "cp866", "utf-16"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        assert decode_text(data) == text, encoding


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    """One byte pasted from a Windows-1252 text made the whole UTF-8 file Windows-1252
    mojibake."""
    text = "Интервьюер: Расскажите, пожалуйста, о себе. Айгерим: Жақсы, "
    data = text.encode("utf-8") + b"\xa0" + "рахмет.".encode()
    assert decode_text(data) == text + "\ufffd" + "рахмет."


def test_a_code_page_file_that_starts_like_a_byte_order_mark() -> None:
    """ "юя" in Windows-1251 is the bytes of UTF-16's byte order mark."""
    text = "юя ааа аа аа"
    assert decode_text(text.encode("cp1251")) == text


_RU = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_KK = "абвгдежзийклмнопрстуфхыіэюяәғқңөұүһ"


def _sentences(letters: str) -> st.SearchStrategy[str]:
    word = st.text(alphabet=letters, min_size=2, max_size=9)
    cased = word.flatmap(lambda w: st.sampled_from([w, w.capitalize()]))
    return st.lists(cased, min_size=4, max_size=20).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(text=_sentences(_RU), encoding=st.sampled_from(["cp1251", "koi8_r", "utf-8"]))
@example(text="аа аа аа аашаа", encoding="cp1251")  # read as CP866: "рр рр рр рр°рр"
@example(text="аа аа аа аашшаа", encoding="cp1251")  # "рр рр рр рр°°рр": a run of signs
def test_russian_in_any_code_page_round_trips(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize(
    "text",
    [
        "Интервьюер: Расскажите, пожалуйста, о себе.",
        "Анна: В деревне нет больницы, автобус ходит раз в день.",
        "аа бр бр брабр",  # read as KZ-1048: "\xa0\xa0 Ұа Ұа Ұа\xa0Ұа"
        "Ну, я не знаю. Короче, ничего не изменилось.\nБолат: Всё так же.",
    ],
)
def test_russian_in_cp866_is_read_as_russian(text: str) -> None:
    """Russian saved "for MS-DOS" (CP866) was read as Windows-1252 or KZ-1048 mojibake.
    (Random strings of three or four letters can read as well in KZ-1048: "Вбр" is "‚Ұа";
    real sentences do not.)"""
    assert decode_text(text.encode("cp866")) == text


@settings(max_examples=150, deadline=None)
@given(text=_sentences(_KK))
@example(text="аа аағаа аағаағаа аағаағаа")  # CI's search: read as KOI8-R, "ЮЮ ЮЮ╨ЮЮ …"
def test_kazakh_in_kz1048_round_trips(text: str) -> None:
    data = text.encode("kz1048")
    # bytes that are valid UTF-8 are read as UTF-8, by design: a capital followed by one of
    # Kazakh's letters above 0x80 is a two-byte UTF-8 sequence, so "Ві Ві Ві Ві" reads
    # "³ ³ ³ ³" (real Kazakh text, mostly lower-case letters at 0xE0 and up, never is)
    assume(not _utf8(data))
    assert decode_text(data) == text


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçôüñ", min_size=2, max_size=9).filter(
            lambda w: any(c.isascii() for c in w)
        ),
        min_size=4,
        max_size=20,
    ).map(" ".join)
)
def test_western_text_in_windows_1252_round_trips(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == text
