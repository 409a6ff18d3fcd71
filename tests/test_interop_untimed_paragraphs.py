"""oTranscribe paragraphs without a timestamp start where the words said since the timestamp
above share the time to the next one, as Google Meet's untimed turns do
(``transcript_untimed.starts_by_words``, one estimate for both readers): in milliseconds,
rounded down. The .otr reader computed it in float seconds and rounded to the nearest
millisecond, so the same words gave a start up to 1 ms later than a Meet transcript's."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.interop import parse_transcript
from tests.interop_support import put_text

_STAMP = '<span class="timestamp" data-timestamp="{}">0:00</span>&nbsp;'
_WORD = st.sampled_from(["да", "бір", "hello", "қала", "ещё"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blocks=st.lists(
        st.tuples(
            st.integers(1, 90_000),  # ms since the timestamp before
            st.lists(st.lists(_WORD, min_size=1, max_size=6), min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_untimed_paragraphs_against_a_model(
    tmp_path: Path, blocks: list[tuple[int, list[list[str]]]]
) -> None:
    """Each block: a timestamped paragraph, then paragraphs without one. Model: an untimed
    paragraph starts at the timestamp plus the time to the next timestamp times the words
    before it over the block's words, rounded down; after the last timestamp at 2.5 words a
    second, rounded."""
    body, model, at = [], [], 0
    stamps = []
    for gap, _paragraphs in blocks:
        at += gap
        stamps.append(at)
    for b, (_gap, paragraphs) in enumerate(blocks):
        words = [len(p) for p in paragraphs]
        low = stamps[b]
        body.append(f"<p>{_STAMP.format(low / 1000)}{' '.join(paragraphs[0])}</p>")
        body += [f"<p>{' '.join(p)}</p>" for p in paragraphs[1:]]
        for k, para in enumerate(paragraphs):
            before = sum(words[:k])
            if k == 0:
                when = low
            elif b + 1 < len(blocks):
                when = low + (stamps[b + 1] - low) * before // sum(words)
            else:
                when = low + round(before / 2.5 * 1000)
            model.append((when, " ".join(para)))
    path = put_text(tmp_path, "i.otr", json.dumps({"text": "".join(body), "media": "i.wav"}))
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.text) for d in parsed.drafts] == model
