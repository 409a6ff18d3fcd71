"""Which model transcribes a session: the project's or the one asked for, a multilingual one
instead of an English-only one where other languages are expected or heard, and another model
to identify languages where the chosen one cannot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage import Project

from .languages import foreign
from .model_identity import model_identity
from .models import (
    BASE_MODEL,
    ModelError,
    ModelInfo,
    ModelNotFoundError,
    default_model,
    multilingual_model,
    resolve_model,
)
from .notes import PROJECT_SETTINGS, SETTINGS_MODELS, Note


def choose_model(
    project: Project, model: str | None, language: str | None
) -> tuple[ModelInfo, list[str]]:
    """The model a session of ``project`` is transcribed with, and what the user should know.

    ``model`` when given, else the project's own (``Project.model``), else the default for its
    languages (``transcribe.models.default_model``); an
    English-only model is swapped for a multilingual one when the project expects other
    languages (and refused when there is none).

    Raises:
        ModelError: as ``resolve_model``, or English-only and no multilingual model.
    """
    expected = list(project.languages)
    notes: list[str] = []
    info = None
    if model is None and project.model:  # chosen for the project (models use, Project settings)
        try:
            info = resolve_model(project.model)
        except ModelError:  # a copy of the project on a machine without that model
            fallback = default_model(expected)
            said = (
                f"The project's model {project.model!r} is not on this machine: transcribed "
                f"with {fallback}, the default for its languages (install or import it, or "
                "choose another"
            )
            notes.append(
                Note(
                    f"{said}: fieldscribe models use DIR NAME).",
                    gui=f"{said}: {SETTINGS_MODELS}, {PROJECT_SETTINGS}).",
                )
            )
    if info is None:
        info = resolve_model(model or default_model(expected))
    return fit_model(info, language, expected, notes), notes


MODEL_GONE = "is no longer on this machine"
MODEL_REPLACED = "was replaced since by another model of that name (its weights differ)"


def model_gone(name: str, recorded: object = None) -> str | None:
    """Why an interrupted run cannot resume with its model ``name``, in words that follow
    "its model 'kk'": no model of that name is here any more (removed since, a USB stick
    taken out, the project copied to a machine without it), or the model of that name now has
    other weights than the run ``recorded`` (``model_identity``: removed and another imported
    under its name). None: it can resume. A damaged model is not gone: its repair is said
    when it is used."""
    try:
        info = resolve_model(name)
    except ModelNotFoundError:
        return MODEL_GONE
    except ModelError:
        return None
    was = recorded.get("weights_sha256") if isinstance(recorded, dict) else None
    now = model_identity(info).get("weights_sha256")
    if isinstance(was, str) and now is not None and now != was:
        return MODEL_REPLACED
    return None


def started_again(gone: str, why: str, used: str, *, advice: bool = True) -> Note:
    """What a session whose interrupted run's model ``gone`` cannot resume (``why``, from
    ``model_gone``) is told: it was transcribed from the beginning with ``used``; ``advice``:
    how to get ``gone`` back (left out where the project chose ``gone`` and ``choose_model``'s
    note says it already)."""
    said = (
        f"The interrupted transcription's model {gone!r} {why}: transcribed from the "
        f"beginning with {used}"
    )
    if not advice:
        return Note(f"{said}.")
    return Note(
        f"{said} (install or import {gone} again: fieldscribe models).",
        gui=f"{said} ({SETTINGS_MODELS} installs or imports it again).",
    )


def fit_model(
    info: ModelInfo, language: str | None, expected: list[str], notes: list[str]
) -> ModelInfo:
    """The model to use: ``info``, or a multilingual one when ``info`` is English-only and the
    project expects other languages (said in ``notes``).

    Raises:
        ModelError: the model is English-only, the project expects other languages and no
            multilingual model is installed (one line naming the languages and the fix).
    """
    asked = language.strip().lower() if language and language.strip().lower() != "auto" else ""
    others = [code for code in ([asked] if asked else expected) if code and code != "en"]
    if info.multilingual or not others:
        return info
    from storage.core.languages import LANGUAGES, language_name

    if asked and asked not in LANGUAGES:
        return info  # refused with the unknown code's own message
    names = ", ".join(language_name(code) for code in others)
    wants = f"{names} was asked for" if asked else f"the project expects {names}"
    better = multilingual_model()
    if better is None:
        from .models import multilingual_advice

        said = (
            f"{wants[0].upper()}{wants[1:]}, and {info.name} is English-only (it would write "
            "English words that nobody said)"
        )
        refused = ModelError(f"{said}; {multilingual_advice()}.")
        refused.gui = f"{said}; {multilingual_advice(gui=True)}."  # the workbench's words
        raise refused
    notes.append(
        f"{info.name} is English-only and {wants}: transcribed with {better.name} instead."
    )
    return better


SNIFF_S = 60  # seconds of a recording listened to before an English-only model is trusted
SNIFF_CLIP_S = 15  # seconds of its speech heard when the project says it expects English


def check_identification(info: ModelInfo, transcriber: Any, notes: list[str]) -> None:
    """A model that names one language for any speech (a fine-tune, ``transcribe.lid_check``)
    identifies nothing: the shipped multilingual model identifies instead, and the summary
    says so."""
    from storage.core.languages import language_name

    from .lid_check import identifies

    ok, heard = identifies(info, transcriber.model)
    if ok:
        return
    said = f"{info.name} heard FieldScribe's English demo recording as {language_name(heard)}"
    better = multilingual_model()
    if better is None or better.path == info.path:
        notes.append(
            f"{said}: its language identification cannot be trusted and no other multilingual "
            "model is installed, so check each segment's language (or give --language)."
        )
        return
    transcriber.identify_with(better)
    notes.append(
        f"{said} (a fine-tune names its own language for any speech): each stretch's language "
        f"was identified with {better.name}, and {info.name} transcribed it in that language."
    )


#: an English-only model that hears another language writes English nobody said: decoded
#: greedily (temperature 0) it loops ("Thank you very much, thank you very much, ...") or is
#: unsure. tiny.en measured on a recording's first minute: English (the demo, espeak-ng, AMI's
#: far-field meetings) mean log-probability -0.2 to -0.7, compression 1.2 to 1.8, repeated
#: three-word runs at most 4 %; Russian and Kazakh (real, espeak-ng) compression 12 to 21 or
#: repeated runs 57 % and more, or -0.98 and less. A few seconds of real Kazakh (-0.55 to
#: -0.86, no loop) pass: rather that than refuse English.
ENGLISH_ALONE_UNSURE = -0.9
ENGLISH_ALONE_LOOPS = 2.4  # gzip compression ratio (Whisper's own loop threshold)
ENGLISH_ALONE_REPEATS = 0.3  # share of three-word runs said more than once


def repeated_runs(text: str) -> float:
    """The share of ``text``'s three-word runs that occur more than once in it."""
    import re
    from collections import Counter

    words = re.findall(r"[\w']+", text.lower())
    runs = Counter(tuple(words[i : i + 3]) for i in range(len(words) - 2))
    total = sum(runs.values())
    return sum(n for n in runs.values() if n > 1) / total if total else 0.0


def english_alone(path: Path, info: ModelInfo, threads: int | None) -> None:
    """With no multilingual model to identify languages and no language said, an English-only
    model is heard on the recording's first speech (``SNIFF_S``) before anything is stored:
    where its greedy text loops or it is unsure (``ENGLISH_ALONE_*``), it is hearing another
    language, which it would write as English nobody said ("Thank you for watching").

    Raises:
        ModelError: the model heard another language (one line: what it wrote, the fixes).
    """
    from .guards import compression_ratio
    from .model_load import load_model
    from .stream import SAMPLE_RATE, PcmReader

    with PcmReader(path) as reader:
        audio = reader.read(SNIFF_S * SAMPLE_RATE)
    # kept by load_model: the Transcriber that follows gets this same model, not a second load
    # (tests/test_transcribe_english_alone.py counts the loads)
    model, _device = load_model(info, threads=threads, device="auto")
    try:
        decoded, _ = model.transcribe(
            audio, beam_size=5, vad_filter=True, language="en", temperature=0.0
        )
        segments = list(decoded)
    except (ValueError, RuntimeError, IndexError):  # nothing to hear: nothing to say
        return
    heard = sum(s.end - s.start for s in segments)
    text = " ".join(s.text.strip() for s in segments)
    if heard <= 0 or not text:
        return
    sure = sum(s.avg_logprob * (s.end - s.start) for s in segments) / heard
    loops = compression_ratio(text) > ENGLISH_ALONE_LOOPS
    repeats = repeated_runs(text) >= ENGLISH_ALONE_REPEATS
    if sure >= ENGLISH_ALONE_UNSURE and not loops and not repeats:
        return
    from .models import multilingual_advice

    shown = text if len(text) <= 60 else text[:57].rstrip() + "..."
    how = "in a loop" if loops or repeats else f"unsure of it (mean log-probability {sure:.2f})"
    said = (
        f"{info.name} is English-only and no multilingual model is installed to tell the "
        f"language: it wrote this recording's first speech as {shown!r}, {how}, as it writes "
        "speech in another language. Nothing was stored"
    )
    refused = ModelError(
        f"{said}; {multilingual_advice()}, or, if the speech is English, "
        "set the project's language: fieldscribe languages DIR --set en."
    )
    refused.gui = (
        f"{said}; {multilingual_advice(gui=True)}, or, if the speech is English, set the "
        f"project's language to English in {PROJECT_SETTINGS}."
    )
    raise refused


def hear_first(
    path: Path, info: ModelInfo, notes: list[str], threads: int | None, expects_english: bool
) -> ModelInfo:
    """An English-only model, no languages said or only English: listen to the first speech
    with a multilingual model (when one is installed) before anything is stored; when it is
    not English, transcribe with the multilingual model and say so. A project that
    ``expects_english`` is checked more quickly (``SNIFF_CLIP_S`` of speech) and only speech clearly
    in another language counts (``languages.foreign``); with the multilingual model each
    stretch is then identified, and speech in another language transcribed in it."""
    better = multilingual_model()
    if better is None:
        if not expects_english:
            english_alone(path, info, threads)
        return info
    from storage.core.languages import language_name

    from .languages import speech_probabilities
    from .model_load import load_model
    from .stream import SAMPLE_RATE, PcmReader

    with PcmReader(path) as reader:
        audio = reader.read(SNIFF_S * SAMPLE_RATE)
    model, _device = load_model(better, threads=threads, device="auto")
    if expects_english:  # quicker: 15 seconds of speech, heard as identification hears them
        first = speech_probabilities(model, audio, SNIFF_CLIP_S)
        if first is None:
            return info
        probs = first
    else:
        try:
            _top, _p, ranked = model.detect_language(
                audio, vad_filter=True, language_detection_segments=2
            )
        except (ValueError, RuntimeError, IndexError):  # no speech at all: nothing to say
            return info
        probs = dict(ranked)
    if probs.get("en", 0.0) >= 0.5:  # sure enough that it is English
        return info
    if expects_english and foreign(probs, "en") is None:  # the project said: clearly not
        return info
    heard = max((code for code in probs if code != "en"), key=lambda c: probs[c])
    notes.append(
        f"Heard speech that is not clearly English (most likely {language_name(heard)}) and "
        f"{info.name} is English-only: transcribed with {better.name} instead (set the "
        "project's languages to choose among them)."
    )
    return better


def warm_model(project: Project) -> str | None:
    """Load the model a transcription of ``project`` would start with, as ``Transcriber``
    loads it (same threads and device: the cache of loaded models then serves it), and the
    voice detector; return its name. The window does it on a worker once a project is open,
    so the first transcription's model load (faster-whisper reads tokenizer.json holding the
    GIL for ~0.4 s) is not waited on after a click. None (nothing loaded) when the model is
    not usable here or its folder is not assembled yet (the packaged base is copied out on
    first use, a wait the user chooses)."""
    from .memory import tune_allocator
    from .model_load import load_model
    from .model_packages import base_model_path

    english = set(project.languages) <= {"en"}
    spec = project.model or default_model(list(project.languages))
    if base_model_path(assemble=False) is None and (spec == BASE_MODEL or not english):
        return None  # choosing the model would assemble base (copy its 148 MB) first
    try:
        info, _notes = choose_model(project, None, None)
    except ModelError:
        return None
    if info.path is None or not Path(info.path).is_dir():
        return None
    tune_allocator()  # before the decoding threads exist, as Transcriber does
    load_model(info, threads=None, device="auto")
    from faster_whisper.vad import get_vad_model

    get_vad_model()
    return info.name
