"""Files written into place: a temporary file beside the target, renamed over it when done."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temporary_file(folder: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """``tempfile.mkstemp`` in ``folder``, with the mode a new file gets from the user's umask
    (mkstemp makes it 0600: exports and backups would be unreadable to the user's group)."""
    handle, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    os.chmod(name, 0o666 & ~_umask())
    return handle, name


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: set it back at once
    os.umask(mask)
    return mask
