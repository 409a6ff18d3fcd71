"""Two coders code words and whole segments, remove their codings, type words into segments and
exchange bundles with the lead in any order, over many rounds; against a model of what the
lead's project must hold.

``tests/test_merge_lead.py`` (``LeadDecides``) draws removals by the lead and by other coders
on whole-segment codings of unedited text; this draws what a coding team mostly does: span
codings on words, a coder's own removals, and text edits on both sides (a word typed into a
segment; two coders typing into one segment are a text conflict the lead resolves either way).

Model (independent of the merge): each coding's coder, segment, code and coded word (words are
unique in their segment: the text's own, and each typed word a fresh one), what each coder
sent (their live codings, their removals). Invariants at the lead, after every step:
- every coding a coder sent and has not removed since (as sent) is there, once, with its code;
- no coding its coder removed (and sent the removal of) is there, nor comes back from the
  other coder's bundle, which still holds it from the lead's;
- a span coding whose word is in the lead's text of its segment covers exactly that word;
  one whose word is not is a flagged whole-segment coding ("⚑ coded words deleted"), never on
  other words;
- a span whose word is not in the lead's text and whose coder has a whole-segment coding of
  its code on the segment may be held by that coding (one per segment, code and coder);
- a coding is its coder's: another coder's re-assigning or removing it, and the lead's
  re-assigning it, are refused and change no coding (drawn in any copy, at any step).
The lead also cuts words from segments and types them back, anywhere (a span flagged because
its word went is on it again). A coder's whole-segment coding merged while the lead held her
span of that code flagged waits at the lead (``held_codings``) and is there once the span has
its word back (before, it was missing until her next bundle: the model allowed that, and no
longer does). Known limit: a span held by her whole-segment coding while the lead's text
lacked its word is missing at the lead when the lead's text holds the word again (the lead
keeps her text, or types it back), until her next bundle
(tests/test_merge_waiting_text_conflict.py, the test of a span dropped for a whole-segment
coding): the lead never kept the span's row.
It found these faults, each a plain test now: a coder's removal lost when the lead had
resolved a text conflict on its segment meanwhile, and a span put on part of another word when
the lead kept one copy's version of its place (tests/test_merge_removed_codings.py); bob's span
on his word, which the lead's text held again from ann's copy, arriving as a flagged
whole-segment coding (tests/test_merge_lost_spans_back.py); ann's copy taking bob's wording from
the lead's bundle while the lead's text conflict was open, and bob's span, dropped at the lead
into his whole-segment coding while ann's wording was shown, deleted in his own copy by the
lead's tombstone (tests/test_merge_waiting_text_conflict.py); bob's span held at the lead by
his whole-segment coding, missing there for good when his bundle removed that coding
(tests/test_merge_lost_spans_back.py).
CI runs it from a few fixed seeds (``CI_SEEDS``, below), each a separate run; a sweep draws
more: ``MERGE_MODEL_SEEDS=0-60 MERGE_MODEL_EXAMPLES=50 pytest`` on this file.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from storage.core.anchors import is_flagged
from storage.core.errors import InvalidInputError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

CODERS = ("ann", "bob")
N_SEGMENTS = 4
PATHS = ("Services/Health", "Trust")


class TwoCodersMerge(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.lead, self.segs, self.coders = team(Path(self.tmp.name), *CODERS)
        self.segs = self.segs[:N_SEGMENTS]
        self.codes: dict[str, str] = {}
        for path in PATHS:
            self.codes[path] = self.lead.codebook.ensure_code_path(path).id
        self._bundle_to_coders()
        self.n = itertools.count()
        #: coding id -> (coder, segment id, code path, coded word or None)
        self.made: dict[str, tuple[str, str, str, str | None]] = {}
        #: what the lead must hold / must not, as the coders last sent it
        self.live_sent: set[str] = set()
        self.removed_sent: set[str] = set()
        self.removed: dict[str, set[str]] = {name: set() for name in CODERS}
        #: the lead's texts as last seen, and the segments whose text changed at the lead since
        #: each coder last sent
        self.texts_seen = self._lead_texts()
        self.text_moved: dict[str, set[str]] = {name: set() for name in CODERS}
        #: the words the lead cut from each segment (she may type them back)
        self.cut: dict[str, list[str]] = {s: [] for s in self.segs}

    def _lead_texts(self) -> dict[str, str]:
        return {s: self.lead.transcript.get_segment(s).text for s in self.segs}

    def _note_texts(self) -> dict[str, str]:
        texts = self._lead_texts()
        for segment_id, text in texts.items():
            if text != self.texts_seen[segment_id]:
                for moved in self.text_moved.values():
                    moved.add(segment_id)
        self.texts_seen = texts
        return texts

    def teardown(self) -> None:
        for p in (self.lead, *self.coders.values()):
            p.close()
        self.tmp.cleanup()

    def _path(self) -> Path:
        return Path(self.tmp.name) / f"{next(self.n)}.fsbundle"

    def _bundle_to_coders(self) -> None:
        """The lead's codes reach the coders (as a second start bundle would)."""
        path = Path(self.tmp.name) / "codes.fsbundle"
        export_bundle(self.lead, path)
        for p in self.coders.values():
            merge_bundles(p, [path])

    @initialize(
        spans=st.lists(
            st.tuples(st.integers(0, N_SEGMENTS - 1), st.integers(0, 20)), min_size=1, max_size=3
        ),
        edits=st.lists(st.integers(0, N_SEGMENTS - 1), min_size=1, max_size=2, unique=True),
    )
    def start(self, spans: list[tuple[int, int]], edits: list[int]) -> None:
        """Each coder codes words, types a word into some segments (the same ones: a text
        conflict at the lead), and sends; both take the lead's bundle."""
        for who in CODERS:
            for seg in edits:  # each codes the word she typed: the other's text lacks it
                self.type_a_word(who, seg, seg + 1)
                self.code(who, seg, PATHS[0], seg + 1, whole=False)
            for seg, pick in spans:
                self.code(who, seg, PATHS[pick % 2], pick, whole=False)
            self.coder_sends(who)
        for who in CODERS:
            self.coder_takes_the_leads_bundle(who)

    @rule(
        who=st.sampled_from(CODERS),
        seg=st.integers(0, N_SEGMENTS - 1),
        path=st.sampled_from(PATHS),
        pick=st.integers(0, 20),
        whole=st.booleans(),
    )
    def code(self, who: str, seg: int, path: str, pick: int, whole: bool) -> None:
        p = self.coders[who]
        segment = p.transcript.get_segment(self.segs[seg])
        words = segment.text.split(" ")
        if whole:
            coding = p.codebook.apply_code(segment.id, self.codes[path])
            word = None
        else:
            k = pick % len(words)
            start = len(" ".join(words[:k])) + (1 if k else 0)
            word = words[k]
            coding = p.codebook.apply_code(
                segment.id, self.codes[path], start_cp=start, end_cp=start + len(word)
            )
        if whole:  # the coder's span whose words went, coded whole on purpose: no flag
            self.made[coding.id] = (who, segment.id, path, None)
        else:
            self.made.setdefault(coding.id, (who, segment.id, path, word))

    @rule(who=st.sampled_from(CODERS), pick=st.integers(0, 20))
    def uncode(self, who: str, pick: int) -> None:
        own = self.coders[who].codebook.codings(coder=who)
        if own:
            coding = own[pick % len(own)]
            self.coders[who].codebook.remove_coding(coding.id)
            self.removed[who].add(coding.id)

    @rule(who=st.sampled_from(CODERS), pick=st.integers(0, 20))
    def uncode_and_send(self, who: str, pick: int) -> None:
        self.uncode(who, pick)
        self.coder_sends(who)

    @rule(who=st.sampled_from((*CODERS, "lead")), pick=st.integers(0, 20), remove=st.booleans())
    def change_anothers(self, who: str, pick: int, remove: bool) -> None:
        """A coding is its coder's: another coder re-assigning or removing it, or the lead
        re-assigning it, is refused with one line and changes no coding (the lead's removals,
        her decision, are ``tests/test_merge_lead.py``'s)."""
        p = self.lead if who == "lead" else self.coders[who]
        theirs = [c for c in p.codebook.codings() if c.coder != who]
        if not theirs or (remove and who == "lead"):
            return
        coding = theirs[pick % len(theirs)]
        before = p.codebook.codings()
        with pytest.raises(InvalidInputError, match=f"^{coding.coder}'s coding is"):
            if remove:
                p.codebook.remove_coding(coding.id)
            else:
                other = next(c for c in self.codes.values() if c != coding.code_id)
                p.codebook.update_coding(coding.id, code_id=other)
        assert p.codebook.codings() == before
        event("another's coding: " + ("removal" if remove else "re-assignment") + " refused")

    @rule(who=st.sampled_from(CODERS), seg=st.integers(0, N_SEGMENTS - 1), at=st.integers(0, 20))
    def type_a_word(self, who: str, seg: int, at: int) -> None:
        """A word typed between two words (or at either end): a fresh word of letters no other
        word has (two CJK characters), so the model knows every word by itself. (With
        "typed0" and "typed2", two coders' words typed at one place, the anchoring rightly
        took the second for the first corrected, one letter of six: a span stays on a word
        typed over with a similar one, docs/TEAMWORK.md.)"""
        p = self.coders[who]
        words = p.transcript.get_segment(self.segs[seg]).text.split(" ")
        k = at % (len(words) + 1)
        n = next(self.n)
        words.insert(k, chr(0x4E00 + 2 * n) + chr(0x4E01 + 2 * n))
        p.transcript.update_segment(self.segs[seg], text=" ".join(words))

    @rule(seg=st.integers(0, N_SEGMENTS - 1), pick=st.integers(0, 20))
    def lead_cuts_a_word(self, seg: int, pick: int) -> None:
        """The lead deletes a word of a segment (coded or not: a span on it is flagged)."""
        words = self.lead.transcript.get_segment(self.segs[seg]).text.split(" ")
        if len(words) < 2:
            return
        self.cut[self.segs[seg]].append(words.pop(pick % len(words)))
        self.lead.transcript.update_segment(self.segs[seg], text=" ".join(words))

    @rule(seg=st.integers(0, N_SEGMENTS - 1), pick=st.integers(0, 20), at=st.integers(0, 20))
    def lead_types_a_word_back(self, seg: int, pick: int, at: int) -> None:
        """The lead types a word she cut back into the segment, anywhere: a span flagged
        because that word went is on it again (the model: a span whose word is in the lead's
        text covers it)."""
        cut = self.cut[self.segs[seg]]
        words = self.lead.transcript.get_segment(self.segs[seg]).text.split(" ")
        cut[:] = [w for w in cut if w not in words]
        if not cut:
            return
        words.insert(at % (len(words) + 1), cut.pop(pick % len(cut)))
        self.lead.transcript.update_segment(self.segs[seg], text=" ".join(words))
        event("the lead types a word back")

    @rule(who=st.sampled_from(CODERS))
    def coder_sends(self, who: str) -> None:
        p = self.coders[who]
        live = {c.id for c in p.codebook.codings(coder=who)}
        path = self._path()
        export_bundle(p, path)
        merge_bundles(self.lead, [path])
        self._note_texts()
        self.text_moved[who].clear()
        self.live_sent = (self.live_sent - self.removed[who]) | live
        self.removed_sent |= self.removed[who] - live

    @rule(who=st.sampled_from(CODERS))
    def coder_takes_the_leads_bundle(self, who: str) -> None:
        path = self._path()
        export_bundle(self.lead, path)
        merge_bundles(self.coders[who], [path])

    @rule(pick=st.integers(0, 3))
    def lead_resolves(self, pick: int) -> None:
        for listed in self.lead.team.conflicts():
            conflict = self.lead.team.get_conflict(listed.id)
            if conflict.status == "open":
                event(f"the lead resolves a conflict on {conflict.table_name}")
                self.lead.team.resolve_conflict(conflict.id, keep=pick % len(conflict.versions))

    @invariant()
    def the_lead_holds_what_was_sent(self) -> None:
        at_lead = {c.id: c for c in self.lead.codebook.codings()}
        assert not set(at_lead) & self.removed_sent, set(at_lead) & self.removed_sent
        if self.removed_sent:
            event("a removal sent")
        wholes = {
            (c.coder, c.segment_id, c.code_id): c for c in at_lead.values() if c.start_cp is None
        }
        texts = self._note_texts()
        for coding_id in self.live_sent:
            who, segment_id, path, word = self.made[coding_id]
            coding = at_lead.get(coding_id)
            if coding is None and word is None:
                # the same coding under another id: the coder's span whose words the lead's
                # text lost is a whole-segment coding there, and her new whole-segment coding
                # of that code is the same coding (one per segment, code and coder)
                coding = wholes.get((who, segment_id, self.codes[path]))
                event("a whole-segment coding held under another id")
            if coding is None and word is not None and word not in texts[segment_id].split(" "):
                # a span whose word the lead's text lacks, where its coder's whole-segment
                # coding of that code is: that coding holds it (one per segment, code, coder)
                coding = wholes.get((who, segment_id, self.codes[path]))
                event("a span held by its coder's whole-segment coding")
                if coding is not None:
                    continue
            if (
                coding is None
                and word is not None
                and segment_id in self.text_moved[who]
                and (who, segment_id, self.codes[path]) in wholes
            ):
                # known limit: held by that whole-segment coding while the lead's text lacked
                # the word; the lead's text holds it again, and her next bundle brings the span
                event("a span held by a whole-segment coding, its word back at the lead")
                continue
            assert coding is not None, (coding_id, self.made[coding_id])
            assert (coding.coder, coding.segment_id) == (who, segment_id)
            assert coding.code_id == self.codes[path]
            text = texts[segment_id]
            if word is None:
                assert coding.start_cp is None
            elif word in text.split(" "):
                event("a span at the lead on its word")
                assert coding.start_cp is not None, (text, word, coding.memo)
                assert text[coding.start_cp : coding.end_cp] == word, (text, word)
            else:
                event("a span whose word the lead's text lacks")
                assert coding.start_cp is None and is_flagged(coding.memo), (text, word)
        keys = [(c.segment_id, c.code_id, c.coder, c.start_cp, c.end_cp) for c in at_lead.values()]
        assert len(keys) == len(set(keys))  # never one coding twice


# CI draws from fixed seeds, each a separate run, so a failure names its seed and comes back
# on every run until fixed; MERGE_MODEL_SEEDS ("0-60" or "3,7") and MERGE_MODEL_EXAMPLES draw
# others: e.g. MERGE_MODEL_SEEDS=0-60 MERGE_MODEL_EXAMPLES=50 for a sweep before a release
CI_SEEDS = (0, 1, 2)
CI_EXAMPLES = 10


def _seeds(spec: str | None) -> list[int]:
    if not spec:
        return list(CI_SEEDS)
    if "-" in spec:
        first, last = spec.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(n) for n in spec.split(",")]


@pytest.mark.parametrize("drawn", _seeds(os.environ.get("MERGE_MODEL_SEEDS")))
def test_two_coders_merge_against_a_model(drawn: int) -> None:
    def machine() -> TwoCodersMerge:
        return TwoCodersMerge()

    run_state_machine_as_test(
        seed(drawn)(machine),
        settings=settings(
            max_examples=int(os.environ.get("MERGE_MODEL_EXAMPLES", CI_EXAMPLES)),
            stateful_step_count=15,
            deadline=None,
            database=None,  # what a seed draws, not what an earlier run saved
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
