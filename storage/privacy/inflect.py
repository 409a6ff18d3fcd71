"""A pseudonym in the grammatical form of the real name it replaces (Kazakh and Russian).

``names`` matches a Cyrillic name with a Russian or Kazakh ending; written back bare, the
pseudonym loses the case: "Мен Ғалымға айттым" (I told Ғалым) would read "Мен Болат айттым".
``inflected`` reads the ending of the matched words (their original letters) and writes the
same form of the pseudonym, by the pseudonym's own sounds:

- Kazakh: the suffix's case (genitive, dative, accusative, locative, ablative, instrumental,
  the similative -дай and -ша), plural, 3rd-person possessive, and the joined -жан, -ұлы and
  -қызы (their own case endings are copied: they follow -жан/-ұлы/-қызы, not the name). The
  suffix is built with vowel harmony (back or front by the pseudonym's last vowel) and
  assimilation to its last sound (vowel; nasal м н ң; sonant и й л р у ю; ж з; voiceless,
  with б в г ғ д). Tables: talkinkazakh.com "A Guide To The 7 Kazakh Noun Cases", the
  ablative of tili.softmaker.kz, MediaWiki's LanguageKk_cyrl.php (its letter classes), the
  examples of the qazaq-tili package (Асланның, Асланға, Асланды, Асланда, Асланнан,
  Асланмен) and Krippes' Kazakh Grammar (-мен after ң, -бен after з: құлағыңмен,
  құлағымызбен): the instrumental is -мен after a nasal (Нұрланмен), -бен after ж з. Written
  in Kazakh letters (қ ғ ң і) when the match or its text has one, else in their Russian
  look-alikes (a transcript spelling "Нурланга" gets "Болатка").
- Russian: the ending is read against the real name's declension class (consonant, -а, -я,
  -ь masculine or feminine, -й; surnames in -ов/-ин after the first word) as the list of
  cases it can be, then that case of the pseudonym's class is written, with the spelling rules
  (и for ы after г к х ж ш ч щ; е for unstressed о after ж ш ч щ ц). Where the ending is
  ambiguous the first reading wins, in the order nominative, genitive, dative, accusative,
  instrumental, prepositional, then the plural (Нурлана is genitive: "Болата", and a
  Марина-class pseudonym gets "Даны", not "Дану"), unless the word before is a preposition that
  takes one of the readings (к Марине: dative; о Марине: prepositional; про Нурлана:
  accusative). Within one class the readings and the forms are the same table, so the
  pseudonym gets exactly the real name's ending. Surnames and patronymics built on the name
  (Нурланов, Нурланович) are formed on a pseudonym of the same class (Болатов, Болатович);
  diminutives (Нурланчик) are not: the pseudonym stays bare.

A pseudonym that is not one or more Cyrillic words of letters ("P01", "Participant 1",
"Респондент А") stays bare, and so does one of several words in Russian; a real name in Latin
letters is never inflected. A name matched as written (any case) gives the bare pseudonym,
and so does a form not listed here (the Kazakh -нікі, Russian diminutives).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from storage.privacy.names import RU_DERIVED, fold, has_cyrillic

# --------------------------------------------------------------------- the pseudonym
_CYR_WORD = re.compile(r"[\u0400-\u04ff]+(?:-[\u0400-\u04ff]+)*\Z")
_KAZAKH_LETTERS = set("әғқңөұүһі")


def _inflectable(pseudonym: str) -> bool:
    """Cyrillic words of letters, the last of at least two (not "П01", "Респондент А")."""
    words = pseudonym.split()
    return bool(words) and all(_CYR_WORD.match(w) for w in words) and len(words[-1]) >= 2


def _upper(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


# --------------------------------------------------------------------- Kazakh
_KK_BACK = set("аоұыяё")
_KK_FRONT = set("әөүіеэи")
_KK_VOWEL_END = set("аәеоөұүыіэяё")
_NASAL = set("мнң")
_SONANT = set("ийлруюь")
_SIBILANT = set("жз")

#: Case suffixes (folded, as names.py writes them) to the case they mark.
_KK_CASE_OF: dict[str, str] = {
    **dict.fromkeys(("нын", "нин", "дын", "дин", "тын", "тин"), "gen"),
    **dict.fromkeys(("га", "ге", "ка", "ке", "на", "не"), "dat"),
    **dict.fromkeys(("ны", "ни", "ды", "ди", "ты", "ти"), "acc"),
    **dict.fromkeys(("да", "де", "та", "те", "нда", "нде"), "loc"),
    **dict.fromkeys(("дан", "ден", "тан", "тен", "нан", "нен"), "abl"),
    **dict.fromkeys(("мен", "бен", "пен", "менен", "бенен", "пенен"), "ins"),
    **dict.fromkeys(("дай", "дей", "тай", "тей"), "sim"),
    **dict.fromkeys(("ша", "ше"), "equ"),
    # personal endings of a name as a predicate: "Мен Ғалыммын" (I am Ғалым)
    **dict.fromkeys(("мын", "мин", "бын", "бин", "пын", "пин"), "1sg"),
    **dict.fromkeys(("сын", "син"), "2sg"),
    **dict.fromkeys(("мыз", "миз", "быз", "биз", "пыз", "пиз"), "1pl"),
}
_KK_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")


def _kk_sound(word: str) -> tuple[str, bool]:
    """The class of the last sound of ``word`` and whether its suffixes take front vowels."""
    low = word.lower()
    last = low[-1]
    front = last == "ь"  # Айгуль: front (Айгульге)
    if front:
        last = low[-2:-1] or last
    else:  # by the last vowel that tells (у and ю do not)
        front = next((ch in _KK_FRONT for ch in reversed(low) if ch in _KK_BACK | _KK_FRONT), False)
    if last in _KK_VOWEL_END:
        sound = "vowel"
    elif last in _NASAL:
        sound = "nasal"
    elif last in _SONANT:
        sound = "sonant"
    elif last in _SIBILANT:
        sound = "sibilant"
    else:
        sound = "voiceless"
    return sound, front


def _kk_case(word: str, case: str) -> str:
    """The suffix of ``case`` after ``word`` (Kazakh letters)."""
    sound, front = _kk_sound(word)
    voiceless = sound == "voiceless"
    a = "е" if front else "а"
    y = "і" if front else "ы"
    if case == "gen":
        c = "н" if sound in ("vowel", "nasal") else "т" if voiceless else "д"
        return c + y + "ң"
    if case == "acc":
        c = "н" if sound == "vowel" else "т" if voiceless else "д"
        return c + y
    if case == "dat":
        return ("ке" if front else "қа") if voiceless else ("ге" if front else "ға")
    if case in ("loc", "sim"):
        return ("т" if voiceless else "д") + a + ("й" if case == "sim" else "")
    if case == "abl":
        c = "н" if sound == "nasal" else "т" if voiceless else "д"
        return c + a + "н"
    if case == "ins":  # no vowel harmony
        return ("б" if sound == "sibilant" else "п" if voiceless else "м") + "ен"
    if case == "equ":
        return "ш" + a
    if case in ("1sg", "1pl"):  # -мын after a vowel or л р й у, -бын after м н ң ж з, -пын
        c = "п" if voiceless else "б" if sound in ("nasal", "sibilant") else "м"
        return c + y + ("н" if case == "1sg" else "з")
    if case == "2sg":
        return "с" + y + "ң"
    return ""  # nominative


def _kk_plural(word: str) -> str:
    sound, front = _kk_sound(word)
    last = word.lower().rstrip("ь")[-1:]
    if sound == "voiceless":
        c = "т"
    elif sound == "vowel" or last in ("р", "й", "у", "и", "ю"):
        c = "л"
    else:  # л, nasals, ж з
        c = "д"
    return c + ("ер" if front else "ар")


#: Case endings after the 3rd-person possessive (Нұрланы -> Нұрланына, Нұрланын...).
_AFTER_POSSESSIVE = {
    "gen": ("ның", "нің"),
    "dat": ("на", "не"),
    "acc": ("н", "н"),
    "loc": ("нда", "нде"),
    "abl": ("нан", "нен"),
    "ins": ("мен", "мен"),
}
_POSSESSIVE_CASE = {
    "": "",
    "н": "acc",
    "нын": "gen",
    "нин": "gen",
    "на": "dat",
    "не": "dat",
    "нда": "loc",
    "нде": "loc",
    "нан": "abl",
    "нен": "abl",
    "мен": "ins",
}


def _kk_parse(rest: str) -> tuple[str, str] | None:
    """The structure of a Kazakh suffix (folded): ("case", c), ("plural", c or ""),
    ("possessive", c or "") or ("joined", ""); None if not one of those."""
    if rest in _KK_CASE_OF:
        return ("case", _KK_CASE_OF[rest])
    for pl in _KK_PLURAL:
        if rest.startswith(pl):
            after = rest[len(pl) :]
            if after == "":
                return ("plural", "")
            if _KK_CASE_OF.get(after) in _AFTER_POSSESSIVE:  # the six cases
                return ("plural", _KK_CASE_OF[after])
    if rest.startswith(("улы", "кызы", "жан")):
        return ("joined", "")
    if rest[:1] in ("ы", "и") and rest[1:] in _POSSESSIVE_CASE:
        return ("possessive", _POSSESSIVE_CASE[rest[1:]])
    return None


def _kk_build(word: str, parsed: tuple[str, str], tail: str) -> str:
    """``word`` with the Kazakh suffix ``parsed`` (``tail``: the original letters after the
    name, for a joined word whose own endings are copied)."""
    kind, arg = parsed
    if kind == "case":
        return word + _kk_case(word, arg)
    if kind == "plural":
        plural = word + _kk_plural(word)
        return plural + (_kk_case(plural, arg) if arg else "")
    if kind == "possessive":
        sound, front = _kk_sound(word)
        poss = ("с" if sound == "vowel" else "") + ("і" if front else "ы")
        after = _AFTER_POSSESSIVE[arg][front] if arg else ""
        return word + poss + after
    return word + tail.lower()  # joined: -жан, -ұлы, -қызы and their own endings as written


_TO_RUSSIAN = str.maketrans("әғқңөұүһі", "агкноуухи")


# --------------------------------------------------------------------- Russian
_CASES = (
    "nom",
    "gen",
    "dat",
    "acc",
    "ins",
    "pre",
    "nom_pl",
    "gen_pl",
    "dat_pl",
    "ins_pl",
    "pre_pl",
)
_HUSHING = set("жшчщ")
_VELAR = set("гкхқғ")
_MASCULINE_SOFT = {
    "игорь", "лазарь", "эмиль", "шамиль", "камиль", "рамиль", "наиль", "амиль", "адиль",
    "рауль", "фазыль", "ильдар", "ариэль", "назиль", "рафаэль", "михаэль", "даниэль",
}  # fmt: skip

# The endings of each class by case (on the stem: the name less its final а/я/ь/й).
_PARADIGMS: dict[str, tuple[str, ...]] = {
    #           nom   gen   dat  acc  ins    pre  nom_pl gen_pl dat_pl ins_pl  pre_pl
    "hard": ("", "а", "у", "а", "ом", "е", "ы", "ов", "ам", "ами", "ах"),
    "a": ("а", "ы", "е", "у", "ой", "е", "ы", "", "ам", "ами", "ах"),
    "ja": ("я", "и", "е", "ю", "ей", "е", "и", "ь", "ям", "ями", "ях"),
    "ija": ("я", "и", "и", "ю", "ей", "и", "и", "й", "ям", "ями", "ях"),
    "soft_m": ("ь", "я", "ю", "я", "ем", "е", "и", "ей", "ям", "ями", "ях"),
    "soft_f": ("ь", "и", "и", "ь", "ью", "и", "и", "ей", "ям", "ями", "ях"),
    # a consonant-final name without ь that takes soft endings (Айгүл: Айгули, Айгулью)
    "cons_f": ("", "и", "и", "", "ью", "и", "и", "ей", "ям", "ями", "ях"),
    "cons_m": ("", "я", "ю", "я", "ем", "е", "и", "ей", "ям", "ями", "ях"),
    "j": ("й", "я", "ю", "я", "ем", "е", "и", "ев", "ям", "ями", "ях"),
    "ij": ("й", "я", "ю", "я", "ем", "и", "и", "ев", "ям", "ями", "ях"),
    # surnames after the first word: Сейтов, Сейтова (adjectival feminine)
    "sur_m": ("", "а", "у", "а", "ым", "е", "ы", "ых", "ым", "ыми", "ых"),
    "sur_f": ("а", "ой", "ой", "у", "ой", "ой", "ы", "ых", "ым", "ыми", "ых"),
}

#: Prepositions and the cases they take (the reading they pick among an ending's readings).
_PREPOSITIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("у", "от", "до", "без", "для", "из", "около", "после", "кроме", "возле", "вместо",
         "среди", "против", "ради", "мимо", "вокруг", "насчет"),
        ("gen", "gen_pl"),
    ),
    **dict.fromkeys(("к", "ко", "по", "благодаря", "навстречу"), ("dat", "dat_pl")),
    **dict.fromkeys(("про", "через", "сквозь"), ("acc",)),
    **dict.fromkeys(("с", "со", "над", "перед", "между"), ("ins", "ins_pl")),
    **dict.fromkeys(("о", "об", "обо", "при"), ("pre", "pre_pl")),
    **dict.fromkeys(("в", "во", "на"), ("acc", "pre", "pre_pl")),
    **dict.fromkeys(("за", "под"), ("acc", "ins", "ins_pl")),
}  # fmt: skip


def _spell(stem: str, ending: str) -> str:
    """A Russian ending after ``stem`` with the spelling rules (Ольги, Ержаном->Ержанем)."""
    last = stem[-1:].lower()
    if ending.startswith("ы") and (last in _VELAR or last in _HUSHING):
        return "и" + ending[1:]
    if ending == "ов" and last in _HUSHING:
        return "ей"
    if ending[:2] in ("ом", "ой", "ою", "ов") and (last in _HUSHING or last == "ц"):
        return "е" + ending[1:]
    return ending


def _split(word: str) -> tuple[str, str]:
    """(stem, final letter) of a name word, as ``names.cyrillic_word`` splits it (folded)."""
    folded = fold(word)
    # by the letter as written: a Kazakh ә is not the Russian а (Басә stays indeclinable)
    final = folded[-1] if word[-1:].lower() in "аяьй" and len(folded) >= 3 else ""
    return word[: len(word) - len(final)], final


def _real_classes(word: str, later: bool) -> tuple[str, ...]:
    """The classes whose endings a real name word can show (several for a consonant)."""
    stem, final = _split(word)
    low = fold(word)
    if later and re.search(r"(ов|ев|ин|ын)а?\Z", low):
        return ("sur_f",) if final == "а" else ("sur_m",)
    if final == "а":
        return ("a",)
    if final == "я":
        return ("ija",) if fold(stem).endswith("и") else ("ja",)
    if final == "й":
        return ("ij",) if fold(stem).endswith("и") else ("j",)
    if final == "ь":
        return ("soft_m",) if low in _MASCULINE_SOFT else ("soft_f",)
    if low[-1:] in "аеёиоуыэюяь":
        return ()  # another vowel: indeclinable (Гуло, Әли)
    return ("hard", "cons_f", "cons_m")


def _readings(word: str, ending: str, later: bool) -> list[tuple[str, str]]:
    """(case, class) readings of a folded ``ending`` on a real name word, in reading order."""
    stem, _final = _split(word)
    found: list[tuple[str, str]] = []
    for case_index, case in enumerate(_CASES):
        for cls in _real_classes(word, later):
            if cls == "hard" and case == "gen_pl":
                continue  # Нурланов: a surname (a derived word), not "of the Nurlans"
            if fold(_spell(stem, _PARADIGMS[cls][case_index])) == ending:
                found.append((case, cls))
                break
    return found


def _pseudonym_class(word: str, gender: str | None) -> str | None:
    """The declension class of a pseudonym word (None: indeclinable)."""
    stem, final = _split(word)
    low = word.lower()
    if final == "а":
        return "a"
    if final == "я":
        return "ija" if stem.lower().endswith("и") else "ja"
    if final == "й":
        return "ij" if stem.lower().endswith("и") else "j"
    if final == "ь":
        return "soft_m" if low in _MASCULINE_SOFT or gender == "m" else "soft_f"
    if low[-1:] in "аеёиоуыэюяәөұүі":
        return None
    # a woman's name ending in a hard consonant does not decline in Russian (у Кэтрин)
    return None if gender == "f" else "hard"


_GENDER = {"soft_f": "f", "cons_f": "f", "soft_m": "m", "cons_m": "m", "hard": "m", "j": "m"}


#: Given names whose stem loses a vowel when an ending follows (Павел, Павла).
_FLEETING = {"павел": "павл", "лев": "льв", "пётр": "петр", "петр": "петр"}


def _ending_stem(pseudonym: str) -> str:
    """The stem endings attach to: the name less its final а/я/ь/й, fleeting vowel dropped."""
    stem, _final = _split(pseudonym)
    fleeting = _FLEETING.get(pseudonym.lower())
    if fleeting is None:
        return stem
    return fleeting.upper() if pseudonym.isupper() else pseudonym[0] + fleeting[1:]


def _ru_form(pseudonym: str, case: str, gender: str | None) -> str | None:
    cls = _pseudonym_class(pseudonym, gender)
    if cls is None:
        return pseudonym
    stem = _ending_stem(pseudonym)
    return stem + _spell(stem, _PARADIGMS[cls][_CASES.index(case)])


# --------------------------------------------------------------------- one word
@dataclass(frozen=True)
class _Ending:
    """What the ending of one matched word says: ``kind`` is "bare" (the name as mapped),
    "kk" (``kazakh``: the parsed suffix), "ru" (``readings``: (case, class) in reading order)
    or "derived" (``suffix``: a surname, patronymic or diminutive suffix)."""

    kind: str
    kazakh: tuple[str, str] = ("", "")
    readings: tuple[tuple[str, str], ...] = ()
    suffix: str = ""


def _analyse(real: str, matched: str, later: bool) -> _Ending | None:
    """The ending of one matched word of ``real`` (None: not one this module forms)."""
    real_f, matched_f = fold(real), fold(matched)
    if matched_f.rstrip("ь") == real_f.rstrip("ь"):  # Айгүл written Айгуль: the same form
        return _Ending("bare")
    kk: tuple[str, str] | None = None
    for base in (real_f, real_f + "ь"):  # Айгүлге, Айгульге
        if matched_f.startswith(base) and len(matched_f) > len(base):
            kk = _kk_parse(matched_f[len(base) :]) or kk
    stem = fold(_split(real)[0])
    ending = matched_f[len(stem) :] if matched_f.startswith(stem) else None
    ru = _readings(real, ending, later) if ending is not None else []
    # an ending both languages have (Нұрланы: possessive, Нурланы: plural): Kazakh letters
    # in the word make it Kazakh
    if kk is not None and (not ru or any(c in _KAZAKH_LETTERS for c in matched.lower())):
        return _Ending("kk", kazakh=kk)
    if ru:
        return _Ending("ru", readings=tuple(ru))
    if ending is not None and ending in RU_DERIVED:
        return _Ending("derived", suffix=ending)
    return None


def _kazakh_script(text: str) -> bool:
    """Whether ``text`` is written with the Kazakh letters (else their Russian look-alikes)."""
    return any(c in _KAZAKH_LETTERS for c in text.lower())


def _kk_word(pseudonym: str, matched: str, real: str, parsed: tuple[str, str], kazakh: bool) -> str:
    real_f = fold(real)
    cut = len(real_f) + (1 if fold(matched)[len(real_f) : len(real_f) + 1] == "ь" else 0)
    out = _kk_build(pseudonym, parsed, matched[cut:])
    if not kazakh:
        out = pseudonym + out[len(pseudonym) :].translate(_TO_RUSSIAN)
    return out


#: The surname and patronymic suffixes formed on each class (Нурланов, Нурланович, Маринин,
#: Никитич, Сергеев, Сергеевич); diminutives (Нурланчик, Мариночка) are not formed.
_DERIVED_BY_CLASS = {
    "hard": ("ов", "ев"),
    "a": ("ин", "ын", "ич", "ыч"),
    "ja": ("ин",),
    "j": ("ев",),
}


def _derived(pseudonym: str, real: str, suffix: str) -> str | None:
    """A surname or patronymic on the pseudonym (same class as the real name), else None."""
    real_cls = _real_classes(real, False)[:1]
    own = _pseudonym_class(pseudonym, None)
    if not real_cls or own != real_cls[0] or not suffix.startswith(_DERIVED_BY_CLASS.get(own, ())):
        return None
    stem = _ending_stem(pseudonym)
    if suffix.startswith(("ов", "ев")) and own == "hard":
        last = stem[-1:].lower()
        suffix = ("е" if last in _HUSHING or last == "ц" else "о") + suffix[1:]
    return stem + suffix


def _previous_word(before: str) -> str:
    words = re.findall(r"[\w-]+", before[-40:])
    return fold(words[-1]) if words else ""


def inflected(
    real_name: str, matched: str, pseudonym: str, before: str = "", after: str = ""
) -> str:
    """The pseudonym in the form in which ``matched`` writes ``real_name``.

    Args:
        real_name: the mapped real name.
        matched: the words of the text that matched it (without a possessive such as 's).
        pseudonym: its pseudonym.
        before: the text before the match (its last word may be a preposition that picks
            among the readings of an ambiguous Russian ending).
        after: the text after it. A Kazakh suffix is written with the Kazakh letters (қ ғ ң
            і) when the match or the text around it has one, else with their Russian
            look-alikes (a transcript spelling "Нурланга" gets "Болатка").

    Returns:
        The pseudonym, inflected where the module notes say; else as written.
    """
    if not (has_cyrillic(real_name) and _inflectable(pseudonym)):
        return pseudonym
    reals, found, pseudo = real_name.split(), matched.split(), pseudonym.split()
    if len(reals) != len(found):
        return pseudonym
    endings = [_analyse(r, m, i > 0) for i, (r, m) in enumerate(zip(reals, found, strict=True))]
    marked = [i for i, e in enumerate(endings) if e is None or e.kind != "bare"]
    if not marked:
        return pseudonym
    known = [e for e in endings if e is not None and e.kind != "bare"]
    kinds = {e.kind for e in known}
    out: str | None = None
    if len(known) != len(marked):
        out = None  # a word this module does not read
    elif kinds == {"kk"} and marked == [len(reals) - 1]:  # the suffix ends the name
        kazakh = _kazakh_script(before + matched + after)
        last = _kk_word(pseudo[-1], found[-1], reals[-1], known[0].kazakh, kazakh)
        out = " ".join([*pseudo[:-1], last])
    elif kinds == {"derived"} and len(marked) == 1 and len(pseudo) == 1:
        out = _derived(pseudonym, reals[marked[0]], known[0].suffix)
    elif kinds == {"ru"} and len(pseudo) == 1 and "-" not in pseudonym:
        out = _ru_choose(pseudonym, [e.readings for e in known], _previous_word(before))
    if out is None:
        return pseudonym
    return out.upper() if _upper(matched) else out


def _ru_choose(
    pseudonym: str, readings: Sequence[Sequence[tuple[str, str]]], previous: str
) -> str | None:
    """The pseudonym in the first case every word's readings share (the preposition's, if it
    takes one of them); None when they share none."""
    cases = [case for case, _cls in readings[0]]
    for reading in readings[1:]:
        cases = [c for c in cases if c in {case for case, _cls in reading}]
    if not cases:
        return None
    gender = next((_GENDER[r[0][1]] for r in readings if r[0][1] in _GENDER), None)
    hinted = [c for c in cases if c in _PREPOSITIONS.get(previous, ())]
    case = (hinted or cases)[0]
    if case == "nom":
        return pseudonym
    return _ru_form(pseudonym, case, gender)


_APOSTROPHE_GENITIVE = re.compile(r"(['’])(?:тин|тын|дин|дын|нин|нын)\Z")


def possessive(
    real_name: str, form: str, matched: str, kept: str, pseudonym: str, context: str = ""
) -> str:
    """The possessive kept after the pseudonym: ``'s`` as written; a Kazakh genitive after an
    apostrophe (Нұрлан'ның) built on the pseudonym's ``form`` (Болат'тың) when it is inflected.

    Args:
        real_name: the mapped real name.
        form: the pseudonym as ``inflected`` wrote it.
        matched: the matched words before the possessive.
        kept: the possessive as written (``'s``, ``'тің``, or "").
        pseudonym: the pseudonym.
        context: the text around (its Kazakh letters, or none, choose the suffix's).
    """
    hit = _APOSTROPHE_GENITIVE.match(fold(kept))
    if hit is None or not (has_cyrillic(real_name) and _inflectable(pseudonym)):
        return kept
    last = form.split()[-1]
    suffix = _kk_case(last, "gen")
    if not _kazakh_script(matched + kept + context):
        suffix = suffix.translate(_TO_RUSSIAN)
    return kept[0] + (suffix.upper() if _upper(matched + kept) else suffix)
