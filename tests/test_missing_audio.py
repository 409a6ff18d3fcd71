"""Recordings a project lacks (a team bundle made without its audio) found again by their
content: ``project.missing_audio`` and ``fieldscribe locate-audio``."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main as cli_main
from storage import Project
from storage.core.errors import InvalidInputError, ReadOnlyError
from storage.team.bundle_export import export_bundle_file
from tests.hardening_support import tone_wav

FREQS = (330.0, 440.0, 550.0, 660.0)


@pytest.fixture(scope="module")
def lead(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """A lead's project of four recordings of one length (one size: only content tells them
    apart), and the recordings."""
    folder = tmp_path_factory.mktemp("lead")
    wavs = [tone_wav(folder / f"interview{i}.wav", 0.3, f) for i, f in enumerate(FREQS)]
    with Project.create(folder / "Lead.fieldscribe", name="Study", coder="lead") as p:
        p.sessions.import_audio_files(wavs, titles=[f"Interview {i}" for i in range(4)])
        export_bundle_file(p, folder / "no-audio.fsbundle")
    assert len({w.stat().st_size for w in wavs}) == 1
    return folder / "no-audio.fsbundle", wavs


def _colleague(tmp: Path, bundle: Path) -> Path:
    folder = tmp / "Mine.fieldscribe"
    Project.from_bundle(bundle, folder, coder="col").close()
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "project.db" not in p.name and p.suffix != ".lock"
    }


def test_a_colleagues_copy_lacks_every_recording_and_says_so(
    tmp_path: Path, lead: tuple[Path, list[Path]]
) -> None:
    folder = _colleague(tmp_path, lead[0])
    with Project.open(folder, readonly=True) as p:
        missing = p.missing_audio.missing()
    assert [m.title for m in missing] == [f"Interview {i}" for i in range(4)]
    assert [m.original_name for m in missing] == [f"interview{i}.wav" for i in range(4)]


# each recording: copied to the stick (under another name), a decoy of its size beside it
# (other content, the recording's own name), or nothing
placement = st.sampled_from(["copy", "decoy", "both", "none"])


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(places=st.lists(placement, min_size=4, max_size=4), nested=st.booleans())
def test_only_the_recordings_content_is_taken_whatever_its_name(
    tmp_path_factory: pytest.TempPathFactory,
    lead: tuple[Path, list[Path]],
    places: list[str],
    nested: bool,
) -> None:
    """Against a model: a missing recording comes back exactly when a file of its content is
    among the sources, byte for byte, into the project's media folder; nothing else in the
    project or on the stick changes."""
    bundle, wavs = lead
    tmp = tmp_path_factory.mktemp("copy")
    folder = _colleague(tmp, bundle)
    stick = tmp / "usb"
    (stick / "deeper" / "still").mkdir(parents=True)
    for i, (wav, place) in enumerate(zip(wavs, places, strict=True)):
        where = stick / "deeper" / "still" if nested and i % 2 else stick
        if place in ("copy", "both"):
            shutil.copy(wav, where / f"recording {i} from the lead.wav")
        if place in ("decoy", "both"):
            (where / wav.name).write_bytes(os.urandom(wav.stat().st_size))
    before_stick = _snapshot(stick)
    with Project.open(folder, coder="col") as p:
        located = p.missing_audio.locate([stick])
        still = p.missing_audio.missing()
    expected = {f"Interview {i}" for i, place in enumerate(places) if place in ("copy", "both")}
    assert {m.title for m, _src in located.found} == expected
    assert {m.title for m in located.still_missing} == {
        f"Interview {i}" for i in range(4)
    } - expected
    assert {m.title for m in still} == {m.title for m in located.still_missing}
    for m, src in located.found:
        i = int(m.title.split()[-1])
        assert m.path.read_bytes() == wavs[i].read_bytes() and src.name.startswith(f"recording {i}")
    assert _snapshot(stick) == before_stick  # copied, never moved or changed
    assert located.files_seen == len(before_stick)


def test_a_recording_the_project_holds_is_left_as_it_is(
    tmp_path: Path, lead: tuple[Path, list[Path]]
) -> None:
    folder = _colleague(tmp_path, lead[0])
    with Project.open(folder, coder="col") as p:
        p.missing_audio.locate([lead[1][0]])
        [held] = [m for m in p.sessions.media_for_session(p.sessions.all()[0].id)]
        path = folder / held.path
        stamp = path.stat().st_mtime_ns
        located = p.missing_audio.locate([lead[1][0], *lead[1][1:2]])
        assert path.stat().st_mtime_ns == stamp
        assert [m.title for m, _ in located.found] == ["Interview 1"]


def test_bad_sources_and_read_only_projects_change_nothing(
    tmp_path: Path, lead: tuple[Path, list[Path]]
) -> None:
    folder = _colleague(tmp_path, lead[0])
    before = _snapshot(folder)
    with Project.open(folder, coder="col") as p:
        with pytest.raises(InvalidInputError, match="no such file or folder; nothing was changed"):
            p.missing_audio.locate([lead[1][0], tmp_path / "nowhere"])
    with Project.open(folder, readonly=True) as p:
        with pytest.raises(ReadOnlyError, match="read-only"):
            p.missing_audio.locate([lead[1][0]])
    assert _snapshot(folder) == before


def test_locate_audio_at_the_terminal(
    tmp_path: Path, lead: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _colleague(tmp_path, lead[0])
    assert cli_main(["locate-audio", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 recordings missing:") and "Interview 3  (was interview3.wav)" in out
    assert cli_main(["locate-audio", str(folder), str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere: no such file or folder; nothing was changed" in err
    stick = tmp_path / "usb"
    stick.mkdir()
    shutil.copy(lead[1][2], stick / "x.wav")
    assert cli_main(["locate-audio", str(folder), str(stick), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [f["title"] for f in result["found"]] == ["Interview 2"]
    assert len(result["still_missing"]) == 3 and result["files_seen"] == 1
    assert cli_main(["locate-audio", str(folder), *map(str, lead[1])]) == 0
    out = capsys.readouterr().out
    assert (
        out.count("audio found in") == 3 and "Every session's audio is in the project now." in out
    )
    assert cli_main(["locate-audio", str(folder)]) == 0
    assert capsys.readouterr().out == "Every session's audio is in the project.\n"


def test_a_bundle_without_audio_says_how_a_colleague_gets_it(
    tmp_path: Path, lead: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _colleague(tmp_path, lead[0])
    assert cli_main(["locate-audio", str(folder), *map(str, lead[1])]) == 0
    capsys.readouterr()
    assert cli_main(["bundle", "export", str(folder), "-o", str(tmp_path / "b.fsbundle")]) == 0
    assert "fieldscribe locate-audio DIR FOLDER" in capsys.readouterr().err
    out = tmp_path / "m.fsbundle"
    assert cli_main(["bundle", "export", str(folder), "-o", str(out), "--with-media"]) == 0
    assert "locate-audio" not in capsys.readouterr().err


def test_a_project_of_text_alone_is_not_told_to_send_its_recordings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Transcripts imported as text (a .vtt, no audio anywhere): the export said "the bundle
    holds no audio: ... send them apart", recordings that do not exist."""
    folder = tmp_path / "text.fieldscribe"
    vtt = tmp_path / "int.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nСіз әкімдікке сенесіз бе?\n")
    assert cli_main(["new", str(folder), "--coder", "dana"]) == 0
    assert cli_main(["import-transcript", str(folder), "--new-session", "int", str(vtt)]) == 0
    capsys.readouterr()
    assert cli_main(["bundle", "export", str(folder), "-o", str(tmp_path / "t.fsbundle")]) == 0
    out, err = capsys.readouterr()
    assert "1 session" in out and "audio" not in err


def test_the_workbench_and_the_command_say_what_was_located_in_the_same_words(
    tmp_path: Path, lead: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The report was worded twice: the workbench said "None of the 2 files in that folder is
    a missing recording" and "Every session's audio is in the project.", the command "... looked
    at ..." and "... in the project now."; the command's still-missing list had its own layout.
    One wording (``LocatedAudio.lines``): the command's lines are the workbench's, with each
    session's id before its title."""
    import re

    from gui.missing_audio import located_text

    def terminal(*paths: Path) -> str:
        assert cli_main(["locate-audio", str(folder), *map(str, paths)]) == 0
        return re.sub(
            r"^[0-9a-f-]{8,}  |(?<=: )[0-9a-f-]{8,}  |(?<=, )[0-9a-f-]{8,}  ",
            "",
            capsys.readouterr().out,
            flags=re.M,
        )

    folder = _colleague(tmp_path, lead[0])
    other = tmp_path / "other"
    other.mkdir()
    tone_wav(other / "a.wav", 0.3, 220.0)
    tone_wav(other / "b.wav", 0.3, 250.0)
    capsys.readouterr()
    said = terminal(other)
    with Project.open(folder, coder="col") as p:
        assert located_text(p.missing_audio.locate([other])) + "\n" == said
    assert "None of the 2 files looked at is a missing recording" in said
    assert "Still missing: Interview 0 (was interview0.wav), Interview 1" in said
    stick = tmp_path / "usb"
    stick.mkdir()
    shutil.copy(lead[1][0], stick / "x.wav")
    said = terminal(stick)
    assert said.startswith("Interview 0: audio found in ") and "Still missing: Interview 1" in said
    shutil.copy(lead[1][1], stick / "y.wav")
    with Project.open(folder, coder="col") as p:
        shown = located_text(p.missing_audio.locate([stick]))
    assert (
        shown.startswith("Interview 1: audio found in ") and "Still missing: Interview 2" in shown
    )
    said = terminal(*lead[1][2:])
    with Project.open(folder, coder="col") as p:
        again = p.missing_audio.locate(lead[1])  # nothing left to find: found nothing
    assert said.endswith("Every session's audio is in the project now.\n")
    assert (
        located_text(again) == "None of the 4 files looked at is a missing recording "
        "(its content must be the recording's, whatever its name)."
    )
