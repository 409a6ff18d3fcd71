"""How a real name is matched in text: Cyrillic names with Russian and Kazakh endings.

A name written in Cyrillic matches as its stem followed by one ending from a declared set
(Russian case endings by declension class, Russian surname, patronymic and diminutive
suffixes, Kazakh case, plural and possessive suffixes in every vowel-harmony and assimilation
variant), as a whole word. Text and name are compared after ``fold``: letters lower-cased, Kazakh
letters taken as their Russian look-alikes (ә=а, ғ=г, қ=к, ң=н, ө=о, ұ=ү=у, һ=х, і=и) and ё=е,
so "Нұрлан" also finds "Нурлана" and "Айгүл" finds "Айгуль". ``fold`` keeps every code point in
place, so a match in the folded text is the same span of the original.

A name in another script keeps the older, generic rule: the last word's stem and up to four
more letters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

#: Kazakh letters and ё as their Russian look-alikes (after lower-casing).
_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")


def _lower1(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def fold(text: str) -> str:
    """Lower-case ``text`` and fold Kazakh letters and ё, one code point for one.

    ``len(fold(text)) == len(text)`` always holds, so positions carry over.
    """
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer (e.g. "İ"): one by one
        low = "".join(_lower1(ch) for ch in text)
    return low.translate(_FOLD)


def has_cyrillic(text: str) -> bool:
    """Whether ``text`` holds a Cyrillic letter."""
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


# --------------------------------------------------------------------- Russian
# Endings are written folded (lower case, ё as е). "" is the bare stem.
#: Case endings (singular and plural) by the name's declension class: the key is the letter
#: the stem loses ("" for a consonant).
RU_ENDINGS: dict[str, tuple[str, ...]] = {
    # Нурлан, Нурлана, Нурлану, Нурланом, Нурлане; Ержаном (after ж ш ч щ ц); plural
    "": ("", "а", "у", "ом", "ем", "е", "ы", "и", "ов", "ев", "ам", "ами", "ах"),
    # Марина, Марины, Марине, Марину, Мариной, Мариною; Ольги; Машей; plural; gen. pl. Марин
    "а": ("а", "ы", "и", "е", "у", "ой", "ою", "ей", "ею", "ам", "ами", "ах", ""),
    # Ляззат-style soft: Аля, Али, Але, Алю, Алей, Алею; Мария, Марии, Марию, Марией
    "я": ("я", "и", "е", "ю", "ей", "ею", "ям", "ями", "ях", "ь", ""),
    # Айгуль, Айгули, Айгулью (feminine); Игорь, Игоря, Игорю, Игорем, Игоре (masculine)
    "ь": ("ь", "и", "ью", "я", "ю", "ем", "е", "ей", "ям", "ями", "ях", ""),
    # Сергей, Сергея, Сергею, Сергеем, Сергее; plural Сергеи
    "й": ("й", "я", "ю", "ем", "е", "и", "ев", "ям", "ями", "ях"),
}
#: Suffixes that build a word on the name: surnames (Нурланов, Нурланова, Маринин),
#: patronymics (Нурланович, Нурлановна) and diminutives (Мариночка, Нурланчик, Айгулька),
#: each with its own case endings. They contain the name, so they are matched as well.
_ADJ = ("", "а", "у", "ым", "ом", "е", "ой", "ою", "ых", "ыми", "ы", "ым", "ого", "ому")
_NOUN_M = ("", "а", "у", "ом", "ем", "е", "и", "ы", "ам", "ами", "ах", "ей")
_NOUN_F = ("а", "ы", "и", "е", "у", "ой", "ою", "ей", "ек", "ам", "ами", "ах")
RU_DERIVED: tuple[str, ...] = tuple(
    sorted(
        {base + end for base in ("ов", "ев", "ин", "ын") for end in _ADJ}
        | {base + end for base in ("ович", "евич", "ич", "ыч") for end in _NOUN_M}
        | {base + end for base in ("овн", "евн", "ичн", "иничн") for end in _NOUN_F}
        | {
            base + end
            for base in ("очк", "ечк", "ушк", "юшк", "оньк", "еньк", "к", "ьк")
            for end in _NOUN_F
        }
        | {base + end for base in ("чик", "ик", "ок", "ек") for end in _NOUN_M}
    )
)

# --------------------------------------------------------------------- Kazakh
# Folded: ң->н, і->и, ғ->г, қ->к, ә->а, ө->о, ұ ү->у. Every harmony (back/front vowel) and
# assimilation (after vowel / voiced / voiceless consonant) variant is accepted, whatever the
# name's own vowels: transcripts spell names loosely, and a missed name is worse than a
# reviewable extra candidate.
_KK_CASES = (
    # genitive -ның/-нің/-дың/-дің/-тың/-тің: Нұрланның, Айгүлдің
    "нын", "нин", "дын", "дин", "тын", "тин",
    # dative -ға/-ге/-қа/-ке (-на/-не after a possessive): Нұрланға, Айгүлге
    "га", "ге", "ка", "ке", "на", "не",
    # accusative -ны/-ні/-ды/-ді/-ты/-ті: Нұрланды
    "ны", "ни", "ды", "ди", "ты", "ти",
    # locative -да/-де/-та/-те/-нда/-нде: Нұрланда
    "да", "де", "та", "те", "нда", "нде",
    # ablative -дан/-ден/-тан/-тен/-нан/-нен: Нұрланнан
    "дан", "ден", "тан", "тен", "нан", "нен",
    # instrumental -мен/-бен/-пен (and -менен...): Нұрланмен, Айгүлмен
    "мен", "бен", "пен", "менен", "бенен", "пенен",
    # "like N" -дай/-дей/-тай/-тей, -ша/-ше; "N's (one)" -нікі/-дікі/-тікі...
    "дай", "дей", "тай", "тей", "ша", "ше",
    "ныки", "ники", "дыки", "дики", "тыки", "тики",
    # "I am N" -мын/-бын/-пын, "you are N" -сың, "we are N" -мыз/-быз/-пыз: Ғалыммын
    "мын", "мин", "бын", "бин", "пын", "пин", "сын", "син",
    "мыз", "миз", "быз", "биз", "пыз", "пиз",
)  # fmt: skip
_KK_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
_KK_AFTER_PLURAL = ("", "дын", "дин", "га", "ге", "ды", "ди", "да", "де", "дан", "ден", "мен")
#: Joined patronymics (Нұрланұлы, Айгүлқызы), the address form -жан (Айгүлжан) and the
#: possessive -ы/-і before a case (Нұрланы, Нұрланына).
_KK_WORDS = ("улы", "кызы", "жан", "ы", "и")
KK_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        set(_KK_CASES)
        | {pl + end for pl in _KK_PLURAL for end in _KK_AFTER_PLURAL}
        | {w + end for w in _KK_WORDS for end in ("", *_KK_CASES, "н")}
    )
)

#: Letters whose loss gives a Cyrillic name's stem (one letter at most).
_STEM_LETTERS = ("а", "я", "ь", "й")
_VOWELS = set("аеиоуыэюяь")
#: A stem shorter than this only matches with an ending (never bare).
MIN_BARE_STEM = 3

# --------------------------------------------------------------------- other scripts
_TRIMMABLE = set("aeiouy")
_MIN_STEM = 3
#: Possessive endings kept after the pseudonym ("Aigul's" -> "P01's").
#: (Written folded: Kazakh -тің/-тың/-дің/-дың/-нің/-ның after an apostrophe.)
POSSESSIVE = r"(?:['’](?:s|ś|тин|тын|дин|дын|нин|нын)?)?"


def _alternation(options: Iterable[str]) -> str:
    """A regex alternation of literal strings, longest first (so the longest ending wins)."""
    unique = sorted(set(options), key=lambda s: (-len(s), s))
    return "(?:" + "|".join(re.escape(o) for o in unique) + ")"


def cyrillic_word(word: str) -> str:
    """The regex of one folded Cyrillic word with every ending of the declared sets."""
    folded = fold(word)
    final = folded[-1] if folded[-1] in _STEM_LETTERS and len(folded) >= 3 else ""
    stem = folded[: len(folded) - len(final)]
    if final in ("", "ь") and stem[-1] not in _VOWELS:
        # a consonant: hard or soft (Нурлан, Нурлана; Айгүл = Айгуль, Айгули, Айгулью)
        endings = {*RU_ENDINGS[""], *RU_ENDINGS["ь"]}
        kazakh = {*KK_SUFFIXES, *("ь" + s for s in KK_SUFFIXES)}  # Айгүлге, Айгульге
    elif final:
        endings = set(RU_ENDINGS[final])
        kazakh = {final + s for s in KK_SUFFIXES}  # Маринаға, Сергейге
    else:  # another vowel (Гуло, Әли, Айсұлу): indeclinable in Russian
        endings = {""}
        kazakh = set(KK_SUFFIXES)
    if len(stem) < MIN_BARE_STEM:
        # a short stem (Аня -> ан) only with its own endings: never bare, no derived words
        endings.discard("")
        endings.add(final)  # the name itself
        return re.escape(stem) + _alternation(endings | kazakh)
    return re.escape(stem) + _alternation(endings | kazakh | set(RU_DERIVED))


def _stem(word: str) -> str:
    stem = word
    while len(stem) > _MIN_STEM and len(word) - len(stem) < 2 and stem[-1].lower() in _TRIMMABLE:
        stem = stem[:-1]
    return stem


@functools.lru_cache(maxsize=256)
def name_pattern(real_name: str, max_suffix: int = 4) -> re.Pattern[str]:
    """A regex for a real name as whole words, to run on ``fold(text)``.

    Cyrillic names: every word is its stem plus a declared Russian or Kazakh ending (see the
    module notes). Other names: the words before the last as written, the last word's stem and
    up to ``max_suffix`` more letters. Group 1 is the name as written (inflected or not), group
    2 a possessive ending such as ``'s`` that the replacement keeps.

    Raises:
        ValueError: the name has no word.
    """
    words = fold(real_name).split()
    if not words:
        raise ValueError("empty name")
    if has_cyrillic(real_name):
        body = r"\s+".join(cyrillic_word(w) for w in words)
    else:
        stem = _stem(words[-1])
        endings = max_suffix + len(words[-1]) - len(stem)
        head = "".join(re.escape(w) + r"\s+" for w in words[:-1])
        body = head + re.escape(stem) + rf"\w{{0,{endings}}}"
    return re.compile(rf"(?<!\w)({body})({POSSESSIVE})(?!\w)")


def name_spans(
    real_name: str, text: str, *, folded: str | None = None
) -> list[tuple[int, int, int]]:
    """Where ``real_name`` occurs in ``text``: (start, end of the name, end with possessive).

    ``folded``: ``fold(text)`` when the caller has it already (one text searched for every
    mapped name is folded once, not once per name)."""
    if folded is None:
        folded = fold(text)
    return [(m.start(1), m.end(1), m.end(2)) for m in name_pattern(real_name).finditer(folded)]


def contains_name(real_name: str, text: str) -> bool:
    """Whether ``text`` holds ``real_name`` or one of its forms."""
    return name_pattern(real_name).search(fold(text)) is not None
