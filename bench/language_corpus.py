"""Speech with known words in English, Russian and Kazakh (for benches).

``build(folder, name)`` writes ``NAME.wav`` (16 kHz mono, low pink noise, short pauses between
turns: dense speech, no long silence) and returns the reference turns with their times and
languages. Built the same, bit for bit, every time (``sox -R``, seeded pauses).

Most turns are made with espeak-ng. The ``ru-real`` and ``mixed-real`` recordings use real
Russian speech instead: the 620 sentences a man read for Festival's Russian voice (Debian's
``festvox-ru``, BSD-like licence, Nickolay V. Shmyrev 2005; 16 kHz recordings with their
texts). ``sudo apt-get install festvox-ru`` (or ``scripts/setup.sh --with-test-speech``)
puts them where ``tests.media.REAL_RU`` looks. ``kk-real`` and ``mixed-real-kk`` use the only
real Kazakh speech with a licence we have found: two utterances of one speaker, 7 seconds
(``tests/data/kazakh``, Apache-2.0, IS2AI's Kazakh-Speech-Commands-Dataset).
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.media import REAL_KK_COUNT, real_kazakh, real_russian

EN = [
    "Thank you all for coming this evening to talk about public services in our district.",
    "I would like to start with the new online portal for council payments.",
    "Honestly I tried it twice and the page froze when I entered my card details.",
    "The old office on the main street was closed last year without any warning.",
    "Now the nearest office is forty minutes away by bus.",
    "For young people the website is fine, it is faster than waiting in a queue.",
    "But older residents often do not have a computer at home.",
    "Clear instructions in plain language would help a great deal.",
    "I spent an hour on hold last month just to change my address.",
    "Do you trust the council to keep your personal information safe?",
    "Not really, there was a data leak in the news two years ago.",
    "A mobile office visiting the villages once a week would solve many problems.",
]
# More English turns, none repeated: the "en-unique" recording (no round repeats a sentence, so
# plain faster-whisper's conditioning on the previous text gains nothing from a repeat)
EN_MORE = [
    "My mother waited three weeks for a reply about her pension.",
    "The clinic sends a text message the day before the appointment, which is useful.",
    "Nobody explained why the bus route to the hospital was cancelled.",
    "We asked the deputy twice and received the same letter both times.",
    "Small businesses need licences, and the fees changed again in spring.",
    "The school canteen is better now that parents can see the menu online.",
    "I think the biggest problem is that nobody takes responsibility.",
    "When the water was cut off, the announcement came two days later.",
    "People here prefer to solve things through relatives and friends.",
    "The registration form asks for the same documents three times.",
    "If I could change one thing, I would publish the budget every month.",
    "The roads in our neighbourhood were repaired just before the election.",
    "Most of my neighbours would not complain in writing, they are afraid.",
    "The youth centre organises football and language classes for free.",
    "Last winter the heating failed in several apartment blocks.",
    "The hotline works well if you call early in the morning.",
    "I would rather speak to a person than fill in another form.",
    "Our street finally has lights, after five years of petitions.",
    "Teachers complain about the amount of paperwork they have to do.",
    "Farmers told us the subsidy arrived after the sowing season.",
    "The library moved into the cultural centre and now opens on Sundays.",
    "We never learned what happened to the money collected for the park.",
    "The new ambulance station cut the waiting time by half.",
    "Public meetings are announced on a noticeboard that nobody reads.",
]
RU = [
    "Спасибо, что пришли сегодня поговорить о работе местной администрации.",
    "Я хотел бы начать с нового портала государственных услуг.",
    "Честно говоря, я дважды пытался записаться к врачу, и ничего не получилось.",
    "Старое отделение на главной улице закрыли в прошлом году без предупреждения.",
    "Теперь ближайший центр обслуживания находится в сорока минутах езды на автобусе.",
    "Молодёжи удобно пользоваться сайтом, это быстрее, чем стоять в очереди.",
    "Но у пожилых людей часто нет компьютера дома.",
    "Понятные инструкции на простом языке очень помогли бы.",
    "В прошлом месяце я целый час ждал ответа по телефону.",
    "Вы доверяете акимату хранение ваших личных данных?",
    "Не очень, два года назад в новостях писали об утечке данных.",
    "Выездная приёмная раз в неделю решила бы многие проблемы в сёлах.",
]
KK = [
    "Бүгін жергілікті әкімдіктің жұмысы туралы сөйлесуге келгендеріңізге рахмет.",
    "Мен мемлекеттік қызметтердің жаңа порталынан бастағым келеді.",
    "Шынымды айтсам, дәрігерге екі рет жазылмақ болдым, бірақ ештеңе шықпады.",
    "Басты көшедегі ескі бөлімшені өткен жылы ескертусіз жауып тастады.",
    "Енді ең жақын қызмет көрсету орталығы автобуспен қырық минуттық жерде.",
    "Жастарға сайтты пайдалану ыңғайлы, бұл кезекте тұрғаннан тезірек.",
    "Бірақ қарт адамдардың үйінде көбінесе компьютер жоқ.",
    "Қарапайым тілдегі түсінікті нұсқаулар көп көмектесер еді.",
    "Өткен айда мен телефон арқылы жауап күтіп бір сағат отырдым.",
    "Жеке деректеріңізді сақтауды әкімдікке сенесіз бе?",
    "Онша емес, екі жыл бұрын жаңалықтарда деректердің жылыстауы туралы жазды.",
    "Аптасына бір рет ауылдарға келетін көшпелі қабылдау көп мәселені шешер еді.",
]
TEXTS = {"en": EN, "ru": RU, "kk": KK}
VOICES = {
    "en": [("en-us", 50, 160), ("en-gb", 40, 150), ("en-us+f3", 65, 165)],
    "ru": [("ru", 45, 150), ("ru+f3", 65, 155), ("ru+m3", 35, 145)],
    "kk": [("kk", 45, 145), ("kk+f3", 65, 150), ("kk+m3", 35, 140)],
}
# The mixed recording switches language every one to three turns.
MIXED = [
    ("ru", 0), ("ru", 1), ("kk", 1), ("en", 1), ("ru", 2), ("kk", 2), ("kk", 3), ("ru", 3),
    ("en", 8), ("ru", 4), ("kk", 4), ("ru", 5), ("en", 5), ("en", 6), ("kk", 6), ("ru", 7),
    ("kk", 7), ("kk", 8), ("ru", 8), ("en", 9), ("ru", 10), ("kk", 10), ("ru", 11), ("kk", 11),
]  # fmt: skip


REAL_RU_TURNS = 30  # sentences per round of ru-real (about 5 minutes)
NOISY_LEVEL = "0.25"  # pink noise of the "-noisy" recordings (ru-real-noisy)
NOISIER_LEVEL = "0.5"  # ru-real-noisier: the noise 6 dB louder again (speech barely above it)


@dataclass
class Turn:
    """One spoken turn: its text, language and place in the recording (seconds). An ``aside``
    is said over another speaker's turn (a back-channel, "да-да"): it counts in WER and CER,
    not in the turns lost, in the wrong language or script."""

    text: str
    language: str
    start: float
    end: float
    aside: bool = False


def sox(*args: object) -> None:
    subprocess.run(["sox", "-R", *map(str, args)], check=True, capture_output=True)


def _duration(path: Path) -> float:
    out = subprocess.run(["soxi", "-D", str(path)], check=True, capture_output=True, text=True)
    return float(out.stdout)


def plan(name: str, rounds: int = 1) -> list[tuple[str, str]]:
    """The (language, text) turns of a recording: "en", "ru", "kk", "mixed", "en-unique",
    "ru-real", "ru-real-noisy" (the same under loud pink noise), "ru-real-noisier" (under
    noise 6 dB louder again), "mixed-real" (N rounds), "kk-real" (the real Kazakh utterances)
    or "mixed-real-kk" (real Russian and real Kazakh turns with espeak-ng English ones between
    them). A real Russian turn's text is "@N", sentence N of festvox-ru; a real Kazakh turn's
    "@kk:N", utterance N of ``tests.media.real_kazakh`` (the same ones every round: there are
    only two)."""
    if name == "mixed":
        return [(lang, TEXTS[lang][i]) for _ in range(rounds) for lang, i in MIXED]
    if name == "mixed-real":
        # the mixed recording with its Russian turns spoken by a person (a new sentence each)
        out, k = [], 0
        for _ in range(rounds):
            for lang, i in MIXED:
                out.append(("ru", f"@{k}") if lang == "ru" else (lang, TEXTS[lang][i]))
                k += lang == "ru"
        return out
    if name == "kk-real":
        return [("kk", f"@kk:{i}") for _ in range(rounds) for i in range(REAL_KK_COUNT)]
    if name == "mixed-real-kk":
        # Russian, Kazakh and English in turn, as a focus group's answers switch
        out, k = [], 0
        for _ in range(rounds):
            for j in range(REAL_KK_COUNT):
                out += [("ru", f"@{k}"), ("kk", f"@kk:{j}"), ("en", EN[j + 1]), ("ru", f"@{k + 1}")]
                k += 2
        return out
    if name in ("ru-real", "ru-real-noisy", "ru-real-noisier"):
        return [("ru", f"@{i}") for i in range(rounds * REAL_RU_TURNS)]
    if name == "en-unique":
        return [("en", text) for _ in range(rounds) for text in [*EN, *EN_MORE]]
    return [(name, text) for _ in range(rounds) for text in TEXTS[name]]


def build(folder: Path, name: str, rounds: int = 1) -> tuple[Path, list[Turn]]:
    """Write ``folder/NAME.wav`` (the turns ``rounds`` times, each round in other voices);
    return it with its reference turns."""
    rng = random.Random(11)
    folder.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    turns: list[Turn] = []
    t = 0.0
    for i, (lang, text) in enumerate(plan(name, rounds)):
        raw = folder / f"{name}_{i}_raw.wav"
        if text.startswith("@kk:"):
            recording, text = real_kazakh(int(text[4:]))
            sox(recording, raw)
        elif text.startswith("@"):
            recording, text = real_russian(int(text[1:]))
            sox(recording, raw)
        else:
            voice, pitch, speed = VOICES[lang][(i + i // len(TEXTS[lang])) % len(VOICES[lang])]
            espeak = ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed)]
            subprocess.run(
                [*espeak, "-w", str(raw), text],
                check=True,
                capture_output=True,
            )
        part = folder / f"{name}_{i}.wav"
        sox(raw, "-r", "16000", "-c", "1", part, "silence", "1", "0.02", "0.5%", "reverse",
            "silence", "1", "0.02", "0.5%", "reverse")  # fmt: skip
        speech = _duration(part)
        pause = rng.uniform(0.4, 0.9)
        padded = folder / f"{name}_{i}_p.wav"
        sox(part, padded, "pad", "0", f"{pause:.2f}")
        parts.append(padded)
        turns.append(Turn(text, lang, t, t + speech))
        t += speech + pause
    clean = folder / f"{name}_clean.wav"
    sox(*parts, clean)
    total = _duration(clean)
    noise = folder / f"{name}_noise.wav"
    # low pink noise; "-noisy" recordings: loud (a cafe, a street: Whisper's words suffer)
    level = {"-noisy": NOISY_LEVEL, "-noisier": NOISIER_LEVEL}.get(name[name.rfind("-") :], "0.004")
    sox("-n", "-r", "16000", "-c", "1", noise, "synth", f"{total}", "pinknoise", "vol", level)
    out = folder / f"{name}.wav"
    sox("-m", clean, noise, out)
    for p in [*parts, *folder.glob(f"{name}_*_raw.wav"), *folder.glob(f"{name}_[0-9]*.wav")]:
        p.unlink(missing_ok=True)
    clean.unlink()
    noise.unlink()
    return out, turns
