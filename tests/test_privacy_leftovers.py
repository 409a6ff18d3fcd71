"""No clear copy left behind: bundle export and merge killed (SIGKILL) at several points, and
hostile bundles or encrypted headers refused before any work (docs/PRIVACY.md)."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from storage import Project, SegmentDraft
from storage.core.tempdirs import MARKER, PREFIX
from storage.privacy import crypto
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.test_cli import ROOT

NAME = "Zhumabekova"  # real name: pseudonymised in every bundle
WORD = "Qyzyltobe"  # ordinary transcript text: travels in bundles, clear once unpacked


def _project(folder: Path, coder: str = "lead", n: int = 4000) -> Project:
    p = Project.create(folder, coder=coder, name="Study")
    session = p.sessions.add_session("Interview")
    drafts = [
        SegmentDraft(i * 1000, i * 1000 + 900, f"{NAME} talks about {WORD} clinic {i}", "S1")
        for i in range(n)
    ]
    p.transcript.add_segments(session.id, drafts)
    p.privacy.set_pseudonym(NAME, "P07")
    return p


def _files_holding(root: Path, word: str) -> list[str]:
    """Files under ``root`` whose bytes (or, for zip files, members' bytes) hold ``word``."""
    needle = word.encode()
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if needle in data:
            found.append(str(path))
            continue
        try:
            with zipfile.ZipFile(path) as zf:
                if any(needle in zf.read(n) for n in zf.namelist()):
                    found.append(f"{path} (inflated)")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zipfile.LargeZipFile):
            pass
    return found


def _run(args: list[str | Path], tmpdir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _ours(tmpdir: Path) -> list[Path]:
    return [p for p in tmpdir.iterdir() if p.name.startswith(PREFIX)]


def _kill_when(proc: subprocess.Popen[bytes], tmpdir: Path, point: str) -> bool:
    """SIGKILL ``proc`` at ``point``: when its private folder appears ("dir"), when a file
    besides the marker is in it ("file"), or 0.4 s after that ("later"). False: it finished."""
    deadline = time.monotonic() + 60
    seen_file_at = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:  # the folders can vanish under us when the run ends
            dirs = _ours(tmpdir)
            for d in dirs:
                assert (d.stat().st_mode & 0o777) == 0o700
            files = [f for d in dirs for f in d.rglob("*") if f.name != MARKER]
        except FileNotFoundError:
            continue
        if dirs:
            if point == "dir":
                break
            if files and seen_file_at is None:
                seen_file_at = time.monotonic()
            if seen_file_at is not None and (
                point == "file" or time.monotonic() - seen_file_at >= 0.4
            ):
                break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


def _check_clean_after_next_start(
    out_dir: Path, tmpdir: Path, folder: Path, words: list[str], out_words: list[str] | None = None
):
    """After the next start nothing of ``words`` is left in TMPDIR nor of ``out_words`` (default:
    ``words``) next to the output (a plain bundle that finished holds ordinary text)."""
    # next start: any command sweeps what the killed run left
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "sessions", str(folder)],
        env={**os.environ, "TMPDIR": str(tmpdir)},
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert _ours(tmpdir) == []
    for word in words:
        assert _files_holding(tmpdir, word) == []
    for word in words if out_words is None else out_words:
        assert _files_holding(out_dir, word) == []


@pytest.mark.parametrize("encrypt", [False, True])
def test_bundle_export_killed_leaves_no_clear_copy(tmp_path: Path, encrypt: bool) -> None:
    folder = tmp_path / "lead.fieldscribe"
    _project(folder).close()
    out_dir, tmpdir = tmp_path / "usb", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    pw = tmp_path / "pw.txt"
    pw.write_text("correct horse battery staple\n")
    extra = ["--encrypt", "--passphrase-file", pw] if encrypt else []
    killed = 0
    for point in ("dir", "file", "later"):
        proc = _run(["bundle", "export", folder, "-o", out_dir / "team.fsbundle", *extra], tmpdir)
        killed += _kill_when(proc, tmpdir, point)
        # right after the kill: nothing clear next to the output (only sanitised or encrypted)
        assert _files_holding(out_dir, NAME) == []
        if encrypt:
            assert _files_holding(out_dir, WORD) == []
        assert not [p for p in out_dir.iterdir() if p.is_dir()]  # no snapshot folder there
        _check_clean_after_next_start(
            out_dir, tmpdir, folder, [NAME, WORD], [NAME, WORD] if encrypt else [NAME]
        )
    assert killed >= 2  # the points were reached before the export finished


@pytest.mark.parametrize("encrypt", [False, True])
def test_bundle_merge_killed_leaves_no_clear_copy(tmp_path: Path, encrypt: bool) -> None:
    lead = _project(tmp_path / "lead.fieldscribe", n=10)
    coder = _project(tmp_path / "coder.fieldscribe", coder="coder")
    bundle = tmp_path / "coder.fsbundle"
    if encrypt:
        from storage.privacy.bundle import export_encrypted

        pw = tmp_path / "pw.txt"
        pw.write_text("correct horse battery staple\n")
        export_encrypted(
            lambda t: export_bundle(coder, t), bundle, passphrase="correct horse battery staple"
        )
        extra: list[str | Path] = ["--passphrase-file", pw]
    else:
        export_bundle(coder, bundle)
        extra = []
    coder.close()
    lead.close()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    killed = 0
    for point in ("dir", "file", "later"):
        proc = _run(
            [
                "bundle",
                "merge",
                tmp_path / "lead.fieldscribe",
                bundle,
                "--allow-other-project",
                *extra,
            ],
            tmpdir,
        )
        killed += _kill_when(proc, tmpdir, point)
        _check_clean_after_next_start(
            tmp_path / "nothing", tmpdir, tmp_path / "lead.fieldscribe", [WORD]
        )
    assert killed >= 2


def test_temp_folders_are_private_and_removed_on_refusal(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    bad = tmp_path / "bad.fsbundle"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("manifest.json", "{}")
    lead = _project(tmp_path / "lead.fieldscribe", n=2)
    with pytest.raises(InvalidBundleError):
        merge_bundles(lead, [bad])
    assert _ours(tmp_path / "tmp") == []
    # a folder left by a dead process is swept, one of a live process is kept
    from storage.core.tempdirs import make_private_dir, sweep_stale

    live = make_private_dir("test")
    dead = make_private_dir("test")
    (dead / MARKER).write_text("999999999\n")
    assert sweep_stale() == [dead] and live.is_dir()
    lead.close()


# ------------------------------------------------------------------ caps before work
def _bundle_with(tmp_path: Path, members: dict[str, bytes], name: str = "b.fsbundle") -> Path:
    manifest = {
        "format": "fieldscribe-bundle",
        "format_version": 1,
        "schema_version": 1,
        "project_id": "x",
        "coder": "c",
        "members": {
            n: {"size": len(d), "sha256": __import__("hashlib").sha256(d).hexdigest()}
            for n, d in members.items()
        },
    }
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for n, d in members.items():
            zf.writestr(n, d)
    return path


def test_a_bomb_is_refused_before_unpacking(tmp_path: Path, monkeypatch) -> None:
    lead = _project(tmp_path / "lead.fieldscribe", n=2)
    bomb = _bundle_with(tmp_path, {"project.db": b"\0" * (64 << 20)})
    assert bomb.stat().st_size < 200_000
    import storage.team.bundle_open as bundle

    def unpacked(*_a: object, **_k: object) -> None:
        raise AssertionError("a member was unpacked")

    with monkeypatch.context() as patch:
        patch.setattr(bundle, "extract_limited", unpacked)
        with pytest.raises(InvalidBundleError, match="inflates"):
            merge_bundles(lead, [bomb])
    # free space: refused when the members do not fit in the temporary folder
    small = _bundle_with(tmp_path, {"project.db": os.urandom(1 << 20)}, "s.fsbundle")
    import storage.core.zipcheck as zipcheck

    monkeypatch.setattr(
        zipcheck.shutil, "disk_usage", lambda _p: type("U", (), {"free": 10 << 20})()
    )
    with pytest.raises(InvalidBundleError, match="MiB free"):
        merge_bundles(lead, [small])
    lead.close()


def _zip64_claiming(path: Path, entries: int) -> Path:
    """A zip whose end records announce ``entries`` members (a million-member bundle)."""
    zipfile.ZipFile(path, "w").close()  # an empty zip: just the end record
    data = path.read_bytes()[:-22]
    offset = len(data)
    z64 = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, entries, entries, 0, 0)
    loc = b"PK\x06\x07" + struct.pack("<IQI", 0, offset, 1)
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(data + z64 + loc + eocd)
    return path


def test_too_many_members_refused_quickly(tmp_path: Path, monkeypatch) -> None:
    """Refused from the zip's end records, before its members are listed or unpacked."""
    import storage.team.bundle_open as bundle

    lead = _project(tmp_path / "lead.fieldscribe", n=2)
    million = _zip64_claiming(tmp_path / "m.fsbundle", 1_000_000)

    def opened(*_a: object, **_k: object) -> None:
        raise AssertionError("the zip was opened")

    with monkeypatch.context() as patch:
        patch.setattr(bundle.zipfile, "ZipFile", opened)
        with pytest.raises(InvalidBundleError, match="1000000 members"):
            merge_bundles(lead, [million])
    real = tmp_path / "many.fsbundle"
    with zipfile.ZipFile(real, "w") as zf:
        for i in range(10_001):
            zf.writestr(f"media/m{i}", b"")
    with monkeypatch.context() as patch:
        patch.setattr(bundle, "extract_limited", opened)
        with pytest.raises(InvalidBundleError, match="10001 members"):
            merge_bundles(lead, [real])
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "bundle", "merge", str(lead.folder), str(million)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lead.close()
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1


def _header_file(path: Path, stanzas: list[dict[str, object]], pad: int = 0) -> Path:
    header = json.dumps(
        {
            "format": "fieldscribe-encrypted",
            "version": 1,
            "cipher": "chacha20-poly1305",
            "chunk_size": 1 << 20,
            "nonce_prefix": "AAAAAAAAAA==",
            "recipients": stanzas,
            "pad": "x" * pad,
        }
    ).encode()
    path.write_bytes(crypto.MAGIC + struct.pack(">I", len(header)) + header + b"\0" * 64)
    return path


@pytest.mark.parametrize(
    ("stanzas", "pad", "why"),
    [
        ([{"type": "scrypt", "salt": "AA==", "n": 1 << 20, "r": 8, "p": 1}], 0, "more work"),
        ([{"type": "scrypt", "salt": "AA==", "n": 1 << 14, "r": 32, "p": 16}], 0, "more work"),
        ([{"type": "scrypt", "salt": "AA==", "n": 1 << 17, "r": 8, "p": 1}] * 5, 0, "in all"),
        ([{"type": "x25519"}] * 17, 0, "17 keys"),
        ([], 70_000, "header is"),
    ],
)
def test_hostile_encrypted_headers_refused_before_any_work(
    tmp_path: Path, stanzas: list[dict[str, object]], pad: int, why: str, monkeypatch
) -> None:
    path = _header_file(tmp_path / "h.fsbundle", stanzas, pad)

    def derived(*_a: object, **_k: object) -> bytes:
        raise AssertionError("a key was derived")

    monkeypatch.setattr(crypto, "_scrypt", derived)
    with pytest.raises(crypto.DecryptionError, match=why):
        crypto.decrypt_file(path, tmp_path / "out", passphrase="x")
    assert not (tmp_path / "out").exists()


def test_what_fieldscribe_writes_stays_accepted(tmp_path: Path) -> None:
    src = tmp_path / "plain"
    src.write_bytes(b"hello" * 1000)
    crypto.encrypt_file(
        src,
        tmp_path / "enc",
        passphrase="pw",
        recipients=[crypto.generate_identity().public_key()] * 15,
    )
    crypto.decrypt_file(tmp_path / "enc", tmp_path / "dec", passphrase="pw")
    assert (tmp_path / "dec").read_bytes() == src.read_bytes()


def test_errors_name_the_users_file_and_the_unreadable_media(tmp_path: Path, monkeypatch) -> None:
    lead = _project(tmp_path / "lead.fieldscribe", n=2)
    coder = _project(tmp_path / "coder.fieldscribe", coder="coder", n=2)
    plain = tmp_path / "inner.fsbundle"
    export_bundle(coder, plain)
    coder.close()
    # a damaged bundle, encrypted: the refusal names the user's file, not the temporary copy
    data = bytearray(plain.read_bytes())
    with zipfile.ZipFile(plain) as zf:
        info = zf.getinfo("project.db")
    data[info.header_offset + 30 + len(info.filename) + 10] ^= 0xFF
    plain.write_bytes(bytes(data))
    pw = tmp_path / "pw.txt"
    pw.write_text("a long passphrase\n")
    enc = tmp_path / "mine.fsbundle"
    crypto.encrypt_file(plain, enc, passphrase="a long passphrase")
    lead.close()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "bundle",
            "merge",
            str(lead.folder),
            str(enc),
            "--passphrase-file",
            str(pw),
            "--allow-other-project",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert str(enc) in result.stderr and PREFIX not in result.stderr


def test_bundle_export_names_an_unreadable_audio_file(tmp_path: Path, monkeypatch) -> None:
    import storage.team.bundle_export as bundle
    from storage.core.errors import ReadOnlyError
    from tests.media import espeak

    p = Project.create(tmp_path / "p.fieldscribe", coder="lead")
    media = (
        p.folder
        / p.sessions.media_for_session(
            p.sessions.import_audio(espeak(tmp_path / "a.wav", "hello there")).id
        )[0].path
    )
    real = bundle.sha256_of

    def unreadable(path: Path) -> str:
        if Path(path) == media:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(bundle, "sha256_of", unreadable)
    out = tmp_path / "out.fsbundle"
    with pytest.raises(ReadOnlyError) as exc:
        export_bundle(p, out, with_media=True)
    assert str(exc.value).startswith(str(media)) and not out.exists()
    assert list(tmp_path.glob(".out.fsbundle*")) == []
    p.close()
