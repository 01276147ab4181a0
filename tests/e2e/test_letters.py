"""Letters nobody can abuse, end to end on the local stack: strangers applying for a company never hold up
the company's own letter, and its official mailbox gets a bounded number of letters.

The stack runs with a short interval between letters to one mailbox (`GODKEND_LETTER_INTERVAL_SECONDS`), so
that the next letter is due seconds after the previous one rather than an hour, and its event side fires the
gathered letters' sender by itself, as EventBridge does in AWS (infra/local/events.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack, stack_of_its_own
from tests.e2e.test_onboarding import DEMO_CVRS, api
from tests.e2e.test_trust_chain import PASSWORD, mailbox, messages_to

pytestmark = pytest.mark.e2e

INTERVAL_SECONDS = 15
OWN = {"first_name": "Ida", "last_name": "Holm", "email": "ida.holm@example.org", "mobile": "+4522334455"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: letters to one mailbox INTERVAL_SECONDS apart, where the shared stack lets them
    # follow each other within seconds.
    yield from stack_of_its_own(
        tmp_path_factory, "letters", {"GODKEND_LETTER_INTERVAL_SECONDS": str(INTERVAL_SECONDS)}
    )


def apply(stack: RunningStack, cvr: str, name: str, applicant: dict[str, str]) -> dict[str, Any]:
    response = api(stack, "POST", "/v1/applications", json={"cvr": cvr, "name": name, "applicant": applicant})
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def letter_naming(stack: RunningStack, address: str, heading: str, seconds: float) -> str:
    """The text of the letter to `address` with a block headed `heading`, waiting for it to arrive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for text in messages_to(stack, address):
            if heading in text.splitlines():
                return text
        time.sleep(0.5)
    raise AssertionError(f"no letter to {address} with {heading!r} within {seconds} s")


def block(text: str, heading: str) -> tuple[str, str]:
    """The username and activation code printed under the block's heading."""
    lines = text.splitlines()
    start = lines.index(heading)
    username, code = lines[start + 2], lines[start + 3]
    assert username.startswith("Brugernavn: "), lines[start:]
    assert code.startswith("Aktiveringskode: "), lines[start:]
    return username.removeprefix("Brugernavn: "), code.removeprefix("Aktiveringskode: ")


def test_after_five_strangers_the_companys_own_letter_names_its_applicant_and_the_mailbox_got_two(
    stack: RunningStack,
):
    company = next(entry for entry in stack.demo["registry"] if entry["cvr"] not in DEMO_CVRS)
    address = mailbox(company["cvr"])

    # Given five strangers applied for the company, typing a message as the organisation's name
    for n in range(5):
        stranger = {**OWN, "first_name": "Sune", "last_name": "Fremmed", "email": f"sune{n}@evil.example"}
        apply(stack, company["cvr"], "Skattestyrelsen ring straks", stranger)

    # When the company applies itself
    applied_at = time.monotonic()
    receipt = apply(stack, company["cvr"], company["name"], OWN)

    # Then its letter arrives with the mailbox's next one, naming its own applicant above its own code
    heading = "Ansøgning fra Ida Holm (ida.holm@example.org)"
    text = letter_naming(stack, address, heading, seconds=INTERVAL_SECONDS + 30)
    assert time.monotonic() - applied_at < INTERVAL_SECONDS + 30
    assert receipt["letter_due_by"]
    username, code = block(text, heading)
    activated = api(
        stack,
        "POST",
        "/v1/activations",
        json={"username": username, "activation_code": code, "password": PASSWORD},
    )
    assert activated.status_code == 201, activated.text
    # And the mailbox got two letters: the first stranger's at once, and one carrying the other five
    letters = messages_to(stack, address)
    assert len(letters) == 2
    assert sum(line.startswith("Ansøgning fra ") for line in letters[1].splitlines()) == 5
    # And none printed what the strangers typed, and each tells how to recognise a real letter
    for letter in letters:
        assert "Skattestyrelsen" not in letter
        assert "Sådan kender I et ægte brev fra Godkend:" in letter
