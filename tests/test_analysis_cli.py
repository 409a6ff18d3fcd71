"""``fieldscribe analyze``: the same numbers as analysis/, files written with export protections."""

from __future__ import annotations

import csv
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from analysis.cooccurrence import cooccurrence
from analysis.matrix import code_matrix
from cli import main
from storage import Project
from tests.analysis_support import build_project
from tests.hardening_support import fs_here


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "p.fieldscribe"
    p = build_project(path, seed=11, sessions=3, segments=25)
    p.privacy.set_pseudonym("Speaker 2", "Respondent B")
    p.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, Any]:
    code = main([str(a) for a in args])
    out = capsys.readouterr().out
    try:
        return code, json.loads(out)
    except ValueError:
        return code, out


def test_json_gives_the_library_numbers(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(folder, readonly=True) as p:
        matrix = code_matrix(p, "session", "talk_ms", rollup=True)
        co = cooccurrence(p, "within", seconds=5)
    code, out = run(capsys, "analyze", folder, "matrix", "--measure", "talk_ms", "--rollup",
                    "--json")  # fmt: skip
    assert code == 0 and out["cells"] == matrix.cells and out["note"] == ""
    code, out = run(capsys, "analyze", folder, "cooccurrence", "--by", "within", "--seconds", 5,
                    "--json")  # fmt: skip
    assert out["cells"] == co.cells
    code, out = run(capsys, "analyze", folder, "matrix", "--columns", "speaker", "--json")
    labels = [c["label"] for c in out["columns"]]
    assert "Respondent B" in labels and "Speaker 2" not in labels  # pseudonymised
    code, out = run(capsys, "analyze", folder, "matrix", "--columns", "speaker", "--json",
                    "--no-pseudonyms")  # fmt: skip
    assert "Speaker 2" in [c["label"] for c in out["columns"]]


def test_filters_and_percentages(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, all_ = run(capsys, "analyze", folder, "matrix", "--measure", "codings", "--json")
    _, ann = run(capsys, "analyze", folder, "matrix", "--measure", "codings", "--coder", "ann",
                 "--json")  # fmt: skip
    _, bob = run(capsys, "analyze", folder, "matrix", "--measure", "codings", "--coder", "bob",
                 "--json")  # fmt: skip
    assert sum(all_["row_totals"]) == sum(ann["row_totals"]) + sum(bob["row_totals"])
    _, pct = run(capsys, "analyze", folder, "matrix", "--percent", "column", "--json")
    assert all(
        abs(sum(r[j] for r in pct["percentages"]) - 100) < 0.1 for j in range(len(pct["columns"]))
    )
    _, age = run(capsys, "analyze", folder, "frequencies", "--by", "participant.age", "--where",
                 "session.kind=interview", "--json")  # fmt: skip
    assert age["spec"]["filters"] == "session.kind = interview"


def test_files_are_written_and_logged(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.open(folder, readonly=True) as p:
        sid = p.sessions.all()[0].id
        before = len(p.audit.entries(action="export"))
    for name, args in [
        ("m.svg", ["matrix", "--columns", "participant.age"]),
        ("c.png", ["cooccurrence", "--by", "overlap"]),
        ("t.svg", ["timeline", "--session", sid]),
        ("f.png", ["frequencies", "--by", "session"]),
        ("w.png", ["frequencies", "--words", "--session", sid]),
        ("m.xlsx", ["matrix", "--columns", "speaker"]),
        ("k.csv", ["frequencies", "--kwic", "врач"]),
        ("t.csv", ["timeline", "--session", sid]),
    ]:
        code, out = run(capsys, "analyze", folder, *args, "-o", tmp_path / name)
        assert code == 0 and (tmp_path / name).stat().st_size > 100, (name, out)
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "m.svg").read_bytes()[:500]
    with zipfile.ZipFile(tmp_path / "m.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "Respondent B" in sheet and "Speaker 2" not in sheet
    rows = list(csv.reader((tmp_path / "k.csv").open(encoding="utf-8-sig")))
    # the session by title (it was only by id: "3f9c…" in every line), its id still beside it
    header = ["session", "session_id", "start_ms", "speaker", "left", "keyword", "right"]
    assert rows[0] == header and len(rows) > 1
    with Project.open(folder, readonly=True) as p:
        titles = {s.id: s.title for s in p.sessions.all()}
        assert all(row[0] == titles[row[1]] for row in rows[1:])
        assert len(p.audit.entries(action="export")) == before + 8


def test_consented_only_leaves_out_segments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.fieldscribe"
    with build_project(path, seed=2, sessions=1, segments=20) as p:
        pid = p.sessions.participants()[0].id
        p.consent.set_consent(pid, None, transcription=True, quotation=True)
    _, everyone = run(capsys, "analyze", path, "matrix", "--columns", "participant", "--json")
    _, consented = run(capsys, "analyze", path, "matrix", "--columns", "participant",
                       "--consented-only", "--json")  # fmt: skip
    # segments without a speaker stay (as in every export): nobody to ask
    assert [c["key"] for c in consented["columns"]] in ([pid], [pid, ""])
    assert len(everyone["columns"]) > 1


def test_bad_input_is_one_line(folder: Path, tmp_path: Path) -> None:
    """Each refusal is its exit code and one line on stderr (argparse adds its usage), with no
    traceback and no warning beside it. Run through the CLI's entry point in this process
    (``fs_here``): a fresh ``main.py`` for each of the twelve commands cost 5.5 s of CPU."""

    def fs(*args: Any) -> subprocess.CompletedProcess[str]:
        return fs_here("analyze", folder, *args, ok=False)

    for args, rc in [
        (["timeline"], 1),
        (["matrix", "--code", "No/Such"], 1),
        (["matrix", "--where", "nonsense"], 1),
        (["matrix", "-o", tmp_path / "x.txt"], 1),
        (["frequencies", "--kwic", "x", "-o", tmp_path / "k.png"], 0),  # nothing found: note
        (["cooccurrence", "--by", "bogus"], 2),
        (["cooccurrence", "--by", "within", "--seconds", "inf"], 2),
        (["frequencies", "--words", "--top", "-5"], 2),
        (["matrix", "--from", "garbage"], 2),
        (["matrix", "--columns", "participant."], 1),
        (["frequencies", "--by", "bogus"], 1),
    ]:
        result = fs(*args)
        assert result.returncode == rc, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) <= 1 or rc == 2  # argparse adds its usage
    ok = fs("matrix", "--columns", "participant.height")
    assert ok.returncode == 0 and "No participant has the attribute" in ok.stdout


def test_chart_files_say_what_they_show(
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`analyze DIR frequencies -o f.png` titled its chart "frequencies" (and a timeline
    "timeline" over the session's own title), where the Analysis window's export says "Code
    frequencies (codings)": the command line now titles them as the window does."""
    import analysis.exports

    titles: dict[str, list[str]] = {}
    real = analysis.exports.save_figure

    def keep(fig: Any, dest: Path) -> Path:
        titles[dest.name] = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        return real(fig, dest)

    monkeypatch.setattr(analysis.exports, "save_figure", keep)
    with Project.open(folder, readonly=True) as p:
        sid = p.sessions.all()[0].id
    for name, args in [
        ("f.png", ["frequencies"]),
        ("w.png", ["frequencies", "--words", "--session", sid]),
        ("t.png", ["timeline", "--session", sid]),
        ("m.png", ["matrix", "--percent", "row"]),
    ]:
        code, _out = run(capsys, "analyze", folder, *args, "-o", tmp_path / name)
        assert code == 0
    assert titles["f.png"][:2] == ["", "Code frequencies (codings)"]
    assert titles["w.png"][:2] == ["", "word frequencies"]
    assert titles["t.png"][0] == "" and titles["t.png"][1]  # the session's title, no "timeline"
    # a Row % chart said "segments coded" over cells of 17% and 25%
    assert titles["m.png"][1] == "codes × session (segments, % of the row total)"


def test_kwic_that_finds_nothing_suggests_the_words_start(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--kwic ЦОН` on a text of ЦОНа, ЦОНу said only "'ЦОН' does not occur in that text"."""
    code, out = run(capsys, "analyze", folder, "frequencies", "--kwic", "Ззз")
    assert code == 0 and "Ззз* finds the words that start with it" in str(out)
    code, out = run(capsys, "analyze", folder, "frequencies", "--kwic", "Ззз*")
    assert code == 0 and "No word in that text starts with 'Ззз'" in str(out)


def test_pseudonymised_speaker_columns_follow_the_pseudonyms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The walk's matrix by speaker came out P01, P04, P05, P03, P02, Модератор, P06: its
    columns sorted by the real names (Айгерим, Болат, …) under the pseudonyms, out of order
    for the reader and telling the real names' alphabetical order."""
    from storage import SegmentDraft

    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        sid = p.sessions.add_session("FG").id
        segs = p.transcript.add_segments(
            sid,
            [
                SegmentDraft(0, 1000, "Сенім жоқ.", speaker="Айгерим"),
                SegmentDraft(1000, 3000, "Доверия нет.", speaker="Болат"),
                SegmentDraft(3000, 6000, "Trust is low.", speaker="Ерлан"),
            ],
        )
        code = p.codebook.ensure_code_path("Доверие")
        for s in segs:
            p.codebook.apply_code(s.id, code.id)
        for label, pseudonym in (("Айгерим", "P03"), ("Болат", "P01"), ("Ерлан", "P02")):
            person = p.sessions.add_participant(pseudonym)
            p.sessions.map_speaker(sid, label, person.id)
    out = tmp_path / "m.csv"
    assert run(capsys, "analyze", str(folder), "matrix", "--columns", "speaker",
               "--measure", "talk_ms", "-o", str(out))[0] == 0  # fmt: skip
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][1:] == ["P01", "P02", "P03", "total"]
    assert rows[1][1:] == ["2000", "3000", "1000", "6000"]
    # code frequencies per speaker are the same table: they came out P03, P01, P02 (the real
    # names' order, Айгерим, Болат, Ерлан) in the file and the chart's series
    out = tmp_path / "f.csv"
    assert run(capsys, "analyze", str(folder), "frequencies", "--by", "speaker",
               "--measure", "talk_ms", "-o", str(out))[0] == 0  # fmt: skip
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][1:] == ["P01", "P02", "P03", "total"]
    assert rows[1][1:] == ["2000", "3000", "1000", "6000"]


def test_word_lists_never_show_a_real_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """analysis/words.py says the word list is counted from pseudonymised text, always (a
    report said it was counted from text without pseudonyms): the stored transcript holds
    real names in inflected forms, never replaced, and neither `analyze frequencies --words`
    nor `--kwic` shows one; the pseudonyms' forms are counted instead. Fails if the
    privacy filter were dropped from the word counts."""
    from tests.words_privacy_support import named_project, real_names_in

    folder = tmp_path / "names.fieldscribe"
    named_project(folder).close()
    code, out = run(capsys, "analyze", folder, "frequencies", "--words", "--json")
    words = [w["word"] for w in out["words"]]
    assert code == 0 and real_names_in(words) == [], words
    assert {"данияр", "данияру", "данияром", "данияра", "даниярдан", "саулеге"} <= set(words)
    code, out = run(capsys, "analyze", folder, "frequencies", "--kwic", "данияру", "--json")
    assert code == 0 and len(out["kwic"]) == 1, out
    (line,) = out["kwic"]
    shown = f"{line['speaker']} {line['left']} {line['keyword']} {line['right']}"
    assert real_names_in(shown.replace(",", " ").split()) == [], shown
    assert line["speaker"] == "Сауле" and "Данияром" in shown


@pytest.mark.parametrize(
    "view",
    [
        ("matrix", "--columns", "speaker"),
        ("matrix", "--columns", "participant"),
        ("matrix", "--columns", "session"),
        ("matrix", "--columns", "participant.moderator"),
        ("cooccurrence",),
        ("frequencies", "--by", "speaker"),
        ("frequencies", "--by", "session"),
        ("timeline",),
    ],
)
def test_analysis_files_carry_no_real_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, view: Any
) -> None:
    """docs/analysis.md: a chart or table written by `analyze ... -o` has its labels
    pseudonymised (session titles, speaker labels, a linked speaker as its participant,
    attribute values, code names). Over stored labels holding real names (mapped, never
    applied), no csv, xlsx or PNG (the texts its figure draws) holds one; the Analysis
    window's exports: tests/gui/test_analysis_exports_privacy.py."""
    import analysis.exports as exports
    from tests.analysis_privacy_support import figure_texts, file_text, named_project, real_names

    project, ids = named_project(tmp_path / "names.fieldscribe")
    folder = project.folder
    project.close()
    drawn: dict[str, str] = {}
    real_save = exports.save_figure

    def save(fig: Any, dest: Path) -> Any:
        drawn[Path(dest).name] = figure_texts(fig)
        return real_save(fig, dest)

    monkeypatch.setattr(exports, "save_figure", save)
    args = [*view, "--session", ids["session"]] if view == ("timeline",) else list(view)
    for suffix in (".csv", ".xlsx", ".png"):
        dest = tmp_path / f"out{suffix}"
        code, out = run(capsys, "analyze", str(folder), *args, "-o", str(dest))
        assert code == 0, out
        text = drawn[dest.name] if suffix == ".png" else file_text(dest)
        assert text.strip() and real_names(text) == [], (suffix, text)
        assert real_names(str(out)) == [], out  # what it prints, too
