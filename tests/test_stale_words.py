"""Word timings a hand edit left behind (before aa16333 they kept Whisper's wording, so a name
typed out of a segment stayed in its ``words``): every path that sends words out of the project
leaves out the words the text no longer says, a project opened for writing drops them once, and
``words_kept_by`` keeps exactly the words the text still says."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.models import Word
from storage.core.segment_rows import words_kept_by, words_to_json
from storage.core.stale_words import WORDS_FOLLOW_EDITS_KEY
from storage.interop.transcript_export import export_transcript
from storage.privacy.models import ExportPrivacy
from storage.team.bundle_export import export_bundle
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import run_cli
from tests.teamwork_helpers import rebuild

VOCAB = ["Айгуль", "меня", "Меня", "зовут", "қалай", "әр", "city", "x", "a", "b", "да", "нет"]


def _lcs_length(timed: tuple[str, ...], said: tuple[str, ...]) -> int:
    """The model: how many words at most the two sequences share in order (plain recursion)."""

    @cache
    def best(i: int, j: int) -> int:
        if i == len(timed) or j == len(said):
            return 0
        if timed[i] == said[j]:
            return 1 + best(i + 1, j + 1)
        return max(best(i + 1, j), best(i, j + 1))

    return best(0, 0)


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(any(p == w for w in rest) for p in part)


_WORD = st.one_of(st.sampled_from(VOCAB), st.text(max_size=4))  # any text: spaces, "" too
_GAP = st.sampled_from([" ", "  ", "\n", "\t"])


@settings(max_examples=400, deadline=None)
@given(
    old=st.lists(_WORD, max_size=14),
    new=st.lists(st.tuples(_WORD, _GAP), max_size=14),
)
def test_the_words_kept_are_exactly_those_the_text_still_says(
    old: list[str], new: list[tuple[str, str]]
) -> None:
    """For any text and word list: the kept words are the old objects, in their order, saying
    words of the text in its order (any case), and as many as the two share at most: no word
    the text still says is dropped, none it no longer says is kept. So keeping again keeps
    all (the repair of a project is done once for good)."""
    words = [Word(i * 100, i * 100 + 90, (" " if i else "") + t, None) for i, t in enumerate(old)]
    text = "".join(t + gap for t, gap in new)
    kept = words_kept_by(text, words)
    positions = [next(i for i, w in enumerate(words) if w is k) for k in kept]
    assert positions == sorted(set(positions))  # the old words, each once, in order
    folded = [t.casefold() for t in text.split()]
    assert _is_subsequence([k.text.strip().casefold() for k in kept], folded)
    timed = tuple(w.text.strip().casefold() for w in words)
    assert len(kept) == _lcs_length(timed, tuple(folded))
    assert words_kept_by(text, kept) == kept


# ------------------------------------------------------------------ paths out of the project
NAMED = "Меня зовут Айгуль Сериковна."
TYPED_OUT = "Меня зовут [имя]."
WORDS = [
    Word(0, 400, "Меня", 0.9),
    Word(400, 800, " зовут", 0.9),
    Word(800, 1300, " Айгуль", 0.9),
    Word(1300, 2000, " Сериковна.", 0.9),
]


def _edited_the_old_way(project: Project, text: str = TYPED_OUT) -> tuple[str, str]:
    """A session with one segment whose text was edited by a FieldScribe from before word
    timings followed edits (aa16333): text and ``edited`` written, the words left as they were.
    Returns (session id, segment id)."""
    session = project.sessions.add_session("FG", "focus_group")
    (seg,) = project.transcript.add_segments(
        session.id, [SegmentDraft(0, 2000, NAMED, words=list(WORDS))]
    )
    with project.db.conn:
        project.db.conn.execute(
            "UPDATE segments SET text = ?, edited = 1 WHERE id = ?", (text, seg.id)
        )
    assert len(project.transcript.get_segment(seg.id).words) == 4
    return session.id, seg.id


def _bundle_words(bundle: Path, tmp_path: Path) -> list[str]:
    with zipfile.ZipFile(bundle) as zf:
        zf.extract("project.db", tmp_path / "unpacked")
    conn = sqlite3.connect(tmp_path / "unpacked" / "project.db")
    try:
        rows = conn.execute("SELECT words FROM segments WHERE words IS NOT NULL").fetchall()
    finally:
        conn.close()
    return [w[2] for (raw,) in rows for w in json.loads(raw)]


@pytest.mark.parametrize(
    "privacy",
    [None, ExportPrivacy(pseudonymise=False, redact=False)],
    ids=["protected", "unprotected"],
)
def test_a_bundle_carries_no_word_the_text_no_longer_says(
    tmp_path: Path, privacy: ExportPrivacy | None
) -> None:
    """Team bundles (sanitize_snapshot writes the view's words into the snapshot): the typed-
    out name travelled in ``segments.words``, with or without the protections."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        _edited_the_old_way(project)
        export_bundle(project, tmp_path / "b.fsbundle", privacy=privacy)
        assert len(project.transcript.segments(project.sessions.all()[0].id)[0].words) == 4
    assert _bundle_words(tmp_path / "b.fsbundle", tmp_path) == ["Меня", " зовут"]


def test_a_redacted_bundle_carries_no_word_with_the_real_name(tmp_path: Path) -> None:
    """A redacted, pseudonymised bundle: the name typed out of one segment (its first name
    mapped to a pseudonym, its patronymic not), redacted in another, replaced by a pseudonym in
    a third; no word of the bundle says it (the typed-out patronymic did)."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session_id, _typed_out = _edited_the_old_way(project)
        redacted, _mapped = project.transcript.add_segments(
            session_id,
            [
                SegmentDraft(3000, 5000, NAMED, words=[_later(w, 3000) for w in WORDS]),
                SegmentDraft(6000, 8000, "Айгуль пришла.", words=[Word(6000, 7000, "Айгуль", 0.9)]),
            ],
        )
        at = NAMED.index("Айгуль")
        project.redactions.redact(redacted.id, at, at + len("Айгуль Сериковна"), "NAME")
        project.privacy.set_pseudonym("Айгуль", "П01")
        export_bundle(project, tmp_path / "b.fsbundle")
    words = _bundle_words(tmp_path / "b.fsbundle", tmp_path)
    assert not [w for w in words if "Айгуль" in w or "Сериковна" in w], words
    assert "П01" in words  # the pseudonym's word keeps its timing


def _later(word: Word, ms: int) -> Word:
    return Word(word.start_ms + ms, word.end_ms + ms, word.text, word.probability)


def test_segments_json_shows_no_word_the_text_no_longer_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``fieldscribe segments --json`` opens the project read-only (not repaired): it printed
    the segment's old words with the name."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session_id, _ = _edited_the_old_way(project)
    code, out, _err = run_cli(
        capsys, "segments", tmp_path / "p.fieldscribe", "--session", session_id, "--json"
    )
    assert code == 0
    (segment,) = json.loads(out)
    assert [w["text"] for w in segment["words"]] == ["Меня", " зовут"]
    assert "Айгуль" not in out


# ------------------------------------------------------------------ the project repaired
def _as_older_fieldscribe_left_it(folder: Path) -> None:
    """Take away the record that the words were made to follow the text (an older FieldScribe
    never wrote it)."""
    conn = sqlite3.connect(folder / "project.db")
    with conn:
        conn.execute("DELETE FROM project_meta WHERE key = ?", (WORDS_FOLLOW_EDITS_KEY,))
    conn.close()


def _rows(folder: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{(folder / 'project.db').as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _digest(folder: Path) -> str:
    return hashlib.sha256(
        b"".join(
            (folder / n).read_bytes()
            for n in ("project.db", "project.db-wal")
            if (folder / n).exists()
        )
    ).hexdigest()


CONTENT = (
    "SELECT 'seg', id, text, words, updated_at FROM segments UNION ALL "
    "SELECT 'coding', id, start_cp, end_cp, updated_at FROM codings UNION ALL "
    "SELECT 'redaction', id, start_cp, end_cp, updated_at FROM redactions UNION ALL "
    "SELECT 'meta', key, value, NULL, NULL FROM project_meta UNION ALL "
    "SELECT 'version', table_name, row_id, version, NULL FROM row_versions ORDER BY 1, 2, 3, 4"
)


def test_a_project_opened_for_writing_drops_the_stale_words_once(tmp_path: Path) -> None:
    """An older FieldScribe's project: opened for writing, the hand-edited segment keeps the
    words its text says (text, codings and redactions untouched), under a version derived from
    its own (its old one recorded as ours); the project records it was done, and opening it
    again changes nothing."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="dana") as project:
        session_id, seg_id = _edited_the_old_way(project)
        (untouched,) = project.transcript.add_segments(
            session_id, [SegmentDraft(3000, 4000, "Да, да.", words=[Word(3000, 4000, "Да,", 1)])]
        )
        code = project.codebook.ensure_code_path("Имя")
        at = TYPED_OUT.index("[имя]")
        project.codebook.apply_code(seg_id, code.id, start_cp=at, end_cp=at + 5)
        project.codebook.apply_code(seg_id, code.id)
        project.redactions.redact(seg_id, at, at + 5, "NAME")
    _as_older_fieldscribe_left_it(folder)
    before = {r for r in _rows(folder, CONTENT) if r[0] != "meta"}
    (version,) = [r[4] for r in before if r[:2] == ("seg", seg_id)]
    with Project.open(folder, readonly=True) as project:  # read-only: nothing written
        assert len(project.transcript.get_segment(seg_id).words) == 4
    assert {r for r in _rows(folder, CONTENT) if r[0] != "meta"} == before
    with Project.open(folder) as project:
        seg = project.transcript.get_segment(seg_id)
        assert seg.text == TYPED_OUT
        assert seg.words == WORDS[:2]
        assert seg.updated_at == f"{version}~words"
        assert project.get_meta(WORDS_FOLLOW_EDITS_KEY)
        assert project.transcript.get_segment(untouched.id).words == [Word(3000, 4000, "Да,", 1)]
    after = {r for r in _rows(folder, CONTENT) if r[0] != "meta"}
    assert {r[:2] for r in before - after} == {("seg", seg_id)}
    assert after - before == {
        ("seg", seg_id, TYPED_OUT, words_to_json(WORDS[:2]), f"{version}~words"),
        ("version", "segments", seg_id, version, None),  # ours: a teammate's copy is older
    }
    digest = _digest(folder)
    with Project.open(folder):
        pass
    assert _digest(folder) == digest  # once: the second opening writes nothing


_EDIT = st.tuples(
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=8),  # what Whisper said (timed)
    st.lists(st.sampled_from(VOCAB), max_size=8),  # the text as a coder left it
    st.booleans(),  # edited by hand (else the text is Whisper's own)
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=3),  # coded spans
)


@settings(max_examples=30, deadline=None)
@given(edits=st.lists(_EDIT, min_size=1, max_size=4))
def test_the_repair_moves_no_coding_and_keeps_the_words_the_text_says(
    edits: list[tuple[list[str], list[str], bool, list[tuple[float, float]]]],
) -> None:
    """Against the rows as they were: after the repair every text, coding (span, version) and
    redaction is as it was, each hand-edited segment holds exactly ``words_kept_by`` of its old
    words (the same timings), the others their words unchanged."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "p.fieldscribe"
        expected: dict[str, list[Word]] = {}
        with Project.create(folder, coder="dana") as project:
            session = project.sessions.add_session("FG", "focus_group")
            code = project.codebook.ensure_code_path("C")
            for i, (said, typed, edited, spans) in enumerate(edits):
                words = [
                    Word(i * 10_000 + k * 100, i * 10_000 + k * 100 + 90, (" " if k else "") + t, 1)
                    for k, t in enumerate(said)
                ]
                (seg,) = project.transcript.add_segments(
                    session.id,
                    [SegmentDraft(i * 10_000, i * 10_000 + 9_000, " ".join(said), words=words)],
                )
                text = " ".join(typed) if edited else " ".join(said)
                with project.db.conn:
                    project.db.conn.execute(
                        "UPDATE segments SET text = ?, edited = ? WHERE id = ?",
                        (text, int(edited), seg.id),
                    )
                project.codebook.apply_code(seg.id, code.id)
                hidden: list[tuple[int, int]] = []  # the spans redacted in this segment
                for a, b in spans:
                    start, end = sorted((round(a * len(text)), round(b * len(text))))
                    if end > start:
                        project.codebook.apply_code(seg.id, code.id, start_cp=start, end_cp=end)
                        if not any(a <= start and end <= b for a, b in hidden):  # else refused
                            project.redactions.redact(seg.id, start, end)
                            hidden.append((start, end))
                expected[seg.id] = words_kept_by(text, words) if edited else words
        _as_older_fieldscribe_left_it(folder)
        anchored = (
            "SELECT c.id, c.start_cp, c.end_cp, c.updated_at, substr(s.text, c.start_cp + 1, "
            "c.end_cp - c.start_cp) FROM {} c JOIN segments s ON s.id = c.segment_id ORDER BY 1"
        )
        before = (
            [_rows(folder, anchored.format(t)) for t in ("codings", "redactions")],
            _rows(folder, "SELECT id, text FROM segments ORDER BY 1"),
        )
        with Project.open(folder) as project:
            for seg_id, words in expected.items():
                assert project.transcript.get_segment(seg_id).words == words
        after = (
            [_rows(folder, anchored.format(t)) for t in ("codings", "redactions")],
            _rows(folder, "SELECT id, text FROM segments ORDER BY 1"),
        )
        assert after == before


def test_the_repair_drops_the_stale_words_of_conflict_versions_too(tmp_path: Path) -> None:
    """A merge conflict an older FieldScribe recorded keeps a teammate's version of the
    segment, words and all: the repair drops the words its text no longer says."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="dana") as project:
        _session_id, seg_id = _edited_the_old_way(project)
        values = {"text": TYPED_OUT, "edited": 1, "words": words_to_json(WORDS)}
        versions = [{"version": "v1", "author": "mate", "values": values, "deleted": False}]
        with project.db.conn:
            project.db.conn.execute(
                "INSERT INTO conflicts (id, table_name, row_id, kind, versions, created_at) "
                "VALUES ('c1', 'segments', ?, 'edit', ?, 'v1')",
                (seg_id, json.dumps(versions, ensure_ascii=False)),
            )
    _as_older_fieldscribe_left_it(folder)
    with Project.open(folder):
        pass
    ((raw,),) = _rows(folder, "SELECT versions FROM conflicts")
    (version,) = json.loads(raw)
    assert json.loads(version["values"]["words"]) == json.loads(words_to_json(WORDS[:2]))
    assert version["values"]["text"] == TYPED_OUT


# ------------------------------------------------------------------ bundles of an older version
def _older_exporter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Export bundles as a FieldScribe from before this fix did: the words as stored."""
    monkeypatch.setattr("storage.privacy.view.words_kept_by", lambda _text, words: words)


def test_a_copy_made_from_an_older_bundle_keeps_only_the_words_its_texts_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``new --from-bundle`` with a bundle an older FieldScribe sent (the typed-out name in its
    words): the new copy is recorded as repaired from the start, so the merge itself drops
    them; the bundle is not written."""
    with Project.create(tmp_path / "lead.fieldscribe", coder="dana") as project:
        _session_id, seg_id = _edited_the_old_way(project)
    _as_older_fieldscribe_left_it(tmp_path / "lead.fieldscribe")
    _older_exporter(monkeypatch)
    with Project.open(tmp_path / "lead.fieldscribe", readonly=True) as project:
        export_bundle(project, tmp_path / "old.fsbundle")
    monkeypatch.undo()
    assert _bundle_words(tmp_path / "old.fsbundle", tmp_path)[2:] == [" Айгуль", " Сериковна."]
    digest = hashlib.sha256((tmp_path / "old.fsbundle").read_bytes()).hexdigest()
    with Project.from_bundle(
        tmp_path / "old.fsbundle", tmp_path / "c.fieldscribe", coder="timur"
    ) as copy:
        assert copy.transcript.get_segment(seg_id).words == WORDS[:2]
    assert hashlib.sha256((tmp_path / "old.fsbundle").read_bytes()).hexdigest() == digest


def test_a_teammates_unrepaired_row_is_an_older_version_of_the_repaired_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lead's project is repaired; a teammate's copy of the same rows, on an older
    FieldScribe, still holds the old words under the old version: its bundle brings no
    conflict and no old word back (the repair's version descends from the old one)."""
    lead = tmp_path / "lead.fieldscribe"
    with Project.create(lead, coder="dana") as project:
        _session_id, seg_id = _edited_the_old_way(project)
    _as_older_fieldscribe_left_it(lead)
    shutil.copytree(lead, tmp_path / "mate.fieldscribe")  # the teammate's copy, as it was
    _older_exporter(monkeypatch)
    with Project.open(tmp_path / "mate.fieldscribe", coder="timur", readonly=True) as mate:
        export_bundle(mate, tmp_path / "mate.fsbundle")
    monkeypatch.undo()
    with Project.open(lead) as project:  # repaired now
        (summary,) = project.team.merge([tmp_path / "mate.fsbundle"])
        assert summary.table("segments").conflicts == 0
        assert project.team.conflicts() == []
        assert project.transcript.get_segment(seg_id).words == WORDS[:2]


# ------------------------------------------------------------------ names replaced for good
LONG = "Меня зовут как вы все уже давно знаете по нашим прошлым встречам Айгуль Сериковна."


def test_replacing_a_name_leaves_no_word_with_it_after_a_long_insertion(tmp_path: Path) -> None:
    """A new project: a coder typed a long phrase in before the name (every timed word still
    said, so all kept); replacing the name by its pseudonym left the real name in the words,
    which ``rewrite_words`` looks for only a little past the word before. Now such a word stays
    only when the new text still says it."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session = project.sessions.add_session("FG", "focus_group")
        (seg,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 2000, NAMED, words=list(WORDS))]
        )
        project.transcript.update_segment(seg.id, text=LONG)
        assert len(project.transcript.get_segment(seg.id).words) == 4
        project.privacy.set_pseudonym("Айгуль", "П01")
        project.privacy.apply_pseudonyms()
        seg = project.transcript.get_segment(seg.id)
        assert "Айгуль" not in seg.text
        assert [w.text for w in seg.words] == ["Меня", " зовут", " Сериковна."]
        assert [w.start_ms for w in seg.words] == [0, 400, 1300]  # the others keep theirs


def test_replacing_a_name_in_an_older_project_leaves_no_word_with_it(tmp_path: Path) -> None:
    """An older FieldScribe's project: one segment's name typed out by hand (its words kept
    it), another still saying it. Replaced for good, no word of either says it."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="dana") as project:
        session_id, typed_out = _edited_the_old_way(project)
        (said,) = project.transcript.add_segments(
            session_id, [SegmentDraft(3000, 5000, NAMED, words=[_later(w, 3000) for w in WORDS])]
        )
    _as_older_fieldscribe_left_it(folder)
    with Project.open(folder) as project:
        project.privacy.set_pseudonym("Айгуль Сериковна", "П01")
        project.privacy.apply_pseudonyms()
        words = [
            w.text for s in (typed_out, said.id) for w in project.transcript.get_segment(s).words
        ]
        # the name's words placed in the text: one word with the pseudonym, their timing
        assert project.transcript.get_segment(said.id).words[2] == Word(3800, 5000, " П01", None)
    assert not [w for w in words if "Айгуль" in w or "Сериковна" in w], words


@pytest.mark.parametrize("name", ["Айгуль", "Айгуль Сериковна"])
def test_a_pseudonymised_export_leaves_no_word_with_the_name_after_a_long_insertion(
    tmp_path: Path, name: str
) -> None:
    """Exports and bundles pseudonymise a segment's words as they replace names in its text:
    words they cannot place (a long phrase typed in before the name) were pseudonymised one by
    one, so a name of two words stayed in them whole."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session = project.sessions.add_session("FG", "focus_group")
        (seg,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 2000, NAMED, words=list(WORDS))]
        )
        project.transcript.update_segment(seg.id, text=LONG)
        project.privacy.set_pseudonym(name, "П01")
        export_transcript(project, session.id, "json", tmp_path / "t.json")
        export_bundle(project, tmp_path / "b.fsbundle")
    (exported,) = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["segments"]
    assert "П01" in exported["text"]
    bundled = _bundle_words(tmp_path / "b.fsbundle", tmp_path)
    for words in ([w["text"] for w in exported["words"]], bundled):
        assert not [w for w in words for part in name.split() if part in w], words
        assert words[:2] == ["Меня", " зовут"]


def test_a_conflict_resolved_with_an_older_teammates_version_keeps_no_stale_word(
    tmp_path: Path,
) -> None:
    """Both edited one segment; the teammate's FieldScribe, older, typed the name out and left
    its words. The conflict kept them in its versions, and keeping the teammate's version
    wrote them back (the resolution writes the version's values as they are)."""
    lead = Project.create(tmp_path / "lead.fieldscribe", coder="lead")
    session = lead.sessions.add_session("FG", "focus_group")
    (seg,) = lead.transcript.add_segments(
        session.id, [SegmentDraft(0, 2000, NAMED, words=list(WORDS))]
    )
    export_bundle(lead, tmp_path / "lead.fsbundle")
    with Project.from_bundle(
        tmp_path / "lead.fsbundle", tmp_path / "mate.fieldscribe", coder="mate"
    ) as mate:
        mate.transcript.update_segment(seg.id, text=TYPED_OUT)
        export_bundle(mate, tmp_path / "mate.fsbundle")

    def as_older_version_left_it(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE segments SET words = ? WHERE id = ?", (words_to_json(WORDS), seg.id))

    rebuild(
        tmp_path / "mate.fsbundle", tmp_path / "old.fsbundle", db_change=as_older_version_left_it
    )
    try:
        lead.transcript.update_segment(seg.id, text="Меня зовут Айгуль.")
        lead.team.merge([tmp_path / "old.fsbundle"])
        (conflict,) = lead.team.conflicts()
        # the conflict keeps the teammate's version without the words its text does not say
        stored = _rows(tmp_path / "lead.fieldscribe", "SELECT versions FROM conflicts")
        assert "Сериковна" not in stored[0][0]
        with lead.db.conn:  # as a conflict recorded by an older version holds it
            versions = json.loads(stored[0][0])
            for v in versions:
                if v["author"] == "mate":
                    v["values"]["words"] = words_to_json(WORDS)
            lead.db.conn.execute("UPDATE conflicts SET versions = ?", (json.dumps(versions),))
        (conflict,) = lead.team.conflicts()
        theirs = next(i for i, v in enumerate(conflict.versions) if v.author == "mate")
        lead.team.resolve_conflict(conflict.id, keep=theirs)
        kept = lead.transcript.get_segment(seg.id)
        assert kept.text == TYPED_OUT
        assert kept.words == WORDS[:2]
    finally:
        lead.close()


def test_a_repaired_version_still_reads_as_its_time() -> None:
    """A repaired segment's version (its time and ``~words``) is shown as its time in the
    conflicts list, and a qdpx export dates it, as any other."""
    from gui.fmt import fmt_when
    from storage.core.stale_words import REPAIRED_SUFFIX
    from storage.interop._common import xml_datetime

    version = "2026-03-02T08:09:41.123Z"
    assert fmt_when(version + REPAIRED_SUFFIX) == fmt_when(version) != version
    assert (
        xml_datetime(version + REPAIRED_SUFFIX) == xml_datetime(version) == "2026-03-02T08:09:41Z"
    )
    assert fmt_when(version + "+") == fmt_when(version)
