"""`make run`'s options and what it tells the API about its console."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.local.run import Options, console_environment, parse_options


def test_the_console_listens_on_8080_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("GODKEND_CONSOLE_PORT", raising=False)
    assert parse_options([]).console_port == 8080

    monkeypatch.setenv("GODKEND_CONSOLE_PORT", "9123")
    assert parse_options([]).console_url == "http://127.0.0.1:9123"


def test_the_console_needs_a_port_of_its_own(monkeypatch, capsys):
    monkeypatch.setenv("GODKEND_CONSOLE_PORT", "8000")
    monkeypatch.setenv("GODKEND_API_PORT", "8000")
    with pytest.raises(SystemExit):
        parse_options([])
    assert "different ports" in capsys.readouterr().err


def test_the_api_lets_the_local_console_call_it_and_keeps_origins_already_set(monkeypatch):
    options = Options(api_port=8000, aws_port=5100, state_dir=Path("/tmp"), console_port=8080)

    monkeypatch.delenv("GODKEND_CONSOLE_ORIGINS", raising=False)
    assert console_environment(options) == {
        "GODKEND_CONSOLE_ORIGINS": "http://127.0.0.1:8080,http://localhost:8080"
    }

    # A development server's origin, say, stays allowed
    monkeypatch.setenv("GODKEND_CONSOLE_ORIGINS", "http://localhost:5173, http://127.0.0.1:8080")
    assert console_environment(options)["GODKEND_CONSOLE_ORIGINS"] == (
        "http://127.0.0.1:8080,http://localhost:8080,http://localhost:5173"
    )
