"""Stop-word lists (function words left out of word frequencies) for Russian, Kazakh, English.

Short hand-made lists of pronouns, particles, conjunctions, prepositions/postpositions and
auxiliaries, lower case. ``stopwords(["ru", "kk"])`` unions the lists of the languages given;
unknown codes add nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

_EN = """
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't could couldn't did didn't do does doesn't doing don't
down during each few for from further get got had hadn't has hasn't have haven't having he he's
her here hers herself him himself his how i i'm i've if in into is isn't it it's its itself just
know let's like me more most much my myself no nor not now of off oh okay ok on once only or
other our ours ourselves out over own really right same she should so some such than that that's
the their theirs them themselves then there there's these they they're this those through to
too under until up uh um us very was wasn't we we're were weren't what when where which while
who whom why will with would yeah yes you you're your yours yourself yourselves well just going
gonna one thing things think say said mean
"""

_RU = """
а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже
для до его ее её ей ему если есть еще ещё же за здесь и из или им их к как какой когда кто ли
либо мне может мы на над надо наш не него нее неё нет ни них но ну о об однако он она они оно
от очень по под при с со так также такой там те тем то того тоже той только том ты у уже хотя
чего чей чем что чтобы чье чья эта эти это этого этой этом этот я вообще просто вот ага угу ой
мой моя моё мое мои твой свой себя себе нам нас ним ней них кого кому чем сам сама само сами
будет будут буду был была были бы вы вот типа короче значит ну это вот там тут этих эту
раз два потом сейчас тогда где-то как-то что-то кто-то очень можно нужно
потому почему поэтому ведь чтоб лишь пока разве зачем куда откуда
"""

_KK = """
мен сен сіз ол біз сендер сіздер олар менің сенің оның біздің олардың маған саған оған бізге
және мен бен пен да де та те ма ме ба бе па пе ғой ғана қана тек бұл осы сол анау мынау ана
мына не кім қай қалай неге неше қашан қайда үшін туралы сияқты бар жоқ емес еді екен болды
болып болса болады бір әр барлық бәрі өз өзі өзім өзің ішінде арқылы соң кейін дейін бірақ
немесе әлде егер онда мұнда сонда ал яғни шығар енді әлі тағы деп дейді деген иә ия жоқ әй ой
сондай мұндай осындай қазір сосын содан сонымен ғой ғой да және де
сондықтан себебі өйткені әрі бойынша
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: dict[str, frozenset[str]] = {"en": _words(_EN), "ru": _words(_RU), "kk": _words(_KK)}


def stopwords(languages: Iterable[str]) -> frozenset[str]:
    """The union of the stop-word lists of ``languages`` (Whisper codes: ru, kk, en)."""
    result: frozenset[str] = frozenset()
    for code in languages:
        result |= STOPWORDS.get(code.strip().lower(), frozenset())
    return result
