"""Merge speaker turns with a transcript: one speaker per word, cuts where the speaker changes.

Pure functions (no audio, no model): given a session's segments (with Whisper's word timings)
and the speaker turns found by diarization, decide which speaker each word belongs to and where
to cut a segment so that the first words of a turn are not given to the previous speaker.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from storage.core.models import Segment, Word
from storage.speakers.speakers import SegmentRelabel

from ..guards import ends_sentence

#: A run of words shorter than this (ms) between two runs of one other speaker is absorbed
#: into them: diarization jitter, not a turn.
MIN_INNER_RUN_MS = 400
#: A run of words at the start or end of a segment shorter than this (ms) is absorbed into the
#: rest of the segment (0: never; the first words of a new turn are kept apart).
MIN_EDGE_RUN_MS = 0
#: A segment is cut between speakers only when every part lasts at least this long (ms) and
#: holds at least ``MIN_PART_WORDS`` words; a shorter part goes with its longer neighbour, so a
#: sentence stays whole unless the change of speaker inside it is clear. Measured on the AMI
#: clips with ``bench/speaker_parts.py`` (see docs/speakers.md).
MIN_PART_MS = 1000
MIN_PART_WORDS = 3
#: A cut inside a sentence moves to the nearest sentence end at most this many words and this
#: many ms away (diarization's turn changes are a few hundred ms off; a speaker rarely hands
#: over mid-clause). With no sentence end that near, the cut stays: an interruption.
SNAP_WORDS = 4
SNAP_MS = 1500


@dataclass(frozen=True)
class Turn:
    """A stretch of speech of one speaker."""

    start_ms: int
    end_ms: int
    speaker: str


class TurnIndex:
    """Turns sorted by start, for overlap look-ups."""

    def __init__(self, turns: Sequence[Turn]) -> None:
        self.turns = sorted((t for t in turns if t.end_ms > t.start_ms), key=lambda t: t.start_ms)
        self._starts = [t.start_ms for t in self.turns]
        self._max_len = max((t.end_ms - t.start_ms for t in self.turns), default=0)

    def overlaps(self, start_ms: int, end_ms: int) -> dict[str, int]:
        """Milliseconds of overlap of ``[start_ms, end_ms)`` with each speaker."""
        result: dict[str, int] = {}
        hi = bisect_right(self._starts, end_ms)
        i = hi - 1
        while i >= 0 and self.turns[i].start_ms >= start_ms - self._max_len:
            t = self.turns[i]
            ov = min(end_ms, t.end_ms) - max(start_ms, t.start_ms)
            if ov > 0:
                result[t.speaker] = result.get(t.speaker, 0) + ov
            i -= 1
        return result

    def turn_start(self, speaker: str, start_ms: int, end_ms: int) -> int | None:
        """The earliest start of a turn of ``speaker`` that overlaps ``[start_ms, end_ms)``."""
        hi = bisect_right(self._starts, end_ms)
        best: int | None = None
        i = hi - 1
        while i >= 0 and self.turns[i].start_ms >= start_ms - self._max_len:
            t = self.turns[i]
            if t.speaker == speaker and t.end_ms > start_ms and t.start_ms < end_ms:
                best = t.start_ms if best is None else min(best, t.start_ms)
            i -= 1
        return best

    def speaker_at(self, start_ms: int, end_ms: int) -> str | None:
        """The speaker who talks most in the span, else the nearest turn's speaker."""
        if not self.turns:
            return None
        if end_ms <= start_ms:
            end_ms = start_ms + 1
        ov = self.overlaps(start_ms, end_ms)
        if ov:
            return max(sorted(ov), key=lambda s: ov[s])
        mid = (start_ms + end_ms) / 2
        i = bisect_right(self._starts, mid)
        best: Turn | None = None
        best_d = float("inf")
        for j in (i - 1, i):
            if 0 <= j < len(self.turns):
                t = self.turns[j]
                d = max(t.start_ms - mid, mid - t.end_ms, 0)
                if d < best_d:
                    best, best_d = t, d
        # A turn that ends before ``mid`` but started earlier than turns[i-1] may be closer
        for t in self.turns[max(0, i - 8) : i]:
            d = max(t.start_ms - mid, mid - t.end_ms, 0)
            if d < best_d:
                best, best_d = t, d
        return None if best is None else best.speaker


def word_positions(text: str, words: Sequence[Word]) -> list[int] | None:
    """The code point where each word starts in ``text``, or None when they do not match.

    Whisper's words carry leading spaces (" Hello"); the segment text is their concatenation,
    usually stripped. A hand-edited text no longer matches its words: then None.
    """
    positions: list[int] = []
    pos = 0
    for word in words:
        token = word.text.strip()
        if not token:
            positions.append(min(pos, len(text)))
            continue
        idx = text.find(token, pos)
        if idx < 0 or (positions and idx - pos > 40):
            return None
        positions.append(idx)
        pos = idx + len(token)
    return positions


def _runs(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """Consecutive equal labels as ``(first, last_exclusive, label)``."""
    runs: list[tuple[int, int, str]] = []
    for i, label in enumerate(labels):
        if runs and runs[-1][2] == label:
            runs[-1] = (runs[-1][0], i + 1, label)
        else:
            runs.append((i, i + 1, label))
    return runs


def smooth_word_speakers(
    words: Sequence[Word],
    labels: Sequence[str],
    min_inner_run_ms: int | None = None,
    min_edge_run_ms: int | None = None,
) -> list[str]:
    """Absorb short runs sandwiched between two runs of the same other speaker (and, when
    ``min_edge_run_ms`` is set, short runs at either end of the segment)."""
    inner = MIN_INNER_RUN_MS if min_inner_run_ms is None else min_inner_run_ms
    edge = MIN_EDGE_RUN_MS if min_edge_run_ms is None else min_edge_run_ms
    result = list(labels)
    changed = True
    while changed:
        changed = False
        runs = _runs(result)
        for k in range(1, len(runs) - 1):
            first, last, _label = runs[k]
            before, after = runs[k - 1][2], runs[k + 1][2]
            duration = words[last - 1].end_ms - words[first].start_ms
            if before == after and duration < inner:
                for i in range(first, last):
                    result[i] = before
                changed = True
                break
        runs = _runs(result)
        if not changed and edge and len(runs) > 1:
            for k, other in ((0, 1), (len(runs) - 1, len(runs) - 2)):
                first, last, _label = runs[k]
                if words[last - 1].end_ms - words[first].start_ms < edge:
                    for i in range(first, last):
                        result[i] = runs[other][2]
                    changed = True
                    break
    return result


def keep_parts_whole(
    words: Sequence[Word],
    labels: Sequence[str],
    min_part_ms: int | None = None,
    min_part_words: int | None = None,
) -> list[str]:
    """Give every run too short to stand as its own part (``MIN_PART_MS``, ``MIN_PART_WORDS``)
    to its longer neighbour, shortest first, until every part is long enough."""
    least_ms = MIN_PART_MS if min_part_ms is None else min_part_ms
    least_words = MIN_PART_WORDS if min_part_words is None else min_part_words
    result = list(labels)
    while True:
        runs = _runs(result)
        if len(runs) < 2:
            return result

        def length(run: tuple[int, int, str]) -> int:
            return words[run[1] - 1].end_ms - words[run[0]].start_ms

        short = [
            k
            for k, run in enumerate(runs)
            if length(run) < least_ms or run[1] - run[0] < least_words
        ]
        if not short:
            return result
        k = min(short, key=lambda i: (length(runs[i]), i))
        neighbours = [j for j in (k - 1, k + 1) if 0 <= j < len(runs)]
        into = max(neighbours, key=lambda j: (length(runs[j]), -j))
        first, last, _label = runs[k]
        for i in range(first, last):
            result[i] = runs[into][2]


def _ends_sentence(word: Word) -> bool:
    return ends_sentence(word.text)


def snap_to_sentence_ends(
    words: Sequence[Word],
    labels: Sequence[str],
    max_words: int | None = None,
    max_ms: int | None = None,
) -> list[str]:
    """Move each change of speaker that falls inside a sentence to the nearest sentence end
    (``SNAP_WORDS`` words, ``SNAP_MS`` ms at most; the nearer, then the earlier, wins), never
    so far that a part disappears. Words without punctuation (no sentence ends) keep their
    cuts."""
    near_words = SNAP_WORDS if max_words is None else max_words
    near_ms = SNAP_MS if max_ms is None else max_ms
    result = list(labels)
    runs = _runs(result)
    previous_start = 0  # where the part before this change starts (after earlier moves)
    for k in range(1, len(runs)):
        first = runs[k][0]
        lowest, highest = previous_start + 1, runs[k][1] - 1
        previous_start = first
        if _ends_sentence(words[first - 1]):
            continue
        candidates = [
            j
            for j in range(max(lowest, first - near_words), min(highest, first + near_words) + 1)
            if j != first
            and _ends_sentence(words[j - 1])
            and abs(words[j].start_ms - words[first].start_ms) <= near_ms
        ]
        if not candidates:
            continue
        j = min(candidates, key=lambda c: (abs(c - first), c))
        for i in range(min(j, first), max(j, first)):
            result[i] = runs[k][2] if j < first else runs[k - 1][2]
        previous_start = j
    return result


def cut_time(words: Sequence[Word], first: int, speaker: str, index: TurnIndex) -> int:
    """When the part of ``speaker`` that begins with ``words[first]`` starts.

    The pause before the word belongs to whoever the diarization says speaks in it: the cut
    goes to the start of the new speaker's detected turn when that lies between the previous
    word's end and this word's start (Whisper's word times are coarse, a turn's first word
    often starts late), else to the nearest end of that stretch. It never passes the word's
    own start, so the word stays in its part (``split_segment`` gives the right part every
    word starting at or after the cut).
    """
    hi = words[first].start_ms
    if first == 0:
        return hi
    prev = words[first - 1]
    lo = max(prev.start_ms + 1, min(prev.end_ms, hi))
    if lo >= hi:  # the previous word starts with this one (zero-length words): no room
        return hi
    start = index.turn_start(speaker, lo, max(hi, words[first].end_ms, lo + 1))
    if start is None:
        return hi
    return max(lo, min(hi, start))


def word_speakers(words: Sequence[Word], index: TurnIndex) -> list[str | None]:
    """The speaker of each word (most overlap, else nearest turn)."""
    return [index.speaker_at(w.start_ms, w.end_ms) for w in words]


def plan_segment(segment: Segment, index: TurnIndex) -> SegmentRelabel | None:
    """Decide the speaker(s) of one segment, with cuts where the speaker changes inside it.

    Returns None when there are no turns at all.
    """
    if not index.turns:
        return None
    whole = index.speaker_at(segment.start_ms, segment.end_ms)
    assert whole is not None
    words = [w for w in segment.words if w.end_ms >= w.start_ms]
    positions = word_positions(segment.text, words) if words else None
    if not words or positions is None:
        return SegmentRelabel(segment.id, [whole])
    raw = word_speakers(words, index)
    labels = smooth_word_speakers(words, [s if s is not None else whole for s in raw])
    labels = keep_parts_whole(words, labels)
    labels = keep_parts_whole(words, snap_to_sentence_ends(words, labels))
    runs = _runs(labels)
    cuts: list[tuple[int, int]] = []
    speakers = [runs[0][2]]
    for first, _last, label in runs[1:]:
        at_cp = positions[first]
        at_ms = cut_time(words, first, label, index)
        if not 0 < at_cp < len(segment.text) or (cuts and at_cp <= cuts[-1][0]):
            # nowhere to cut (words outside the text): the run joins the previous part
            continue
        if at_ms <= segment.start_ms or at_ms >= segment.end_ms:
            continue
        cuts.append((at_cp, at_ms))
        speakers.append(label)
    # Drop cuts that leave two neighbouring parts with the same speaker (after skips)
    merged_cuts: list[tuple[int, int]] = []
    merged_speakers = [speakers[0]]
    for cut, label in zip(cuts, speakers[1:], strict=True):
        if label == merged_speakers[-1]:
            continue
        merged_cuts.append(cut)
        merged_speakers.append(label)
    return SegmentRelabel(segment.id, merged_speakers, merged_cuts)


def plan_relabel(segments: Sequence[Segment], turns: Sequence[Turn]) -> list[SegmentRelabel]:
    """Plan speaker labels (and cuts) for every segment of a session."""
    index = TurnIndex(turns)
    plan = []
    for segment in segments:
        entry = plan_segment(segment, index)
        if entry is not None:
            plan.append(entry)
    return plan


def labels_of_words(segment: Segment, entry: SegmentRelabel) -> list[str]:
    """The speaker each word of ``segment`` gets once ``entry`` is applied."""
    result = []
    for word in segment.words:
        part = sum(1 for _cp, at_ms in entry.cuts if word.start_ms >= at_ms)
        result.append(entry.speakers[part])
    return result
