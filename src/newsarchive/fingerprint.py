"""Near-duplicate detection: a 64-bit SimHash of an article's body.

Wire stories run on many sites with small edits (a headline, a trimmed paragraph). Their
SimHashes differ in few bits, so search can show one copy and say where else it ran.
"""

from __future__ import annotations

import hashlib
import re
import struct

SHINGLE_WORDS = 3
MIN_WORDS = 40
NEAR_BITS = 10

_WORD = re.compile(r"\w+")
_MASK = (1 << 64) - 1
# Byte value -> an int holding its 8 bits in 8 lanes of 32 bits (bit b in lane b), so adding
# these ints counts, lane by lane, how many bytes had each bit set: the vote, without a Python
# step per bit.
_LANES = [sum(1 << (32 * bit) for bit in range(8) if value >> bit & 1) for value in range(256)]
_UNPACK_LANES = struct.Struct(">8I").unpack


def simhash(text: str) -> int | None:
    """The body's SimHash as a signed 64-bit int (SQLite's INTEGER), or None when too short.

    Each distinct 3-word shingle votes with the bits of its 8-byte BLAKE2b digest; a bit of the
    result is set when more than half of the shingles have it set."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    # Encoded once and split: UTF-8 of the joined words, the same bytes as encoding each shingle.
    encoded = " ".join(words).encode().split(b" ")
    runs = (encoded[start:] for start in range(SHINGLE_WORDS))
    shingles = set(map(b" ".join, zip(*runs, strict=False)))  # the shorter runs end it
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(shingle, digest_size=8).digest() for shingle in shingles])
    majority = len(shingles) / 2
    unsigned = 0
    for byte in range(8):  # most significant byte first, and its bits most significant first
        lanes = sum(map(_LANES.__getitem__, digests[byte::8])).to_bytes(32, "big")
        for count in _UNPACK_LANES(lanes):
            unsigned = unsigned << 1 | (count > majority)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def near_duplicates(first: int | None, second: int | None) -> bool:
    """Whether two SimHashes are close enough to be copies of one story."""
    if first is None or second is None:
        return False
    return ((first ^ second) & _MASK).bit_count() <= NEAR_BITS
