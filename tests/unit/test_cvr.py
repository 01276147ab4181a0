import pytest

from chalicelib.values.cvr import is_valid_cvr


@pytest.mark.parametrize("cvr", ["29180008", "34560005", "41270004", "25560000"])
def test_valid_cvr_numbers_pass_the_modulus_11_check(cvr):
    assert is_valid_cvr(cvr)


@pytest.mark.parametrize(
    "cvr",
    [
        "29180009",
        "09180008",
        "2918000",
        "291800080",
        "2918000a",
        "",
        "\uff12\uff19\uff11\uff18\uff10\uff10\uff10\uff18",
        " 29180008",
    ],
)
def test_invalid_cvr_numbers_are_refused(cvr):
    assert not is_valid_cvr(cvr)
