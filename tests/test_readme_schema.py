"""The README's schema section is generated from the migrations, so it cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

from pqtrack.migrations import schema

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_schema_matches_migrations() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- schema:start -->\n```sql\n(.*?)```\n<!-- schema:end -->", text, re.S)
    assert match, "README.md lost its schema markers"
    assert match.group(1) == schema(), (
        "README schema is stale: paste the output of `python -m pqtrack.migrations`"
    )
