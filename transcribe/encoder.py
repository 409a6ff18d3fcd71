"""The encoder side of decoding: Whisper's encoder run piece by piece, its outputs kept for the
decode that follows identification, and the tokens suppressed so that numbers are written as
said."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

ENCODE_ONE_BY_ONE = True


def digit_tokens(model: Any) -> tuple[int, ...]:
    """The text tokens of ``model`` that write a digit ("12", " 200", "8,": 427 of the
    multilingual models' 50,257, 1,692 of the English-only ones'), suppressed so that numbers
    are written as said.

    Whisper, not conditioned on earlier text, writes most numbers as digits, and in Russian or
    Kazakh digits lose what was said: "восьми с половиной метров" came out "8 5 метров",
    "с двенадцати лет" as "с 12 лет" (the case ending gone). Special tokens (timestamps,
    languages) come after end-of-text and are never suppressed.
    """
    tokenizer = model.hf_tokenizer
    end = tokenizer.token_to_id("<|endoftext|>")
    return tuple(i for i in range(end) if any(c.isdigit() for c in tokenizer.decode([i])))


class OneByOneEncoder:
    """A ``WhisperModel`` whose ``encode`` runs the pieces of a batch one at a time.

    Batching helps the decoder, not the encoder: on a CPU a batch of 30-second pieces costs
    more time per piece, and its attention buffers (about 54 MB a piece) add up.
    """

    def __init__(self, model: Any, cache: EncoderCache | None = None) -> None:
        self._model = model
        self._cache = cache or EncoderCache(0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def encode(self, features: Any) -> Any:
        import ctranslate2

        if features.ndim == 2:
            features = features[None]
        parts = []
        for one in features:
            part = self._cache.get(one)
            if part is None:
                part = np.asarray(self._model.encode(one[None]))
            parts.append(part)
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.concatenate(parts)))


class EncoderCache:
    """The encoder outputs of the last few pieces, by the digest of their features.

    Identification encodes each piece; its decode, moments later, finds the output here
    instead of running the encoder again. A piece packed otherwise for decoding (a language
    changes inside it) has other features and is encoded anew.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    @staticmethod
    def _key(features: np.ndarray) -> bytes:
        data = np.ascontiguousarray(features, dtype=np.float32)
        return hashlib.blake2b(data.tobytes(), digest_size=16).digest() + bytes(
            str(data.shape), "ascii"
        )

    def get(self, features: np.ndarray) -> np.ndarray | None:
        if not self._size:
            return None
        key = self._key(features)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return found

    def put(self, features: np.ndarray, encoded: np.ndarray) -> None:
        if not self._size:
            return
        key = self._key(features)
        with self._lock:
            self._items[key] = encoded
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
