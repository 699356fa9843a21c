"""Written statements end to end: sync against the fake API, search, list, show, history, diff,
the statements that correct written answers, attachments, the change feed, import, bad input.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from pqtrack import sync as syncing
from pqtrack.statement import corrected_uins, list_text, list_view, text_is_cut
from pqtrack.store import Store
from pqtrack.versions import Stored, plan_statement
from tests.build import attachment, question, statement, statement_list_item, write_json
from tests.cli import Cli, query
from tests.fakeapi import FakeApi
from tests.samples import require_samples
from tests.test_sync import api_client

SYNC = ("--since", "2025-12-01", "--until", "2025-12-10", "--rate", "0", "--quiet")
VANS = (
    "<p>Live facial recognition vans will be deployed by seven police forces from January, "
    "following the pilot in two regions.</p><p>Each van will carry signage, and watchlists "
    "will be limited to people wanted for serious offences or subject to court orders. The "
    "College of Policing will publish guidance on deployments, and forces will report every "
    "deployment to the Home Office within a month of it.</p>"
)
CORRECTION = (
    "<p>In my Written Answer of 4 December (HL12950) I said that 120 officers had been "
    "trained. It should have said 210 officers.</p>"
)


def answered_question() -> dict[str, Any]:
    """HL12950, answered on 4 December with an attachment, later corrected by HLWS915."""
    return question(
        12950,
        uin="HL12950",
        house="Lords",
        answered="2025-12-04",
        dateTabled="2025-11-20T00:00:00",
        heading="Police: Facial Recognition",
        attachmentCount=1,
        attachments=[attachment("Officers trained by force", 48_640, "xlsx")],
    )


def vans_statement(**fields: Any) -> dict[str, Any]:
    return statement(
        901, made="2025-12-09", title="Live Facial Recognition Vans", text=VANS, **fields
    )


def correcting_statement() -> dict[str, Any]:
    return statement(
        915,
        uin="HLWS915",
        house="Lords",
        made="2025-12-10",
        title="Correction: Facial Recognition Training",
        text=CORRECTION,
        noticeNumber=0,
    )


@pytest.fixture
def fake() -> Any:
    values = [answered_question(), question(12951, answered="2025-12-05",
                                            dateTabled="2025-12-01T00:00:00")]  # fmt: skip
    statements = [vans_statement(), correcting_statement(), statement(902, made="2025-12-02")]
    with FakeApi(values, statements=statements) as api:
        yield api


def test_one_sync_stores_questions_and_statements_and_a_resync_fetches_no_details(
    cli: Cli, fake: FakeApi, db_path: Path
) -> None:
    result = cli("sync", "--api-url", fake.url, *SYNC, "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["statements_new"] == 3 and summary["statement_details"] == 3
    assert query(db_path, "SELECT count(*) FROM questions") == [(2,)]
    assert query(db_path, "SELECT id, truncated FROM statements ORDER BY id") == [
        (901, 0), (902, 0), (915, 0)
    ]  # fmt: skip
    # one statements window a day, in the same ledger as the questions'
    assert query(
        db_path, "SELECT count(*) FROM sync_windows WHERE kind = 'statements' AND status = 'done'"
    ) == [(10,)]

    hits = cli.json("search", "vans")
    assert [(h["kind"], h["id"], h["uin"]) for h in hits] == [("statement", 901, "HCWS901")]

    shown = cli.json("show", "HCWS901")
    assert shown["kind"] == "statement" and shown["title"] == "Live Facial Recognition Vans"
    assert "within a month of it." in shown["text"]  # the full text, not the list's cut copy
    assert not text_is_cut(shown["text"]) and len(shown["text"]) > 258
    plain = cli("show", "HCWS901")
    assert plain.exit_code == 0 and "within a month of it." in plain.stdout

    before = fake.count("statement_detail")
    again = cli("sync", "--api-url", fake.url, *SYNC, "--format", "json")
    assert again.exit_code == 0, again.stderr
    assert fake.count("statement_detail") == before  # nothing changed: no detail requests
    resynced = json.loads(again.stdout)
    assert resynced["statement_details"] == 0
    assert resynced["statements_new"] == resynced["statements_changed"] == 0
    assert query(db_path, "SELECT count(*) FROM statement_versions") == [(3,)]
    assert fake.count("statement_list") == 20  # the same day windows listed again


def test_no_statements_syncs_questions_only(cli: Cli, fake: FakeApi, db_path: Path) -> None:
    assert cli("sync", "--api-url", fake.url, *SYNC, "--no-statements").exit_code == 0
    assert fake.count("statement_list") == fake.count("statement_detail") == 0
    assert query(db_path, "SELECT count(*) FROM statements") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM questions") == [(2,)]


def test_statements_never_synced_get_a_first_run_of_their_own(fake: FakeApi, db_path: Path) -> None:
    """A sync with --no-statements (or by a pqtrack before statements) completes the
    questions only: the next sync with statements lists their 30 days, not the overlap."""
    today = date(2025, 12, 20)
    store = Store.open(db_path)
    try:
        with api_client(fake) as client:
            first = syncing.sync(
                store, client, scopes=[syncing.Scope()], today=today, statements=False
            )
            assert first.statements.new == 0
            again = syncing.sync(store, client, scopes=[syncing.Scope()], today=today)
    finally:
        store.close()
    assert again.statements.new == 3  # made 2 to 10 December: before the questions' overlap
    listed = query(db_path, "SELECT min(day), max(day) FROM sync_windows WHERE kind = 'statements'")
    assert listed == [((today - timedelta(days=29)).isoformat(), today.isoformat())]
    assert query(db_path, "SELECT min(day) FROM sync_windows WHERE kind = 'answered'") == [
        ((today - timedelta(days=29)).isoformat(),)
    ]


def test_kind_chooses_what_search_and_list_return(cli: Cli, fake: FakeApi) -> None:
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    everything = cli.json("search", "facial")
    assert {h["kind"] for h in everything} == {"question", "statement"}
    only = cli.json("search", "facial", "--kind", "statement")
    assert only and {h["kind"] for h in only} == {"statement"}
    assert {h["uin"] for h in only} == {"HCWS901", "HLWS915"}
    questions = cli.json("search", "facial", "--kind", "question")
    assert [h["uin"] for h in questions] == ["HL12950"]
    # heading: looks in a statement's title, answer: in its text
    assert [h["uin"] for h in cli.json("search", "heading:vans")] == ["HCWS901"]
    assert [h["uin"] for h in cli.json("search", "answer:trained")] == ["HLWS915"]
    # topics cover statements too: in search, list and the change feed
    topic = ("--topic", "facial-recognition", "--kind", "statement")
    assert {h["uin"] for h in cli.json("search", *topic)} == {"HCWS901", "HLWS915"}
    assert {r["uin"] for r in cli.json("list", *topic)} == {"HCWS901", "HLWS915"}
    feed = cli.json("changes", "--since", "2000-01-01", *topic)
    assert {(c["uin"], c["event"]) for c in feed} == {("HCWS901", "made"), ("HLWS915", "made")}

    listed = cli.json("list")  # questions, as scripts expect
    assert {r["kind"] for r in listed} == {"question"} and len(listed) == 2
    assert cli.json("list", "--kind", "question") == listed
    statements = cli.json("list", "--kind", "statement")
    assert [r["uin"] for r in statements] == ["HLWS915", "HCWS901", "HCWS902"]  # newest first
    both = cli.json("list", "--kind", "all")
    assert len(both) == 5 and both[0]["uin"] == "HLWS915"
    # a filter only a question can pass leaves statements out
    assert {r["kind"] for r in cli.json("list", "--kind", "all", "--status", "answered")} == {
        "question"
    }
    lords = cli.json("list", "--kind", "statement", "--house", "lords")
    assert [r["uin"] for r in lords] == ["HLWS915"]
    # plain lines show a statement in the question columns: made, 'statement', its title
    lines = cli("list", "--kind", "statement", "--limit", "1").stdout.splitlines()
    assert lines[1].split("\t") == [
        "S915", "HLWS915", "2025-12-10", "statement", "Home Office",
        "Correction: Facial Recognition Training",
    ]  # fmt: skip


def test_a_revised_statement_has_two_versions_and_a_word_diff(cli: Cli, fake: FakeApi) -> None:
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    fake.update_statement(901, text=VANS.replace("seven police forces", "nine police forces"))
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0

    versions = cli.json("history", "HCWS901")
    assert [v["version"] for v in versions] == [1, 2]
    assert [e["event"] for e in versions[0]["events"]] == ["made"]
    assert [e["event"] for e in versions[1]["events"]] == ["revised"]
    assert "nine police forces" in versions[1]["text"]

    word = cli("diff", "HCWS901", "--format", "word")
    assert word.exit_code == 0, word.stderr
    assert word.stdout.startswith("--- S901 v1\n+++ S901 v2\n")
    assert "[-seven-]{+nine+}" in word.stdout
    assert "title:" not in word.stdout  # the title did not change
    data = cli.json("diff", "S901")
    assert data["fields"]["text"]["deleted_words"] == data["fields"]["text"]["inserted_words"] == 1

    feed = cli.json("changes", "--since", "2000-01-01", "--event", "revised")
    assert [(c["kind"], c["statement_id"], c["question_id"]) for c in feed] == [
        ("statement", 901, None)
    ]
    assert feed[0]["gist"] == "text revised: [-seven-]{+nine+}"  # what changed, word by word


def test_a_statement_correcting_an_answer_is_linked_to_the_question(
    cli: Cli, fake: FakeApi
) -> None:
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    shown = cli("show", "HL12950")
    assert shown.exit_code == 0, shown.stderr
    assert "Corrected by written statement HLWS915 (10 December 2025)" in shown.stdout
    record = cli.json("show", "HL12950")
    assert [(s["uin"], s["date_made"], s["how"]) for s in record["corrected_by"]] == [
        ("HLWS915", "2025-12-10", "text")
    ]
    correcting = cli.json("show", "HLWS915")
    assert [q["uin"] for q in correcting["corrected_questions"]] == ["HL12950"]

    events = [e["event"] for v in cli.json("history", "HL12950") for e in v["events"]]
    assert "statement" in events
    feed = cli.json("changes", "--since", "2000-01-01", "--event", "statement")
    assert [(c["kind"], c["uin"], c["gist"]) for c in feed] == [
        ("question", "HL12950", "Corrected by written statement HLWS915 (10 December 2025)")
    ]
    digest = cli("changes", "--since", "2000-01-01", "--format", "markdown").stdout
    assert "## Answers corrected by written statements (1)" in digest
    assert "## Written statements (3)" in digest


def test_a_corrected_answer_link_joins_statement_and_question(cli: Cli, fake: FakeApi) -> None:
    linked = statement(
        920,
        uin="HLWS920",
        house="Lords",
        made="2025-12-08",
        text="<p>My answer to HL12950 gave the wrong figure; the right one is 210.</p>",
        links=[(915, "CorrectedAnswer", "2025-12-10")],
    )
    fake.upsert_statement(linked)
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    record = cli.json("show", "HL12950")
    assert {(s["uin"], s["how"]) for s in record["corrected_by"]} == {
        ("HLWS915", "text"), ("HLWS920", "link")
    }  # fmt: skip
    # links are shown both ways
    assert [(link["uin"], link["type"]) for link in cli.json("show", "HLWS920")[
        "linked_statements"]] == [("HLWS915", "CorrectedAnswer")]  # fmt: skip
    assert [(link["uin"], link["type"]) for link in cli.json("show", "HLWS915")[
        "linked_from"]] == [("HLWS920", "CorrectedAnswer")]  # fmt: skip
    assert [e["event"] for e in cli.json("history", "HLWS920")[0]["events"]] == ["made", "linked"]
    linked_gists = [
        c["gist"] for c in cli.json("changes", "--since", "2000-01-01", "--event", "linked")
    ]
    assert linked_gists == ["linked to statement S915 (CorrectedAnswer, 2025-12-10)"]  # a REF


def test_attachments_are_shown_with_title_type_size_and_url(cli: Cli, fake: FakeApi) -> None:
    fake.upsert_statement(vans_statement(attachments=[attachment("Deployment map", 1_572_864)]))
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    record = cli.json("show", "HL12950")
    assert record["attachment_count"] == 1
    assert record["attachments"] == [
        {
            "title": "Officers trained by force",
            "file_type": "xlsx",
            "size_bytes": 48_640,
            "url": "https://example.org/files/officers-trained-by-force.xlsx",
        }
    ]
    text = cli("show", "HL12950").stdout
    assert "Officers trained by force (xlsx, 47.5 KB) https://example.org/files/" in text
    vans = cli.json("show", "HCWS901")
    assert vans["attachment_count"] == 1 and vans["attachments"][0]["title"] == "Deployment map"
    assert "Deployment map (pdf, 1.5 MB)" in cli("show", "HCWS901").stdout
    listed = cli("list", "--kind", "statement", "--format", "csv").stdout.splitlines()
    header = listed[0].split(",")
    assert "attachment_count" in header and "kind" in header


def test_a_list_item_never_replaces_the_full_text_or_the_links(cli: Cli, tmp_path: Path) -> None:
    full = vans_statement(links=[(915, "CorrectedStatement", "2025-12-10")])
    single = write_json(tmp_path / "single.json", {"value": full, "links": []})
    listed = write_json(tmp_path / "list.json", {
        "totalResults": 1, "results": [{"value": statement_list_item(full), "links": []}]
    })  # fmt: skip
    assert cli("import", str(single)).exit_code == 0
    result = cli("import", str(listed), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["unchanged"] == 1
    shown = cli.json("show", "S901")
    assert shown["text"].endswith("within a month of it.") and shown["versions"] == 1
    assert [link["id"] for link in shown["linked_statements"]] == [915]
    assert len(list_text(full["text"]) or "") == 258


def test_a_list_first_then_detail_fills_the_version_in(cli: Cli, tmp_path: Path) -> None:
    full = vans_statement()
    listed = write_json(tmp_path / "list.json", {"results": [{"value": statement_list_item(full)}]})
    assert cli("import", str(listed)).exit_code == 0
    assert cli.json("show", "HCWS901")["truncated"] is True
    single = write_json(tmp_path / "single.json", {"value": full})
    result = cli("import", str(single), "--format", "json")
    assert json.loads(result.stdout)["filled"] == 1
    shown = cli.json("show", "HCWS901")
    assert shown["truncated"] is False and shown["versions"] == 1


def test_ref_forms_and_bad_statement_input(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    older = statement(3001, uin="HCWS901", made="2024-03-04", title="An older HCWS901")
    data = write_json(tmp_path / "two.json", [vans_statement(), older])
    assert cli("import", str(data)).exit_code == 0

    ambiguous = cli("show", "HCWS901")
    assert ambiguous.exit_code == 2 and ambiguous.stdout == ""
    assert ambiguous.stderr == (
        "pqtrack: 'HCWS901' is ambiguous: 2025-12-09/HCWS901 (S901), "
        "2024-03-04/HCWS901 (S3001); use S<id> or DATE/UIN\n"
    )
    assert cli.json("show", "2024-03-04/hcws901")["id"] == 3001
    assert cli.json("show", "s901")["id"] == 901
    assert [v["version"] for v in cli.json("history", "2025-12-09/HCWS901")] == [1]

    for ref in ("HLWS404", "S404", "2025-12-09/HCWS902"):
        missing = cli("show", ref)
        assert missing.exit_code == 2 and missing.stdout == ""
        assert missing.stderr == f"pqtrack: no written statement {ref!r} in the database\n"
    assert cli("diff", "HLWS404").exit_code == 2

    stored = query(db_path, "SELECT count(*) FROM statement_versions")
    bad = write_json(tmp_path / "bad.json", [statement(77, title=["not", "text"])])
    result = cli("import", str(bad))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"pqtrack: {bad}: record 1: statement 77: title is not a string"
    )
    assert query(db_path, "SELECT count(*) FROM statement_versions") == stored


@pytest.mark.parametrize(
    ("attachment", "said"),
    [
        ({"url": 5}, "an attachment's url is not a web address: '5'"),
        ({"url": "javascript:alert(1)"}, "an attachment's url is not a web address"),
        ({"url": "https://x.example/a.pdf", "fileSizeBytes": "big"}, "fileSizeBytes is not a size"),
        ({"url": "https://x.example/a.pdf", "fileSizeBytes": -5}, "fileSizeBytes is not a size"),
        ({"url": None, "title": 3}, "an attachment's title is not text"),
        ("a.pdf", "an attachment is not an object"),
    ],
)
def test_a_malformed_attachment_is_refused_for_either_kind(
    cli: Cli, tmp_path: Path, db_path: Path, attachment: Any, said: str
) -> None:
    for kind, value in (
        ("statement 78", statement(78, attachments=[attachment])),
        ("question 79", question(79, attachments=[attachment])),
    ):
        result = cli("import", str(write_json(tmp_path / "bad.json", [value])))
        assert result.exit_code == 1 and result.stdout == ""
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"pqtrack: {tmp_path / 'bad.json'}: record 1: {kind}: "), first
        assert said in first, first
    assert query(db_path, "SELECT count(*) FROM statements") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM questions") == [(0,)]


def test_a_saved_statements_list_imports_as_statements(cli: Cli, db_path: Path) -> None:
    own = Path(__file__).parent / "data" / "api" / "other" / "statements_list.json"
    result = cli("import", str(own), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == 1
    assert query(db_path, "SELECT uin, title FROM statements") == [
        ("HCWS901", "Level Crossing Safety Review")
    ]
    assert query(db_path, "SELECT count(*) FROM questions") == [(0,)]


@pytest.mark.parametrize(
    ("text", "links", "uins"),
    [
        (CORRECTION, [], ("HL12950",)),
        ("<p>In my answer to Question 4821 on 3 May I gave the wrong date.</p>", [], ("4821",)),
        (
            "<p>The written answer of 2 June (57305) said 40; it should have said 14.</p>",
            [],
            ("57305",),
        ),
        # no written answer spoken of: a Lords UIN or a bracketed number is not a correction
        ("<p>Funding rose (2024) as HL12950 asked.</p>", [], ()),
        # a CorrectedAnswer link makes any UIN named a correction
        (
            "<p>See HL4410.</p>",
            [{"linkedStatementId": 9, "linkType": "CorrectedAnswer"}],
            ("HL4410",),
        ),
    ],
)
def test_which_answers_a_statement_corrects(text: str, links: list[Any], uins: tuple[str]) -> None:
    assert corrected_uins({"text": text, "linkedStatements": links}) == uins


def test_the_list_view_tells_links_apart_only_by_there_being_some() -> None:
    with_links = statement(1, links=[(2, "JointStatement", "2025-03-04")])
    without = statement(3)
    assert list_view(with_links)["linkedStatements"] == []
    assert list_view(statement_list_item(with_links)) == list_view(with_links)
    assert list_view(without)["linkedStatements"] is None
    assert list_view(statement_list_item(without)) == list_view(without)


def test_a_list_item_of_an_unchanged_statement_plans_nothing() -> None:
    for links in ([], [(2, "JointStatement", "2025-03-04")]):
        full = statement(1, links=links)
        first = plan_statement(None, full, "detail")
        assert first is not None and not first.truncated
        stored = Stored(first.value(), first.source, first.version, first.truncated)
        # the list shows null for no links and [] for some: neither is news
        assert plan_statement(stored, statement_list_item(full), "list") is None
    gone = plan_statement(stored, {**statement_list_item(full), "linkedStatements": None,
                                   "hasLinkedStatements": False}, "list")  # fmt: skip
    assert gone is not None and gone.outcome == "changed" and "linked_statements" in gone.changed


@pytest.mark.samples
def test_the_real_statement_lists_import_as_cut_statements(cli: Cli, db_path: Path) -> None:
    files = sorted(require_samples().glob("statements_list_*.json"))
    values = {
        r["value"]["id"]: r["value"]
        for path in files
        for r in json.loads(path.read_text(encoding="utf-8"))["results"]
    }
    result = cli("import", *map(str, files), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert query(db_path, "SELECT count(*) FROM statements") == [(len(values),)]
    stored = dict(query(db_path, "SELECT id, truncated FROM statements"))
    for sid, value in values.items():
        # cut texts, and links known only to exist, are still to be fetched whole
        cut = text_is_cut(value["text"]) or value["linkedStatements"] == []
        assert stored[sid] == int(cut), sid
    assert all(r["kind"] == "statement" for r in cli.json("list", "--kind", "statement"))


def test_a_question_saved_after_its_correcting_statement_gets_the_event(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    statements = write_json(tmp_path / "statements.json", [correcting_statement()])
    questions = write_json(tmp_path / "questions.json", [answered_question()])
    for path in (statements, questions, statements, questions):  # again: nothing twice
        assert cli("import", str(path)).exit_code == 0
    events = [e["event"] for v in cli.json("history", "HL12950") for e in v["events"]]
    assert events.count("statement") == 1
    assert [s["uin"] for s in cli.json("show", "HL12950")["corrected_by"]] == ["HLWS915"]
    # a later question that took the UIN in a new session is not the one corrected
    later = question(99, uin="HL12950", house="Lords", dateTabled="2026-06-01T00:00:00")
    assert cli("import", str(write_json(tmp_path / "later.json", [later]))).exit_code == 0
    assert cli.json("show", "2026-06-01/HL12950")["corrected_by"] == []
    assert query(db_path, "SELECT question_id FROM events WHERE event = 'statement'") == [(12950,)]


def test_a_watch_reports_statements_made_revised_and_correcting_once(cli: Cli, fake: Any) -> None:
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    assert cli("watch", "add", "lfr", '"facial recognition"').exit_code == 0

    def run() -> list[tuple[str, str, str]]:
        result = cli("watch", "run", "lfr", "--format", "json")
        assert result.exit_code == 0, result.stderr
        (doc,) = json.loads(result.stdout)
        return sorted((c["kind"], c["uin"], c["event"]) for c in doc["changes"])

    # the first run: each matching record with its latest change, statements among them
    # (HL12950's latest is the statement that corrects it)
    assert run() == [
        ("question", "HL12950", "statement"),
        ("statement", "HCWS901", "made"),
        ("statement", "HLWS915", "made"),
    ]
    fake.update_statement(901, text=VANS.replace("seven", "nine"))
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    assert run() == [("statement", "HCWS901", "revised")]
    assert run() == []  # nothing twice


def test_the_sync_summary_counts_questions_and_statements_apart(cli: Cli, fake: FakeApi) -> None:
    result = cli("sync", "--api-url", fake.url, *SYNC, "--format", "json")
    summary = json.loads(result.stdout)
    assert (summary["new"], summary["details"]) == (2, 2)  # the questions only
    assert (summary["statements_new"], summary["statement_details"]) == (3, 3)
    again = cli("sync", "--api-url", fake.url, *SYNC[:-1])  # not --quiet: the summary line
    assert "statements 0 new, 0 changed;" in again.stderr  # said even when nothing changed


def test_a_correction_by_statement_is_a_new_atom_entry(cli: Cli) -> None:
    """The statement correcting HL12950 makes no new version of it: its Atom entry must still
    have an id of its own, or feed readers take it for the answer they have shown."""
    import xml.etree.ElementTree as ET

    def entries() -> dict[str, str]:
        result = cli("watch", "run", "hl", "--format", "atom")
        assert result.exit_code == 0, result.stderr
        feed = ET.fromstring(result.stdout)
        atom = "{http://www.w3.org/2005/Atom}"
        return {
            e.findtext(f"{atom}id", ""): e.findtext(f"{atom}title", "")
            for e in feed.iter(f"{atom}entry")
        }

    with FakeApi([answered_question()]) as api:
        assert cli("sync", "--api-url", api.url, *SYNC).exit_code == 0
        assert cli("watch", "add", "hl", "heading:facial", "--house", "lords").exit_code == 0
        first = entries()
        api.upsert_statement(correcting_statement())
        assert cli("sync", "--api-url", api.url, *SYNC).exit_code == 0
        second = entries()
    assert list(first.values()) == ["HL12950 Police: Facial Recognition: answered"]
    question = {i: t for i, t in second.items() if t.startswith("HL12950 ")}
    assert set(first) < set(question)  # the feed keeps the entry it showed, with its id
    (new,) = set(question) - set(first)
    assert question[new] == "HL12950 Police: Facial Recognition: statement"
    assert all(":question/12950/v1/e" in i for i in question)


def test_a_watch_of_statements_only(cli: Cli, fake: FakeApi) -> None:
    assert cli("sync", "--api-url", fake.url, *SYNC).exit_code == 0
    added = cli("watch", "add", "ws", '"facial recognition"', "--kind", "statement")
    assert added.exit_code == 0, added.stderr
    shown = cli("watch", "show", "ws")
    assert "--kind statement" in shown.stdout
    result = cli("watch", "run", "ws", "--format", "json")
    (doc,) = json.loads(result.stdout)
    assert sorted((c["kind"], c["uin"]) for c in doc["changes"]) == [
        ("statement", "HCWS901"), ("statement", "HLWS915")
    ]  # fmt: skip
    assert cli("watch", "add", "bad", "x", "--kind", "answers").exit_code == 2
