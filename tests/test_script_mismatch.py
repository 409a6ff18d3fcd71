"""``storage.core.languages.script_mismatch``: typed text whose letters are in another script
than its segment's language, against a model that counts letters by their Unicode names."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from storage.core.languages import CYRILLIC_LANGUAGES, script_mismatch

LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВЁӘabcdefghijklmnopqrstuvwxyzçğışéABCαβγ"


def _model(text: str, language: str | None) -> str | None:
    """The script to name, from the letters' Unicode names (independent of code points)."""
    names = [unicodedata.name(ch) for ch in text if ch.isalpha()]
    if not language or not names:
        return None
    cyrillic = sum(n.startswith("CYRILLIC") for n in names)
    latin = sum(n.startswith("LATIN") for n in names)
    if (2 * cyrillic > len(names)) == (language in CYRILLIC_LANGUAGES):
        return None
    if 2 * cyrillic > len(names):
        return "Cyrillic"
    return "Latin" if 2 * latin > len(names) else "not Cyrillic"


@given(
    st.text(LETTERS + " .,12", max_size=30),
    st.sampled_from(["ru", "kk", "en", "de", "tr", "el", None]),
)
def test_the_script_named_agrees_with_the_letters(text: str, language: str | None) -> None:
    found = script_mismatch(text, language, ["ru", "kk", "en"])
    assert (found[0] if found else None) == _model(text, language)
    if found and found[1] is not None:
        assert found[1] != language  # never "set it to what it is"


def test_the_examples() -> None:
    assert script_mismatch("Очередь большая.", "en", ["ru", "kk", "en"]) == ("Cyrillic", "ru")
    assert script_mismatch("Кезек көп.", "en", ["ru", "kk", "en"]) == ("Cyrillic", "kk")
    assert script_mismatch("Okay, thank you.", "kk", ["ru", "kk", "en"]) == ("Latin", "en")
    assert script_mismatch("Okay, thank you.", "ru", []) == ("Latin", None)
    assert script_mismatch("Очередь, okay.", "ru", ["ru", "en"]) is None  # code-switching
    assert script_mismatch("12:30 …", "en", ["ru"]) is None
    assert script_mismatch("Очередь", None, ["ru"]) is None


def test_the_script_is_said_as_a_message_says_it() -> None:
    from storage.core.languages import script_said

    said = {
        text: script_said(script_mismatch(text, lang, [])[0])  # type: ignore[index]
        for text, lang in [("Привет всем", "en"), ("Hello all", "ru"), ("مرحبا", "kk")]
    }
    assert said == {"Привет всем": "in Cyrillic", "Hello all": "in Latin", "مرحبا": "not Cyrillic"}
