"""Language codes: the languages Whisper knows (ISO 639-1 where one exists), with their names.

A project lists the languages it expects (``Project.languages``); every segment records the
language it was transcribed in (``Segment.language``). Codes are checked here, below both
storage and transcribe, so that a bad code is refused before anything is changed.
"""

from __future__ import annotations

import re

from storage.core.errors import InvalidInputError

# Whisper's languages, in its own order (faster_whisper.tokenizer._LANGUAGE_CODES), with names.
LANGUAGES: dict[str, str] = {
    "en": "English", "zh": "Chinese", "de": "German", "es": "Spanish", "ru": "Russian",
    "ko": "Korean", "fr": "French", "ja": "Japanese", "pt": "Portuguese", "tr": "Turkish",
    "pl": "Polish", "ca": "Catalan", "nl": "Dutch", "ar": "Arabic", "sv": "Swedish",
    "it": "Italian", "id": "Indonesian", "hi": "Hindi", "fi": "Finnish", "vi": "Vietnamese",
    "he": "Hebrew", "uk": "Ukrainian", "el": "Greek", "ms": "Malay", "cs": "Czech",
    "ro": "Romanian", "da": "Danish", "hu": "Hungarian", "ta": "Tamil", "no": "Norwegian",
    "th": "Thai", "ur": "Urdu", "hr": "Croatian", "bg": "Bulgarian", "lt": "Lithuanian",
    "la": "Latin", "mi": "Maori", "ml": "Malayalam", "cy": "Welsh", "sk": "Slovak",
    "te": "Telugu", "fa": "Persian", "lv": "Latvian", "bn": "Bengali", "sr": "Serbian",
    "az": "Azerbaijani", "sl": "Slovenian", "kn": "Kannada", "et": "Estonian",
    "mk": "Macedonian", "br": "Breton", "eu": "Basque", "is": "Icelandic", "hy": "Armenian",
    "ne": "Nepali", "mn": "Mongolian", "bs": "Bosnian", "kk": "Kazakh", "sq": "Albanian",
    "sw": "Swahili", "gl": "Galician", "mr": "Marathi", "pa": "Punjabi", "si": "Sinhala",
    "km": "Khmer", "sn": "Shona", "yo": "Yoruba", "so": "Somali", "af": "Afrikaans",
    "oc": "Occitan", "ka": "Georgian", "be": "Belarusian", "tg": "Tajik", "sd": "Sindhi",
    "gu": "Gujarati", "am": "Amharic", "yi": "Yiddish", "lo": "Lao", "uz": "Uzbek",
    "fo": "Faroese", "ht": "Haitian Creole", "ps": "Pashto", "tk": "Turkmen", "nn": "Nynorsk",
    "mt": "Maltese", "sa": "Sanskrit", "lb": "Luxembourgish", "my": "Myanmar", "bo": "Tibetan",
    "tl": "Tagalog", "mg": "Malagasy", "as": "Assamese", "tt": "Tatar", "haw": "Hawaiian",
    "ln": "Lingala", "ha": "Hausa", "ba": "Bashkir", "jw": "Javanese", "su": "Sundanese",
    "yue": "Cantonese",
}  # fmt: skip


def language_name(code: str | None) -> str:
    """The English name of a language code ("" for None, the code itself when unknown)."""
    if not code:
        return ""
    return LANGUAGES.get(code, code)


# A language may be given by its English name ("Kazakh"), or by its name as our users say it.
_BY_NAME: dict[str, str] = {name.lower(): code for code, name in LANGUAGES.items()} | {
    "русский": "ru", "орыс": "ru", "орысша": "ru",
    "казахский": "kk", "қазақ": "kk", "қазақша": "kk", "казах": "kk",
    "английский": "en", "ағылшын": "en", "ағылшынша": "en",
    "узбекский": "uz", "украинский": "uk", "немецкий": "de", "турецкий": "tr",
    # the short forms a Russian or Kazakh form or table uses ("рус.", "каз.", "англ.")
    "рус": "ru", "русск": "ru", "каз": "kk", "қаз": "kk", "англ": "en",
    "анг": "en", "ағыл": "en", "нем": "de", "узб": "uz", "укр": "uk", "тур": "tr",
}  # fmt: skip
# Codes people type for a language that are not its Whisper code: a country code or a
# three-letter (ISO 639-2/3) code. Refused, with the code meant.
_MEANT: dict[str, str] = {
    "kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en", "ua": "uk", "ukr": "uk", "by": "be",
    "bel": "be", "uzb": "uz", "tgk": "tg", "tj": "tg", "tat": "tt", "bak": "ba", "aze": "az",
    "tur": "tr", "tuk": "tk", "tm": "tk", "mon": "mn", "deu": "de", "ger": "de", "fra": "fr",
    "fre": "fr", "spa": "es", "cn": "zh", "zho": "zh", "chi": "zh", "jp": "ja", "jpn": "ja",
    "kor": "ko", "gr": "el", "cz": "cs", "dk": "da", "se": "sv", "fas": "fa", "per": "fa",
    "ara": "ar", "heb": "he", "geo": "ka", "kat": "ka", "arm": "hy", "hye": "hy",
}  # fmt: skip
# Languages of the region that Whisper does not know: said plainly, not "unknown code".
_NOT_IN_WHISPER: dict[str, str] = {
    "ky": "Kyrgyz", "kir": "Kyrgyz", "ug": "Uyghur", "uig": "Uyghur", "kaa": "Karakalpak",
    "cv": "Chuvash", "ce": "Chechen", "os": "Ossetian", "sah": "Yakut", "kum": "Kumyk",
}  # fmt: skip
# ... and typed by name: in English, or as our users say them (Russian, Kazakh, their own).
_NOT_IN_WHISPER_BY_NAME: dict[str, str] = {
    "kyrgyz": "ky", "kirghiz": "ky", "kirgiz": "ky", "кыргызча": "ky", "кыргызский": "ky",
    "киргизский": "ky", "кыргыз": "ky", "қырғыз": "ky", "қырғызша": "ky",
    "uyghur": "ug", "uighur": "ug", "uygur": "ug", "уйгурский": "ug", "ұйғыр": "ug",
    "ұйғырша": "ug", "ئۇيغۇرچە": "ug",
    "karakalpak": "kaa", "каракалпакский": "kaa", "қарақалпақ": "kaa", "қарақалпақша": "kaa",
    "chuvash": "cv", "чувашский": "cv", "chechen": "ce", "чеченский": "ce",
    "ossetian": "os", "осетинский": "os", "yakut": "sah", "sakha": "sah", "якутский": "sah",
    "kumyk": "kum", "кумыкский": "kum",
}  # fmt: skip


class UnknownLanguageError(InvalidInputError):
    """A language code or name that no Whisper model knows.

    ``str()`` is the command line's message (it points at ``fieldscribe languages --list``);
    ``short`` says the same in one short line for a window, without the command."""

    def __init__(self, message: str, short: str) -> None:
        super().__init__(message)
        self.short = short


def check_language_code(code: str) -> str:
    """Return a language code normalised (lower case, trimmed) or raise ``UnknownLanguageError``.

    A language's English name ("Kazakh") or a name our users say ("казахский", "қазақша"),
    or its short form in a Russian or Kazakh table ("рус.", "каз", "англ."), is taken as its
    code; a country or three-letter code ("kz", "kaz") is refused with the code
    meant, and a language Whisper does not know, by its code or its name ("ky", "Kyrgyz",
    "кыргызча"), is named as such."""
    typed = code.strip()
    norm = typed.lower()
    if norm in LANGUAGES:
        return norm
    if norm in _BY_NAME:
        return _BY_NAME[norm]
    if norm.endswith(".") and norm[:-1] in _BY_NAME:  # "рус.", "англ."
        return _BY_NAME[norm[:-1]]
    if norm in _MEANT:
        meant = _MEANT[norm]
        short = f"Unknown language code {typed!r}; did you mean {meant} ({LANGUAGES[meant]})?"
        raise UnknownLanguageError(
            f"{short} Whisper's codes are ISO 639-1 where one exists "
            "(fieldscribe languages --list shows them all).",
            short,
        )
    absent = norm if norm in _NOT_IN_WHISPER else _NOT_IN_WHISPER_BY_NAME.get(norm)
    if absent is not None:
        said = typed if norm in _NOT_IN_WHISPER else absent
        short = f"{_NOT_IN_WHISPER[absent]} ({said}) is not among the languages Whisper knows"
        raise UnknownLanguageError(
            f"{short}, so no model here transcribes it; list the languages it is closest to "
            "that Whisper knows, or leave those stretches to type (fieldscribe languages --list).",
            f"{short}.",
        )
    raise UnknownLanguageError(
        f"Unknown language code {typed!r}; use a code Whisper knows, such as ru, "
        "kk, en, de or yue (fieldscribe languages --list shows them all).",
        f"Unknown language code {typed!r}; use one such as ru, kk or en.",
    )


def parse_languages(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """Parse "ru,kk,en" (or a list) into checked codes, in order, without repeats.

    Raises:
        UnknownLanguageError: a code is unknown (nothing is returned for the others).
    """
    parts = text.replace(";", ",").replace(" ", ",").split(",") if isinstance(text, str) else text
    codes: list[str] = []
    for part in parts:
        if not part.strip():
            continue
        code = check_language_code(part)
        if code not in codes:
            codes.append(code)
    return codes


#: the letters Kazakh writes and Russian does not, in both cases
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
#: languages written in Cyrillic letters (the rest Whisper writes in other scripts)
CYRILLIC_LANGUAGES = ("ru", "kk", "uk", "be", "bg", "mk", "sr", "mn", "tg", "tt", "ba")


#: frequent Kazakh words written without a Kazakh letter that are no Russian words (pronouns,
#: "with", "is not", "said", "after", "about", question particles...): "Мен Ғалымға айттым"
#: is Kazakh though its only Kazakh letter is in a name. Words Russian has too ("да", "не",
#: "бар", "адам") are not listed.
KAZAKH_PLAIN_WORDS = frozenset(
    "мен сен ол олар осы сол мына ана бойынша туралы арасында сосын содан мысалы емес деп "
    "деді деген болды болып болса бопты жатыр керек тек ма ме ба бе па пе жыл жылы айттым "
    "айтты айтып алдында бастап".split()
)


def _kazakh_words(text: str) -> list[str]:
    """The words of ``text`` with a Kazakh letter, or among ``KAZAKH_PLAIN_WORDS``, less the
    names among them: capitalised words inside a sentence (Ғалия, Нұрлан, Әлия in a Russian
    line). A sentence's first word counts ("Сәлеметсіз бе", "Мен")."""
    found = []
    for match in re.finditer(r"\w+", text):
        word = match.group()
        if not any(ch in KAZAKH_LETTERS for ch in word) and word.lower() not in KAZAKH_PLAIN_WORDS:
            continue
        before = text[: match.start()].rstrip()
        starts_sentence = not before or before[-1] in '.!?…:;"«(—–-'
        if word[0].isupper() and not starts_sentence:
            continue  # a name
        found.append(word)
    return found


def guess_language(text: str, expected: list[str]) -> str | None:
    """The language of a typed or imported text among the project's ``expected`` languages,
    when its letters leave one choice, else None: the only expected language; Kazakh when the
    text has a Kazakh letter (ә ғ қ ң ө ұ ү һ і) in a word that is not a name (a Russian line
    saying "сказала Ғалия" is Russian), or a word of ``KAZAKH_PLAIN_WORDS``; the only
    expected Cyrillic language for Cyrillic text; the only expected Latin-script language for
    Latin text."""
    if len(expected) == 1:
        return expected[0]
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    if cyrillic * 2 > len(letters):
        if "kk" in expected and _kazakh_words(text):
            return "kk"
        options = [c for c in expected if c in CYRILLIC_LANGUAGES]
        if "kk" in options and len(options) > 1:
            options.remove("kk")  # Kazakh text of a few words has a Kazakh letter nearly always
        return options[0] if len(options) == 1 else None
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if latin * 2 > len(letters):
        options = [c for c in expected if c not in CYRILLIC_LANGUAGES]
        return options[0] if len(options) == 1 else None
    return None


#: ``typed_mismatch``'s "script" for Kazakh words typed into a segment marked Russian
KAZAKH_LETTERS_SCRIPT = "Kazakh letters"


def script_said(script: str) -> str:
    """``script_mismatch``'s (or ``typed_mismatch``'s) script as a message says it: "in
    Cyrillic", "in Latin", "not Cyrillic" (letters of another script), or "in Kazakh letters (ә,
    қ, ү…)" (short: the status bar shows it whole on a 1024-pixel screen)."""
    if script == KAZAKH_LETTERS_SCRIPT:
        return "in Kazakh letters (ә, қ, ү…)"
    return script if script == "not Cyrillic" else f"in {script}"


def typed_mismatch(
    text: str, language: str | None, expected: list[str]
) -> tuple[str, str | None] | None:
    """What a coder typed that does not fit its segment's ``language``: ``script_mismatch``,
    and also Kazakh typed into a segment marked Russian in a project that expects Kazakh
    (``(KAZAKH_LETTERS_SCRIPT, "kk")``): more than a third of its words have a Kazakh letter
    and are not names. Russian and Kazakh share the script, so the script alone said nothing
    and the segment stayed Russian (a placeholder Whisper heard as Russian, typed in Kazakh,
    went out tagged ru-RU and out of the Kazakh filters). A Russian sentence with a Kazakh
    word or name in it says nothing. A hint, never a refusal."""
    found = script_mismatch(text, language, expected)
    if found is not None or language != "ru" or "kk" not in expected:
        return found
    words = re.findall(r"\w+", text)
    if words and len(_kazakh_words(text)) * 3 > len(words):
        return KAZAKH_LETTERS_SCRIPT, "kk"
    return None


def script_mismatch(
    text: str, language: str | None, expected: list[str]
) -> tuple[str, str | None] | None:
    """Typed ``text`` whose letters are not in the script of its segment's ``language``
    (Cyrillic text in a segment marked English, Latin text in one marked Russian or Kazakh):
    ``(script, guess)``, the script the letters are in ("Cyrillic", "Latin" or "not
    Cyrillic") and the project language (``expected``, other than ``language``) they point
    to, if one (``guess_language``). None when the letters agree, or there are none, or the
    segment has no language. A hint, never a refusal: people switch languages mid-sentence."""
    letters = [ch for ch in text if ch.isalpha()]
    if not language or not letters:
        return None
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff") * 2 > len(letters)
    if cyrillic == (language in CYRILLIC_LANGUAGES):
        return None
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    script = "Cyrillic" if cyrillic else "Latin" if latin * 2 > len(letters) else "not Cyrillic"
    guess = guess_language(text, [c for c in expected if c != language]) if expected else None
    return script, guess
