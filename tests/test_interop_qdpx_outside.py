"""REFI-QDA files made by hand the way other tools write them, run through the CLI.

An outside check: project.qde in UTF-8 with and without a byte order mark, in UTF-16, with a
namespace prefix; codes nested five deep with names in Kazakh, Hebrew, decomposed Cyrillic,
markup characters and an emoji; selections at the very end of the text and of zero length.
Every variant gives the same project: the same code paths, every coding on its words. A
zero-length selection used to be reported as covering "only a speaker name, a timestamp or
blank lines"; it is now called empty.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from storage import Project

ROOT = Path(__file__).resolve().parents[1]
NS = "urn:QDA-XML:project:1.0"
TEXT = "Біз ауылда тұрамыз. We live in the village 😀.\nЕмхана алыс. Clinic far."
NAMES = ["Тема", "Sub “quoted” & <b>", "עברית", unicodedata.normalize("NFD", "й-code"), "🏥"]


def _g(n: int) -> str:
    return f"b2000000-0000-4000-8000-{n:012d}"


def _qde(prefix: str) -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    codes = "".join(
        f"<{p}Code guid={quoteattr(_g(100 + d))} name={quoteattr(n)} isCodable='true'>"
        for d, n in enumerate(NAMES)
    ) + f"</{p}Code>" * len(NAMES)
    end = len(TEXT)
    spans = [(0, 3, 102), (end - 4, end, 104), (end, end, 104), (5, 5, 100)]
    sels = "".join(
        f'<{p}PlainTextSelection guid="{_g(200 + i)}" startPosition="{s}" endPosition="{e}">'
        f'<{p}Coding guid="{_g(300 + i)}"><{p}CodeRef targetGUID="{_g(c)}"/></{p}Coding>'
        f"</{p}PlainTextSelection>"
        for i, (s, e, c) in enumerate(spans)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<{p}Project {xmlns} name="T" origin="MAXQDA 2022">'
        f"<{p}CodeBook><{p}Codes>{codes}</{p}Codes></{p}CodeBook>"
        f'<{p}Sources><{p}TextSource guid="{_g(1)}" name="Інтерв&apos;ю 1" '
        f'plainTextPath="internal://{_g(1)}.txt">{sels}</{p}TextSource></{p}Sources></{p}Project>'
    )


VARIANTS = {
    "utf-8": lambda q: q.encode("utf-8"),
    "utf-8 with BOM": lambda q: b"\xef\xbb\xbf" + q.encode("utf-8"),
    "utf-16": lambda q: q.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16"),
    "prefixed": None,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_hand_made_files_import_alike_through_the_cli(tmp_path: Path, variant: str) -> None:
    qde = _qde("qda" if variant == "prefixed" else "")
    encode = VARIANTS[variant] or (lambda q: q.encode("utf-8"))
    archive = tmp_path / "in.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", encode(qde))
        zf.writestr(f"sources/{_g(1)}.txt", TEXT.encode("utf-16" if "16" in variant else "utf-8"))
    folder = tmp_path / "out.fieldscribe"
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "qdpx", "import", str(archive), str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    # the two empty selections in one line (one line each made a large file's report long)
    empty = [line for line in run.stdout.splitlines() if "empty (each starts where" in line]
    assert len(empty) == 1 and "2 selections are empty" in empty[0], run.stdout
    assert "70-70 (" in empty[0] and "5-5 ('Тема')" in empty[0], run.stdout
    assert "speaker name" not in run.stdout
    with Project.open(folder, readonly=True) as p:
        codes = {c.id: c for c in p.codebook.codes()}

        def path(code_id: str) -> str:
            c = codes[code_id]
            return (path(c.parent_id) + "/" if c.parent_id else "") + c.name

        texts = {s.id: s.text for s in p.transcript.segments(p.sessions.all()[0].id)}
        got = sorted(
            (path(c.code_id), texts[c.segment_id][c.start_cp : c.end_cp])
            for c in p.codebook.codings()
        )
    deep = "/".join(unicodedata.normalize("NFC", n) for n in NAMES)
    assert got == sorted([(deep, "far."), ("Тема/Sub “quoted” & <b>/עברית", "Біз")])
    assert json.dumps(got, ensure_ascii=False)  # names survive as text


def test_code_names_in_another_unicode_form_are_the_codebook_s_names(tmp_path: Path) -> None:
    """Before, an imported name was stored as the file wrote it: "й" as "и" plus a combining
    breve (NFD, as macOS tools write it) or with a trailing space stayed a second code beside
    the project's own "Тема/й-code" instead of being reused."""
    from storage.interop import import_qdpx

    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="me") as p:
        p.codebook.ensure_code_path("Тема/й-code")
    nfd = unicodedata.normalize("NFD", "й-code") + " "
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="T" origin="x">'
        f'<CodeBook><Codes><Code guid="{_g(1)}" name=" Тема" isCodable="true">'
        f'<Code guid="{_g(2)}" name="{nfd}" isCodable="true"/></Code></Codes></CodeBook>'
        "</Project>"
    )
    archive = tmp_path / "in.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde.encode("utf-8"))
    report = import_qdpx(archive, folder, coder="me")
    assert (report.codes, report.codes_reused) == (0, 2)
    with Project.open(folder, readonly=True) as p:
        assert sorted(c.name for c in p.codebook.codes()) == sorted(["й-code", "Тема"])


def test_a_bundle_and_a_qdpx_swapped_are_named_for_what_they_are(tmp_path: Path) -> None:
    """Before, a .qdpx given to `bundle merge` was refused for an "unexpected member
    'project.qde'", and a bundle given to `qdpx import` asked whether it was a .qdpx."""
    from tests.teamwork_helpers import dump, make_lead

    lead, _segs = make_lead(tmp_path)
    folder = lead.folder
    from storage.team.bundle_export import export_bundle

    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    archive = tmp_path / "x.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", _qde("").encode("utf-8"))
    before = dump(folder)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )

    run = cli("bundle", "merge", str(folder), str(archive))
    assert run.returncode != 0 and len(run.stderr.strip().splitlines()) == 1
    assert "is a REFI-QDA project (.qdpx), not a FieldScribe bundle" in run.stderr
    assert "qdpx import" in run.stderr
    run = cli("qdpx", "import", str(tmp_path / "lead.fsbundle"), str(tmp_path / "n.fieldscribe"))
    assert run.returncode != 0 and len(run.stderr.strip().splitlines()) == 1
    assert "is a FieldScribe team bundle, not a REFI-QDA project" in run.stderr
    assert not (tmp_path / "n.fieldscribe").exists()
    assert dump(folder) == before
