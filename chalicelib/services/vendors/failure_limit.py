"""Guessing codes is not an option: a vendor's failed checks are limited in a sliding window.

Failures are counted in fixed windows of `window_seconds` (one DynamoDB item per vendor and window, by an
atomic ADD). The sliding count at second `t` is estimated from the current and the previous window, the
previous one weighted by how much of it still lies inside the last `window_seconds`:

    estimate(t) = current + previous * (window_seconds - elapsed) / window_seconds

where `elapsed` is how far `t` is into the current window. A vendor whose estimate has reached `limit` is
refused (429) before anything is looked up, with `Retry-After` saying in how many whole seconds the
estimate falls below `limit` again, given that refused checks are not counted. All arithmetic is on whole
seconds and integers, so the boundary is exact.

The same estimate limits anonymous requests per caller (`chalicelib/services/onboarding/caller_limits.py`),
counted before the request is served: a request is counted only while the current window holds less than
`room`, so the estimate never passes `limit`, and a refused request is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass


def ceil_div(numerator: int, denominator: int) -> int:
    """The smallest whole number at least numerator / denominator (denominator > 0), exactly: integers
    only, so no float rounding and no `fractions` to import on a check's cold start."""
    return -(-numerator // denominator)


@dataclass(frozen=True)
class FailureLimit:
    limit: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_seconds < 1:
            raise ValueError("the limit and the window must both be positive")

    def windows(self, at: int) -> tuple[int, int]:
        """The starts of the current and the previous window at epoch second `at`."""
        current = at - at % self.window_seconds
        return current, current - self.window_seconds

    def expiry_of(self, window_start: int) -> int:
        """When a window's count may go: once it can no longer be anyone's previous window."""
        return window_start + 2 * self.window_seconds

    def blocked(self, at: int, current: int, previous: int) -> bool:
        elapsed = at % self.window_seconds
        # estimate >= limit, multiplied out by window_seconds to stay in integers
        weighted = current * self.window_seconds + previous * (self.window_seconds - elapsed)
        return weighted >= self.limit * self.window_seconds

    def room(self, at: int, previous: int) -> int:
        """The count the current window may hold at `at` before it is blocked: a request counted only while
        the window holds less (a conditional write) never lets the estimate past the limit (0 or less:
        none may be counted)."""
        w, elapsed = self.window_seconds, at % self.window_seconds
        # the smallest n with blocked(at, n, previous): n * w >= limit * w - previous * (w - elapsed)
        return ceil_div(self.limit * w - previous * (w - elapsed), w)

    def retry_after(self, at: int, current: int, previous: int) -> int | None:
        """None when a check may go ahead at `at`; else the whole seconds until one may."""
        if not self.blocked(at, current, previous):
            return None
        w, elapsed = self.window_seconds, at % self.window_seconds
        left_in_window = w - elapsed
        if current < self.limit and previous > 0:
            # Still inside this window: the previous window's weight must drop below what is left.
            # previous * (w - elapsed - s) < (limit - current) * w
            #   <=>  s > w - elapsed - (limit - current) * w / previous
            # floor(left - a / b) = left - ceil(a / b)
            seconds = max(1, left_in_window - ceil_div((self.limit - current) * w, previous) + 1)
            if seconds < left_in_window:
                return seconds
        if current == 0:
            return left_in_window  # the next window starts with nothing behind it
        # In the next window this window's count becomes the previous one and the new current is 0:
        # current * (w - e) < limit * w  <=>  e > w - limit * w / current
        into_next = max(0, w - ceil_div(self.limit * w, current) + 1)
        return left_in_window + into_next
