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


def simhash(text: str) -> int | None:
    """The body's SimHash as a signed 64-bit int (SQLite's INTEGER), or None when too short."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    # One 64-character bit string per shingle; counting '1's down each column is the SimHash vote,
    # done by zip and str.count in C rather than 64 Python operations per shingle.
    bits = [format(_hash64(shingle), "064b") for shingle in shingles]
    majority = len(bits) / 2
    unsigned = int(
        "".join("1" if column.count("1") > majority else "0" for column in zip(*bits, strict=True)),
        2,
    )
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def _hash64(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def near_duplicates(first: int | None, second: int | None) -> bool:
    """Whether two SimHashes are close enough to be copies of one story."""
    if first is None or second is None:
        return False
    return bin((first ^ second) & ((1 << 64) - 1)).count("1") <= NEAR_BITS
