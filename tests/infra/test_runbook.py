"""Every alarm of each deployed stage's template tells the operator where to read what to do: its description
ends with a link to a section of its own in the runbook (docs/operations.md), named after the alarm. And the
runbook has no section for an alarm that no longer exists. Sections in code type are alarms'; the others are
general."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.operations import OperationsError, runbook_anchor
from tests import docs
from tests.infra import templates

pytestmark = pytest.mark.infra

RUNBOOK = docs.DOCS / "operations.md"
ALARM_SECTION = re.compile(r"^`([a-z0-9-]+)`$")


def alarms(packaged: tuple[str, Path]) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(packaged[1].read_text())
    return templates.of_type(template, "AWS::CloudWatch::Alarm")


def runbook_sections() -> dict[str, str]:
    """Section name (an alarm's) -> its anchor, for every heading in code type under *Runbook*."""
    return {
        match.group(1): heading.anchor
        for heading in docs.section(RUNBOOK, "Runbook")
        if (match := ALARM_SECTION.match(heading.text))
    }


def test_every_alarm_links_to_its_own_section_of_the_runbook(packaged: tuple[str, Path]) -> None:
    sections = runbook_sections()
    for logical_id, alarm in alarms(packaged).items():
        # Its description ends with the runbook's address and the alarm's anchor
        joined = alarm["Properties"]["AlarmDescription"]["Fn::Join"]
        assert joined[0] == "", logical_id
        text, url, anchor = joined[1]
        assert text.endswith(" Runbook: "), logical_id
        assert text != " Runbook: ", logical_id
        assert url == {"Ref": "RunbookUrl"}, logical_id
        # ... which is a section of its own, named after the alarm
        name = runbook_anchor(alarm)
        assert anchor == f"#{name}", logical_id
        assert sections.get(name) == name, f"docs/operations.md has no section `{name}` under Runbook"


def test_every_alarm_section_of_the_runbook_belongs_to_an_alarm(packaged: tuple[str, Path]) -> None:
    names = {runbook_anchor(alarm) for alarm in alarms(packaged).values()}

    assert set(runbook_sections()) - names == set()


def test_the_runbook_address_defaults_to_the_page_in_the_repository(packaged: tuple[str, Path]) -> None:
    template: dict[str, Any] = json.loads(packaged[1].read_text())

    default = template["Parameters"]["RunbookUrl"]["Default"]

    assert (docs.PROJECT_DIR / default).resolve() == RUNBOOK.resolve()


def test_an_alarm_whose_name_is_not_the_stages_cannot_be_linked() -> None:
    with pytest.raises(OperationsError):
        runbook_anchor({"Properties": {"AlarmName": "godkend-prod-api-5xx"}})
    with pytest.raises(OperationsError):
        runbook_anchor({"Properties": {"AlarmName": {"Fn::Sub": "${TablePrefix}-${Other}"}}})
    assert runbook_anchor({"Properties": {"AlarmName": {"Fn::Sub": "${TablePrefix}-api-5xx"}}}) == "api-5xx"
