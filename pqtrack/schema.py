"""The names of the schema's migrations, in order: what migrations.py defines and what the
read path checks a database has applied before it reads without migrating."""

from __future__ import annotations

MIGRATION_SET = "pqtrack"  # sqlite-utils' migration_set for ours in _sqlite_migrations

MIGRATIONS = (
    "m001_questions_versions_members",
    "m002_events",
    "m003_sync_windows",
    "m004_derived_analysis",
    "m005_filter_indexes",
    "m006_answer_facts",
    "m007_near_facts",
    "m008_near_facts_hashed_in_bulk",
    "m009_names_masked_word_by_word",
    "m010_fact_recipes",
    "m011_run_processes",
    "m012_watches",
    "m013_statements",
)
