"""`python -m infra.backfill_pointers STAGE`: once, after the deploy that added the `mentions` table, write
the pointers of what the stage wrote before (chalicelib/services/privacy/pointers.py), so that access
and erasure requests find it too. Uses your AWS credentials, as `aws` does; safe to run again.

    .venv/bin/python -m infra.backfill_pointers dev
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from infra.package import table_prefix


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.backfill_pointers", description=__doc__)
    parser.add_argument("stage", help="the stage whose tables to backfill, as in .chalice/config.json")
    args = parser.parse_args(argv)
    # The models read their table names from the environment when imported: set it first.
    os.environ["GODKEND_TABLE_PREFIX"] = table_prefix(args.stage)
    from chalicelib.services.privacy.pointers import point_existing

    report = point_existing(now=datetime.now(UTC))
    print(json.dumps(asdict(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
