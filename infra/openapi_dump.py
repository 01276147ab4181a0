"""Writes the API's OpenAPI document to a file, offline: the console's typed client is generated from it.

    python -m infra.openapi_dump web/openapi.json

Importing the app does no I/O (dependencies are built on first use), so no AWS call and no emulator.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the document")
    args = parser.parse_args(argv)
    import app  # the routes register on import

    document = app.openapi_document()
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if not args.out.exists() or args.out.read_text(encoding="utf-8") != text:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
