import pytest

from chalicelib.services.handles import MAX_LENGTH, ascii_handle


@pytest.mark.parametrize(
    ("name", "handle"),
    [
        ("Røde Kors Aarhus", "RoedeKorsAarhus"),
        ("Ældre Sagen", "AeldreSagen"),
        ("Blå Kors Danmark", "BlaaKorsDanmark"),
        ("Foreningen af 1. maj", "ForeningenAf1Maj"),
        ("Café Ørsted & Søn", "CafeOerstedSoen"),
        ("  mange   mellemrum ", "MangeMellemrum"),
        ("Straße-Verein e.V.", "StrasseVereinEV"),
        ("Zoë's «Hjælp»", "ZoeSHjaelp"),
    ],
)
def test_names_become_ascii_handles(name, handle):
    assert ascii_handle(name) == handle


def test_a_name_without_letters_or_digits_has_no_handle():
    assert ascii_handle("— ♥ —") == ""


def test_handles_are_bounded_in_length():
    assert len(ascii_handle("Meget " * 30)) == MAX_LENGTH


def test_handles_are_plain_ascii_alphanumerics():
    handle = ascii_handle("Ünïcødé Ñame ﬁnal")
    assert handle.isascii()
    assert handle.isalnum()
