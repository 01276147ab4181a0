"""Files that other processes watch for: they appear whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def write_whole(path: Path, data: bytes) -> None:
    """Writes `data` to `path` so that no reader ever sees it empty or half written.

    A plain write creates the file first and fills it after, and a process polling for the file (the
    local stack's readiness signal, a mail in `.local/mail/`) can read it in between. Writing beside it
    and renaming is atomic on one file system. The partial name keeps the suffix a reader globs for off."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
