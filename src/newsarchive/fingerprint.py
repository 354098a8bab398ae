"""Near-duplicate detection: a 64-bit SimHash of an article's body.

Wire stories run on many sites with small edits (a headline, a trimmed paragraph). Their
SimHashes differ in few bits, so search can show one copy and say where else it ran.
"""

from __future__ import annotations

import hashlib
import re

SHINGLE_WORDS = 3
MIN_WORDS = 40
NEAR_BITS = 10

_WORD = re.compile(r"\w+")
_MASK = (1 << 64) - 1
# Byte value -> its 8 bits as 8 bytes of 0 or 1, most significant first.
_BITS = [bytes(int(bit) for bit in format(value, "08b")) for value in range(256)]


def simhash(text: str) -> int | None:
    """The body's SimHash as a signed 64-bit int (SQLite's INTEGER), or None when too short."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    # The vote, bit by bit, in C: each hash's 64 bits spread into 64 bytes (0 or 1), then each
    # column counted with a strided slice, instead of 64 Python additions per shingle.
    digests = b"".join(
        hashlib.blake2b(shingle.encode(), digest_size=8).digest() for shingle in shingles
    )
    spread = b"".join(map(_BITS.__getitem__, digests))
    majority = len(shingles) / 2
    votes = "".join("1" if spread[column::64].count(1) > majority else "0" for column in range(64))
    unsigned = int(votes, 2)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def near_duplicates(first: int | None, second: int | None) -> bool:
    """Whether two SimHashes are close enough to be copies of one story."""
    if first is None or second is None:
        return False
    return ((first ^ second) & _MASK).bit_count() <= NEAR_BITS
