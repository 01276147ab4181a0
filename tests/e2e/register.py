"""The company register of the local stack the end-to-end modules share: the sample register's companies
(chalicelib/adapters/registry_sample.json) and, besides them, companies of their own for the modules that
make organisations. Two modules applying for one company on one stack would meet each other's letters in its
mailbox, each other's organisation in staff's searches and queues; the sample has too few companies for each
module to have its own, and its relations (a group's subsidiary) are kept for the modules that test them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from chalicelib.adapters.registry import SAMPLE_FILE


@dataclass(frozen=True)
class Company:
    cvr: str
    name: str

    @property
    def official_mailbox(self) -> str:
        return f"e-boks+{self.cvr}@digitalpost.example"


# tests/e2e/test_onboarding.py
ONBOARDING = Company("19240002", "Kirkens Natcafé Vejle")
# tests/e2e/test_console_first_sign_in.py
FIRST_SIGN_IN = Company("26830001", "Besøgsvennerne Silkeborg")
# tests/e2e/test_staff_console.py: approved from the queue, rejected with a reason, its login removed
APPROVED_FROM_THE_QUEUE = Company("38170007", "Madhjælpen Sønderborg")
REJECTED_WITH_A_REASON = Company("44520001", "Lektiecaféen Ishøj")
LOGIN_REMOVED_BY_SUPPORT = Company("30660005", "Lokalhjælpen Struer")
# tests/e2e/test_console_links.py
RECEIPT = Company("51270002", "Nabohjælpen Thisted")
# tests/e2e/test_console_journey.py: one for each size the journey is walked at
JOURNEY_DESKTOP = Company("62140003", "Frivilligcentret Ribe")
JOURNEY_PHONE = Company("62140011", "Spejderne i Tønder")

OWN_COMPANIES = (
    ONBOARDING,
    FIRST_SIGN_IN,
    APPROVED_FROM_THE_QUEUE,
    REJECTED_WITH_A_REASON,
    LOGIN_REMOVED_BY_SUPPORT,
    RECEIPT,
    JOURNEY_DESKTOP,
    JOURNEY_PHONE,
)


def write_register(path: Path) -> Path:
    """The sample register with the modules' own companies added, as a file the stack reads
    (GODKEND_REGISTRY_FILE)."""
    register = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    taken = {str(entry["cvr"]) for entry in register["companies"]}
    assert taken.isdisjoint(c.cvr for c in OWN_COMPANIES), "a company of the sample register given again"
    register["companies"] += [
        {"cvr": c.cvr, "name": c.name, "official_mailbox": c.official_mailbox} for c in OWN_COMPANIES
    ]
    path.write_text(json.dumps(register, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
