"""The command line for project languages, segment languages and speech without transcript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import COMMANDS
from cli import main as cli_main
from storage import Project, SegmentDraft


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli_main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_with_languages_and_change_them_later(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "kz.fieldscribe"
    code, out, _ = run(capsys, "new", folder, "--languages", "ru, KK,en", "--coder", "a", "--json")
    assert code == 0 and json.loads(out)["languages"] == ["ru", "kk", "en"]
    code, out, _ = run(capsys, "languages", folder)
    assert out.strip() == "Languages: ru (Russian), kk (Kazakh), en (English)."
    code, out, _ = run(capsys, "languages", folder, "--set", "kk,ru")
    assert code == 0 and "kk (Kazakh), ru (Russian)" in out
    code, out, _ = run(capsys, "languages", folder, "--json")
    assert json.loads(out) == [{"code": "kk", "name": "Kazakh"}, {"code": "ru", "name": "Russian"}]
    code, out, err = run(capsys, "languages", folder, "--set", "kk,qq")
    assert code == 1 and err.count("\n") == 1 and "Unknown language code 'qq'" in err
    with Project.open(folder, readonly=True) as p:
        assert p.languages == ["kk", "ru"]


def test_new_with_an_unknown_language_creates_nothing(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "bad.fieldscribe"
    code, out, err = run(capsys, "new", folder, "--languages", "ru,kaz")
    assert code == 1 and out == ""
    assert err.startswith("fieldscribe: error: Unknown language code 'kaz'")
    assert err.count("\n") == 1
    assert not folder.exists()


def test_languages_by_name_and_the_code_meant(tmp_path: Path, capsys) -> None:
    """A language's name (in English, or as our users say it) is its code; a country or
    three-letter code is refused with the code meant; Kyrgyz is named as not Whisper's."""
    folder = tmp_path / "names.fieldscribe"
    code, out, err = run(
        capsys, "new", folder, "--languages", "Russian, қазақша, английский", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["languages"] == ["ru", "kk", "en"]
    # the short forms of a Russian or Kazakh form: "рус.", "каз", "англ.", "қаз", "ағыл"
    for typed, codes in (("рус., каз, англ.", "ru,kk,en"), ("қаз, Рус, ағыл", "kk,ru,en")):
        code, out, err = run(capsys, "languages", folder, "--set", typed, "--json")
        assert code == 0, err
        with Project.open(folder, readonly=True) as p:
            assert p.languages == codes.split(","), typed
    code, _, err = run(capsys, "languages", folder, "--set", "ru,kk,en")
    assert code == 0, err
    for typed, meant in (("kz", "kk (Kazakh)"), ("rus", "ru (Russian)"), ("ua", "uk (Ukrainian)")):
        code, _, err = run(capsys, "languages", folder, "--set", f"en,{typed}")
        assert code == 1 and err.count("\n") == 1, err
        assert f"Unknown language code '{typed}'; did you mean {meant}?" in err
    code, _, err = run(capsys, "languages", folder, "--set", "ru,ky")
    assert code == 1 and "Kyrgyz (ky) is not among the languages Whisper knows" in err
    with Project.open(folder, readonly=True) as p:
        assert p.languages == ["ru", "kk", "en"]  # every refusal changed nothing


@pytest.mark.parametrize("given", ["", ",", " ; "])
def test_new_with_an_empty_language_list_creates_nothing(
    tmp_path: Path, capsys, given: str
) -> None:
    """An empty list given explicitly is a mistake (leaving --languages out means "not set")."""
    folder = tmp_path / "empty.fieldscribe"
    code, out, err = run(capsys, "new", folder, "--languages", given)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith(f"fieldscribe: error: --languages {given!r} names no language")
    assert not folder.exists()
    code, _, _ = run(capsys, "new", folder)
    assert code == 0
    with Project.open(folder, readonly=True) as p:
        assert p.languages == []


def test_languages_set_empty_clears_them_and_says_what_that_means(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "kz.fieldscribe"
    run(capsys, "new", folder, "--languages", "ru,kk", "--coder", "a")
    code, out, err = run(capsys, "languages", folder, "--set", ",")
    assert code == 1 and err.count("\n") == 1 and "names no language" in err
    with Project.open(folder, readonly=True) as p:
        assert p.languages == ["ru", "kk"]
    code, out, _ = run(capsys, "languages", folder, "--set", "")
    assert code == 0 and out.startswith("Languages cleared: the project expects no particular")
    assert "identified among all of Whisper's languages" in out
    with Project.open(folder, readonly=True) as p:
        assert p.languages == []


def test_unknown_code_message_does_not_say_two_letters(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "yue.fieldscribe"
    code, out, _ = run(capsys, "new", folder, "--languages", "yue,en", "--json")
    assert code == 0 and json.loads(out)["languages"] == ["yue", "en"]  # three letters, valid
    code, _, err = run(capsys, "languages", folder, "--set", "xyz")
    assert code == 1 and "Unknown language code 'xyz'" in err
    assert "two-letter" not in err and "yue" in err


def test_languages_list_needs_no_project(capsys) -> None:
    code, out, _ = run(capsys, "languages", "--list")
    assert code == 0
    assert any(line.split()[:2] == ["kk", "Kazakh"] for line in out.splitlines())
    code, out, _ = run(capsys, "languages", "--list", "--json")
    assert {"code": "ru", "name": "Russian"} in json.loads(out)
    code, _out, err = run(capsys, "languages")
    assert code == 1 and "project folder" in err


def test_commands_table_knows_the_new_commands() -> None:
    assert COMMANDS["languages"] == COMMANDS["segment-language"] == "project_cmds"


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "fg.fieldscribe"
    with Project.create(folder, coder="aigerim") as p:
        p.set_languages("ru,kk")
        s = p.sessions.add_session("FG Shymkent", kind="focus_group")
        ru, kk, gap = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 2000, "Очередь в акимате большая.", language="ru"),
                SegmentDraft(2000, 4000, "Әкімдікте кезек көп, очередь.", language="kk"),
                SegmentDraft(4000, 7000, "", language="ru", untranscribed=True),
            ],
        )
    return folder, {"session": s.id, "ru": ru.id, "kk": kk.id, "gap": gap.id}


def test_search_language_filter(project, capsys) -> None:
    folder, ids = project
    _, out, _ = run(capsys, "search", folder, "очередь", "--json")
    assert {h["segment_id"] for h in json.loads(out)} == {ids["ru"], ids["kk"]}
    _, out, _ = run(capsys, "search", folder, "очередь", "--language", "kk", "--json")
    hits = json.loads(out)
    assert [h["segment_id"] for h in hits] == [ids["kk"]] and hits[0]["language"] == "kk"
    _, out, _ = run(capsys, "search", folder, "очередь", "--language", "kk")
    assert "[kk]" in out and "акимате" not in out
    code, _, err = run(capsys, "search", folder, "очередь", "--language", "zz")
    assert code == 1 and "Unknown language code 'zz'" in err


def test_an_unknown_search_language_says_unknown_is_taken(project, capsys) -> None:
    """A filter takes "unknown" (segments of no language) too: the refusal says so."""
    folder, _ids = project
    before = (folder / "project.db").read_bytes()
    for typed in ("xx", "kaz", "Kyrgyz"):
        code, out, err = run(capsys, "search", folder, "очередь", "--language", typed)
        assert code == 1 and out == "" and err.count("\n") == 1, typed
        assert err.rstrip().endswith("For segments with no language, give --language unknown."), err
    assert (folder / "project.db").read_bytes() == before


def test_search_finds_segments_of_no_known_language(project, capsys) -> None:
    """The search panel's "? · Unknown" filter has a command-line twin: --language unknown."""
    folder, ids = project
    with Project.open(folder) as p:
        (typed,) = p.transcript.add_segments(
            ids["session"], [SegmentDraft(7000, 9000, "Очередь, кезек.", language=None)]
        )
    for word in ("unknown", "?", "None"):
        code, out, _ = run(capsys, "search", folder, "очередь", "--language", word, "--json")
        hits = json.loads(out)
        assert code == 0 and [h["segment_id"] for h in hits] == [typed.id], word
        assert hits[0]["language"] is None
    _, out, _ = run(capsys, "search", folder, "очередь", "--language", "ru", "--json")
    assert [h["segment_id"] for h in json.loads(out)] == [ids["ru"]]


def test_segment_language_corrects_one_segment(project, capsys) -> None:
    folder, ids = project
    code, out, _ = run(capsys, "segment-language", folder, ids["ru"], "KK", "--json")
    assert code == 0 and json.loads(out)["language"] == "kk"
    code, out, _ = run(capsys, "segment-language", folder, ids["kk"], "ru")
    assert "now in ru (Russian)" in out
    before = (folder / "project.db").read_bytes()
    code, _, err = run(capsys, "segment-language", folder, ids["kk"], "russkiy")
    assert code == 1 and err.count("\n") == 1 and "Unknown language code" in err
    code, _, err = run(capsys, "segment-language", folder, "nope", "ru")
    assert code == 1 and "No segment" in err
    assert (folder / "project.db").read_bytes() == before
    with Project.open(folder, readonly=True) as p:
        assert p.transcript.get_segment(ids["ru"]).language == "kk"


def test_sessions_count_speech_without_transcript(project, capsys) -> None:
    folder, ids = project
    _, out, _ = run(capsys, "sessions", folder)
    lines = out.splitlines()
    assert lines[0] == "Languages: ru (Russian), kk (Kazakh)"
    assert "NO TEXT" in lines[1] and "LANG" in lines[1]
    row = next(line for line in lines if line.startswith(ids["session"]))
    assert row.split()[3:7] == ["3", "1", "0", "ru,kk"]  # segments, no text, coded, languages
    assert "1 segment of speech without transcript" in out
    _, out, _ = run(capsys, "sessions", folder, "--json")
    (s,) = json.loads(out)
    assert s["untranscribed_count"] == 1 and s["segment_count"] == 3
    _, out, _ = run(capsys, "segments", folder, "--session", ids["session"])
    assert "[ru] [speech without transcript]" in out


def test_models_use_chooses_the_projects_model(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "p.fieldscribe"
    assert run(capsys, "new", folder, "--languages", "en")[0] == 0
    code, out, _ = run(capsys, "models", "use", folder, "tiny.en")
    assert code == 0 and "transcribes with tiny.en" in out
    with Project.open(folder, readonly=True) as p:
        assert p.model == "tiny.en"
    for bad in ("no-such-model", " "):
        code, _, err = run(capsys, "models", "use", folder, bad)
        assert code == 1 and len(err.strip().splitlines()) == 1
        with Project.open(folder, readonly=True) as p:
            assert p.model == "tiny.en"  # unchanged
    code, out, _ = run(capsys, "models", "use", folder, "auto", "--json")
    assert code == 0 and json.loads(out) == {"model": None, "uses": "tiny.en"}
    with Project.open(folder, readonly=True) as p:
        assert p.model is None


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("Kyrgyz", "Kyrgyz (ky)"),
        ("kyrgyz", "Kyrgyz (ky)"),
        ("Кыргызча", "Kyrgyz (ky)"),
        ("кыргызский", "Kyrgyz (ky)"),
        ("Karakalpak", "Karakalpak (kaa)"),
        ("Uyghur", "Uyghur (ug)"),
        ("kir", "Kyrgyz (kir)"),
    ],
)
def test_a_language_whisper_does_not_know_typed_by_name_is_named(
    tmp_path: Path, capsys, typed: str, named: str
) -> None:
    """docs/languages.md: a language of the region Whisper does not know is named as such,
    whether it is typed by its code or by its name (not "Unknown language code 'Kyrgyz'")."""
    folder = tmp_path / "p.fieldscribe"
    code, _, err = run(capsys, "new", folder, "--languages", f"ru,{typed}")
    assert code == 1 and err.count("\n") == 1, err
    assert f"{named} is not among the languages Whisper knows" in err
    assert "Unknown language code" not in err
    assert "fieldscribe languages --list" in err  # the command line keeps its wording
    assert not folder.exists()


def test_models_use_says_an_english_only_model_is_swapped_in_a_multilingual_project(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/languages.md, "The model.": an English-only model in a project that expects other
    languages is swapped for the multilingual one at transcription (or refused when there is
    none); `models use` says so when the model is chosen, not only at transcription."""
    from transcribe import models
    from transcribe.models import multilingual_choice

    folder = tmp_path / "p.fieldscribe"
    assert run(capsys, "new", folder, "--languages", "ru,kk,en")[0] == 0
    instead = multilingual_choice()
    if instead is None:
        pytest.skip("no multilingual model here")
    code, out, err = run(capsys, "models", "use", folder, "tiny.en")
    assert code == 0, err
    assert out.splitlines() == [  # not "transcribes with tiny.en", then "will use base"
        "The project's model is now tiny.en.",
        f"tiny.en is English-only and the project expects Russian, Kazakh: transcription will "
        f"use {instead} instead.",
    ]
    code, out, _ = run(capsys, "models", "use", folder, "tiny.en", "--json")
    assert code == 0 and f"will use {instead} instead" in json.loads(out)["note"]
    assert json.loads(out)["uses"] == instead  # what transcription will use, not tiny.en
    assert run(capsys, "models", "use", folder, "auto")[0] == 0
    # no multilingual model: refused as transcription would refuse it, nothing changed
    monkeypatch.setattr(models, "multilingual_choice", lambda cache_dir=None: None)
    code, out, err = run(capsys, "models", "use", folder, "tiny.en")
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "The project expects Russian, Kazakh, and tiny.en is English-only" in err
    with Project.open(folder, readonly=True) as p:
        assert p.model is None
