"""The sample company register that stands in for the CVR register here."""

from __future__ import annotations

import pytest

from chalicelib.adapters.registry import RegistryEntry, SampleRegistry, build_registry
from chalicelib.settings import Settings
from chalicelib.values.cvr import is_valid_cvr


def test_the_sample_register_has_valid_companies_with_official_mailboxes():
    entries = SampleRegistry.from_file().entries()
    assert len(entries) >= 5
    for entry in entries:
        assert is_valid_cvr(entry.cvr)
        assert entry.official_mailbox == f"e-boks+{entry.cvr}@digitalpost.example"
        assert entry.name


def test_the_demo_organisations_companies_are_in_the_sample_register():
    registry = SampleRegistry.from_file()
    assert registry.lookup("29180008") == RegistryEntry(
        "29180008", "Røde Kors Aarhus", "e-boks+29180008@digitalpost.example"
    )
    assert registry.lookup("34560005") is not None


def test_an_unknown_cvr_is_none():
    assert SampleRegistry.from_file().lookup("10000009") is None


@pytest.mark.parametrize(
    "entry",
    [
        RegistryEntry("29180009", "Bad check digit", "a@b.example"),
        RegistryEntry("29180008", "No mailbox", "not-an-address"),
        RegistryEntry("29180008", "", "a@b.example"),
    ],
)
def test_an_unusable_entry_is_refused_when_the_register_is_loaded(entry):
    with pytest.raises(ValueError, match="not a usable register entry"):
        SampleRegistry([entry])


def test_the_settings_choose_the_register_and_may_point_at_another_sample_file(tmp_path):
    sample = tmp_path / "companies.json"
    sample.write_text(
        '{"companies": [{"cvr": "41270004", "name": "X", "official_mailbox": "x@register.example"}]}'
    )
    registry = build_registry(Settings(registry="sample", registry_file=str(sample)))
    assert registry.lookup("41270004") == RegistryEntry("41270004", "X", "x@register.example")
    assert registry.lookup("29180008") is None
