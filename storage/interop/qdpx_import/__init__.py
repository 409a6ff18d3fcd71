"""Import a REFI-QDA project (``.qdpx``) into a FieldScribe project.

Written by FieldScribe, ATLAS.ti, MAXQDA, NVivo or QualCoder.

What maps, and how:

- ``Users`` -> coders (by name); ``CodeBook`` -> codes (merged by GUID, then by path);
- ``AudioSource``/``VideoSource`` -> a session with its media (when the archive holds it) and
  one segment per transcript line (speaker ``NAME:`` prefixes, sync points and in-text
  timestamps give the times; a second or third transcript is a session of its own);
  ``TranscriptSelection``s -> codings on the segments they cover;
  ``AudioSelection``s without codings -> markers, with codings -> codings of the overlapping
  segments, each keeping the range for exports (``exchange_meta.TIME_RANGES``); where the
  recording has no transcript, each coded range -> a segment of speech without transcript
  with its codings (overlapping ranges share one, ``ranges``);
  a ``Coding`` on a source itself (the whole document or recording) -> a coding of every
  segment of its session;
- ``TextSource`` -> an "observation" session without media, one segment per non-empty line;
  ``PlainTextSelection``s -> codings (code-point spans);
- ``Cases`` with ``Variables`` -> participants with attributes (a case's ``Description`` is
  the attribute "description"); speakers are mapped to them; a note on a case (a ``NoteRef`` in
  it, or a ``Link`` between the note and the case) -> a journal memo named after the
  participant, linked to it for exports (``exchange_meta.CASE_NOTES``);
- ``PDFSource`` with a ``Representation`` (its plain text) -> a text session like a
  ``TextSource``; a ``Case`` without a name and with one ``SourceRef`` (MAXQDA, Quirkos) -> that
  source's variables;
- ``Notes`` -> memos on whatever refers to them (project, session, code, coding, segment; a
  ``Link`` between a note and a selection counts as a reference, as NVivo writes them), and
  journal entries when nothing does; an uncoded selection's ``Description`` -> a memo on its
  segments.

- ``Links`` between codes, sources, selections, notes and cases -> the project's links
  (``qdpx_links``, ``project.links``).

Anything that cannot be represented (pictures, PDF page areas, sets, graphs, media
outside the archive...) is listed in the report. Media named outside the archive
(``relative://``, ``file:///C:/...``, ``/Users/...``) are looked for only in a folder the user
names (``media_dir``, ``external``), by their file name; found ones are copied in like those
inside it. All checks run before anything is written;
the writes run in one transaction; a new project folder is removed again when the import fails.

The parts, each handed the one ``context.ImportContext``: ``codes``, ``sources`` (sessions,
their lines, text sources), ``media`` (audio and video sources), ``codings`` (selections to
codings) and ``people`` (cases and notes); ``run`` calls them in order.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core.errors import FieldScribeError, InvalidInputError
from storage.core.ids import new_id, now_iso
from storage.core.models import UNNAMED_CODER
from storage.core.words import plural, verb

from .. import project_description, qdpx_links
from ..native_projects import not_a_qdpx
from ..qdpx_parse import QProject, QSelection, local, parse_project
from ..safe_zip import SafeZip, ZipLimits, parse_xml
from . import again, codes, media, people, sources
from .context import ImportContext, ImportReport, archive_member
from .external import check_media_dir, file_name

if TYPE_CHECKING:
    from storage.project import Project


def import_sources(ctx: ImportContext) -> None:
    """Each source as a session (text, or audio and video), or a line saying why not."""
    seen: set[str] = set()  # the GUIDs of the sources this import made sessions of
    for src in ctx.qp.sources:
        if src.guid in seen:  # a second source with one GUID (a damaged or hand-made file)
            ctx.report.notes.append(
                f"Source {src.name!r} has the GUID of a source before it ({src.guid}); it was "
                "imported as a session of its own."
            )
        elif src.guid and ctx.exists("sessions", src.guid):
            # imported before (a second import of the same project): reuse, never duplicate
            ctx.session_map[src.guid] = src.guid
            ctx.reused_sources.append(src.name or src.guid)
            if src.kind in ("AudioSource", "VideoSource"):
                if ctx.media_dir is not None:
                    media.media_again(ctx, src, src.guid)
                media.transcript_again(ctx, src, src.guid)
            # another coder's export of the same project: their codings join the others'
            if src.kind in ("AudioSource", "VideoSource"):
                again.av_codings_again(ctx, src, src.guid)
            elif src.kind == "TextSource" or (
                src.kind == "PDFSource" and (src.text_path or src.text_inline is not None)
            ):
                again.text_codings_again(ctx, src, src.guid)
            continue
        seen.add(src.guid)
        if src.kind == "TextSource":
            sources.text_source(ctx, src)
        elif src.kind == "PDFSource" and (src.text_path or src.text_inline is not None):
            sources.text_source(ctx, src)
            ctx.report.notes.append(
                f"PDF source {src.name!r}: its text (the file's Representation) was imported "
                "as a text session."
            )
            if src.areas:
                ctx.report.not_imported.append(
                    f"PDF source {src.name!r}: {_selections(src.areas, 'area', 'of its pages')} "
                    "(FieldScribe codes text, not areas)."
                )
        elif src.kind in ("AudioSource", "VideoSource"):
            media.av_source(ctx, src)
        else:
            kind = src.kind.replace("Source", "").lower() or "unknown"
            area = src.kind in ("PictureSource", "PDFSource")
            lost = _selections(src.selections, "area" if area else "selection", "")
            if src.source_codings:
                n = len(src.source_codings)
                whole = f"{plural(n, 'coding')} of the whole {kind}"
                lost = f"{lost} and {whole}" if lost else whole
            ctx.report.not_imported.append(
                f"{src.kind} {src.name!r}: {kind} sources are not supported"
                + (f" ({lost} not imported)." if lost else ".")
            )


def _selections(selections: list[QSelection], noun: str, where: str) -> str:
    """How many of ``selections`` were coded and how many only marked (an area or passage
    without a code, perhaps with a note): "2 coded areas of its pages and 1 area of its pages
    marked without a code"; empty when there are none."""
    coded = sum(1 for sel in selections if sel.codings or sel.unreadable_codings)
    marked = len(selections) - coded
    at = f" {where}" if where else ""
    said = [f"{plural(coded, f'coded {noun}')}{at}"] if coded else []
    if marked:
        said.append(f"{plural(marked, noun)}{at} marked without a code")
    return " and ".join(said)


def run(ctx: ImportContext) -> ImportReport:
    """Import everything in order: coders, codes, sources, cases, notes (one transaction is
    the caller's)."""
    was_empty = not ctx.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM codes)"
    ).fetchone()[0]
    for name in sorted(set(ctx.qp.users.values())):
        ctx.ensure_coder(name)
    codes.import_codes(ctx, ctx.qp.codes)
    codes.keep_exchange_meta(ctx, was_empty)
    people.linked_notes(ctx)  # first: a note linked to a source's own case is the source's
    people.source_variable_cases(ctx)
    import_sources(ctx)
    codes.keep_line_ends(ctx)
    people.import_cases(ctx)
    people.undeclared_variables(ctx)
    people.import_notes(ctx)
    cases = {case.guid: case.name for case in ctx.qp.cases}
    for guid, count in ctx.unknown_codes.items():
        what = (
            f"case {cases[guid]!r} (coding at a case, as NVivo writes it, is not imported)"
            if guid in cases
            else f"code {guid}, which is not in the codebook"
        )
        ctx.report.not_imported.append(
            f"{plural(count, 'coding')} {verb(count, 'refers')} to {what}."
        )
    if ctx.unlisted_codings:
        n, unlisted = ctx.unlisted_codings, sorted(set(ctx.unlisted_users.values()))
        ctx.report.notes.append(
            f"The file lists no users, but {plural(n, 'coding')} {verb(n, 'names')} "
            f"{plural(len(unlisted), 'user')} by GUID: {verb(len(unlisted), 'it is', 'each is')} "
            f"a coder here ({', '.join(map(repr, unlisted))}): check the coders before "
            "measuring agreement."
        )
    if ctx.no_user_codings:
        only = set(ctx.qp.users.values())
        who = next(iter(only)) if len(only) == 1 else ctx.p.coder
        why = "the file's only user" if len(only) == 1 else "the coder importing the file"
        n = ctx.no_user_codings
        ctx.report.notes.append(
            f"{plural(n, 'coding')} {verb(n, 'names')} no user of the file (QualCoder writes "
            f"none on a transcript's codings); {verb(n, 'it was', 'they were')} given to {who!r} "
            f"({why}): check the coders before measuring agreement."
        )
    qdpx_links.keep_links(ctx)  # last: every end has its place here
    for what, count in ctx.qp.unsupported.items():
        if what == "links":
            continue  # ``keep_links`` said what became of them
        if what == "graphs" and count > 0:
            ctx.report.not_imported.append(
                f"{plural(count, 'graph')} ({verb(count, 'a network view', 'network views')}: "
                f"FieldScribe draws none, so {verb(count, 'it is', 'they are')} not kept"
                + ("; the file's links are kept apart from them)." if ctx.qp.link_items else ").")
            )
            continue
        if count > 0:
            what = what if count > 1 else what.removesuffix("s")  # "1 set", "2 sets"
            ctx.report.not_imported.append(f"{count} {what} (not supported by FieldScribe).")
    report_sets(ctx)
    if ctx.reused_sources:
        every = len(ctx.reused_sources) == len(ctx.qp.sources)
        names = ", ".join(repr(n) for n in ctx.reused_sources[:5])
        more = f" and {len(ctx.reused_sources) - 5} more" if len(ctx.reused_sources) > 5 else ""
        ctx.report.notes.insert(
            0,
            (
                "This project was imported before (its sources' GUIDs are here): "
                if every
                else f"{plural(len(ctx.reused_sources), 'source')} "
                f"{verb(len(ctx.reused_sources), 'was')} imported before (same GUID): "
            )
            + f"{names}{more} kept as they are, with their codings, not imported again (codings"
            + " of their text the project never had are added)"
            + (f"; {plural(ctx.reused_cases, 'case')} reused." if ctx.reused_cases else "."),
        )
    import_description(ctx)
    return ctx.report


def import_description(ctx: ImportContext) -> None:
    """The project's ``Description`` as a project memo ``project_description.TITLE``, unless
    the project has it (imported before, whatever became of its memo since, or a memo's text:
    a FieldScribe export writes that memo as the ``Description``)."""
    text = ctx.qp.description
    # QualCoder writes a project without a memo so (Python's ``str(None)``)
    if not text or not text.strip() or (text == "None" and "qualcoder" in ctx.qp.origin.lower()):
        return
    every = ctx.reused_sources and len(ctx.reused_sources) == len(ctx.qp.sources)
    how = project_description.known_how(ctx.p, ctx.conn, text)
    if not every and how == "title":
        ctx.report.notes.append(
            f"The file's project description was not added: this project has its memo "
            f"{project_description.TITLE!r} (an import by an older FieldScribe made it, and it "
            "may have been edited since); compare the two if unsure."
        )
    if not every and how is None:
        stamp = now_iso()
        ctx.conn.execute(
            "INSERT INTO memos (id, target_type, target_id, title, text, created_by,"
            " created_at, updated_at) VALUES (?, 'project', NULL, ?, ?, ?, ?, ?)",
            (new_id(), project_description.TITLE, text, ctx.p.coder, stamp, stamp),
        )
        ctx.report.memos += 1
    project_description.remember(ctx.p, ctx.conn, text)


def _named(names: list[str]) -> str:
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


def report_sets(ctx: ImportContext) -> None:
    """Say what became of the file's ``Sets``: a group of sources is in its sessions' notes
    (``new_session``), a group of codes or of notes has no place in FieldScribe."""
    kept = [st for st in ctx.qp.sets if st.name and set(st.sources) & set(ctx.session_map)]
    if kept:
        ctx.report.notes.append(
            f"{plural(len(kept), 'set')} of sources ({_named([repr(st.name) for st in kept])}): "
            "FieldScribe has no groups of sessions; the notes of each session in one say so in "
            "a line 'Set: NAME' (exported with its source's description)."
        )
    of_codes = [st for st in ctx.qp.sets if st.codes]
    if of_codes:
        named = [f"{st.name!r}: {plural(len(st.codes), 'code')}" for st in of_codes]
        ctx.report.not_imported.append(
            f"{plural(len(of_codes), 'set')} of codes ({_named(named)}): FieldScribe has no "
            "groups of codes."
        )
    rest = [st for st in ctx.qp.sets if st not in kept and st not in of_codes]
    if rest:
        ctx.report.not_imported.append(
            f"{plural(len(rest), 'set')} of notes, or of sources not imported here "
            f"({_named([repr(st.name) for st in rest])}), not supported by FieldScribe."
        )


def read_qde(archive: Path, limits: ZipLimits | None = None) -> tuple[SafeZip, QProject]:
    """Open and check an archive and parse its ``project.qde`` (nothing is written).

    The caller closes the returned ``SafeZip``.
    """
    native = not_a_qdpx(archive)
    if native:
        raise InvalidInputError(native)
    zf = SafeZip(archive, limits)
    try:
        qde = zf.find("project.qde")
        if qde is None:
            qdes = [n for n in zf.names() if n.lower().endswith(".qde")]
            candidates = [n for n in qdes if "/" not in n]
            if not candidates:  # the project zipped again inside a folder ("Study/project.qde")
                candidates = [
                    n for n in qdes if n.count("/") == 1 and not n.startswith("__MACOSX/")
                ]
            qde = candidates[0] if len(candidates) == 1 else None
            if len(candidates) > 1:
                names = ", ".join(candidates[:3]) + (", ..." if len(candidates) > 3 else "")
                raise InvalidInputError(
                    f"{archive} holds {len(candidates)} .qde files ({names}) and none is named "
                    "project.qde, so which one is the project is unknown; nothing was imported."
                )
        if qde is None:
            if {"manifest.json", "project.db"} <= set(zf.names()):
                raise InvalidInputError(
                    f"{archive} is a FieldScribe team bundle, not a REFI-QDA project: merge it "
                    "with `fieldscribe bundle merge` or start a project from it with "
                    "`fieldscribe new DIR --from-bundle`; nothing was imported."
                )
            raise InvalidInputError(
                f"{archive} has no project.qde; is it a REFI-QDA project (.qdpx)?"
            )
        read_notes: list[str] = []
        root = parse_xml(zf.read(qde), f"{archive}: {qde}", read_notes)
        # the QDA-XML namespace, or none at all (hand-made files, some exporters)
        namespaced = root.tag.startswith("{")
        if local(root.tag) != "Project" or (
            namespaced and not root.tag.startswith("{urn:QDA-XML:project")
        ):
            hint = (
                " It is a codebook: import it with 'fieldscribe codebook import' (a .qdc)."
                if local(root.tag) == "CodeBook"
                else ""
            )
            raise InvalidInputError(
                f"{archive}: {qde} is not a QDA-XML project (root element "
                f"{local(root.tag)!r}); nothing was imported.{hint}"
            )
        if namespaced:
            check_schema_version(root.tag, archive)
        qp = parse_project(root)
        qp.folder = qde.rpartition("/")[0]
        qp.read_notes = read_notes
        _check_project(qp, archive)
        return zf, qp
    except BaseException:
        zf.close()
        raise


def _check_project(qp: QProject, archive: Path) -> None:
    for code in qp.codes:
        if not code.guid:
            raise InvalidInputError(f"{archive}: a code ({code.name!r}) has no guid; refused.")
    for src in qp.sources:
        if not src.guid:
            raise InvalidInputError(f"{archive}: a source ({src.name!r}) has no guid; refused.")


def check_schema_version(tag: str, archive: Path) -> None:
    """Refuse a project of a newer QDA-XML schema than 1.x (never read it half-understood)."""
    namespace = tag[1:].split("}", 1)[0]
    # "urn:QDA-XML:project:1.0"; drafts wrote other versions ("0:4", QualCoder has seen)
    version = namespace.split(":", 3)[3] if namespace.count(":") >= 3 else ""
    major = re.match(r"\d*", version).group(0)  # type: ignore[union-attr]
    if major and int(major) > 1:
        raise InvalidInputError(
            f"{archive} was written in a newer REFI-QDA format (QDA-XML {version}); this "
            "FieldScribe reads QDA-XML 1.0. Nothing was imported; export it from the other "
            "tool as REFI-QDA 1.0 (QDA-XML 1.0), or update FieldScribe."
        )


def files_outside(archive: str | Path, limits: ZipLimits | None = None) -> list[tuple[str, str]]:
    """The files a ``.qdpx`` names outside its archive, which an import reads only from a
    folder the user names (``media_dir``): recordings, and the plain texts of text sources,
    transcripts and notes that hold no text of their own. Nothing is written.

    Args:
        archive: the ``.qdpx`` file.
        limits: limits on the archive (defaults are generous).

    Returns:
        ``(what, file name)`` pairs, such as ``("the text of 'Interview 1'", "interview1.txt")``,
        in the file's order.

    Raises:
        InvalidInputError: the archive is unsafe or not a REFI-QDA project.
    """
    zf, qp = read_qde(Path(archive).expanduser(), limits)
    found: list[tuple[str, str]] = []

    def outside(*paths: str | None, text: bool = True) -> str | None:
        named = [p for p in paths if p]
        if not named or any(archive_member(zf, qp.folder, p) is not None for p in named):
            return None
        if text and all(p.lower().startswith("internal://") for p in named):
            return None  # the archive lacks its own text: the import says so, asks nothing
        return file_name(named[-1])

    try:
        for src in qp.sources:
            if src.kind in ("AudioSource", "VideoSource"):
                name = outside(src.current_path, src.path, text=False)
                found += [(f"the recording of {src.name!r}", name)] if name else []
                for tr in src.transcripts:
                    # its plain text, else its rich text (a Word document) is read: asked for
                    # when neither is inside (one given only as rich text was never asked for,
                    # so the workbench dropped it, codings and all)
                    name = (
                        None if tr.text_inline is not None else outside(tr.rich_path, tr.text_path)
                    )
                    found += [(f"the transcript of {src.name!r}", name)] if name else []
            elif src.text_inline is None and (name := outside(src.rich_path, src.text_path)):
                found.append((f"the text of {src.name!r}", name))
        for note in qp.notes.values():
            if note.text is None and (name := outside(note.text_path)):
                found.append((f"the note {note.name or note.guid!r}", name))
    finally:
        zf.close()
    return found


def import_qdpx_into(
    project: Project,
    archive: str | Path,
    *,
    limits: ZipLimits | None = None,
    media_dir: str | Path | None = None,
) -> ImportReport:
    """Import a ``.qdpx`` into an open project, in one transaction.

    Args:
        project: the open project.
        archive: the ``.qdpx`` file.
        limits: limits on the archive (defaults are generous).
        media_dir: a folder to look in for media the file names outside the archive (by
            their file name, never outside that folder); also fills sessions imported before
            without their recording.

    Raises:
        InvalidInputError: the archive or its XML is unsafe or malformed, or ``media_dir`` is
            no folder (nothing is written).
    """
    archive = Path(archive).expanduser()
    folder = check_media_dir(media_dir)
    zf, qp = read_qde(archive, limits)
    return _import_read(project, archive, zf, qp, folder)


def _import_read(
    project: Project, archive: Path, zf: SafeZip, qp: QProject, media_dir: Path | None
) -> ImportReport:
    """Import an archive ``read_qde`` has opened and parsed (``zf``, ``qp``) into ``project``,
    in one transaction; closes ``zf``."""
    importer = ImportContext(project, qp, zf, str(archive), media_dir)
    try:
        # (the list of copies lives until the commit that counts: an outer transaction's)
        with project.store.renaming() as importer.listed, project.transaction():
            report = run(importer)
    except BaseException:
        for path in importer.copied:
            path.unlink(missing_ok=True)
        raise
    finally:
        zf.close()
    return report


def import_qdpx(
    archive: str | Path,
    folder: str | Path,
    *,
    coder: str | None = None,
    limits: ZipLimits | None = None,
    media_dir: str | Path | None = None,
) -> ImportReport:
    """Import a ``.qdpx`` into a project folder: a new one (created) or an existing project.

    The archive is checked and parsed before anything is written. A new project is built in a
    hidden folder and appears under ``folder`` only once the import is done (nothing is left
    when it fails or the process is killed); an existing project is changed in one transaction
    or not at all.

    Args:
        archive: the ``.qdpx`` file.
        folder: a new (absent or empty) folder, or an existing FieldScribe project.
        coder: the importing coder (owner of a new project); None: an existing project's
            own coder, ``UNNAMED_CODER`` for a new one (never the login name).
        limits: limits on the archive (defaults are generous).
        media_dir: a folder to look in for media named outside the archive
            (``import_qdpx_into``).

    Raises:
        InvalidInputError: the archive is unsafe or not a REFI-QDA project, or ``media_dir``
            is no folder.
    """
    from storage.project import DB_NAME, Project

    archive = Path(archive).expanduser()
    folder = Path(folder).expanduser()
    native = not_a_qdpx(archive)
    if native:
        raise InvalidInputError(native)
    if not archive.is_file():
        raise InvalidInputError(f"{archive}: no such file.")
    media = check_media_dir(media_dir)
    # refuse bad archives before creating anything; the one parse of project.qde (a second
    # one, by ``import_qdpx_into``, was an eighth of a large import's time)
    zf, qp = read_qde(archive, limits)
    try:
        existing = (folder / DB_NAME).is_file()
        if existing:
            with Project.open(folder, coder=coder) as project:
                return _import_read(project, archive, zf, qp, media)
        reports: list[ImportReport] = []

        def fill(project: Project) -> None:
            # imported before the folder appears (``Project.create``): a kill meanwhile
            # leaves no empty project under the name, and the same command can be run again
            reports.append(_import_read(project, archive, zf, qp, media))
            expected = sources.project_languages(qp)
            if expected:  # else it transcribed with no language expected
                project.set_languages(expected)

        Project.create(
            folder, name=qp.name or archive.stem, coder=coder or UNNAMED_CODER, fill=fill
        ).close()
    finally:
        zf.close()  # ``_import_read`` closes it too; closed here when it never ran
    report = reports[0]
    report.project = str(folder)  # not the hidden folder it was built in
    return report


__all__ = [
    "FieldScribeError",
    "ImportContext",
    "ImportReport",
    "files_outside",
    "import_qdpx",
    "import_qdpx_into",
    "read_qde",
]
