"""Encrypted files: round trips, wrong keys, tampering, truncation, reordering, streaming."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from storage.core.errors import InvalidInputError
from storage.privacy.crypto import (
    DEFAULT_CHUNK,
    MAGIC,
    DecryptionError,
    decrypt_file,
    decrypt_stream,
    encrypt_file,
    encrypt_stream,
    generate_identity,
    is_encrypted,
    load_identity,
    load_public_key,
    public_key_text,
    read_passphrase_file,
    save_identity,
)

FAST_N = 1 << 12  # scrypt cost kept low in tests; the default is 2**17
CHUNK = 4096
SECRET = "Айгуль from Almaty said the clinic refused her".encode()


def _payload(size: int) -> bytes:
    return (SECRET * (size // len(SECRET) + 1))[:size]


def _encrypt(data: bytes, **kwargs: object) -> bytes:
    out = io.BytesIO()
    params: dict[str, object] = {"chunk_size": CHUNK, "scrypt_n": FAST_N, **kwargs}
    encrypt_stream(io.BytesIO(data), out, **params)  # type: ignore[arg-type]
    return out.getvalue()


def _decrypt(blob: bytes, **kwargs: object) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_passphrase_round_trip_at_chunk_boundaries(size: int) -> None:
    data = _payload(size)
    blob = _encrypt(data, passphrase="correct horse")
    assert blob.startswith(MAGIC)
    assert _decrypt(blob, passphrase="correct horse") == data


def test_ciphertext_shows_no_plaintext() -> None:
    data = _payload(5 * CHUNK)
    blob = _encrypt(data, passphrase="pw")
    assert SECRET[:20] not in blob
    assert "Айгуль".encode() not in blob and b"Almaty" not in blob


def test_wrong_passphrase_is_refused_clearly() -> None:
    blob = _encrypt(b"data", passphrase="right")
    with pytest.raises(DecryptionError, match="wrong passphrase"):
        _decrypt(blob, passphrase="wrong")
    with pytest.raises(DecryptionError, match="passphrase-file"):
        _decrypt(blob)


@pytest.mark.parametrize("where", ["magic", "header", "first_chunk", "middle", "last_byte"])
def test_tampering_one_byte_anywhere_is_detected(where: str) -> None:
    data = _payload(3 * CHUNK + 100)
    blob = bytearray(_encrypt(data, passphrase="pw"))
    header_end = len(MAGIC) + 4 + int.from_bytes(blob[len(MAGIC) : len(MAGIC) + 4], "big")
    index = {
        "magic": 3,
        "header": header_end - 5,
        "first_chunk": header_end + 10,
        "middle": header_end + CHUNK + 16 + 50,
        "last_byte": len(blob) - 1,
    }[where]
    blob[index] ^= 0x01
    with pytest.raises(DecryptionError):
        _decrypt(bytes(blob), passphrase="pw")


def test_truncation_at_a_chunk_boundary_and_mid_chunk_is_detected() -> None:
    data = _payload(3 * CHUNK + 100)
    blob = _encrypt(data, passphrase="pw")
    header_end = len(blob) - (3 * (CHUNK + 16) + 100 + 16)
    at_boundary = blob[: header_end + 2 * (CHUNK + 16)]
    with pytest.raises(DecryptionError, match="truncated"):
        _decrypt(at_boundary, passphrase="pw")
    with pytest.raises(DecryptionError):
        _decrypt(blob[:-40], passphrase="pw")
    with pytest.raises(DecryptionError):
        _decrypt(blob + b"extra", passphrase="pw")


def test_reordered_chunks_are_detected() -> None:
    data = _payload(3 * CHUNK)
    blob = _encrypt(data, passphrase="pw")
    size = CHUNK + 16
    header_end = len(blob) - 3 * size  # three full chunks, the third flagged final
    chunks = [blob[header_end + i * size : header_end + (i + 1) * size] for i in range(3)]
    swapped = blob[:header_end] + chunks[1] + chunks[0] + chunks[2] + blob[header_end + 3 * size :]
    assert len(swapped) == len(blob)
    with pytest.raises(DecryptionError, match="part 1"):
        _decrypt(swapped, passphrase="pw")


def test_recipient_keys_open_only_for_their_owner(tmp_path: Path) -> None:
    alice, bob, eve = generate_identity(), generate_identity(), generate_identity()
    blob = _encrypt(SECRET, recipients=[alice.public_key(), bob.public_key()])
    assert _decrypt(blob, identities=[alice]) == SECRET
    assert _decrypt(blob, identities=[bob]) == SECRET
    with pytest.raises(DecryptionError, match="not encrypted for this key"):
        _decrypt(blob, identities=[eve])
    with pytest.raises(DecryptionError, match="--identity"):
        _decrypt(blob, passphrase="pw")


def test_passphrase_and_recipient_together() -> None:
    key = generate_identity()
    blob = _encrypt(SECRET, passphrase="pw", recipients=[key.public_key()])
    assert _decrypt(blob, passphrase="pw") == SECRET
    assert _decrypt(blob, identities=[key]) == SECRET


def test_files_round_trip_and_failed_decrypt_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "bundle.db"
    src.write_bytes(_payload(DEFAULT_CHUNK * 2 + 333))
    enc = encrypt_file(src, tmp_path / "bundle.enc", passphrase="pw", scrypt_n=FAST_N)
    assert is_encrypted(enc) and not is_encrypted(src)
    out = decrypt_file(enc, tmp_path / "out.db", passphrase="pw")
    assert out.read_bytes() == src.read_bytes()
    with pytest.raises(DecryptionError):
        decrypt_file(enc, tmp_path / "bad.db", passphrase="nope")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.db", "bundle.enc", "out.db"]
    data = bytearray(enc.read_bytes())
    data[len(data) // 2] ^= 0xFF
    enc.write_bytes(bytes(data))
    with pytest.raises(DecryptionError, match="tampered"):
        decrypt_file(enc, tmp_path / "bad.db", passphrase="pw")
    assert not (tmp_path / "bad.db").exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_not_encrypted_and_newer_version_are_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.db"
    plain.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(DecryptionError, match="not an encrypted FieldScribe file"):
        decrypt_file(plain, tmp_path / "x", passphrase="pw")
    blob = bytearray(_encrypt(b"x", passphrase="pw"))
    blob[len(MAGIC) - 1] = 9
    with pytest.raises(DecryptionError, match="newer FieldScribe"):
        _decrypt(bytes(blob), passphrase="pw")


def test_streaming_keeps_memory_small() -> None:
    """A 40 MiB stream is processed with reads no bigger than one chunk."""

    class Source(io.RawIOBase):
        def __init__(self, size: int) -> None:
            self.left = size
            self.biggest = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            assert n > 0, "whole-file read"
            self.biggest = max(self.biggest, n)
            n = min(n, self.left)
            self.left -= n
            return b"\x00" * n

    class Sink(io.RawIOBase):
        def __init__(self) -> None:
            self.total = 0
            self.biggest = 0

        def writable(self) -> bool:
            return True

        def write(self, b: bytes) -> int:  # type: ignore[override]
            self.total += len(b)
            self.biggest = max(self.biggest, len(b))
            return len(b)

    src, sink = Source(40 << 20), Sink()
    encrypt_stream(src, sink, passphrase="pw", scrypt_n=FAST_N)  # type: ignore[arg-type]
    assert src.biggest == DEFAULT_CHUNK and sink.biggest <= DEFAULT_CHUNK + 16 + 4096
    assert sink.total > 40 << 20


def test_key_files(tmp_path: Path) -> None:
    key = generate_identity()
    path = save_identity(key, tmp_path / "keys" / "me.key")
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(InvalidInputError, match="never overwritten"):
        save_identity(generate_identity(), path)
    loaded = load_identity(path)
    (tmp_path / "me.pub").write_text(public_key_text(key.public_key(), "coder-a"))
    pub = load_public_key(tmp_path / "me.pub")
    blob = _encrypt(SECRET, recipients=[pub])
    assert _decrypt(blob, identities=[loaded]) == SECRET
    locked = save_identity(key, tmp_path / "locked.key", passphrase="kp")
    with pytest.raises(InvalidInputError, match="protected by a passphrase"):
        load_identity(locked)
    assert isinstance(load_identity(locked, "kp"), type(key))
    (tmp_path / "junk.pub").write_text("ssh-ed25519 AAAA")
    with pytest.raises(InvalidInputError, match="not a FieldScribe public key"):
        load_public_key(tmp_path / "junk.pub")


def test_passphrase_file(tmp_path: Path) -> None:
    f = tmp_path / "pw.txt"
    f.write_text("  spaced pass  \nsecond line\n")
    assert read_passphrase_file(f) == "  spaced pass  "
    f.write_text("\n")
    with pytest.raises(InvalidInputError, match="empty"):
        read_passphrase_file(f)
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_passphrase_file(tmp_path / "missing.txt")
    os.chmod(f, 0o600)


@pytest.mark.parametrize("chunk, expected", [(b"y\n", "y"), (b"\0" * 4096, None)])
def test_a_passphrase_pipe_that_never_ends_is_read_only_so_far(
    tmp_path: Path, chunk: bytes, expected: str | None
) -> None:
    """`--passphrase-file <(yes)` takes the first line; endless bytes without a newline are
    refused after 64 KiB instead of filling the memory."""

    import threading

    fifo = tmp_path / "pass"
    os.mkfifo(fifo)

    def endless() -> None:
        try:
            with open(fifo, "wb") as fh:
                while True:
                    fh.write(chunk)
        except (BrokenPipeError, OSError):
            return

    writer = threading.Thread(target=endless, daemon=True)
    writer.start()
    if expected is None:
        with pytest.raises(InvalidInputError, match="longer than 64 KiB"):
            read_passphrase_file(fifo)
    else:
        assert read_passphrase_file(fifo) == expected
    writer.join(10)
    assert not writer.is_alive()
