"""Encrypted files for bundles: chunked authenticated encryption, passphrases and team keys.

File layout (version 1)::

    MAGIC (8 bytes: b"FSCRYPT" + version byte)
    header length (4 bytes, big endian)
    header (UTF-8 JSON): cipher, chunk size, nonce prefix and one "stanza" per way to open the
        file: {"type": "scrypt", salt, n, r, p, wrapped_key} or
        {"type": "x25519", ephemeral, salt, fingerprint, wrapped_key}
    chunks: AEAD(file_key, nonce_prefix(7) || counter(4) || last(1), plaintext, aad=header)

A random 256-bit file key encrypts the data; each stanza wraps it with a key derived from a
passphrase (scrypt, per-file salt) or from an X25519 exchange with a recipient's public key
(ephemeral key + HKDF-SHA256). Every chunk is authenticated together with the whole header, and
its nonce carries the chunk number and a final-chunk flag, so tampering with any byte, reordering,
dropping or appending chunks, or truncating the file is detected (the STREAM construction).
Files are processed chunk by chunk, so large media bundles are never held in memory whole.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from storage.core.atomic import staged
from storage.core.errors import FieldScribeError, InvalidInputError, ReadOnlyError

VERSION = 1
MAGIC_PREFIX = b"FSCRYPT"
MAGIC = MAGIC_PREFIX + bytes([VERSION])
DEFAULT_CHUNK = 1 << 20
DEFAULT_SCRYPT_N = 1 << 17
CIPHERS = ("chacha20-poly1305", "aes-256-gcm")
TAG = 16
PUBLIC_KEY_PREFIX = "fieldscribe-x25519-pub1"
_WRAP_AAD = b"fieldscribe key wrap v1"
_HKDF_INFO = b"fieldscribe x25519 v1"
_MAX_CHUNK = 64 << 20
#: Caps on what a file's clear header may ask of us, checked before any key is derived (a
#: hostile header could otherwise keep the app busy for minutes and take gigabytes). What
#: FieldScribe itself writes (one scrypt stanza at N=2^17, r=8, p=1: 128 MiB, about 0.5 s, and
#: a few recipients) is well inside them.
MAX_HEADER = 64 << 10
MAX_STANZAS = 16
#: scrypt memory, 128 * N * r bytes, at most 256 MiB
MAX_SCRYPT_MEMORY = 256 << 20
MAX_SCRYPT_P = 4
#: scrypt time grows with N * r * p: at most twice FieldScribe's own per stanza, and four times
#: it over all the stanzas a passphrase is tried on
MAX_SCRYPT_WORK = 2 * DEFAULT_SCRYPT_N * 8
MAX_SCRYPT_WORK_TOTAL = 4 * DEFAULT_SCRYPT_N * 8


class DecryptionError(FieldScribeError):
    """An encrypted file cannot be opened: wrong key, tampered, truncated or not ours."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str, path: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        raise DecryptionError(f"{path}: the header is damaged ({what}).") from None


def _aead(cipher: str, key: bytes) -> ChaCha20Poly1305 | AESGCM:
    return ChaCha20Poly1305(key) if cipher == "chacha20-poly1305" else AESGCM(key)


def _scrypt(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)


def _hkdf(shared: bytes, salt: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_INFO + ephemeral + recipient
    ).derive(shared)


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: X25519PublicKey) -> str:
    """A short hex fingerprint of a public key (to tell keys apart in messages)."""
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    data = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    if not data:
        raise InvalidInputError("The passphrase is empty.")
    return data


def _wrap(kek: bytes, file_key: bytes) -> str:
    nonce = os.urandom(12)
    return _b64(nonce + ChaCha20Poly1305(kek).encrypt(nonce, file_key, _WRAP_AAD))


def _unwrap(kek: bytes, wrapped: bytes) -> bytes | None:
    try:
        return ChaCha20Poly1305(kek).decrypt(wrapped[:12], wrapped[12:], _WRAP_AAD)
    except InvalidTag:
        return None


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


# --------------------------------------------------------------------- encrypting
def encrypt_stream(
    fin: BinaryIO,
    fout: BinaryIO,
    *,
    passphrase: str | bytes | None = None,
    recipients: Sequence[X25519PublicKey] = (),
    cipher: str = "chacha20-poly1305",
    chunk_size: int = DEFAULT_CHUNK,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> int:
    """Encrypt ``fin`` into ``fout`` chunk by chunk; returns the plaintext size.

    At least one of ``passphrase`` and ``recipients`` is needed; any one of them opens the file.

    Raises:
        InvalidInputError: no passphrase or recipient, an empty passphrase, bad parameters.
    """
    if passphrase is None and not recipients:
        raise InvalidInputError("Give a passphrase or a recipient's public key to encrypt.")
    if cipher not in CIPHERS:
        raise InvalidInputError(f"Unknown cipher {cipher!r}; use one of {', '.join(CIPHERS)}.")
    if not 1024 <= chunk_size <= _MAX_CHUNK:
        raise InvalidInputError(f"Invalid chunk size {chunk_size}.")
    if scrypt_n < 2 or scrypt_n & (scrypt_n - 1) or scrypt_n * 8 > MAX_SCRYPT_WORK:
        raise InvalidInputError(f"Invalid scrypt cost {scrypt_n} (a power of 2 up to 2^18).")
    if len(recipients) + (passphrase is not None) > MAX_STANZAS:
        raise InvalidInputError(f"At most {MAX_STANZAS} recipients and passphrase in all.")
    file_key = os.urandom(32)
    stanzas: list[dict[str, Any]] = []
    if passphrase is not None:
        salt = os.urandom(16)
        kek = _scrypt(_passphrase_bytes(passphrase), salt, scrypt_n, 8, 1)
        stanzas.append(
            {
                "type": "scrypt",
                "salt": _b64(salt),
                "n": scrypt_n,
                "r": 8,
                "p": 1,
                "wrapped_key": _wrap(kek, file_key),
            }
        )
    for recipient in recipients:
        ephemeral = X25519PrivateKey.generate()
        eph_raw = _raw_public(ephemeral.public_key())
        salt = os.urandom(16)
        kek = _hkdf(ephemeral.exchange(recipient), salt, eph_raw, _raw_public(recipient))
        stanzas.append(
            {
                "type": "x25519",
                "ephemeral": _b64(eph_raw),
                "salt": _b64(salt),
                "fingerprint": fingerprint(recipient),
                "wrapped_key": _wrap(kek, file_key),
            }
        )
    prefix = os.urandom(7)
    header = json.dumps(
        {
            "format": "fieldscribe-encrypted",
            "version": VERSION,
            "cipher": cipher,
            "chunk_size": chunk_size,
            "nonce_prefix": _b64(prefix),
            "recipients": stanzas,
        },
        sort_keys=True,
    ).encode("utf-8")
    head = MAGIC + struct.pack(">I", len(header)) + header
    fout.write(head)
    aead = _aead(cipher, file_key)
    total = 0
    counter = 0
    chunk = fin.read(chunk_size)
    while True:
        following = fin.read(chunk_size) if len(chunk) == chunk_size else b""
        last = not following
        fout.write(aead.encrypt(_nonce(prefix, counter, last), chunk, head))
        total += len(chunk)
        if last:
            return total
        counter += 1
        chunk = following


def encrypt_file(
    src: str | Path,
    dest: str | Path,
    *,
    passphrase: str | bytes | None = None,
    recipients: Sequence[X25519PublicKey] = (),
    chunk_size: int = DEFAULT_CHUNK,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> Path:
    """Encrypt a file (through a temporary file; ``dest`` appears only when complete).

    Raises:
        InvalidInputError: see ``encrypt_stream``.
        ReadOnlyError: ``dest`` cannot be written.
    """
    src, dest = Path(src), Path(dest)
    try:
        with (
            staged(dest, fsync=True, chosen=True) as tmp,
            open(src, "rb") as fin,
            open(tmp, "wb") as fout,
        ):
            encrypt_stream(
                fin,
                fout,
                passphrase=passphrase,
                recipients=recipients,
                chunk_size=chunk_size,
                scrypt_n=scrypt_n,
            )
    except OSError as exc:
        raise ReadOnlyError(
            f"{dest}: could not write the encrypted file ({exc.strerror or exc})."
        ) from exc
    return dest


# --------------------------------------------------------------------- decrypting
def is_encrypted(path: str | Path) -> bool:
    """Whether a file starts like a FieldScribe encrypted file (any version)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC_PREFIX)) == MAGIC_PREFIX
    except OSError:
        return False


def read_header(fin: BinaryIO, name: str) -> tuple[bytes, dict[str, Any]]:
    """Read and check the clear header; returns the authenticated bytes and the fields.

    Raises:
        DecryptionError: not an encrypted FieldScribe file, a newer version, or damaged.
    """
    magic = fin.read(len(MAGIC))
    if magic[: len(MAGIC_PREFIX)] != MAGIC_PREFIX:
        raise DecryptionError(f"{name} is not an encrypted FieldScribe file.")
    if len(magic) < len(MAGIC):
        raise DecryptionError(f"{name}: the file is truncated (no header).")
    if magic[-1] != VERSION:
        raise DecryptionError(
            f"{name} was encrypted by a newer FieldScribe (format {magic[-1]}); update FieldScribe."
        )
    size_raw = fin.read(4)
    if len(size_raw) < 4:
        raise DecryptionError(f"{name}: the file is truncated (no header).")
    (size,) = struct.unpack(">I", size_raw)
    if size == 0:
        raise DecryptionError(f"{name}: the header is damaged (length {size}).")
    if size > MAX_HEADER:
        raise DecryptionError(
            f"{name}: the header is {size} bytes (at most {MAX_HEADER}); refused, nothing was "
            "imported."
        )
    header = fin.read(size)
    if len(header) < size:
        raise DecryptionError(f"{name}: the file is truncated (in the header).")
    try:
        fields = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DecryptionError(f"{name}: the header is damaged (not readable).") from None
    if not isinstance(fields, dict) or fields.get("cipher") not in CIPHERS:
        raise DecryptionError(f"{name}: the header is damaged (unknown cipher).")
    chunk = fields.get("chunk_size")
    if not isinstance(chunk, int) or not 1024 <= chunk <= _MAX_CHUNK:
        raise DecryptionError(f"{name}: the header is damaged (chunk size).")
    if not isinstance(fields.get("recipients"), list):
        raise DecryptionError(f"{name}: the header is damaged (no recipients).")
    _check_stanzas(fields["recipients"], name)
    return magic + size_raw + header, fields


def _scrypt_params(stanza: dict[str, Any], name: str) -> tuple[int, int, int]:
    """A scrypt stanza's (n, r, p), refused beyond the caps (one line, before any work)."""
    n, r, p = stanza.get("n"), stanza.get("r"), stanza.get("p")
    if not (isinstance(n, int) and isinstance(r, int) and isinstance(p, int)) or any(
        isinstance(v, bool) for v in (n, r, p)
    ):
        raise DecryptionError(f"{name}: the header is damaged (key parameters).")
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise DecryptionError(f"{name}: the header is damaged (key parameters).")
    if 128 * n * r > MAX_SCRYPT_MEMORY or p > MAX_SCRYPT_P or n * r * p > MAX_SCRYPT_WORK:
        raise DecryptionError(
            f"{name}: its passphrase key asks for more work than FieldScribe allows (scrypt "
            f"N={n}, r={r}, p={p}; at most {MAX_SCRYPT_MEMORY >> 20} MiB, p <= {MAX_SCRYPT_P}); "
            "refused, nothing was imported."
        )
    return n, r, p


def _check_stanzas(stanzas: list[Any], name: str) -> None:
    """Refuse a header with too many ways to open it or too much scrypt work in all."""
    if len(stanzas) > MAX_STANZAS:
        raise DecryptionError(
            f"{name}: the header lists {len(stanzas)} keys (at most {MAX_STANZAS}); refused, "
            "nothing was imported."
        )
    work = 0
    for stanza in stanzas:
        if isinstance(stanza, dict) and stanza.get("type") == "scrypt":
            n, r, p = _scrypt_params(stanza, name)
            work += n * r * p
    if work > MAX_SCRYPT_WORK_TOTAL:
        raise DecryptionError(
            f"{name}: its passphrase keys ask for more work in all than FieldScribe allows; "
            "refused, nothing was imported."
        )


def _open_key(
    fields: dict[str, Any],
    name: str,
    passphrase: str | bytes | None,
    identities: Sequence[X25519PrivateKey],
) -> bytes:
    stanzas = [s for s in fields["recipients"] if isinstance(s, dict)]
    kinds = {s.get("type") for s in stanzas}
    tried = False
    if passphrase is not None:
        for s in (s for s in stanzas if s.get("type") == "scrypt"):
            n, r, p = _scrypt_params(s, name)
            tried = True
            salt = _unb64(s.get("salt"), "salt", name)
            kek = _scrypt(_passphrase_bytes(passphrase), salt, n, r, p)
            key = _unwrap(kek, _unb64(s.get("wrapped_key"), "key", name))
            if key is not None:
                return key
    for identity in identities:
        own = _raw_public(identity.public_key())
        for s in (s for s in stanzas if s.get("type") == "x25519"):
            tried = True
            eph = _unb64(s.get("ephemeral"), "key", name)
            try:
                shared = identity.exchange(X25519PublicKey.from_public_bytes(eph))
            except ValueError:
                continue
            kek = _hkdf(shared, _unb64(s.get("salt"), "salt", name), eph, own)
            key = _unwrap(kek, _unb64(s.get("wrapped_key"), "key", name))
            if key is not None:
                return key
    if not tried:
        if "scrypt" in kinds and passphrase is None:
            raise DecryptionError(
                f"{name} is encrypted with a passphrase; give it with --passphrase-file. "
                "Nothing was imported."
            )
        if "x25519" in kinds:
            prints = ", ".join(
                str(s.get("fingerprint")) for s in stanzas if s.get("type") == "x25519"
            )
            raise DecryptionError(
                f"{name} is encrypted for a team key ({prints}); give the private key with "
                "--identity. Nothing was imported."
            )
        raise DecryptionError(f"{name}: the header lists no way to open the file.")
    if passphrase is not None and "scrypt" in kinds:
        raise DecryptionError(
            f"{name}: wrong passphrase (or the file was tampered with); nothing was imported."
        )
    raise DecryptionError(
        f"{name} was not encrypted for this key (or was tampered with); nothing was imported."
    )


def decrypt_stream(
    fin: BinaryIO,
    fout: BinaryIO,
    *,
    passphrase: str | bytes | None = None,
    identities: Sequence[X25519PrivateKey] = (),
    name: str = "the file",
) -> int:
    """Decrypt ``fin`` into ``fout`` chunk by chunk; returns the plaintext size.

    ``fout`` may hold a partial output when this raises; ``decrypt_file`` removes it.

    Raises:
        DecryptionError: wrong passphrase or key, tampered, reordered or truncated data.
    """
    head, fields = read_header(fin, name)
    key = _open_key(fields, name, passphrase, identities)
    prefix = _unb64(fields.get("nonce_prefix"), "nonce", name)
    if len(prefix) != 7:
        raise DecryptionError(f"{name}: the header is damaged (nonce).")
    aead = _aead(fields["cipher"], key)
    size = fields["chunk_size"] + TAG
    total = 0
    counter = 0
    chunk = fin.read(size)
    while True:
        following = fin.read(size) if len(chunk) == size else b""
        last = not following
        if len(chunk) < TAG:
            raise DecryptionError(f"{name}: the file is truncated; nothing was imported.")
        try:
            plain = aead.decrypt(_nonce(prefix, counter, last), chunk, head)
        except InvalidTag:
            if last:
                raise DecryptionError(
                    f"{name} is truncated, damaged or was tampered with (its last part fails "
                    "authentication); nothing was imported."
                ) from None
            raise DecryptionError(
                f"{name} was tampered with or is damaged (part {counter + 1} fails "
                "authentication); nothing was imported."
            ) from None
        fout.write(plain)
        total += len(plain)
        if last:
            return total
        counter += 1
        chunk = following


def decrypt_file(
    src: str | Path,
    dest: str | Path,
    *,
    passphrase: str | bytes | None = None,
    identities: Sequence[X25519PrivateKey] = (),
) -> Path:
    """Decrypt a file; ``dest`` appears only when every chunk authenticated.

    Raises:
        DecryptionError: see ``decrypt_stream`` (no output is left behind).
    """
    src, dest = Path(src), Path(dest)
    try:
        with staged(dest, fsync=True) as tmp, open(src, "rb") as fin, open(tmp, "wb") as fout:
            decrypt_stream(fin, fout, passphrase=passphrase, identities=identities, name=str(src))
    except FileNotFoundError as exc:
        raise DecryptionError(f"{exc.filename}: no such file.") from exc
    return dest


# --------------------------------------------------------------------- keys
def generate_identity() -> X25519PrivateKey:
    """A new X25519 private key for a team member."""
    return X25519PrivateKey.generate()


def save_identity(key: X25519PrivateKey, path: str | Path, passphrase: str | None = None) -> Path:
    """Write a private key as PKCS#8 PEM (encrypted when a passphrase is given), mode 0600.

    Raises:
        InvalidInputError: the file already exists (keys are never overwritten).
    """
    path = Path(path)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(_passphrase_bytes(passphrase))
        if passphrase is not None
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInputError(f"{path} already exists; a key is never overwritten.") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return path


def load_identity(path: str | Path, passphrase: str | None = None) -> X25519PrivateKey:
    """Read a private key written by ``save_identity``.

    Raises:
        InvalidInputError: missing file, not an X25519 private key, or wrong key passphrase.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read the private key ({exc.strerror}).") from exc
    try:
        key = serialization.load_pem_private_key(
            data, None if passphrase is None else _passphrase_bytes(passphrase)
        )
    except TypeError:
        if passphrase is None:
            raise InvalidInputError(
                f"{path}: the private key is protected by a passphrase; give --key-passphrase-file."
            ) from None
        raise InvalidInputError(
            f"{path}: the private key is not protected by a passphrase."
        ) from None
    except ValueError:
        raise InvalidInputError(
            f"{path} is not a private key file (or the key passphrase is wrong)."
        ) from None
    if not isinstance(key, X25519PrivateKey):
        raise InvalidInputError(f"{path} is not an X25519 private key.")
    return key


def public_key_text(key: X25519PublicKey, comment: str = "") -> str:
    """The one-line text form of a public key, to share with the team."""
    line = f"{PUBLIC_KEY_PREFIX} {_b64(_raw_public(key))}"
    return (line + (f" {comment}" if comment else "")).strip() + "\n"


def load_public_key(path: str | Path) -> X25519PublicKey:
    """Read a public key file written by ``public_key_text``.

    Raises:
        InvalidInputError: missing or malformed file.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read the public key ({exc}).") from exc
    parts = text.split()
    if len(parts) < 2 or parts[0] != PUBLIC_KEY_PREFIX:
        raise InvalidInputError(
            f"{path} is not a FieldScribe public key (export one with `keys DIR export-public`)."
        )
    try:
        raw = base64.b64decode(parts[1], validate=True)
        return X25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InvalidInputError(f"{path}: the public key is damaged.") from None


PASSPHRASE_FILE_MAX = 64 * 1024  # bytes read from a passphrase file at most


def read_passphrase_file(path: str | Path) -> str:
    """Read a passphrase from a file (its first line; the newline is not part of it).

    At most ``PASSPHRASE_FILE_MAX`` bytes are read, so a pipe that never ends (or a huge file
    given by mistake) is refused instead of filling the memory.

    Raises:
        InvalidInputError: missing, unreadable or empty file; a first line that is too long.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(PASSPHRASE_FILE_MAX + 1)
        first = head.split(b"\n", 1)[0]
        if len(first) > PASSPHRASE_FILE_MAX:
            raise InvalidInputError(
                f"{path}: the passphrase file's first line is longer than "
                f"{PASSPHRASE_FILE_MAX // 1024} KiB; is this the right file?"
            )
        text = first.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read the passphrase file ({exc}).") from exc
    lines = text.splitlines()
    passphrase = lines[0] if lines else ""
    if not passphrase:
        raise InvalidInputError(f"{path}: the passphrase file is empty.")
    return passphrase
