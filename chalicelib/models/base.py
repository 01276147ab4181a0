"""What every table shares: its name from the environment, an explicit region, on-demand billing."""

from __future__ import annotations

from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE

from chalicelib.settings import aws_region, table_name

__all__ = ["PAY_PER_REQUEST_BILLING_MODE", "aws_region", "table_name"]
