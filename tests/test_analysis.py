"""The analysis SQL layer against brute-force counts over generated projects (analysis/)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cooccurrence import cooccurrence, cooccurrence_segments
from analysis.filters import Filters
from analysis.matrix import code_frequencies, code_matrix, matrix_cell_segments
from analysis.timeline import session_timeline
from analysis.words import keywords_in_context, word_frequencies
from storage import Project
from tests.analysis_support import Truth, build_project

COLUMNS = ["session", "speaker", "participant", "participant.age", "session.kind", "all"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Any:
    p = build_project(tmp_path_factory.mktemp("an") / "p.fieldscribe", seed=3)
    yield p
    p.close()


@pytest.fixture(scope="module")
def truth(project: Project) -> Truth:
    return Truth(project)


def _flt(truth: Truth, name: str) -> tuple[Filters, dict[str, Any]]:
    sid = sorted(truth.sessions)[0]
    return {
        "none": (Filters(), {}),
        "coder": (Filters(coders=("ann",)), {"coders": {"ann"}}),
        "session": (Filters(sessions=(sid,)), {"sessions": {sid}}),
        "speaker": (Filters(speakers=("Speaker 2",)), {"speakers": {"Speaker 2"}}),
        "age": (Filters(attributes=(("age", "18-30"),)), {"age": "18-30"}),
    }[name]


@pytest.mark.parametrize("columns", COLUMNS)
@pytest.mark.parametrize("measure", ["segments", "codings", "talk_ms"])
@pytest.mark.parametrize("rollup", [False, True])
def test_matrix_matches_brute_force(
    project: Project, truth: Truth, columns: str, measure: str, rollup: bool
) -> None:
    table = code_matrix(project, columns, measure, rollup=rollup)
    expected = truth.matrix(columns, measure, rollup, {})
    assert table.as_map() == {k: v for k, v in expected.items() if v}
    assert [h.key for h in table.rows] == [c.id for c in project.codebook.codes()]


@pytest.mark.parametrize("which", ["coder", "session", "speaker", "age"])
def test_matrix_filters_match_brute_force(project: Project, truth: Truth, which: str) -> None:
    flt, brute = _flt(truth, which)
    for columns in ("session", "speaker", "participant.age"):
        table = code_matrix(project, columns, "segments", filters=flt)
        assert table.as_map() == truth.matrix(columns, "segments", False, brute)


def test_percentages_and_totals(project: Project) -> None:
    table = code_matrix(project, "session", "codings")
    for row, pct in zip(table.cells, table.percentages("row"), strict=True):
        if sum(row):
            assert sum(pct) == pytest.approx(100.0)
    for j, total in enumerate(table.column_totals()):
        assert total == sum(r[j] for r in table.cells)
        col = [r[j] for r in table.percentages("column")]
        assert sum(col) == pytest.approx(100.0 if total else 0.0)
    freq = code_frequencies(project)
    assert [r[0] for r in freq.cells] == table.row_totals()


@pytest.mark.parametrize("mode", ["segment", "overlap", "within"])
@pytest.mark.parametrize("which", ["none", "coder", "speaker"])
def test_cooccurrence_matches_brute_force(
    project: Project, truth: Truth, mode: str, which: str
) -> None:
    flt, brute = _flt(truth, which)
    for seconds in (0, 5, 30) if mode == "within" else (0,):
        table = cooccurrence(project, mode, seconds=seconds, filters=flt)
        assert table.as_map() == truth.cooccurrence(mode, seconds, brute), (mode, seconds)


@pytest.mark.parametrize("mode", ["segment", "overlap", "within"])
def test_cooccurrence_rolled_up(project: Project, truth: Truth, mode: str) -> None:
    table = cooccurrence(project, mode, seconds=3, rollup=True)
    assert table.as_map() == truth.cooccurrence(mode, 3, {}, rollup=True)


def test_cells_open_their_segments(project: Project, truth: Truth) -> None:
    table = code_matrix(project, "speaker", "segments", rollup=True)
    for i, row in enumerate(table.rows):
        for j, col in enumerate(table.columns):
            hits = matrix_cell_segments(project, row.key, col.key, "speaker", rollup=True)
            assert len(hits) == table.cells[i][j]
            assert all((h.speaker or "") == col.key for h in hits)
    co = cooccurrence(project, "within", seconds=5)
    a, b = co.rows[0].key, co.rows[1].key
    hits = cooccurrence_segments(project, a, b, "within", seconds=5)
    assert len(hits) == co.cell(a, b)


def test_timeline_lanes(project: Project, truth: Truth) -> None:
    sid = sorted(truth.sessions)[1]
    tl = session_timeline(project, sid)
    speakers = [lane for lane in tl.lanes if lane.kind == "speaker"]
    codes = {lane.key: lane for lane in tl.lanes if lane.kind == "code"}
    segs = [g for g in truth.segs.values() if g.session_id == sid]
    assert {lane.key for lane in speakers} == {g.speaker for g in segs if g.speaker}
    for code_id in truth.codes:
        expected = sorted(
            {
                (g.start_ms, g.end_ms, g.id)
                for c in truth.codings
                if c.code_id == code_id
                for g in [truth.segs[c.segment_id]]
                if g.session_id == sid
            }
        )
        got = (
            sorted((b.start_ms, b.end_ms, b.segment_id) for b in codes[code_id].bars)
            if (code_id in codes)
            else []
        )
        assert got == expected
    assert tl.duration_ms == max(g.end_ms for g in segs)
    only_bob = session_timeline(project, sid, filters=Filters(coders=("bob",)))
    assert sum(len(x.bars) for x in only_bob.lanes if x.kind == "code") <= sum(
        len(x.bars) for x in codes.values()
    )


def test_words_respect_pseudonyms_and_stopwords(tmp_path: Path) -> None:
    with Project.create(tmp_path / "w.fieldscribe", coder="lead") as p:
        s = p.sessions.add_session("G", "focus_group")
        from storage.transcript.transcript import SegmentDraft

        segs = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 1000, "Айгерим говорит, что врач и врач далеко", speaker="A"),
                SegmentDraft(1000, 2000, "the clinic is far and the doctor is late", speaker="B"),
                SegmentDraft(2000, 3000, "емхана алыс және кезек ұзақ", speaker="A"),
            ],
        )
        p.privacy.set_pseudonym("Айгерим", "Участница 1")
        code = p.codebook.ensure_code_path("Access").id
        p.codebook.apply_code(segs[0].id, code, start_cp=0, end_cp=17, coder="ann")
        p.codebook.apply_code(segs[1].id, code, coder="ann")
        words = dict(word_frequencies(p, session_id=s.id).words)
        assert words["врач"] == 2 and "айгерим" not in words and "участница" in words
        assert not {"и", "the", "and", "is", "және", "что"} & set(words)
        coded = dict(word_frequencies(p, code_id=code).words)
        assert "врач" not in coded and coded["clinic"] == 1 and "участница" in coded
        kwic = keywords_in_context(p, "врач", session_id=s.id, width=10)
        assert [k.keyword for k in kwic] == ["врач", "врач"]
        assert all("Айгерим" not in k.left + k.right for k in kwic)


def test_a_redactions_placeholder_is_no_word_said(tmp_path: Path) -> None:
    """Ethics review: word frequencies counted "place" (and "redacted", a category in Kazakh)
    among the words said: the placeholders exports show for redacted spans."""
    from storage.transcript.transcript import SegmentDraft

    with Project.create(tmp_path / "r.fieldscribe", coder="lead") as p:
        s = p.sessions.add_session("G", "focus_group")
        text = "Мы живём в Шымкенте, рядом с рынком, место хорошее"
        (seg,) = p.transcript.add_segments(s.id, [SegmentDraft(0, 4000, text, speaker="A")])
        p.redactions.redact(seg.id, text.index("Шымкенте"), text.index(","), "PLACE")
        p.redactions.redact(seg.id, text.index("рынком"), text.index("рынком") + 6, "ОРЫН")
        p.redactions.redact(seg.id, text.index("место"), text.index("место") + 5)
        counted = word_frequencies(p, session_id=s.id, min_length=1)
        words = dict(counted.words)
        assert not {"place", "орын", "redacted", "шымкенте", "рынком", "место"} & set(words)
        assert words == {"живём": 1, "рядом": 1, "хорошее": 1}, words
        assert counted.tokens == 6  # мы живём в рядом с хорошее: no placeholder


def test_a_timelines_note_counts_the_sessions_own_segments_left_out(tmp_path: Path) -> None:
    """Ethics review: a 2-segment session's timeline said "5 segments without consent left
    out": the count was the whole project's."""
    from storage.transcript.transcript import SegmentDraft

    with Project.create(tmp_path / "t.fieldscribe", coder="lead") as p:
        a = p.sessions.add_session("Интервью", "interview")
        b = p.sessions.add_session("ФГ", "focus_group")
        mine = p.transcript.add_segments(
            a.id, [SegmentDraft(0, 1000, "Сәлем", speaker="A"), SegmentDraft(1000, 2000, "Иә")]
        )
        theirs = p.transcript.add_segments(
            b.id,
            [SegmentDraft(i * 1000, i * 1000 + 900, f"сөз {i}", speaker="B") for i in range(4)],
        )
        p.codebook.apply_code(theirs[0].id, p.codebook.ensure_code_path("Су").id)
        left_out = frozenset([mine[0].id, *(t.id for t in theirs)])
        note = session_timeline(p, a.id, filters=Filters(exclude_segments=left_out)).note
        assert "1 segment without consent left out" in note, note


def test_empty_and_impossible_give_notes_not_errors(tmp_path: Path) -> None:
    with Project.create(tmp_path / "e.fieldscribe", coder="lead") as p:
        for columns in COLUMNS:
            t = code_matrix(p, columns)
            assert t.empty and t.note
        assert "codebook is empty" in code_matrix(p).note
        for mode in ("segment", "overlap", "within"):
            assert cooccurrence(p, mode).note
        assert session_timeline(p, "nope").note
        assert word_frequencies(p).note
        s = p.sessions.add_session("G", "interview")
        assert session_timeline(p, s.id).note
        p.codebook.ensure_code_path("Lonely")
        assert "Nothing is coded" in code_matrix(p).note
        seg = p.transcript.add_segment(s.id, 0, 1000, "hello world", speaker="A")
        code = p.codebook.ensure_code_path("Used").id
        p.codebook.apply_code(seg.id, code, coder="ann")
        table = code_matrix(p)
        assert not table.empty and [r[0] for r in table.cells] == [0, 1]  # Lonely: zeros
        assert "attribute 'height'" in code_matrix(p, "participant.height").note
        none = code_matrix(p, filters=Filters(coders=("nobody",)))
        assert none.empty and "coder nobody" in none.note
        assert code_matrix(p, filters=Filters(attributes=(("height", "2"),))).note
        assert code_matrix(p, "bogus").note.startswith("unknown columns")
        assert cooccurrence(p, "bogus").note
        assert word_frequencies(p, code_id=p.codebook.find_code("Lonely").id).note  # type: ignore[union-attr]
        assert keywords_in_context(p, "") == []


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    seed=st.integers(0, 10_000),
    columns=st.sampled_from(COLUMNS),
    measure=st.sampled_from(["segments", "codings", "talk_ms"]),
    mode=st.sampled_from(["segment", "overlap", "within"]),
    seconds=st.sampled_from([0, 2, 10]),
)
def test_random_projects(seed: int, columns: str, measure: str, mode: str, seconds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = build_project(Path(tmp) / "r.fieldscribe", seed, sessions=2, segments=15)
        try:
            truth = Truth(p)
            rollup = seed % 2 == 0
            assert code_matrix(p, columns, measure, rollup=rollup).as_map() == {
                k: v for k, v in truth.matrix(columns, measure, rollup, {}).items() if v
            }
            assert cooccurrence(p, mode, seconds=seconds).as_map() == truth.cooccurrence(
                mode, seconds, {}
            )
        finally:
            p.close()


def test_timeline_uses_stored_speaker_turns(tmp_path: Path) -> None:
    with Project.create(tmp_path / "t.fieldscribe", coder="lead") as p:
        s = p.sessions.add_session("G", "focus_group")
        p.transcript.add_segment(s.id, 0, 5000, "hello", speaker="Speaker 1")
        p.speakers.turns.save(s.id, [(0, 2000, "Speaker 1"), (2500, 9000, "Speaker 2")])
        lanes = {x.key: x for x in session_timeline(p, s.id).lanes if x.kind == "speaker"}
        assert [(b.start_ms, b.end_ms) for b in lanes["Speaker 2"].bars] == [(2500, 9000)]
        assert session_timeline(p, s.id).duration_ms == 9000


def test_a_timeline_chart_file_widens_with_the_longest_session() -> None:
    """1100 px an hour (at least 1100, at most 6000): a three-hour session's turns of a few
    seconds stay visible in the PNG/SVG file."""
    from analysis.charts import file_timeline_width, render
    from analysis.timeline import Lane, Timeline

    def session(minutes: int) -> Timeline:
        return Timeline("s", "FG", minutes * 60_000, [Lane("speaker", "P1", "P1")])

    assert file_timeline_width([session(20)]) == 1100
    assert file_timeline_width([session(20), session(180)]) == 3300
    assert file_timeline_width([session(24 * 60)]) == 6000
    width_in = render("timeline", [session(180)]).get_size_inches()[0]
    assert width_in * 100 == pytest.approx(3300)


_cells = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
        st.sampled_from(["", "=1+1", "+7", "-3", "@x", "'quoted", "a=b"]),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_cells, min_size=1, max_size=4))
def test_table_csv_quotes_formulas_only(rows: list[list[str]]) -> None:
    import csv

    from analysis.exports import write_table

    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = [f"h{i}" for i in range(width)]
    with tempfile.TemporaryDirectory() as folder:
        dest = Path(folder) / "t.csv"
        write_table(dest, header, rows, "sheet")
        with open(dest, newline="", encoding="utf-8-sig") as fh:
            back = list(csv.reader(fh))
    assert back[0] == header
    assert len(back) == len(rows) + 1
    for written, row in zip(back[1:], rows, strict=True):
        for cell, value in zip(written, row, strict=True):
            if value[:1] and value[0] in "=+-@":
                assert cell == "'" + value
            else:
                assert cell == value  # an empty cell stays empty


def test_exported_frequency_chart_matches_the_screen() -> None:
    from analysis.charts import render
    from analysis.table import Header, Table

    table = Table(
        "frequencies",
        "segments",
        [Header("a", "Access"), Header("b", "Corruption"), Header("c", "Health")],
        [Header("all", "All")],
        [[0], [1], [2]],
    )
    ax = render("frequencies", table).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Corruption", "Health"]
    assert all(v == int(v) for v in ax.get_xticks())
    assert ax.get_title() == "Code frequencies (segments coded)"
    within = Table("cooccurrence", "within", [Header("a", "A")], [Header("a", "A")], [[1]],
                   spec={"seconds": 5.0})  # fmt: skip
    assert render("cooccurrence", within).axes[0].get_title() == "Code co-occurrence (within 5 s)"
    codes = [Header(str(i), f"C{i}") for i in range(8)]
    cells = [[i % 3 for i in range(8)] for _ in codes]
    counts = Table("cooccurrence", "within", codes, codes, cells, spec={"seconds": 5.0})
    scale = render("cooccurrence", counts).axes[1]  # the colour bar of counts (0.5 steps before)
    assert all(v == int(v) for v in scale.get_yticks())
    same = Table("cooccurrence", "segment", [Header("a", "A")], [Header("a", "A")], [[1]])
    assert "in the same segment" in render("cooccurrence", same).axes[0].get_title()
    matrix = Table("matrix", "segments", [Header("a", "A")], [Header("s", "S")], [[1]])
    assert render("matrix", matrix).axes[0].get_title() == "Code matrix (segments coded)"


def test_cooccurrence_total_leaves_out_the_code_with_itself() -> None:
    """The co-occurrence 'total' added a code's own segments (the diagonal) to its pairs:
    Migration, on 3 segments, 2 of them with Жұмыс, showed a total of 5."""
    from analysis.table import Header, Table

    codes = [Header("m", "Migration"), Header("j", "Экономика/Жұмыс", 1)]
    table = Table("cooccurrence", "segment", codes, codes, [[3, 2], [2, 4]])
    assert table.row_totals() == [2, 2]
    header, body = table.grid()
    assert header[-1] == "with other codes" and [r[-1] for r in body] == [2, 2]
    matrix = Table("matrix", "segments", codes, [Header("s", "One")], [[3], [4]])
    assert matrix.row_totals() == [3, 4] and matrix.grid()[0][-1] == "total"


def test_because_and_therefore_are_stop_words_in_russian_and_kazakh(tmp_path: Path) -> None:
    """'потому что' and 'сондықтан' / 'өйткені' (because, therefore) topped the word
    frequencies of interviews where people explain why they moved."""
    with Project.create(tmp_path / "w.fieldscribe", coder="a") as project:
        sid = project.sessions.add_session("Сессия").id
        for i, text in enumerate(
            [
                "Мы переехали потому что не было работы, поэтому уехали",
                "Жұмыс таппадым, сондықтан көштім, өйткені ақша аз, себебі ауыл",
            ]
        ):
            project.transcript.add_segment(sid, i * 1000, i * 1000 + 900, text)
        words = dict(word_frequencies(project, languages=("ru", "kk")).words)
    assert not {"потому", "поэтому", "сондықтан", "өйткені", "себебі"} & set(words)
    assert words["работы"] == 1 and words["ақша"] == 1


def test_rolled_up_cooccurrence_total_leaves_out_parents_and_sub_codes() -> None:
    """Rolled up, Экономика holds its sub-code Жұмыс's segments: 'with other codes' counted
    those 4 as co-occurrences of Экономика (7 instead of 3)."""
    from analysis.table import Header, Table

    codes = [
        Header("m", "Migration"),
        Header("o", "Отбасы"),
        Header("e", "Экономика"),
        Header("j", "Экономика/Жұмыс", 1, "e"),
    ]
    cells = [[3, 0, 2, 2], [0, 2, 1, 1], [2, 1, 5, 4], [2, 1, 4, 4]]
    rolled = Table("cooccurrence", "segment", codes, codes, cells, spec={"rollup": True})
    assert rolled.row_totals() == [4, 2, 3, 3]
    plain = Table("cooccurrence", "segment", codes, codes, cells, spec={"rollup": False})
    assert plain.row_totals() == [4, 2, 7, 7]  # coded with both by hand: a co-occurrence


def test_a_table_file_says_what_its_numbers_count() -> None:
    """Exports of the same matrix as segments, codings, talk time or row % had the same header
    ('code,Сессия 1,...'): 8000 under a session did not say it was milliseconds of talk."""
    from analysis.table import Header, Table

    rows, cols = [Header("m", "Migration")], [Header("s", "Сессия 1")]
    talk = Table("matrix", "talk_ms", rows, cols, [[8000]])
    assert talk.grid()[0][0] == "code: talk time coded (ms)"
    segs = Table("matrix", "segments", rows, cols, [[2]])
    assert segs.grid("row")[0][0] == "code: segments coded, % of the row total"
    assert segs.grid()[0][1:] == ["Сессия 1", "total"]


@given(st.text(max_size=80), st.integers(min_value=2, max_value=60))
def test_elide_middle_keeps_both_ends(text: str, n: int) -> None:
    from analysis.charts import elide_middle

    short = elide_middle(text, n)
    if len(text) <= n:
        assert short == text
    else:
        # exactly n characters: the text's first n/2, "…", its last ones
        assert len(short) == n and short[n // 2] == "…"
        assert text.startswith(short[: n // 2]) and text.endswith(short[n // 2 + 1 :])


@pytest.mark.parametrize("columns", [1, 2, 12])
def test_a_matrix_chart_shows_its_whole_title(columns: int) -> None:
    """A matrix of one session (`analyze DIR matrix --session X -o m.png`) drew its title
    past the figure's right edge: the file read "codes × session (segments" (walk at 1366×768:
    the figure was sized for its cells, not its title or its row labels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from analysis.charts import render
    from analysis.table import Header, Table

    rows = [Header("a", "Access/Очередь - queue"), Header("b", "Trust/Недоверие к ЦОН")]
    cols = [Header(str(i), f"Focus group {i}") for i in range(columns)]
    table = Table("matrix", "segments", rows, cols, [[1] * columns, [2] * columns])
    fig = render("matrix", table, title="codes × session (segments)")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.axes[0].title.get_window_extent(renderer)
    assert fig.axes[0].get_title() == "codes × session (segments)"
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (box, fig.bbox.width)
    labels = [t.get_window_extent(renderer) for t in fig.axes[0].get_yticklabels()]
    assert min(b.x0 for b in labels) >= 0  # the row labels too


def test_within_seconds_in_a_text_without_times_counts_only_the_same_segment(
    tmp_path: Path,
) -> None:
    """Every line of a text session (a REFI-QDA text source, a document: all at 0:00) was
    "within 0 s" of every other, so a code on line 1 co-occurred with a code on line 9 (walk:
    three imported texts added 2 to a 1 of the one recording). In such a session only codes
    on the same line count, and the cell's list agrees; a timed session is unchanged."""
    from storage.transcript.transcript import SegmentDraft

    with Project.create(tmp_path / "t.fieldscribe", coder="me") as p:
        text = p.sessions.add_session("Document", "observation")
        t1, t2, t3 = p.transcript.add_segments(
            text.id, [SegmentDraft(0, 0, w) for w in ("Очередь.", "Доверие.", "Оба.")]
        )
        audio = p.sessions.add_session("Recording", "interview")
        r1, r2 = p.transcript.add_segments(
            audio.id, [SegmentDraft(0, 4000, "Очередь."), SegmentDraft(4000, 9000, "Доверие.")]
        )
        a, b = p.codebook.add_code("A").id, p.codebook.add_code("B").id
        for seg, code in ((t1, a), (t2, b), (t3, a), (t3, b), (r1, a), (r2, b)):
            p.codebook.apply_code(seg.id, code)
        table = cooccurrence(p, "within", seconds=0)
        cell = {(r.key, c.key): table.cells[i][j] for i, r in enumerate(table.rows)
                for j, c in enumerate(table.columns)}  # fmt: skip
        assert cell[(a, b)] == 2 and cell[(b, a)] == 2  # t3 (same line) and r1 (touching r2)
        listed = {h.segment_id for h in cooccurrence_segments(p, a, b, "within", seconds=0)}
        assert listed == {t3.id, r1.id}
        wide = cooccurrence(p, "within", seconds=3600)
        assert wide.cells[0][1] == 2  # an hour apart is still no distance in a text


def test_keywords_in_context_of_a_words_start(tmp_path: Path) -> None:
    """Russian and Kazakh inflect: a keyword typed as "ЦОН" found nothing in "ЦОНа", "ЦОНу",
    "ЦОН-ға" (walk: `--kwic ЦОН` said "'ЦОН' does not occur"), and "ЦОН*" found nothing
    either. ``word*`` now finds every word that starts so; a whole word stays whole."""
    from storage.transcript.transcript import SegmentDraft

    with Project.create(tmp_path / "k.fieldscribe", coder="me") as p:
        s = p.sessions.add_session("G", "interview")
        p.transcript.add_segments(s.id, [
            SegmentDraft(0, 1000, "Расскажите о работе ЦОНа."),
            SegmentDraft(1000, 2000, "Мен ЦОН-ға бардым, я не доверяю ЦОНу."),
            SegmentDraft(2000, 3000, "Цонкий — not a word we want? цон!"),
        ])  # fmt: skip
        starts = keywords_in_context(p, "ЦОН*", width=5)
        assert [k.keyword for k in starts] == ["ЦОНа", "ЦОН-ға", "ЦОНу", "Цонкий", "цон"]
        assert [k.keyword for k in keywords_in_context(p, "цон")] == ["цон"]
        assert keywords_in_context(p, "*") == []


def test_timeline_of_a_text_without_times_says_so(tmp_path: Path) -> None:
    """A text session (every line at 0:00) drew lanes of bars 0 ms long: an empty picture,
    "Интервью: 0:00.000", and nothing said why."""
    from storage.transcript.transcript import SegmentDraft

    with Project.create(tmp_path / "t.fieldscribe", coder="me") as p:
        s = p.sessions.add_session("Интервью", "observation")
        (seg,) = p.transcript.add_segments(s.id, [SegmentDraft(0, 0, "Мен кезекте.", "Айгүл")])
        p.codebook.apply_code(seg.id, p.codebook.add_code("Кезек").id)
        timeline = session_timeline(p, s.id)
        assert timeline.lanes == [] and "has no times" in timeline.note
        timed = p.sessions.add_session("Recording", "interview")
        (other,) = p.transcript.add_segments(timed.id, [SegmentDraft(0, 900, "Сәлем.", "A")])
        p.codebook.apply_code(other.id, p.codebook.add_code("B").id)
        assert session_timeline(p, timed.id).note == ""


def test_a_short_timeline_is_labelled_in_minutes_and_seconds(tmp_path: Path) -> None:
    """Walk: a 9-second session's timeline read "0.00 0.02 ... 0.14" under "minutes" (decimal
    minutes); a session up to 10 minutes is now labelled m:ss at whole seconds, a longer one
    in minutes as before (in the window's image and in the chart file alike)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from analysis.charts import render, save_figure
    from analysis.timeline import Bar, Lane, Timeline

    def labels(ms: int) -> tuple[str, list[str]]:
        tl = Timeline("s", "FG", ms, [Lane("speaker", "P1", "P1", bars=[Bar(0, ms // 2)])])
        fig = render("timeline", [tl])
        FigureCanvasAgg(fig).draw()
        ax = fig.axes[-1]
        lo, hi = ax.get_xlim()
        shown = [t for t in ax.get_xticklabels() if lo - 1e-9 <= t.get_position()[0] <= hi + 1e-9]
        return ax.get_xlabel(), [t.get_text() for t in shown]

    label, ticks = labels(9000)
    assert label == "time (m:ss)" and ticks[:3] == ["0:00", "0:01", "0:02"], ticks
    assert ticks[-1] == "0:09", ticks
    label, ticks = labels(4 * 60_000 + 30_000)
    assert label == "time (m:ss)" and ticks[:3] == ["0:00", "0:30", "1:00"], ticks
    label, ticks = labels(45 * 60_000)
    assert label == "minutes" and "10" in ticks, ticks
    tl = Timeline("s", "FG", 9000, [Lane("speaker", "P1", "P1")])
    assert save_figure(render("timeline", [tl]), tmp_path / "t.svg").is_file()


def test_a_coded_segment_without_duration_is_drawn_on_the_timeline() -> None:
    """A transcript imported from timestamped text gives its last line no duration (no file
    says when it ends): coded and counted, it was drawn as nothing, at the very end of the
    axis. Every bar is at least two pixels wide, inside the axis."""
    from analysis.charts import timeline_chart
    from analysis.timeline import Bar, Lane, Timeline

    lanes = [
        Lane("code", "c1", "Госуслуги", "#1f77b4", [Bar(200_000, 200_000, "s12")]),
        Lane("code", "c2", "Доверие", "#e377c2", [Bar(70_000, 70_000, "s5")]),
    ]
    fig = timeline_chart([Timeline("s", "fg1", 200_000, lanes)], width_px=1100)
    ax = fig.axes[0]
    ax.figure.canvas.draw()
    minutes_per_px = (200_000 / 60_000) / ax.get_window_extent().width
    assert len(ax.collections) == 2
    for bars in ax.collections:
        xs = [float(v[0]) for v in bars.get_paths()[0].vertices]
        x0, x1 = min(xs), max(xs)
        assert x1 - x0 >= minutes_per_px and x1 <= 200_000 / 60_000 + 1e-9


def test_a_percentage_heatmap_says_so_in_its_title() -> None:
    """The Analysis window's Row % chart was titled "Code matrix (segments coded)" over cells
    of 17% and 25%."""
    from analysis.charts import heatmap
    from analysis.table import Header, Table

    table = Table("matrix", "segments", [Header("a", "Доверие")], [Header("s", "fg1")], [[3]])
    assert heatmap(table, "row").axes[0].get_title() == (
        "Code matrix (segments coded, % of the row total)"
    )
    assert heatmap(table).axes[0].get_title() == "Code matrix (segments coded)"
