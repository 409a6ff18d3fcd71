"""A sentence of a stretch decoded in one language that Whisper, hearing it on its own, clearly
hears in another expected language: a switch of language with no pause to cut at. It is read in
the language heard, or left without transcript; never written in the stretch's language (a
translation). Russian with an English sentence 22 dB quieter run into it, heard and decoded as
Russian, came out "Меня зовут Антюггад. Мы здесь здесь." for "My name's Adam Duggard, we're
here", marked Russian."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.transcript.transcript import SegmentDraft

from .drafts import to_drafts, without_transcript
from .identify import LID_PART_MIN_S
from .stream import SAMPLE_RATE, Window

#: a reading in the language heard is kept when Whisper's words have this mean probability
READ_SURE = 0.7

#: ``(audio, part, code, allowed)``: the expected language other than ``code`` clearly heard
#: in ``part`` alone, or None (``identify.Identifier.other_language_alone``)
HeardOther = Callable[[Any, dict[str, int], str, list[str]], str | None]
#: ``(audio, groups, language)``: the decoded segments (``engine.Transcriber._decode``)
Decode = Callable[[Any, list[list[dict[str, int]]], str], list[Any]]


def heard_apart(
    found: list[SegmentDraft],
    window: Window,
    run: list[dict[str, int]],
    code: str,
    allowed: list[str],
    *,
    other_language: HeardOther,
    decode: Decode,
    speech_s: list[tuple[float, float]],
    dropped: list[str],
) -> list[SegmentDraft]:
    """The drafts of a stretch decoded in ``code`` (``found``), each sentence of a longer stretch
    of ``run`` that is clearly in another expected language, heard alone, replaced: by its
    reading in that language when Whisper is sure of it (``READ_SURE``) and its script fits
    (``to_drafts``), else by speech without transcript marked with the language heard.

    A sentence is heard from where the draft before it in its stretch ends (or the stretch
    begins) to where the one after it starts (or the stretch ends): Whisper's words of a
    translation are shorter than the speech they stand for. It is checked when that is
    ``LID_PART_MIN_S`` or more and the stretch has that much other speech (its language was
    heard on the whole, not on this sentence).
    """
    ordered = sorted(found, key=lambda d: d.start_ms)
    out: list[SegmentDraft] = []
    for i, draft in enumerate(ordered):
        part = _part(ordered, i, window, run)
        if draft.untranscribed or not draft.text or part is None:
            out.append(draft)
            continue
        heard = other_language(window.audio, part, code, allowed)
        if heard is None:
            out.append(draft)
            continue
        read: list[SegmentDraft] = []
        for seg in decode(window.audio, [[part]], heard):
            read.extend(to_drafts(seg, speech_s, window.start_ms, dropped, heard))
        words = [w for d in read for w in d.words]
        sure = sum(w.probability or 0.0 for w in words) / max(1, len(words))
        dropped.append(f"heard in {heard} alone, decoded in {code}: {draft.text[:60]}")
        if words and sure >= READ_SURE:
            out.extend(read)
            continue
        out.append(without_transcript(window.start_ms, part["start"], part["end"], heard))
    return out


def _part(
    drafts: list[SegmentDraft], i: int, window: Window, run: list[dict[str, int]]
) -> dict[str, int] | None:
    """The speech (samples of the window) that draft ``i`` stands for, between its neighbours
    within its stretch; None when too short, or (nearly) the whole stretch."""

    def at(ms: int) -> int:
        return (ms - window.start_ms) * SAMPLE_RATE // 1000

    draft = drafts[i]
    middle = (at(draft.start_ms) + at(draft.end_ms)) // 2
    chunk = next((c for c in run if c["start"] <= middle < c["end"]), None)
    if chunk is None:
        return None
    a = max([chunk["start"], *(at(d.end_ms) for d in drafts[:i] if at(d.end_ms) <= middle)])
    b = min([chunk["end"], *(at(d.start_ms) for d in drafts[i + 1 :] if at(d.start_ms) >= middle)])
    a, b = max(0, min(a, at(draft.start_ms))), min(len(window.audio), max(b, at(draft.end_ms)))
    least = LID_PART_MIN_S * SAMPLE_RATE
    if b - a < least or (chunk["end"] - chunk["start"]) - (b - a) < least:
        return None
    return {"start": a, "end": b}
