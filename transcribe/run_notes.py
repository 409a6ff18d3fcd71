"""What a transcription run tells the user afterwards: the languages heard, text written in a
language the small models read badly, real names of the pseudonym mapping in the new text.
"""

from __future__ import annotations

from typing import Any

from storage import Project
from storage.core.words import plural, verb

from .notes import PROJECT_SETTINGS, SETTINGS_MODELS, TRANSCRIBE_AGAIN, Note


def names_hint(project: Project, session_id: str, segment_id: str | None = None) -> list[str]:
    """Real names of the pseudonym mapping in the session's text after a run (or in one
    segment's new text, ``segment_id``): say so.

    Segments whose names were replaced are kept by a new transcription, but the new text of
    the others can hold a mapped name again; names are only ever replaced after a review.
    """
    found = project.privacy.pseudonym_candidates(session_id, segment_id=segment_id)
    if not found:
        return []
    segments = len({c.segment_id for c in found})
    where = (
        "the new text"
        if segment_id is not None
        else f"the transcript ({plural(segments, 'segment')})"
    )
    said = (
        f"{plural(len(found), 'occurrence')} of real names from the pseudonym mapping "
        f"{verb(len(found), 'is')} in {where}"
    )
    return [
        Note(
            f"{said}: review them with fieldscribe pseudonym DIR --review --session "
            f"{session_id} and replace them with --apply.",
            gui=f"{said}: review and replace them in Ethics ▸ Pseudonyms.",
        )
    ]


def languages_hint(
    identified: dict[str, int],
    cyrillic_in: dict[str, int] | None = None,
    letters_point_to: dict[str, int] | None = None,
) -> list[str]:
    """A project that says no languages, and Whisper heard several, or wrote Cyrillic text in
    a language that is not written so (``cyrillic_in``: Kazakh heard as Turkish, Lithuanian or
    Pashto, even when that was all it heard): say which, and how to make identification choose
    among the right ones (Kazakh is easily taken for a Turkic kin). ``letters_point_to``: the
    languages the Cyrillic letters point to, offered first in the codes to set."""
    misread = {c: n for c, n in (cyrillic_in or {}).items() if n}
    if len(identified) < 2 and not misread:
        return []
    from storage.core.languages import language_name

    ranked = sorted(identified.items(), key=lambda kv: -kv[1])
    heard = ", ".join(f"{language_name(code)} ({plural(n, 'segment')})" for code, n in ranked)
    if not misread:
        codes = ",".join(code for code, _n in ranked[:3])
        said = (
            f"The project expects no particular languages, and Whisper identified {heard}. If "
            "some of these were not spoken, set the project's languages"
        )
    else:
        pointed = sorted((letters_point_to or {}).items(), key=lambda kv: -kv[1])
        likely = [code for code, n in pointed if n]
        clean = [code for code, _n in ranked if code not in misread and code not in likely]
        codes = ",".join([*likely, *clean][:3])
        names = " or ".join(language_name(code) for code in likely) or "a Cyrillic language"
        wrong = " or ".join(
            language_name(code) for code in sorted(misread, key=lambda c: -misread[c])
        )
        n = sum(misread.values())
        said = (
            f"The project expects no particular languages, and Whisper identified {heard}; "
            f"{plural(n, 'segment')} marked {wrong} {verb(n, 'is')} written in "
            f"Cyrillic letters, which {verb(len(misread), 'that language does', 'those do')}"
            f" not use: likely {names} speech taken for another language. Set the project's "
            "languages"
        )
    return [
        Note(
            f"{said} (fieldscribe languages DIR --set {codes} with the right codes) so that "
            "every stretch is identified among them, and transcribe again with --replace.",
            gui=f"{said} in {PROJECT_SETTINGS} so that every stretch is identified among them, "
            f"and transcribe again ({TRANSCRIBE_AGAIN}).",
        )
    ]


#: Whisper's small multilingual models, and the languages they read far less well than Russian or
#: English (Whisper saw little of them in training: its own paper's word error rates for Kazakh
#: are several times its Russian ones, and on our recordings ``base`` wrote Kazakh mostly wrong)
SMALL_MODELS = frozenset({"tiny", "base"})
WEAK_IN_SMALL_MODELS = frozenset({"kk", "uz", "tg", "tk", "tt", "ba", "mn"})


def small_model_hint(identified: dict[str, int], model: str) -> list[str]:
    """Segments written in a language the small models read badly (``WEAK_IN_SMALL_MODELS``):
    say that their text needs checking, and how to get better text."""
    if model not in SMALL_MODELS:
        return []
    from storage.core.languages import language_name

    weak = sorted(
        ((code, n) for code, n in identified.items() if code in WEAK_IN_SMALL_MODELS and n),
        key=lambda item: -item[1],
    )
    if not weak:
        return []
    said = ", ".join(f"{plural(n, 'segment')} in {language_name(code)}" for code, n in weak)
    count = sum(n for _, n in weak)
    said = (
        f"{said} {verb(count, 'was')} written with the small model {model!r}, which reads "
        f"{language_name(weak[0][0])} far less well than Russian or English: "
        f"{verb(count, 'check its text', 'check their text')} against the recording. For "
        "better text install a larger or fine-tuned model"
    )
    return [
        Note(
            f"{said} (fieldscribe models install small, or a fine-tune's owner/repo), choose it "
            "for the project (fieldscribe models use DIR NAME) and transcribe again with "
            "--replace.",
            gui=f"{said} ({SETTINGS_MODELS}), choose it for the project ({PROJECT_SETTINGS}) "
            f"and transcribe again ({TRANSCRIBE_AGAIN}).",
        )
    ]


def unexpected_hint(
    identified: dict[str, int], expected: list[str], *, unwritten: dict[str, int] | None = None
) -> list[str]:
    """Whisper clearly heard languages the project does not expect (``languages.foreign``):
    they were transcribed in the language spoken, not translated, or left as speech without
    transcript (``unwritten``: such placeholders per language); say so, and how to add them."""
    from storage.core.languages import language_name

    left = {code: n for code, n in (unwritten or {}).items() if code and code not in expected}
    written = {code: n for code, n in identified.items() if code not in expected}
    others = sorted(
        set(written) | set(left), key=lambda code: (-written.get(code, 0), -left.get(code, 0))
    )
    if not others:
        return []

    def counted(code: str) -> str:
        n, m = written.get(code, 0), left.get(code, 0)
        if not m:
            return plural(n, "segment")
        blank = f"{plural(m, 'stretch', 'stretches')} left as speech without transcript"
        return f"{plural(n, 'segment')}, {blank}" if n else blank

    heard = ", ".join(f"{language_name(code)} ({counted(code)})" for code in others)
    names = ", ".join(language_name(code) for code in expected)
    codes = ",".join([*expected, *others])
    how = (
        "transcribed in the language spoken, not translated"
        if any(written.get(code) for code in others)
        else "Whisper could not write it down, and nothing was guessed in the expected ones"
    )
    said = (
        f"Heard {heard}, which the project does not expect (it expects {names}): {how}. "
        "To expect it"
    )
    return [
        Note(
            f"{said}: fieldscribe languages PROJECT --set {codes}.",
            gui=f"{said}, add it in {PROJECT_SETTINGS}.",
        )
    ]


def forced_hint(language: str, expected: list[str]) -> str:
    """A language asked for that the project does not expect: every stretch was decoded in it."""
    from storage.core.languages import language_name

    names = ", ".join(language_name(code) for code in expected)
    said = (
        f"Transcribed as {language_name(language)}, which the project does not expect (it "
        f"expects {names}): Whisper told a language translates speech in another one into it."
    )
    return Note(
        f"{said} Leave out --language to have each stretch identified.",
        gui=f"{said} Transcription ▸ Transcribe session (without choosing a language) has each "
        "stretch identified.",
    )


def speakers_hint(summary: Any, session_id: str) -> list[str]:
    """A session transcribed again whose old segments had speaker labels: say how many new
    segments took them (``transcribe.carry``), how many were split at a change of speaker,
    and how to label those that could not."""
    carried = int(getattr(summary, "speakers_carried", 0))
    missing = int(getattr(summary, "speakers_missing", 0))
    if not carried and not missing:
        return []
    said = (
        f"Speakers carried over: {plural(carried, 'new segment')} took the speaker label of the "
        "old segments they lie in"
    )
    split = int(getattr(summary, "speakers_split", 0))
    if split:
        said += (
            f" ({plural(split, 'new segment')} across a change of speaker {verb(split, 'was')} "
            "split at the word nearest the change, each part with its speaker)"
        )
    if not missing:
        return [Note(f"{said}.")]
    said += (
        f"; {plural(missing, 'new segment')} across a change of speaker (or where no speaker "
        f"is known) {verb(missing, 'has')} none"
    )
    return [
        Note(
            f"{said}: give {'it' if missing == 1 else 'them'} one with fieldscribe speaker DIR "
            "assign --segment ID --speaker NAME, or detect the speakers again with fieldscribe "
            f"speakers DIR --session {session_id}.",
            gui=f"{said}: give {'it' if missing == 1 else 'them'} one with Edit ▸ Change "
            "speaker…, or detect the speakers again with Speakers ▸ Detect speakers….",
        )
    ]


def deleted_hint(left_out: int) -> list[str]:
    """New segments a transcription left out because they lie mostly in speech a coder
    deleted from the session (``Transcription.deleted_spans``): say so."""
    if not left_out:
        return []
    return [
        Note(
            f"{plural(left_out, 'new segment')} {verb(left_out, 'was')} left out because "
            f"{verb(left_out, 'it lies', 'they lie')} mostly in speech a coder deleted from "
            "this session (what a deleted segment said is not transcribed again)."
        )
    ]


def span_ids(project: Project, segment_id: str) -> set[str]:
    """The ids of a segment's span codings (those anchored to words)."""
    return {c.id for c in project.codebook.codings(segment_id=segment_id) if c.start_cp is not None}


def passage_links(project: Project, segment_id: str) -> dict[str, set[str]]:
    """``{link id: the ids of the segment's codings at its ends}``: the links of a
    segment's passages, read before and after a re-transcription (``passage_links_hint``)."""
    codings = {c.id for c in project.codebook.codings(segment_id=segment_id)}
    found: dict[str, set[str]] = {}
    for coding_id in codings:
        for link in project.links.of("coding", coding_id):
            ends = {e.id for e in (link.origin, link.target) if e.kind == "coding"}
            found.setdefault(link.id, set()).update(ends & codings)
    return found


def passage_links_hint(before: dict[str, set[str]], after: dict[str, set[str]]) -> list[str]:
    """After re-transcribing one segment: the links of passages whose coding another now
    stands for (its words went into its coder's whole-segment coding of the code) moved to
    that coding; those that went with it (a link between the two, or one that coding had
    already) are gone: say so, one line."""
    moved = sum(1 for k, ends in before.items() if k in after and after[k] != ends)
    gone = len(before.keys() - after.keys())
    if not moved and not gone:
        return []
    said = []
    if moved:
        said.append(
            f"{plural(moved, 'link')} of a passage whose words are not in the new text "
            f"{verb(moved, 'now links', 'now link')} the whole-segment coding that stands for it"
        )
    if gone:
        said.append(
            f"{plural(gone, 'link')} of such a passage went with it "
            f"(it linked that coding, or repeated a link of it)"
        )
    text = "; ".join(said)
    return [Note(f"{text}.", gui=f"{text}; Edit ▸ Undo brings them back.")]


def lost_spans_hint(lost: int) -> list[str]:
    """After re-transcribing one segment: span codings whose words are not in the new text
    now cover the whole segment, flagged in their memos (``storage.core.anchors.flag_lost``);
    say so, rather than leave it to be found later."""
    if not lost:
        return []
    said = (
        f"{plural(lost, 'span coding')} lost {'its' if lost == 1 else 'their'} words in the "
        f"new text: {verb(lost, 'it now covers', 'they now cover')} the whole segment, "
        "flagged in the memo (⚑ coded words deleted)"
    )
    return [
        Note(
            f"{said}; mark the words again with fieldscribe code DIR --segment ID --code PATH "
            "--span START:END.",
            gui=f"{said}; Edit ▸ Undo brings the old text back.",
        )
    ]
