"""Renders a mail from its templates: chalicelib/mail/templates/<kind>/{subject,body}.<language>.txt and
body.<language>.html (which extends _layout.<language>.html). HTML is autoescaped; a variable a template
uses but the message lacks is an error, never a blank. Each kind's sample.json holds example variables for
the tests. Subjects never carry secrets: a mail's subject shows in notifications and lock screens."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(kind: str, language: str, variables: dict[str, Any]) -> RenderedMail:
    env = _environment()
    subject = env.get_template(f"{kind}/subject.{language}.txt").render(variables)
    return RenderedMail(
        subject=" ".join(subject.split()),
        text=env.get_template(f"{kind}/body.{language}.txt").render(variables),
        html=env.get_template(f"{kind}/body.{language}.html").render(variables),
    )


def kinds_with_templates() -> list[str]:
    return sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())
