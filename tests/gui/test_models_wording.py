"""The Models page says the model functions' command-line advice with its own buttons."""

from __future__ import annotations

from transcribe.model_download import IMPORT_INSTEAD, REMOVE_FIRST


def test_a_name_installed_from_elsewhere_says_to_press_remove() -> None:
    from gui.models.wording import in_window

    cli = (
        "A model named 'kk-small' is already installed from elsewhere (imported); "
        f"{REMOVE_FIRST.format(name='kk-small')}."
    )
    assert cli.endswith("remove it first (fieldscribe models remove kk-small).")
    assert in_window(cli) == (
        "A model named 'kk-small' is already installed from elsewhere (imported); remove it "
        "first (select it and press Remove)."
    )
    offline = f"Cannot reach https://huggingface.co (timed out); check it, or {IMPORT_INSTEAD}."
    assert in_window(offline).endswith("from a folder or archive (Import…).")
    plain = "x: no such model repository on https://huggingface.co (404, or private)."
    assert in_window(plain) == plain  # nothing else is touched
