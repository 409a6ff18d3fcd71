"""Reading untrusted zips and XML safely.

A ``.qdpx`` (or any archive handed to us) is refused as a whole, before anything is written, when
it has too many members, a member whose name could escape a folder (``..``, absolute paths, drive
letters, backslashes), members that add up to too much data, or a member that inflates suspiciously
(a "zip bomb"). XML is parsed without entities or network access: a bare ``<!DOCTYPE Project>``
is read (its external DTD, if it names one, is never fetched); any entity declaration is refused.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import errors

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from storage.core.errors import InvalidInputError
from storage.core.zipcheck import ZipCaps, check_count

from ._common import _word_score

#: Default limits (generous for field projects with long recordings).
MAX_MEMBERS = 5000
MAX_TOTAL_BYTES = 16 * 1024**3
MAX_XML_BYTES = 256 * 1024**2
#: A member larger than ``RATIO_MIN_BYTES`` that inflates more than this is refused.
MAX_RATIO = 200
RATIO_MIN_BYTES = 1024**2

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipLimits:
    """Limits applied to an untrusted archive."""

    max_members: int = MAX_MEMBERS
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_member_bytes: int = MAX_TOTAL_BYTES
    max_ratio: int = MAX_RATIO


def _bad_name(name: str) -> bool:
    # a zip written on Windows by older .NET (ZipFile.CreateFromDirectory before 4.6.1) separates
    # folders with backslashes ("sources\\X.txt"): read them as "/", then check the path
    name = name.replace("\\", "/")
    if not name or "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        return True
    parts = name.split("/")
    return any(part == ".." for part in parts)


class SafeZip:
    """A zip opened for reading with every member checked first.

    Raises ``InvalidInputError`` (naming the file) when the archive breaks a limit.
    """

    def __init__(self, path: Path, limits: ZipLimits | None = None) -> None:
        self.path = path
        self.limits = limits or ZipLimits()
        caps = ZipCaps(
            max_members=self.limits.max_members,
            max_member_bytes=self.limits.max_member_bytes,
            max_total_bytes=self.limits.max_total_bytes,
            max_ratio=self.limits.max_ratio,
            ratio_min_bytes=RATIO_MIN_BYTES,
        )
        try:
            # the member count from the end records first: a million members are refused
            # before zipfile reads (and builds objects for) the whole member list
            check_count(path, caps, self._refuse)
        except FileNotFoundError:
            raise InvalidInputError(f"{path}: no such file.") from None
        except OSError as exc:
            raise InvalidInputError(f"{path}: cannot read it ({exc.strerror or exc}).") from None
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise InvalidInputError(f"{path}: no such file.") from None
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InvalidInputError(
                f"{path} is not a readable zip archive ({exc}); nothing was imported."
            ) from None
        try:
            self._check()
        except BaseException:
            self._zip.close()
            raise
        self._names = {self._norm(i.filename): i for i in self._zip.infolist() if not i.is_dir()}
        self._folded: dict[str, str] | None = None  # ``find``'s names NFC and case folded

    @staticmethod
    def _norm(name: str) -> str:
        return posixpath.normpath(name.replace("\\", "/"))

    def _refuse(self, why: str) -> InvalidInputError:
        return InvalidInputError(
            f"{self.path}: {why}; the archive was refused, nothing was written."
        )

    def _check(self) -> None:
        infos = self._zip.infolist()
        limits = self.limits
        if len(infos) > limits.max_members:
            raise self._refuse(f"it has {len(infos)} members (at most {limits.max_members})")
        total = 0
        for info in infos:
            if _bad_name(info.filename):
                raise self._refuse(f"member {info.filename!r} has an unsafe path")
            if info.flag_bits & 0x1:
                raise self._refuse(f"member {info.filename!r} is encrypted")
            if info.file_size > limits.max_member_bytes:
                raise self._refuse(
                    f"member {info.filename!r} is too large ({info.file_size} bytes)"
                )
            ratio = info.file_size // max(1, info.compress_size)
            if info.file_size > RATIO_MIN_BYTES and ratio > limits.max_ratio:
                raise self._refuse(f"member {info.filename!r} inflates {ratio} times (a zip bomb?)")
            total += info.file_size
            if total > limits.max_total_bytes:
                raise self._refuse(
                    f"its members add up to more than {limits.max_total_bytes} bytes"
                )

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def names(self) -> list[str]:
        """Return the normalised names of the file members."""
        return sorted(self._names)

    def find(self, name: str) -> str | None:
        """Return the stored member name matching ``name`` or None; else one that differs in
        letter case or Unicode form (a Mac zips "й" as "и" and a combining breve: NFD)."""
        if _bad_name(name):
            return None
        norm = self._norm(name)
        if norm in self._names:
            return norm
        if self._folded is None:  # built once: an import looks up every source's file
            self._folded = {}
            for n in self._names:
                self._folded.setdefault(_fold(n), n)
            for n, info in self._names.items():  # after every name as it is stored
                for alt in _legacy_names(info):
                    self._folded.setdefault(_fold(self._norm(alt)), n)
        return self._folded.get(_fold(norm))

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """Read one member fully, refusing more data than declared or than ``max_bytes``."""
        info = self._names[name]
        cap = info.file_size if max_bytes is None else min(info.file_size, max_bytes)
        if max_bytes is not None and info.file_size > max_bytes:
            raise self._refuse(f"member {name!r} is larger than {max_bytes} bytes")
        with self._zip.open(info) as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:
            raise self._refuse(f"member {name!r} holds more data than it declares")
        return data

    def extract_to(self, name: str, dest: Path) -> None:
        """Stream one member into ``dest`` (a path we chose, never the member's name)."""
        info = self._names[name]
        written = 0
        with self._zip.open(info) as src, open(dest, "wb") as out:
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                written += len(block)
                if written > info.file_size:
                    raise self._refuse(f"member {name!r} holds more data than it declares")
                out.write(block)

    def open(self, name: str) -> IO[bytes]:
        """Open one member for reading."""
        return self._zip.open(self._names[name])


def parse_xml(data: bytes, what: str, notes: list[str] | None = None) -> Element:
    """Parse untrusted XML: no entities, no external references (a DOCTYPE that declares
    nothing is allowed: some tools write one). XML that declares a single-byte encoding
    (``koi8-r``, ``windows-1251``...) but is written in UTF-8 is read as UTF-8, and a note
    saying so is added to ``notes``.

    Raises:
        InvalidInputError: the XML is malformed or declares entities.
    """
    if len(data) > MAX_XML_BYTES:
        raise InvalidInputError(f"{what}: the XML is larger than {MAX_XML_BYTES} bytes; refused.")
    utf8 = _utf8_declared_otherwise(data)
    if utf8 is not None:
        data, note = utf8
        if notes is not None:
            notes.append(f"{what}: {note}")
    try:
        try:
            root: Element = SafeET.fromstring(
                data, forbid_dtd=False, forbid_entities=True, forbid_external=True
            )
        except ParseError as exc:
            fixed = _declared_wrongly(data, exc)
            if fixed is None:
                raise
            root = SafeET.fromstring(
                fixed, forbid_dtd=False, forbid_entities=True, forbid_external=True
            )
    except DefusedXmlException as exc:
        raise InvalidInputError(
            f"{what}: the XML declares a DTD or entities ({type(exc).__name__}), which are not "
            "allowed in exchange files; refused, nothing was written."
        ) from None
    except ParseError as exc:
        raise InvalidInputError(f"{what}: malformed XML ({exc}); nothing was written.") from None
    except ValueError as exc:  # expat reads no multi-byte code page (Shift-JIS, GB 2312...)
        raise InvalidInputError(
            f"{what}: the XML's encoding cannot be read ({exc}); save it as UTF-8 and import it "
            "again; nothing was written."
        ) from None
    return root


_LETTERS = re.compile(r"[^\W\d_]+")
_ALL_BYTES = bytes(range(256))
_DECLARED_NAME = re.compile(
    rb"""^(?:\xef\xbb\xbf)?(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']*)["']"""
)
_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")


def _utf8_declared_otherwise(data: bytes) -> tuple[bytes, str] | None:
    """XML that declares a single-byte encoding (``koi8-r``, ``windows-1251``, ``iso-8859-1``)
    and is written in UTF-8 (a tool that writes the declaration of the computer's code page
    and saves UTF-8): its bytes declared as UTF-8, and what the report says; None when the
    declaration holds (the bytes are no UTF-8, or read as declared they read as words as well)."""
    match = _DECLARED_NAME.match(data[:512])
    if match is None or data.isascii():
        return None
    name = match.group(2).decode("ascii", "replace")
    try:
        info = codecs.lookup(name)
        declared = data.decode(info.name, errors="replace")
        text = data.decode("utf-8-sig")
    except (LookupError, UnicodeDecodeError):
        return None
    if (
        info.name.startswith(("utf", "ascii"))
        or len(_ALL_BYTES.decode(info.name, "replace")) != 256
    ):
        return None  # UTF-8 or UTF-16 (``_declared_wrongly``), or a multi-byte code page
    if _word_score(text) <= _word_score(declared):
        return None
    word = next((w for w in _LETTERS.findall(text) if not w.isascii()), "")
    garbled = word.encode("utf-8").decode(info.name, errors="replace")[:24]
    fixed = data[: match.start(2)] + b"utf-8" + data[match.end(2) :]
    return fixed, (
        f"the XML declares the encoding {name!r} but is written in UTF-8 (read as {name} "
        f"{word[:12]!r} would be {garbled!r}); it was read as UTF-8."
    )


def _declared_wrongly(data: bytes, exc: ParseError) -> bytes | None:
    """XML whose declaration names another encoding than its bytes are in (a .NET program
    that serialises to a string writes ``encoding="utf-16"`` and saves the text as UTF-8):
    the same XML declared as what it is, UTF-8 (its byte order mark, or none, tells); None for
    any other error, or bytes that are no UTF-8 or UTF-16."""
    if getattr(exc, "code", None) != errors.codes[errors.XML_ERROR_INCORRECT_ENCODING]:
        return None
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    encoded = text.encode("utf-8")
    fixed, count = _DECLARED.subn(rb"\1utf-8\2", encoded, count=1)
    return fixed if count else None


def _legacy_names(info: zipfile.ZipInfo) -> list[str]:
    """What a member's name may have been where the zip does not mark it UTF-8 (zipfile then
    reads its bytes as cp437): UTF-8 all the same (many tools write it unmarked), or the
    Cyrillic code pages of older Windows tools (cp866, the DOS one zip names used; cp1251)."""
    if info.flag_bits & 0x800 or info.filename.isascii():
        return []
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return []
    names = []
    for codec in ("utf-8", "cp866", "cp1251"):
        try:
            names.append(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    return names


def _fold(name: str) -> str:
    """A member name as compared when not found as written: NFC, case folded."""
    return unicodedata.normalize("NFC", name).casefold()
