"""The names of the schema's migrations, in order: what migrations.py defines and what the
read path checks a database has applied before it reads without migrating; and the tables each
kind of record is kept in, for the store and the read path alike."""

from __future__ import annotations

from typing import NamedTuple

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


class Tables(NamedTuple):
    """The tables one kind of record is kept in: its current state, every version, the events
    between them (each keyed by `key`) and its search index. Constants, never input."""

    table: str
    versions: str
    events: str
    key: str
    fts: str


TABLES = {
    "question": Tables("questions", "versions", "events", "question_id", "questions_fts"),
    "statement": Tables(
        "statements", "statement_versions", "statement_events", "statement_id", "statements_fts"
    ),
}
