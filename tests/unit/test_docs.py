"""The documentation holds together: every relative link leads to a file and every anchor to a heading (as
GitHub makes them), every path the docs name in code type exists, every shell or Python block is either run
by a test or says why not, the API conventions list every problem type, and every `docs/...md#anchor` the
code points to exists."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from chalicelib import errors
from tests import docs

RUNNABLE = {"sh", "bash", "python"}
# Paths the docs name that a build or a run writes, not the repository.
GENERATED = ("web/dist", "web/openapi.json", "web/node_modules")
REPOSITORY_PATH = re.compile(
    r"^(app\.py|Makefile|\.chalice/|chalicelib/|infra/|tests/|bench/|web/|docs/|requirements)"
)
DOCS_LINK_IN_CODE = re.compile(r"docs/(?:[\w-]+/)*[\w-]+\.md(?:#[\w-]+)?")


def relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith("//")


@pytest.mark.parametrize("page", docs.pages(), ids=lambda p: str(p.relative_to(docs.PROJECT_DIR)))
def test_every_relative_link_leads_to_a_file_and_every_anchor_to_a_heading(page: Path) -> None:
    broken = []
    for line, target in docs.links(page):
        if not relative(target):
            continue
        path, _, anchor = unquote(target).partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{page.name}:{line}: {target} (no such file)")
        elif anchor and (file.suffix != ".md" or anchor not in docs.anchors(file)):
            broken.append(f"{page.name}:{line}: {target} (no heading #{anchor} in {file.name})")
    assert broken == []


def test_the_anchors_are_githubs() -> None:
    assert docs.slug("Versions: `ETag` and `If-Match`") == "versions-etag-and-if-match"
    assert docs.slug("SES's sending rate") == "sess-sending-rate"
    assert docs.slug("Access and erasure (GDPR art. 15)") == "access-and-erasure-gdpr-art-15"
    assert docs.slug("`api-5xx`") == "api-5xx"
    assert docs.slug("What `make run` gives you") == "what-make-run-gives-you"


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    # Given a page that links to a file and a heading that do not exist, and to ones that do
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n[ok](#title) [gone](missing.md) [no heading](#nowhere) `[in code](x.md)` [over a\n"
        "line](#broken)\n\n```sh\n[in a block](y.md)\n```\n"
    )

    # Then the links are read as written, over a line break too, code left out
    assert docs.links(page) == [(3, "#title"), (3, "missing.md"), (3, "#nowhere"), (3, "#broken")]
    assert docs.anchors(page) == {"title"}


@pytest.mark.parametrize("page", docs.pages(), ids=lambda p: str(p.relative_to(docs.PROJECT_DIR)))
def test_every_path_the_docs_name_exists(page: Path) -> None:
    missing = [
        f"{page.name}:{line}: {span}"
        for line, span in docs.code_spans(page)
        if REPOSITORY_PATH.match(span)
        and not span.startswith(GENERATED)
        and not re.search(r"[<>*…{}\s]", span)
        and not (docs.PROJECT_DIR / span).exists()
    ]
    assert missing == []


def test_every_shell_or_python_block_is_run_by_a_test_or_says_why_not() -> None:
    tests_text = "\n".join(p.read_text() for p in (docs.PROJECT_DIR / "tests").rglob("test_*.py"))
    unmarked, unrun, names = [], [], []
    for page in docs.pages():
        for block in docs.blocks(page):
            if block.language not in RUNNABLE:
                continue
            if block.marker is None:
                unmarked.append(f"{page.name}:{block.line}")
            elif block.marker[0] == "snippet":
                names.append(block.marker[1])
                if f'"{block.marker[1]}"' not in tests_text:
                    unrun.append(f"{page.name}:{block.line}: {block.marker[1]}")
    assert unmarked == []
    assert unrun == []
    assert len(names) == len(set(names))


def problem_types() -> set[str]:
    found: set[str] = set()
    pending: list[type[errors.DomainError]] = [errors.DomainError]
    while pending:
        kind = pending.pop()
        found.add(kind.slug)
        pending.extend(kind.__subclasses__())
    return found - {errors.DomainError.slug}


def test_the_api_conventions_list_every_problem_type() -> None:
    table = [
        line
        for line in (docs.DOCS / "api.md").read_text().splitlines()
        if line.startswith("| `") and not line.startswith("| `type`")
    ]
    listed = {slug for line in table for slug in re.findall(r"`([a-z-]+)`", line.split("|")[1])}
    assert problem_types() <= listed
    assert listed - problem_types() == {"internal-error"}


def test_every_docs_link_in_the_code_leads_to_a_page_and_heading() -> None:
    sources = [
        docs.PROJECT_DIR / "app.py",
        *[
            path
            for folder in ("chalicelib", "infra", "bench", "tests")
            for path in (docs.PROJECT_DIR / folder).rglob("*")
            if path.suffix in {".py", ".json"}
        ],
    ]
    broken = []
    for source in sources:
        for mention in DOCS_LINK_IN_CODE.findall(source.read_text(encoding="utf-8")):
            path, _, anchor = mention.partition("#")
            page = docs.PROJECT_DIR / path
            if not page.exists() or (anchor and anchor not in docs.anchors(page)):
                broken.append(f"{source.relative_to(docs.PROJECT_DIR)}: {mention}")
    assert broken == []
