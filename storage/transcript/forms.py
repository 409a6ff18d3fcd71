"""Word forms in search: a bare word becomes its stem and ``*`` (a prefix query).

Russian and Kazakh words change their endings ("коррупция", "коррупции", "коррупцию";
"адам", "адамдар", "адамдарға"). With word forms on, each bare word of a query loses one or two
endings from the short lists below while at least ``MIN_STEM`` letters stay, and is searched as
a prefix: "коррупция" -> ``коррупц*``, "адамдарға" -> ``адам*``. This is not a dictionary
stemmer: a prefix also finds longer words on the same stem ("коррупционный"), and a stem that
changes inside the word ("день" / "дня", "мать" / "матери") is not found. Quoted phrases,
operators (AND OR NOT NEAR) and words already ending in ``*`` are left as they are.
"""

from __future__ import annotations

import re

#: Letters that must stay before ``*``.
MIN_STEM = 4

_RU = (
    "ями ами ого его ому ему ыми ими ых их ой ей ую юю ая яя ое ее ые ие ом ем ам ям ах ях ов ев "
    "ию ия ии ью ья ье ий ый ы и а я о е у ю ь й "
    # verbs: infinitive, present, past, reflexive ("ожидать" finds "ожидал", "говорить"
    # finds "говорят"; before, a verb found only its own form)
    "ться тся ать ять ить еть ыть уть ешь ете ите ишь ют ут ат ят ет ит ла ло ли ть ся сь"
).split()
_KK = (
    "ның нің дың дің тың тің ға ге қа ке ны ні ды ді ты ті да де та те нда нде дан ден тан тен "
    "нан нен мен пен бен лар лер дар дер тар тер"
).split()
#: Endings, longest first.
ENDINGS: tuple[str, ...] = tuple(sorted(set(_RU) | set(_KK), key=lambda e: (-len(e), e)))

_TOKEN = re.compile(r'"(?:[^"]|"")*"|\w+\*?|\S', re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def stem(word: str) -> str:
    """The word without up to two endings of ``ENDINGS``, keeping ``MIN_STEM`` letters."""
    low = word.lower().replace("ё", "е")
    for _ in range(2):
        for ending in ENDINGS:
            if low.endswith(ending) and len(low) - len(ending) >= MIN_STEM:
                low = low[: -len(ending)]
                break
        else:
            break
    return low


def forms_query(query: str) -> str:
    """An FTS5 query in which every bare word is a prefix query on its stem."""
    out: list[str] = []
    for token in _TOKEN.findall(query):
        bare = token[0] != '"' and not token.endswith("*") and re.fullmatch(r"\w+", token)
        if bare and token not in _OPERATORS and not token.isdigit():
            out.append(f'"{stem(token)}"*')
        else:
            out.append(token)
    return " ".join(out)
