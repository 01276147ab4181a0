"""Every field error the API raises is said in Danish and in English: each `FieldError(...)` in chalicelib
passes `translations` with both, as a dict the code states (a literal, or a constant it names), so a caller
asking for Danish never meets a service's English."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHALICELIB = PROJECT_DIR / "chalicelib"
LANGUAGES = {"da", "en"}
# The field rules' own messages: built per language from `x-messages` (chalicelib/fields.py), whose every rule
# is said in both (tests/integration of the field rules answer in Danish); no literal to read here.
BUILT_FROM_THE_RULES = {"chalicelib/api/http/parsing.py"}


@dataclass(frozen=True)
class Call:
    path: Path
    line: int
    node: ast.Call
    function: ast.AST | None


def modules() -> list[Path]:
    return sorted(CHALICELIB.rglob("*.py"))


def field_error_calls(path: Path) -> Iterator[Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def walk(node: ast.AST, function: ast.AST | None) -> Iterator[Call]:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id == "FieldError"
            ):
                yield Call(path, child.lineno, child, function)
            yield from walk(child, inner)

    yield from walk(tree, None)


def all_calls() -> list[Call]:
    return [call for path in modules() for call in field_error_calls(path)]


def translations_of(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "translations":
            return keyword.value
    return call.args[2] if len(call.args) > 2 else None


def module_constants(path: Path) -> dict[str, ast.expr]:
    """The module's top-level `NAME = ...`, and the names it imports from chalicelib, resolved there."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib."):
            source = PROJECT_DIR / (str(node.module).replace(".", "/") + ".py")
            if source.exists():
                theirs = module_constants(source)
                found.update({a.asname or a.name: theirs[a.name] for a in node.names if a.name in theirs})
    return found


def local_values(function: ast.AST | None, name: str) -> list[ast.expr]:
    if function is None:
        return []
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def dicts_behind(
    expr: ast.expr, call: Call, constants: dict[str, ast.expr], depth: int = 0
) -> list[ast.Dict]:
    """Every dict literal the expression can be; an expression it cannot follow counts as none."""
    if depth > 5:
        return []
    if isinstance(expr, ast.Dict):
        return [expr]
    if isinstance(expr, ast.IfExp):
        return dicts_behind(expr.body, call, constants, depth + 1) + dicts_behind(
            expr.orelse, call, constants, depth + 1
        )
    if isinstance(expr, ast.Name):
        values = local_values(call.function, expr.id) or (
            [constants[expr.id]] if expr.id in constants else []
        )
        return [d for value in values for d in dicts_behind(value, call, constants, depth + 1)]
    return []


def where(call: Call) -> str:
    return f"{call.path.relative_to(PROJECT_DIR)}:{call.line}"


def test_the_walk_finds_the_field_errors_services_raise() -> None:
    # Given the services and adapters that refuse fields themselves
    # When the walk looks for FieldError(...) calls
    found = {str(call.path.relative_to(PROJECT_DIR)) for call in all_calls()}
    # Then it finds them where they are (a walk that finds nothing proves nothing)
    assert {
        "chalicelib/adapters/cognito.py",
        "chalicelib/models/paging.py",
        "chalicelib/services/onboarding/proofs.py",
        "chalicelib/services/organisation/master_data.py",
    } <= found
    assert len(all_calls()) >= 35


def stated_calls() -> list[Call]:
    """The FieldError(...) calls whose words are stated where they are raised (not built from the rules)."""
    return [
        call for call in all_calls() if str(call.path.relative_to(PROJECT_DIR)) not in BUILT_FROM_THE_RULES
    ]


@pytest.mark.parametrize("call", stated_calls(), ids=where)
def test_every_field_error_is_said_in_danish_and_in_english(call: Call) -> None:
    # Given a FieldError(...) the API raises
    constants = module_constants(call.path)
    # When its translations are followed to the dicts they can be
    given = translations_of(call.node)
    assert given is not None, f"{where(call)}: FieldError without translations"
    dicts = dicts_behind(given, call, constants)
    # Then each has a Danish and an English message, not the same words twice
    assert dicts, f"{where(call)}: translations is not a dict the code states"
    for found in dicts:
        said = {
            str(k.value): ast.unparse(v)
            for k, v in zip(found.keys, found.values, strict=True)
            if isinstance(k, ast.Constant)
        }
        assert set(said) == LANGUAGES, f"{where(call)}: translations has {sorted(said)}"
        assert said["da"] != said["en"], f"{where(call)}: the Danish is the English"
