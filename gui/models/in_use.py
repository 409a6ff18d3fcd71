"""The model the open project transcribes with, as the Models page marks it (no widgets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.languages import language_name
from transcribe.models import ModelInfo, beyond_english, default_model, pick_multilingual

if TYPE_CHECKING:
    from storage import Project


def project_uses(project: Project | None, info: ModelInfo) -> bool:
    """True when the project transcribes with ``info`` (chosen by name, repository or folder:
    ``transcribe.model_choices.chooses``, as ``models remove`` asks)."""
    from transcribe.model_choices import chooses

    return chooses(project.model if project is not None else None, info)


def fallback(project: Project | None) -> str:
    """The default model for the project's languages."""
    return default_model(project.languages if project is not None else [])


def project_model(project: Project | None, models: list[ModelInfo]) -> tuple[str | None, str]:
    """The model the project transcribes with among ``models`` (its name; None without a
    project) and a line saying why: chosen in Project settings, or the default for its
    languages. Nothing is read: the page calls it while a check of the files may be pending."""
    if project is None:
        return None, ""
    name = project.name
    chosen = next((m for m in models if project_uses(project, m)), None)
    if chosen is not None:
        # an English-only choice in a Russian/Kazakh project is swapped at transcription:
        # "✓ this project" on it said the project transcribes with a model it does not use
        others = beyond_english(chosen.multilingual, project.languages)
        instead = pick_multilingual(models) if others else None
        if instead is not None:
            names = ", ".join(language_name(code) for code in others)
            return instead, (
                f"The open project, {name}, chose {chosen.name}, which is English-only while "
                f"the project expects {names}: it transcribes with this one instead."
            )
        return chosen.name, f"The open project, {name}, transcribes with it (Project settings)."
    if project.model:
        why = (
            f"The open project, {name}, chose {project.model}, which is not on this "
            "computer: it transcribes with this one, the default for its languages."
        )
    else:
        why = f"The open project, {name}, transcribes with it (the default for its languages)."
    return fallback(project), why


def removal_note(project: Project | None, info: ModelInfo, models: list[ModelInfo]) -> str:
    """What removing ``info`` means for the open project, when it chose it ("" when not). An
    English-only choice in a Russian/Kazakh project gives way to a multilingual model at
    transcription: the question said the project "transcribes with" the English-only one."""
    if project is None or not project_uses(project, info):
        return ""
    name, default = project.name, fallback(project)
    others = beyond_english(info.multilingual, project.languages)
    instead = pick_multilingual(models) if others else None
    if instead is not None and instead != info.name:
        names = ", ".join(language_name(code) for code in others)
        return (
            f"The open project, {name}, chose {info.name}, which is English-only while it "
            f"expects {names}: it transcribes with {instead} instead; without {info.name} it "
            f"will transcribe with {default}, the default for its languages."
        )
    return (
        f"The open project, {name}, transcribes with {info.name}; without it, it will "
        f"transcribe with {default}, the default for its languages, instead."
    )


def running_with(
    project: Project | None, info: ModelInfo, models: list[ModelInfo], transcribing: bool
) -> str | None:
    """Why ``info`` cannot be removed now (``transcribing``: the open project is being
    transcribed with ``info``, chosen or its default; an English-only choice that gives way to
    the multilingual model is not loaded), or None."""
    if project is None or not transcribing:
        return None
    running, _why = project_model(project, models)
    if info.name != running:
        return None
    return (
        f"{info.name} is transcribing {project.name} now; it can be removed once the "
        "transcription ends (or close the settings and use Transcription ▸ Cancel "
        "transcription)."
    )
