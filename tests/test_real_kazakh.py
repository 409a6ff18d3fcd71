"""Real Kazakh speech (a person, not espeak-ng: tests/data/kazakh, two utterances of the Kazakh
speech corpus, 7 s) through the whole pipeline with the multilingual base model, in a project
that expects Russian, Kazakh and English.

Whisper ``base`` hears this speaker as Lithuanian, Turkish, and once as Russian (0.70): decoded
in Russian only, "Алға қарай бес метр жүр тоқта" came out "Ольга Грайвисмитр жив -тохта".
The thresholds catch a pipeline that writes Kazakh speech as Russian, translates it or drops
it; ``base`` reads Kazakh poorly, so the text is far from what was said (CER about 0.3,
``bench/languages_bench.py --recordings kk-real``).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import jiwer
import pytest

from tests.media import REAL_KK_COUNT, REAL_RU, espeak, real_kazakh, real_russian
from tests.transcribe_audio_helpers import join_turns
from transcribe.engine import Transcriber
from transcribe.models import base_parts

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(base_parts() is None, reason="the base-model extra is missing"),
]

LATIN = re.compile(r"[A-Za-z]")
EXPECTED = ["ru", "kk", "en"]
EN = "Thank you all for coming this evening to talk about public services in our district."
DE = (
    "Vielen Dank, dass Sie heute Abend gekommen sind, um über die öffentlichen Dienste zu sprechen."
)


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("-", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def test_real_kazakh_speech_comes_out_in_kazakh(tmp_path: Path) -> None:
    # each utterance twice, in the order the bench's kk-real has them: the second time the
    # first one is heard as Russian (0.70)
    utterances = [real_kazakh(i) for i in range(REAL_KK_COUNT)] * 2
    path = join_turns(tmp_path, [flac for flac, _ in utterances], pause_s=0.6)
    drafts = list(Transcriber("base", threads=2, device="cpu").transcribe(path, languages=EXPECTED))
    assert drafts and not [d for d in drafts if d.untranscribed], drafts
    assert [d.language for d in drafts] == ["kk"] * len(drafts), [
        (d.language, d.text) for d in drafts
    ]
    heard = " ".join(d.text for d in drafts)
    assert not LATIN.search(heard), heard
    said = " ".join(text for _, text in utterances)
    cer = jiwer.cer(_normalise(said), _normalise(heard))
    assert cer < 0.45, (cer, heard)


@pytest.mark.skipif(
    not (REAL_RU / "etc" / "txt.done.data").exists(),
    reason="real Russian speech is missing: scripts/setup.sh --with-test-speech",
)
def test_real_kazakh_between_real_russian_turns_keeps_each_language(tmp_path: Path) -> None:
    russian = [real_russian(i) for i in (5, 6)]
    kazakh = real_kazakh(0)
    path = join_turns(tmp_path, [russian[0][0], kazakh[0], russian[1][0]], pause_s=0.6)
    drafts = [
        d
        for d in Transcriber("base", threads=2, device="cpu").transcribe(path, languages=EXPECTED)
        if not d.untranscribed
    ]
    order = [d.language for d in drafts]
    collapsed = [code for i, code in enumerate(order) if i == 0 or order[i - 1] != code]
    assert collapsed == ["ru", "kk", "ru"], [(d.language, d.text) for d in drafts]
    kk = " ".join(d.text for d in drafts if d.language == "kk")
    assert re.search("[әғқңөұүһі]", kk.lower()), kk  # read in Kazakh, with Kazakh's letters


@pytest.mark.skipif(
    not (REAL_RU / "etc" / "txt.done.data").exists(),
    reason="real Russian speech is missing: scripts/setup.sh --with-test-speech",
)
def test_a_kazakh_project_writes_kazakh_in_kazakh_and_other_languages_in_theirs(
    tmp_path: Path,
) -> None:
    """A project that expects only Kazakh: Whisper heard the first Kazakh utterance as
    Lithuanian (0.90) and it was written "Algagraibis mietržirtokta."; the Russian, English and
    German turns around it are heard clearly and keep their languages."""
    russian = real_russian(7)
    english = espeak(tmp_path / "en.wav", EN, voice="en-us", speed=160)
    german = espeak(tmp_path / "de.wav", DE, voice="de", speed=150)
    turns = [russian[0], real_kazakh(0)[0], english, real_kazakh(1)[0], german]
    path = join_turns(tmp_path, turns, pause_s=0.6)
    drafts = [
        d
        for d in Transcriber("base", threads=2, device="cpu").transcribe(path, languages=["kk"])
        if not d.untranscribed
    ]
    order = [d.language for d in drafts]
    collapsed = [code for i, code in enumerate(order) if i == 0 or order[i - 1] != code]
    assert collapsed == ["ru", "kk", "en", "kk", "de"], [(d.language, d.text) for d in drafts]
    kk = " ".join(d.text for d in drafts if d.language == "kk")
    assert not LATIN.search(kk), kk
    assert "public services" in " ".join(d.text for d in drafts if d.language == "en").lower()


@pytest.mark.skipif(
    not (REAL_RU / "etc" / "txt.done.data").exists(),
    reason="real Russian speech is missing: scripts/setup.sh --with-test-speech",
)
def test_real_kazakh_said_last_after_kazakh_is_kazakh(tmp_path: Path) -> None:
    """The last utterance of a recording, after a Kazakh one: its first stretch was heard as
    Russian between two Kazakh ones and read in Kazakh 0.28 less surely than in Russian, with
    Kazakh's letters ("Алғағрай бізмейтір жөртогда." against "Алгогра и бисмитр жив-тохта"),
    and written in Russian; its second, laid out otherwise, heard as Russian with nothing after
    it. A Russian sentence between the Kazakh ones stays Russian, in its two stretches."""
    turns = [real_kazakh(0)[0], real_russian(3)[0], real_kazakh(1)[0], real_kazakh(0)[0]]
    path = join_turns(tmp_path, turns, pause_s=2.0)
    drafts = [
        d
        for d in Transcriber("base", threads=2, device="cpu").transcribe(path, languages=EXPECTED)
        if not d.untranscribed
    ]
    told = [(d.language, d.text) for d in drafts]
    # the Russian sentence, in one segment or two (how its pause is cut varies with the CPU's
    # arithmetic: two on the Xeon it was measured on, one on an AMD EPYC)
    russian = [d for d in drafts if "голова" in d.text or "многоэтажных" in d.text]
    assert russian and all(d.language == "ru" for d in russian), told
    assert {"голова", "многоэтажных"} <= set(_normalise(" ".join(d.text for d in russian)).split())
    after = [d for d in drafts if d.start_ms > russian[-1].end_ms]
    assert [d.language for d in after] == ["kk"] * len(after), told
    said = _normalise(" ".join([real_kazakh(1)[1], real_kazakh(0)[1]]))
    assert jiwer.cer(said, _normalise(" ".join(d.text for d in after))) < 0.45, told


def test_real_kazakh_opening_a_recording_before_kazakh_is_kazakh(tmp_path: Path) -> None:
    """Each utterance with a second of silence either side: the first, opening the recording,
    was heard as Lithuanian, read in each language and written in Russian, "Ольга Грайбисмитр
    Жирторта" (-0.545 against "Алғағра ебес митр жір токта.", -0.855). With Kazakh after it, it
    is decided again by Kazakh's letters, as a stretch heard as Russian there is."""
    padded = []
    for k in (0, 1, 0):
        padded.append(tmp_path / f"padded{len(padded)}.wav")
        subprocess.run(
            ["sox", str(real_kazakh(k)[0]), str(padded[-1]), "pad", "1", "1"],
            check=True,
            capture_output=True,
        )
    path = tmp_path / "kazakh.wav"
    subprocess.run(["sox", *map(str, padded), str(path)], check=True, capture_output=True)
    drafts = Transcriber("base", threads=2, device="cpu").transcribe(path, languages=EXPECTED)
    told = [(d.language, d.text) for d in drafts if not d.untranscribed]
    # On the Xeon these were measured on, every stretch came out Kazakh. On an AMD EPYC
    # CTranslate2's arithmetic differs in the last digits: the opening stretch's Kazakh reading
    # wrote 2 of Kazakh's own letters in 25 (8 %, under the 10 % that decides) at 0.06 below
    # its Russian one, and the last stretch's Russian reading was 0.19 surer than its Kazakh
    # one (one letter in 24), so both stayed Russian. The rule itself is tested on the Xeon's
    # readings (tests/test_transcribe_kazakh_russian.py); here: most stretches Kazakh, none
    # in another language or in Latin letters, the text close enough to what was said.
    codes = [code for code, _ in told]
    assert told and set(codes) <= {"kk", "ru"} and 2 * codes.count("kk") > len(codes), told
    assert not any(LATIN.search(text) for _, text in told), told
    said = _normalise(" ".join(real_kazakh(k)[1] for k in (0, 1, 0)))
    assert jiwer.cer(said, _normalise(" ".join(text for _, text in told))) < 0.45, told
