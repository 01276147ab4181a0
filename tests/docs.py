"""Reading the Markdown documentation in tests: its pages, their headings and the anchors GitHub gives them,
their relative links, and their code blocks. A block a test runs is named by an HTML comment on the line
before its fence (`<!-- snippet: name -->`); one that cannot run here says why
(`<!-- not run: reason -->`)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DOCS = PROJECT_DIR / "docs"
README = PROJECT_DIR / "README.md"

FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
MARKER = re.compile(r"^<!--\s*(snippet|not run):\s*(.+?)\s*-->$")
# [text](target), the text without brackets of its own; images too (the `!` is left out of the match).
LINK = re.compile(r"\[[^\[\]]*\]\(([^()\s]+)\)")
CODE_SPAN = re.compile(r"`[^`]*`")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    line: int
    marker: tuple[str, str] | None  # ("snippet", name) or ("not run", reason)


def pages() -> list[Path]:
    """The README and every page under docs/."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def _prose_lines(path: Path) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    prose: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            prose.append((number, line))
    return prose


def slug(text: str) -> str:
    """The anchor GitHub gives a heading: its text as shown (links reduced to their text), lower case,
    without punctuation but `-` and `_`, each space a hyphen."""
    shown = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", shown.lower()).replace(" ", "-")


def headings(path: Path) -> list[Heading]:
    found: list[Heading] = []
    seen: Counter[str] = Counter()
    for number, line in _prose_lines(path):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        anchor = base if not seen[base] else f"{base}-{seen[base]}"
        seen[base] += 1
        found.append(Heading(len(match.group(1)), match.group(2), anchor, number))
    return found


def anchors(path: Path) -> set[str]:
    return {heading.anchor for heading in headings(path)}


def _prose(path: Path) -> str:
    """The page with its fenced code blocks blanked out, line for line, so that a link or a code span may
    run over a line break and still be found at its line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = dict(_prose_lines(path))
    return "\n".join(kept.get(number, "") for number in range(1, len(lines) + 1))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def links(path: Path) -> list[tuple[int, str]]:
    """Every link target in the page's prose (not in code), with its line."""
    prose = CODE_SPAN.sub(lambda span: re.sub(r"[^\n]", " ", span.group(0)), _prose(path))
    return [(_line_of(prose, match.start()), match.group(1)) for match in LINK.finditer(prose)]


def code_spans(path: Path) -> list[tuple[int, str]]:
    """Every inline code span in the page's prose, without its backticks, a line break in it a space."""
    prose = _prose(path)
    return [
        (_line_of(prose, match.start()), match.group(0)[1:-1].replace("\n", " "))
        for match in CODE_SPAN.finditer(prose)
    ]


def blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if not opened:
            index += 1
            continue
        before = next((lines[i].strip() for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(before)
        end = index + 1
        while end < len(lines) and lines[end].strip() != opened.group(1):
            end += 1
        found.append(
            Block(
                language=opened.group(2),
                text="\n".join(lines[index + 1 : end]) + "\n",
                line=index + 1,
                marker=(marker.group(1), marker.group(2)) if marker else None,
            )
        )
        index = end + 1
    return found


def snippet(path: Path, name: str) -> str:
    """The code of the block the page names `name`, exactly as the page shows it."""
    (found,) = [b for b in blocks(path) if b.marker == ("snippet", name)]
    return found.text


def section(path: Path, title: str) -> list[Heading]:
    """The headings under the heading `title`, up to the next heading of its level or above."""
    every = headings(path)
    (start,) = [i for i, h in enumerate(every) if h.text == title]
    inside: list[Heading] = []
    for heading in every[start + 1 :]:
        if heading.level <= every[start].level:
            break
        inside.append(heading)
    return inside
