"""FieldScribe's own JSON transcript export (``fieldscribe export --format json``) read back.

The export holds ``{"session": ..., "segments": [{"start_ms", "end_ms", "text", "speaker",
"language", "untranscribed", "model", "words": [...]}, ...]}``; each segment becomes a draft
with its times, speaker, language, words, the "speech without transcript" mark and the model that
wrote it (or "typed by hand"), as exported.
"""

from __future__ import annotations

import json
from typing import Any

from storage.core.errors import InvalidInputError
from storage.core.languages import LANGUAGES
from storage.core.models import Word
from storage.transcript.transcript import SegmentDraft


def looks_like_json(text: str) -> bool:
    """Whether ``text`` is a JSON object with a ``segments`` list (a FieldScribe export)."""
    head = text.lstrip()
    return head.startswith("{") and '"segments"' in head


def parse_json_segments(name: str, text: str) -> list[SegmentDraft]:
    """Read the segments of a FieldScribe JSON export.

    Args:
        name: the file, for messages.
        text: its content.

    Returns:
        One draft per segment, in file order.

    Raises:
        InvalidInputError: not JSON, or not a FieldScribe transcript (segment ``n`` is named).
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(f"{name}: not valid JSON ({exc}); nothing was imported.") from None
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise InvalidInputError(
            f'{name}: JSON without a "segments" list; FieldScribe reads the JSON that '
            "`fieldscribe export --format json` writes. Nothing was imported."
        )
    return [_draft(name, n, item) for n, item in enumerate(segments, start=1)]


def _draft(name: str, n: int, item: Any) -> SegmentDraft:
    def bad(what: str) -> InvalidInputError:
        return InvalidInputError(f"{name}: segment {n} {what}; nothing was imported.")

    if not isinstance(item, dict):
        raise bad("is not an object")
    start, end, text = item.get("start_ms"), item.get("end_ms"), item.get("text", "")
    if not (isinstance(start, int) and isinstance(end, int) and _ms(start) and _ms(end)):
        raise bad("has no start_ms/end_ms in whole milliseconds (0 or more)")
    if not isinstance(text, str):
        raise bad("has a text that is not a string")
    speaker = item.get("speaker")
    language = item.get("language")
    model = item.get("model")  # a name ("typed by hand" too); a path would be cut to its name
    return SegmentDraft(
        start_ms=start,
        end_ms=end,
        text=text,
        speaker=speaker.strip() or None if isinstance(speaker, str) else None,
        language=language if isinstance(language, str) and language in LANGUAGES else None,
        untranscribed=item.get("untranscribed") is True and not text.strip(),
        words=_words(item.get("words")),
        model=model.strip()[:200] or None if isinstance(model, str) else None,
    )


def _ms(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _words(items: Any) -> list[Word]:
    """The segment's timed words, when every one is well formed (else none: text is kept)."""
    if not isinstance(items, list):
        return []
    words = []
    for w in items:
        if not (isinstance(w, dict) and _ms(w.get("start_ms")) and _ms(w.get("end_ms"))):
            return []
        if not isinstance(w.get("text"), str):
            return []
        probability = w.get("probability")
        words.append(
            Word(
                start_ms=w["start_ms"],
                end_ms=w["end_ms"],
                text=w["text"],
                probability=float(probability)
                if isinstance(probability, int | float) and not isinstance(probability, bool)
                else None,
            )
        )
    return words
