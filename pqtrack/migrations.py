"""The only schema definition: numbered sqlite-utils migrations, never renumbered or edited."""

from __future__ import annotations

import re

from sqlite_utils import Database, Migrations

from pqtrack.schema import MIGRATION_SET

# A new migration is also named in schema.MIGRATIONS (a test checks that the two agree).
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_questions_versions_members(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                 -- import | sync
            started_at TEXT NOT NULL,           -- UTC ISO 8601
            finished_at TEXT,
            status TEXT NOT NULL,               -- running | ok | partial | failed
            args TEXT,                          -- JSON: files or sync windows and filters
            counts TEXT,                        -- JSON: new, changed, unchanged, truncated, ...
            message TEXT
        );

        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,             -- the API id: the only stable key
            uin TEXT,                           -- restarts every session: not unique
            house TEXT,
            date_tabled TEXT,
            date_for_answer TEXT,
            is_named_day INTEGER NOT NULL DEFAULT 0,
            asking_member_id INTEGER,
            member_has_interest INTEGER NOT NULL DEFAULT 0,
            heading TEXT,
            question_text TEXT NOT NULL DEFAULT '',
            answering_body_id INTEGER,
            answering_body_name TEXT,
            answering_member_id INTEGER,
            correcting_member_id INTEGER,
            date_answered TEXT,
            date_holding_answer TEXT,
            date_answer_corrected TEXT,
            answer_is_holding INTEGER,
            answer_is_correction INTEGER,
            is_withdrawn INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,  -- unanswered | holding | answered | corrected | withdrawn
            is_prorogation_answer INTEGER NOT NULL DEFAULT 0,
            answer_text TEXT,                   -- plain text
            original_answer_text TEXT,          -- plain text of the answer before a correction
            grouped_uins TEXT NOT NULL DEFAULT '[]',  -- JSON array, from list results
            attachment_count INTEGER NOT NULL DEFAULT 0,
            truncated INTEGER NOT NULL DEFAULT 0,     -- a text is known only from a list (cut)
            version INTEGER NOT NULL,           -- number of the current version
            content_hash TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            last_changed TEXT NOT NULL
        );
        CREATE INDEX questions_uin ON questions (uin);
        CREATE INDEX questions_tabled ON questions (date_tabled);
        CREATE INDEX questions_body ON questions (answering_body_id);
        CREATE INDEX questions_asker ON questions (asking_member_id);

        CREATE TABLE versions (
            question_id INTEGER NOT NULL REFERENCES questions (id),
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,         -- 'sha256:<hex>' of canonical JSON of record
            record TEXT NOT NULL,               -- the full API value (without member objects)
            source TEXT NOT NULL,               -- detail | list: where the texts came from
            truncated INTEGER NOT NULL DEFAULT 0,
            changed TEXT NOT NULL DEFAULT '[]', -- JSON array of field names changed from previous
            seen_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id)
        );
        CREATE UNIQUE INDEX versions_question ON versions (question_id, version);

        CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            name TEXT,
            list_as TEXT,
            party TEXT,
            party_abbreviation TEXT,
            party_colour TEXT,
            member_from TEXT,                   -- constituency, or peerage type for peers
            thumbnail_url TEXT,
            last_seen TEXT NOT NULL
        );
        CREATE INDEX members_name ON members (name);

        CREATE TABLE answering_bodies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );

        -- Kept in step by Store._plan_batch, not by triggers: FTS5 flushes its pending terms at
        -- every trigger's statement savepoint, which made bulk imports four times slower.
        CREATE VIRTUAL TABLE questions_fts USING fts5 (
            heading, question_text, answer_text,
            content='questions', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        """
    )


@migrations()
def m002_events(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            question_id INTEGER NOT NULL REFERENCES questions (id),
            version INTEGER NOT NULL,
            event TEXT NOT NULL,   -- tabled holding answered substantive corrected transferred
                                   -- reworded heading withdrawn
            old TEXT,              -- JSON
            new TEXT,              -- JSON
            seen_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id)
        );
        CREATE INDEX events_seen ON events (seen_at);
        CREATE INDEX events_run ON events (run_id);
        CREATE INDEX events_question ON events (question_id, version);
        """
    )


@migrations()
def m003_sync_windows(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sync_windows (
            kind TEXT NOT NULL,             -- answered | corrected | tabled
            day TEXT NOT NULL,              -- the one-day window, YYYY-MM-DD
            scope TEXT NOT NULL,            -- canonical JSON of the filters ('{}' = everything)
            status TEXT NOT NULL,           -- done | failed | short (fewer rows than totalResults)
            total_results INTEGER,          -- what the API said the window holds
            rows_seen INTEGER,              -- distinct questions listed
            details INTEGER,                -- single-question requests made for it
            error TEXT,
            fetched_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id),
            PRIMARY KEY (kind, day, scope)
        );
        CREATE INDEX sync_windows_status ON sync_windows (status);
        """
    )


@migrations()
def m004_derived_analysis(db: Database) -> None:
    """Columns computed from the answer for `repeats`, `stats` and `show`, filled lazily."""
    db.executescript(
        """
        ALTER TABLE questions ADD COLUMN answer_fp TEXT;     -- fingerprint of the normalised answer
        ALTER TABLE questions ADD COLUMN referrals TEXT;     -- JSON: references to other answers
        ALTER TABLE questions ADD COLUMN derived INTEGER NOT NULL DEFAULT 0;  -- 1 once computed
        CREATE INDEX questions_answer_fp ON questions (answer_fp);
        CREATE INDEX questions_derived ON questions (derived) WHERE derived = 0;
        """
    )


@migrations()
def m005_filter_indexes(db: Database) -> None:
    """Indexes for the filters that select few questions (a status such as withdrawn, one
    minister's answers, an answered-date range), so search and list can start from them."""
    db.executescript(
        """
        CREATE INDEX questions_status ON questions (status);
        CREATE INDEX questions_answerer ON questions (answering_member_id);
        CREATE INDEX questions_answered ON questions (date_answered);
        """
    )


@migrations()
def m006_answer_facts(db: Database) -> None:
    """The derived columns move to a narrow table of their own: filling them in rewrote every
    (wide) questions row, which took most of a first `repeats` on a large database."""
    db.executescript(
        """
        CREATE TABLE answer_facts (   -- computed from the current answer when next needed
            question_id INTEGER PRIMARY KEY REFERENCES questions (id),
            answer_fp TEXT,           -- fingerprint of the normalised answer (repeats)
            referrals TEXT            -- JSON: references to other answers, if any
        );
        CREATE INDEX answer_facts_fp ON answer_facts (answer_fp);
        INSERT INTO answer_facts (question_id, answer_fp, referrals)
            SELECT id, answer_fp, referrals FROM questions WHERE derived = 1;
        DROP INDEX questions_answer_fp;
        DROP INDEX questions_derived;
        ALTER TABLE questions DROP COLUMN answer_fp;
        ALTER TABLE questions DROP COLUMN referrals;
        ALTER TABLE questions DROP COLUMN derived;
        """
    )


@migrations()
def m007_near_facts(db: Database) -> None:
    """What `repeats --near` matches by, kept so that it need not read every answer again;
    answer facts gain the word count, and a list result's cut answer no longer gets a
    fingerprint (it grouped with other cut copies): they are all computed again."""
    db.executescript(
        """
        DROP TABLE answer_facts;
        CREATE TABLE answer_facts (   -- computed from the current answer when next needed
            question_id INTEGER PRIMARY KEY REFERENCES questions (id),
            answer_fp TEXT,           -- fingerprint of the normalised answer (repeats)
            referrals TEXT,           -- JSON: references to other answers, if any
            tokens INTEGER NOT NULL   -- words in the answer
        );
        CREATE INDEX answer_facts_fp ON answer_facts (answer_fp, tokens);
        CREATE TABLE near_facts (     -- computed from the current answer when next needed
            question_id INTEGER PRIMARY KEY REFERENCES questions (id),
            name_key INTEGER,         -- hash of its words with names masked (10+ words)
            sketch BLOB               -- MinHash and word histogram (40+ words)
        );
        """
    )


@migrations()
def m008_near_facts_hashed_in_bulk(db: Database) -> None:
    """Near facts are now hashed by numpy over many texts at once, with different hash
    functions: the stored ones would not match new ones, so they are all computed again."""
    db.execute("DELETE FROM near_facts")


@migrations()
def m009_names_masked_word_by_word(db: Database) -> None:
    """Names are now masked word by word (punctuation no longer ends a run): the stored near
    facts would not match new ones, so they are all computed again."""
    db.execute("DELETE FROM near_facts")


@migrations()
def m010_fact_recipes(db: Database) -> None:
    """Derived facts are tagged with the recipe that made them (pqtrack.facts computes a
    kind's facts again when its recipe changes, instead of a migration emptying the table).
    The facts stored so far were made by the recipes named here."""
    db.executescript(
        """
        CREATE TABLE fact_recipes (   -- the recipe each kind of derived facts was made by
            kind TEXT PRIMARY KEY,    -- 'answer' (answer_facts) or 'near' (near_facts)
            recipe TEXT NOT NULL
        );
        INSERT INTO fact_recipes (kind, recipe) VALUES
            ('answer', 'fp=blake2b64:nfkc-casefold-nopunct-v1; refs=referrals-v1; words=v1'),
            ('near', 'near-v3: masked word by word, numpy-hashed bigram sketch and histogram');
        """
    )


@migrations()
def m011_run_processes(db: Database) -> None:
    """A run records the process and host running it, so that a run still marked running
    whose process is gone (killed with -9, or the machine went down) can be told from a live
    one: `sync --status` shows it as abandoned. Runs from before have neither."""
    db.executescript(
        """
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        ALTER TABLE runs ADD COLUMN host TEXT;
        """
    )


@migrations()
def m012_watches(db: Database) -> None:
    """Watches: saved searches, each with a cursor per events table (the highest event id its
    reports have covered) and a row for every run that delivered a report."""
    db.executescript(
        """
        CREATE TABLE watches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,          -- a short identifier: lfr, rural-crime
            filters TEXT NOT NULL,              -- JSON: the query and filters as typed
            feed_id TEXT NOT NULL,              -- urn:uuid:..., the id of its Atom feed
            created_at TEXT NOT NULL
        );

        CREATE TABLE watch_cursors (
            watch_id INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                 -- the events table: question (events)
            last_event_id INTEGER NOT NULL,     -- every event up to this one has been covered
            PRIMARY KEY (watch_id, kind)
        );

        CREATE TABLE watch_runs (
            id INTEGER PRIMARY KEY,
            watch_id INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
            ran_at TEXT NOT NULL,
            delivered TEXT NOT NULL,            -- stdout | mail
            format TEXT NOT NULL,               -- text | markdown | json | atom
            first INTEGER NOT NULL,             -- the first run: what matched then
            reported INTEGER NOT NULL,          -- changes reported
            cursors TEXT NOT NULL               -- JSON: {kind: [from, to]} event ids covered
        );
        CREATE INDEX watch_runs_watch ON watch_runs (watch_id);
        """
    )


@migrations()
def m013_statements(db: Database) -> None:
    """Written ministerial statements, a second kind of record kept like questions: the current
    state, every version, typed events (a table of the events' shape, so that a feed or a
    watch reads either kind the same way) and a search index; the question UINs a statement
    names as an answer it corrects."""
    db.executescript(
        """
        CREATE TABLE statements (
            id INTEGER PRIMARY KEY,             -- the API id
            uin TEXT,                           -- HCWS901, HLWS902: restarts every session
            house TEXT,
            date_made TEXT,
            member_id INTEGER,
            member_role TEXT,
            answering_body_id INTEGER,
            answering_body_name TEXT,
            title TEXT,
            text TEXT NOT NULL DEFAULT '',      -- plain text
            notice_number INTEGER,
            linked_statements TEXT NOT NULL DEFAULT '[]',  -- JSON: [{id, type, date}]
            corrects TEXT NOT NULL DEFAULT '[]',  -- JSON: question UINs it corrects answers of
            attachment_count INTEGER NOT NULL DEFAULT 0,
            truncated INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            last_changed TEXT NOT NULL
        );
        CREATE INDEX statements_uin ON statements (uin);
        CREATE INDEX statements_made ON statements (date_made);
        CREATE INDEX statements_body ON statements (answering_body_id);

        CREATE TABLE statement_versions (
            statement_id INTEGER NOT NULL REFERENCES statements (id),
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            record TEXT NOT NULL,
            source TEXT NOT NULL,
            truncated INTEGER NOT NULL DEFAULT 0,
            changed TEXT NOT NULL DEFAULT '[]',
            seen_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id)
        );
        CREATE UNIQUE INDEX statement_versions_statement
            ON statement_versions (statement_id, version);

        CREATE TABLE statement_events (
            id INTEGER PRIMARY KEY,
            statement_id INTEGER NOT NULL REFERENCES statements (id),
            version INTEGER NOT NULL,
            event TEXT NOT NULL,   -- made revised linked
            old TEXT,              -- JSON
            new TEXT,              -- JSON
            seen_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id)
        );
        CREATE INDEX statement_events_seen ON statement_events (seen_at);
        CREATE INDEX statement_events_run ON statement_events (run_id);
        CREATE INDEX statement_events_statement ON statement_events (statement_id, version);

        CREATE TABLE statement_corrections (  -- a statement correcting a written answer
            statement_id INTEGER NOT NULL REFERENCES statements (id),
            question_uin TEXT NOT NULL,         -- as named (upper case)
            how TEXT NOT NULL,                  -- link (CorrectedAnswer) | text (named in it)
            PRIMARY KEY (statement_id, question_uin)
        );
        CREATE INDEX statement_corrections_uin ON statement_corrections (question_uin);

        CREATE VIRTUAL TABLE statements_fts USING fts5 (
            title, text,
            content='statements', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        """
    )


def schema() -> str:
    """The SQL of a freshly migrated database, as the README shows it.

    Print it with `python -m pqtrack.migrations`.
    """
    db = Database(memory=True)
    migrations.apply(db)
    statements = [
        re.sub(r"\n {8}", "\n    ", sql.strip()) + ";"
        for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND tbl_name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'questions_fts_%'"
            " AND name NOT LIKE 'statements_fts_%'"
            " ORDER BY rowid"
        )
    ]
    return "\n\n".join(statements) + "\n"


if __name__ == "__main__":
    print(schema(), end="")
