"""The same measured speed read "4x real time" in `fieldscribe models` and "4.1× real time" on
the Models page: two formattings of one figure. Both now say it with
``transcribe.model_speed.speed_words``."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcribe.model_checksums import keep_beside
from transcribe.model_speed import SPEEDS_FILE, speed_words
from transcribe.models import model_cache_dir


def test_speed_words() -> None:
    assert speed_words(0.2439) == "4.1× real time"
    assert speed_words(0.04) == "25× real time"
    assert speed_words(2.0) == "0.5× real time"
    for unmeasured in (None, 0, -1.0, "0.2", True):
        assert speed_words(unmeasured) is None


@pytest.mark.parametrize(("rtf", "said"), [(0.2439, "4.1× real time"), (0.0625, "16× real time")])
def test_the_command_and_the_models_page_say_one_speed_alike(
    kk_model: Path, capsys: pytest.CaptureFixture[str], rtf: float, said: str
) -> None:
    from cli import main
    from gui.models.whisper_models import speed_text

    keep_beside(model_cache_dir(), SPEEDS_FILE, {str(kk_model): {"name": "kk", "rtf": rtf}})
    capsys.readouterr()
    assert main(["models"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("kk "))
    assert said in row, row
    assert speed_text({"rtf": rtf}) == said
    assert speed_text(None) == "not measured"


def test_the_speed_column_can_be_filled_from_the_command_line(
    kk_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fieldscribe models` showed SPEED '-' for every model and nothing on the command line
    measured it (only the Models page's Measure speed): `models speed NAME` times the real
    model on ten seconds of the demo recording and the list then shows it."""
    import json

    from cli import main

    capsys.readouterr()
    assert main(["models", "speed", "kk"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("kk: ") and "× real time on this computer" in said, said
    assert main(["models"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("kk "))
    assert "× real time" in row, row
    assert main(["models", "speed", "kk", "--json"]) == 0
    (timed,) = json.loads(capsys.readouterr().out)
    assert timed["name"] == "kk" and 0 < timed["rtf"] < 5
    # a model not here: one line, nothing recorded
    before = (model_cache_dir() / SPEEDS_FILE).read_bytes()
    assert main(["models", "speed", "nosuch"]) == 1
    assert "'nosuch' not found" in capsys.readouterr().err
    assert (model_cache_dir() / SPEEDS_FILE).read_bytes() == before
