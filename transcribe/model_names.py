"""A model's folder name from any name: Cyrillic (Russian and Kazakh) written in Latin letters,
so that a model imported from a folder named ``казахская модель`` is ``kazakhskaya-model``."""

from __future__ import annotations

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        [
            *("a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n"),
            *("o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", ""),
            *("e", "yu", "ya", "a", "gh", "q", "ng", "o", "u", "u", "h", "i"),
        ],
        strict=True,
    )
)


def in_latin(text: str) -> str:
    """``text`` with its Russian and Kazakh letters in Latin ones (``Қазақ`` -> ``Qazaq``);
    every other character as it was."""
    out = []
    for char in text:
        latin = _CYRILLIC.get(char.lower())
        if latin is None:
            out.append(char)
        else:
            out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)
