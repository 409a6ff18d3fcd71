"""Encrypted bundles: throughput and memory of chunked AEAD next to a plain file copy.

Run: ``nice python bench/crypto_bench.py [SIZE_MIB]`` (default 128). Prints MiB/s for a plain
copy (the peer: what writing a bundle costs anyway), encryption and decryption with each cipher,
the key-derivation time of the default scrypt cost, and the peak Python memory while encrypting
(it stays near one chunk, whatever the file size).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from storage.privacy import crypto


def _timed(label: str, size: int, fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label:<38} {seconds:7.2f} s  {size / seconds / (1 << 20):8.1f} MiB/s")
    return seconds


def main() -> None:
    size_mib = int(sys.argv[1]) if len(sys.argv) > 1 else 128
    size = size_mib << 20
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = work / "bundle.fsbundle"
        with open(src, "wb") as fh:
            block = os.urandom(1 << 20)
            for _ in range(size_mib):
                fh.write(block)
        print(f"file: {size_mib} MiB, chunk {crypto.DEFAULT_CHUNK >> 10} KiB")
        _timed("plain copy (peer)", size, lambda: shutil.copyfile(src, work / "copy"))
        start = time.perf_counter()
        Scrypt(salt=os.urandom(16), length=32, n=crypto.DEFAULT_SCRYPT_N, r=8, p=1).derive(b"pw")
        print(f"{'scrypt key derivation (n=2**17)':<38} {time.perf_counter() - start:7.2f} s")
        for cipher in crypto.CIPHERS:
            enc = work / f"{cipher}.enc"

            def encrypt(enc: Path = enc, cipher: str = cipher) -> None:
                with open(src, "rb") as fin, open(enc, "wb") as fout:
                    crypto.encrypt_stream(
                        fin, fout, passphrase="pw", cipher=cipher, scrypt_n=1 << 12
                    )

            tracemalloc.start()
            _timed(f"encrypt {cipher}", size, encrypt)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

            def decrypt(enc: Path = enc) -> None:
                with open(enc, "rb") as fin, open(work / "out", "wb") as fout:
                    crypto.decrypt_stream(fin, fout, passphrase="pw")

            _timed(f"decrypt {cipher}", size, decrypt)
            print(f"{'  peak Python memory while encrypting':<38} {peak / (1 << 20):7.1f} MiB")
            overhead = enc.stat().st_size - size
            print(f"{'  size overhead':<38} {overhead:7d} bytes")


if __name__ == "__main__":
    main()
