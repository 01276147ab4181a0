"""Danish CVR numbers: 8 digits, no leading zero, modulus-11 check with weights 2,7,6,5,4,3,2,1."""

from __future__ import annotations

WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def is_valid_cvr(value: str) -> bool:
    if len(value) != 8 or not value.isascii() or not value.isdigit() or value[0] == "0":
        return False
    return sum(int(digit) * weight for digit, weight in zip(value, WEIGHTS, strict=True)) % 11 == 0
