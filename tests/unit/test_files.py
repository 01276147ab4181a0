"""Files other processes poll for are never seen empty or half written."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from chalicelib.adapters.files import write_whole

PAYLOAD = b"x" * (4 * 1024 * 1024)
WRITES = 20


def test_a_reader_polling_for_the_file_sees_it_whole_or_not_at_all(tmp_path: Path):
    # Given a reader that reads the file whenever it is there, as the local stack's callers poll demo.json
    path = tmp_path / "demo.json"
    seen_sizes: set[int] = set()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            with contextlib.suppress(FileNotFoundError):
                seen_sizes.add(len(path.read_bytes()))

    reader = threading.Thread(target=poll)
    reader.start()
    # When the file is written again and again from nothing
    try:
        for _ in range(WRITES):
            path.unlink(missing_ok=True)
            write_whole(path, PAYLOAD)
    finally:
        done.set()
        reader.join()

    # Then every read found all of it
    assert seen_sizes <= {len(PAYLOAD)}
    assert path.read_bytes() == PAYLOAD


def test_nothing_is_left_beside_it_and_a_glob_for_its_suffix_finds_only_it(tmp_path: Path):
    write_whole(tmp_path / "20261202T000000-m1.eml", b"Subject: hi\r\n\r\nbody\r\n")

    assert [p.name for p in tmp_path.iterdir()] == ["20261202T000000-m1.eml"]
    assert [p.name for p in tmp_path.glob("*.eml")] == ["20261202T000000-m1.eml"]
