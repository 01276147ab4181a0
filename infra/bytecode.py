"""Adds each module's bytecode to the deployment package, so that a cold start does not compile Python.

Chalice zips `app.py` and `chalicelib/` as they are and unpacks the dependencies' wheels without compiling
them, and Lambda's `/var/task` is read-only: without bytecode in the package, every cold start compiled every
module it imported from source, ours and boto3's alike. Each `.py` of the package gets a
`__pycache__/<name>.cpython-313.pyc` beside it, compiled by this interpreter (3.13, as Lambda's runtime; the
Makefile insists on it), hash-based and unchecked: Python uses it without comparing the source's timestamp,
which the zip does not keep exactly. The package is rebuilt with each source, so the two cannot drift apart.

    python -m infra.bytecode build/dev/deployment.zip
"""

from __future__ import annotations

import importlib.util
import marshal
import shutil
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath

# The flags of a hash-based pyc that is not checked against its source (PEP 552).
UNCHECKED_HASH = 0b01


def bytecode_path(source: str) -> str:
    """Where Python looks for the bytecode of a module at `source` (a path inside the package)."""
    path = PurePosixPath(source)
    return str(path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.pyc")


def compiled(source: bytes, path: str) -> bytes | None:
    """The pyc of one module, as `py_compile` writes it with PycInvalidationMode.UNCHECKED_HASH; None for a
    file that is not Python 3.13 (some packages ship such files, which are never imported)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like in others' code
            code = compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    flags = UNCHECKED_HASH.to_bytes(4, "little")
    return importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source) + marshal.dumps(code)


def add_bytecode(package: Path) -> int:
    """Rewrites the zip at `package` with the bytecode of each of its modules; answers how many it added.
    Bytecode already in it (a developer's stale `__pycache__`) is replaced."""
    added = 0
    with tempfile.NamedTemporaryFile(dir=package.parent, prefix=package.name, delete=False) as scratch:
        rewritten = Path(scratch.name)
    try:
        with (
            zipfile.ZipFile(package) as source,
            zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for entry in source.infolist():
                if "__pycache__/" in entry.filename:
                    continue
                data = source.read(entry)
                target.writestr(entry, data)
                if entry.filename.endswith(".py"):
                    pyc = compiled(data, entry.filename)
                    if pyc is not None:
                        cached = zipfile.ZipInfo(bytecode_path(entry.filename), date_time=entry.date_time)
                        cached.external_attr = entry.external_attr
                        target.writestr(cached, pyc, compress_type=zipfile.ZIP_DEFLATED)
                        added += 1
        shutil.copymode(package, rewritten)
        rewritten.replace(package)
    finally:
        rewritten.unlink(missing_ok=True)
    return added


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    for name in arguments:
        print(f"{name}: bytecode for {add_bytecode(Path(name))} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
