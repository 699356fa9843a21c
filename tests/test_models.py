"""record.py and question.py: HTML to text on real answers, list truncation, status, hashing,
names, validation."""

from __future__ import annotations

import html
import html.parser
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqtrack.question import (
    MEMBER_OBJECTS,
    STATUSES,
    answer_is_cut,
    content,
    is_prorogation_answer,
    list_answer,
    list_question,
    parse,
    question_is_cut,
    status_of,
    validate,
)
from pqtrack.record import canonical_json, hash_json, html_to_text, parse_date
from pqtrack.versions import snake
from tests.samples import (
    OWN,
    SOURCES,
    detail,
    detail_files_from,
    detail_value,
    own_list_files,
    require_samples,
    shared,
    timeline,
)


def parse_row(value: dict[str, Any]) -> dict[str, Any]:
    """The questions row a value is stored as."""
    return parse(value).row()


def content_hash(value: dict[str, Any]) -> str:
    """What a version's hash is taken of: the canonical JSON of the value's content."""
    return hash_json(canonical_json(content(value)))


def details_from(source: str) -> dict[int, dict[str, Any]]:
    return {v["id"]: v for v in map(detail_value, detail_files_from(source))}


# -- an independent reading of answer HTML, with the standard library's parser ----------------

_BLOCKS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 blockquote ul ol li table thead tbody tfoot tr pre hr".split()
)


class _Reader(html.parser.HTMLParser):
    """Paragraphs and list items as blocks; a table as one block of `cell | cell` rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.line: list[str] = []
        self.rows: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.links: list[str] = []
        self.link: list[str] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self.line).split())
        self.line = []
        if text.strip("- "):
            self.blocks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.link = []
        if self.cell is not None:
            if tag in _BLOCKS:  # paragraphs inside a cell run on, separated by a space
                self.cell.append(" ")
            return
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "li":
            self._flush()
            self.line.append("- ")
        elif tag in _BLOCKS and tag != "table":
            self._flush()
        elif tag == "table":
            self._flush()
            self.rows = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            self.links.append(" ".join("".join(self.link).split()))
            self.link = None
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif self.cell is not None:
            if tag in _BLOCKS:
                self.cell.append(" ")
        elif tag == "tr" and self.row is not None:
            if any(self.row):
                self.rows.append(" | ".join(self.row))
            self.row = None
        elif tag == "table":
            if self.rows:
                self.blocks.append("\n".join(self.rows))
            self.rows = []
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        (self.cell if self.cell is not None else self.line).append(data)
        if self.link is not None:
            self.link.append(data)


def read_html(markup: str) -> _Reader:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    reader._flush()
    return reader


def expected_text(markup: str) -> str:
    return "\n\n".join(read_html(markup).blocks)


# -- html_to_text on real answers ----------------------------------------------------------------


# How many answers and original answers each source's single responses hold.
TEXTS = {"own": 48, "shared": 128}


@pytest.mark.parametrize("source", SOURCES)
def test_html_to_text_matches_an_independent_reading_of_every_answer(source: str) -> None:
    """Every answer and original answer in the single responses."""
    checked, mismatched = 0, []
    for path in detail_files_from(source):
        value = detail_value(path)
        for key in ("answerText", "originalAnswerText"):
            if value.get(key):
                checked += 1
                if html_to_text(value[key]) != expected_text(value[key]):
                    mismatched.append((path.name, key))
    assert mismatched == []
    assert checked == TEXTS[source]


def _text_is_clean(text: str) -> None:
    assert not re.search(r"</?[a-zA-Z][^>]*>", text), "a tag survived"
    assert not re.search(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);", text), "an entity survived"
    assert "\n\n\n" not in text
    for line in text.split("\n"):
        assert line == line.strip() or " | " in line, f"stray spaces around {line!r}"
    assert text == text.strip()


@pytest.mark.parametrize("source", SOURCES)
def test_html_to_text_leaves_no_tags_entities_or_spacer_paragraphs_in_any_answer(
    source: str,
) -> None:
    spacers = 0
    for path in detail_files_from(source):
        markup = detail_value(path)["answerText"]
        if markup is None:  # our own set has unanswered questions; the shared one has none
            continue
        text = html_to_text(markup)
        _text_is_clean(text)
        spacers += markup.count("<p> </p>")
        # paragraphs are separated by exactly one blank line, never by empty ones
        assert all(block.strip() for block in text.split("\n\n"))
    assert spacers > 0  # the answers do have `<p> </p>` spacers, and none shows


@pytest.mark.parametrize(
    "name",
    [
        "question_3100001.json",  # a table with a header row, then one without
        "question_3100060.json",  # a corrected table
        *shared("question_1767134.json"),
        *shared("question_1783783_corrected_detail.json"),
        *shared("question_1778884.json"),
    ],
)
def test_table_rows_become_pipe_separated_lines(name: str) -> None:
    markup = detail(name)["answerText"]
    text = html_to_text(markup)
    lines = text.split("\n")
    rows = markup.count("<tr")
    assert rows > 1
    expected_rows = [row for block in read_html(markup).blocks for row in block.split("\n")]
    table_lines = [line for line in lines if " | " in line]
    assert len(table_lines) == rows  # every row of these tables has content
    for row in expected_rows:
        assert row in lines


@pytest.mark.parametrize(
    "name",
    ["question_3100001.json", *shared("question_1767134.json")],
)
def test_tables_keep_the_paragraphs_around_them_as_blank_line_separated_blocks(name: str) -> None:
    markup = detail(name)["answerText"]
    blocks = html_to_text(markup).split("\n\n")
    tables = [b for b in blocks if " | " in b]
    assert len(tables) == markup.count("<table")
    # a table is one block: all its lines are rows
    for block in tables:
        assert all(" | " in line for line in block.split("\n"))
    first_paragraph = markup.split("</p>")[0]
    assert blocks[0] == " ".join(html.unescape(re.sub("<[^>]+>", "", first_paragraph)).split())


# How many answers with target=_blank links each source has at least.
LINKED = {"own": 2, "shared": 10}


@pytest.mark.parametrize("source", SOURCES)
def test_links_keep_their_text_and_lose_their_target_blank_urls(source: str) -> None:
    """DEFRA answers paste Outlook safelinks with target=_blank; only the link text stays."""
    values = details_from(source).values()
    answers = [v["answerText"] for v in values if 'target="_blank"' in (v["answerText"] or "")]
    defra = [
        v
        for v in values
        if v["answeringBodyId"] == 13 and 'target="_blank"' in (v["answerText"] or "")
    ]
    assert len(defra) >= 2
    assert len(answers) >= LINKED[source]
    for markup in answers:
        text = html_to_text(markup)
        links = read_html(markup).links
        assert links
        for link in links:
            assert link in text
        assert "safelinks" not in text
        assert "href" not in text and "_blank" not in text


# How many answers with "&amp;" each source has at least.
AMPERSANDS = {"own": 3, "shared": 5}


@pytest.mark.parametrize("source", SOURCES)
def test_entities_are_decoded(source: str) -> None:
    values = details_from(source).values()
    with_amp = [v["answerText"] for v in values if "&amp;" in (v["answerText"] or "")]
    assert len(with_amp) >= AMPERSANDS[source]
    for markup in with_amp:
        text = html_to_text(markup)
        assert "&amp;" not in text
        assert text.count("&") >= markup.count("&amp;") - _amps_in_attributes(markup)


def _amps_in_attributes(markup: str) -> int:
    return sum(m.count("&amp;") for m in re.findall(r"<[^>]+>", markup))


# -- html_to_text: synthetic cases ------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (None, ""),
        ("", ""),
        ("plain words", "plain words"),
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ("<p>One.</p><p> </p><p>&nbsp;</p><p>\u00a0</p><p>Two.</p>", "One.\n\nTwo."),
        ("<p>One.</p>\n\n<p>  Two\n  lines. </p>", "One.\n\nTwo lines."),
        ("<P>Upper</P><DIV>case</DIV>", "Upper\n\ncase"),
        ("<p>line<br>break<br/>again</p>", "line\n\nbreak\n\nagain"),
        (
            "<p>Fish &amp; chips &lt;3 &#8217;s &#x2019; caf&eacute;</p>",
            "Fish & chips <3 ’s ’ café",
        ),
        ("<p>A <strong>bold</strong> and <em>it</em>alic</p>", "A bold and italic"),
        (
            "<p>See <a href='https://x.test/?a=1&amp;b=2' target='_blank'>the page</a>.</p>",
            "See the page.",
        ),
        ("<h2>Title</h2><p>Body</p>", "Title\n\nBody"),
        ("<ul><li>first</li><li>second</li></ul>", "- first\n\n- second"),
        ("<ol><li></li><li>only</li></ol>", "- only"),
        (
            "<table><tr><th>Year</th><th>Total</th></tr><tr><td>2024</td><td>1,204</td></tr>"
            "</table>",
            "Year | Total\n2024 | 1,204",
        ),
        (
            "<table><tbody><tr><td><p>a &amp; b</p></td><td><p>1</p><p>2</p></td></tr></tbody>"
            "</table>",
            "a & b | 1 2",
        ),
        ("<table><tr><td> </td><td></td></tr><tr><td>x</td><td>y</td></tr></table>", "x | y"),
        ("<TABLE><TR><TD>A</TD><TD>B</TD></TR></TABLE>", "A | B"),
        (
            "<p>Before.</p><table><tr><td>a</td><td>b</td></tr></table><p>After.</p>",
            "Before.\n\na | b\n\nAfter.",
        ),
        ("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>", "a\n\nb"),
        ("<p>5 &lt; 6 and x < y</p>", "5 < 6 and x < y"),
        ("<p>a\tb\r\nc</p>", "a b c"),
    ],
)
def test_html_to_text_cases(markup: str | None, text: str) -> None:
    assert html_to_text(markup) == text


def test_inline_tags_inside_a_table_cell_do_not_split_words() -> None:
    markup = (
        "<table><tr><td>From 5<sup>th</sup> May</td><td><strong>To</strong>tal</td></tr></table>"
    )
    assert html_to_text(markup) == "From 5th May | Total"


def test_html_comments_are_dropped_in_answers_with_tables() -> None:
    markup = "<!-- pasted from Word --><p>Intro</p><table><tr><td>a</td><td>b</td></tr></table>"
    assert html_to_text(markup) == "Intro\n\na | b"


def test_html_comments_are_dropped_in_answers_without_tables() -> None:
    assert html_to_text("<p>x</p><!-- note --><p>y</p>") == "x\n\ny"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab <>/&;#xp\n\t\u00a0")), max_size=60))
def test_html_to_text_never_fails_and_is_trimmed(markup: str) -> None:
    text = html_to_text(markup)
    assert text == text.strip()
    assert "\n\n\n" not in text


# -- list endpoint truncation --------------------------------------------------------------------


def list_pages(source: str) -> list[Path]:
    if source == "own":
        return own_list_files()
    return sorted(
        require_samples().glob(
            "list_answered_2025-03-07_to_2025-03-08_AnsweredOnly_take100_skip*.json"
        )
    )


# How many list pages each source has, and how many of their items have a single response.
# Our own answered list shows the 44 answered questions, the tabled list all 62 not withdrawn.
PAIRS = {"own": (2, 44 + 62), "shared": (5, 100)}


@pytest.mark.parametrize("source", SOURCES)
def test_list_answer_and_list_question_reproduce_the_list_endpoint_for_every_pair(
    source: str,
) -> None:
    details = details_from(source)
    pages = list_pages(source)
    assert len(pages) == PAIRS[source][0]
    pairs, wrong = 0, []
    for page in pages:
        for item in json.loads(page.read_text(encoding="utf-8"))["results"]:
            listed = item["value"]
            full = details.get(listed["id"])
            if full is None:
                continue
            pairs += 1
            if list_answer(full["answerText"]) != listed["answerText"]:
                wrong.append((listed["id"], "answerText"))
            if list_question(full["questionText"]) != listed["questionText"]:
                wrong.append((listed["id"], "questionText"))
    assert wrong == []
    assert pairs == PAIRS[source][1]


def test_list_renderings_of_short_and_long_texts() -> None:
    assert list_answer(None) is None
    assert list_question(None) is None
    assert list_answer("<p>Short &amp; sweet.</p>") == "Short &amp; sweet."
    long = "<p>" + "x" * 200 + "</p><p>" + "y" * 100 + "</p>"
    cut = list_answer(long)
    assert cut == "x" * 200 + "y" * 55 + "..."
    assert len(cut) == 258 and answer_is_cut(cut)
    assert list_question("q" * 300) == "q" * 255
    assert list_question("q" * 255) == "q" * 255
    assert question_is_cut("q" * 255) and not question_is_cut("q" * 254)
    assert not answer_is_cut("<p>" + "x" * 251 + "...</p>")  # HTML is never a list cut
    assert not answer_is_cut("x" * 257 + ".")


# -- status, prorogation, dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder",
    [
        "unanswered_holding_substantive",
        *shared("q1740381_unanswered_holding_substantive"),
    ],
)
def test_derive_status_along_a_holding_timeline(folder: str) -> None:
    states = [status_of(v) for v in timeline(folder)]
    assert states == ["unanswered", "holding", "answered"]


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("question_3100070.json", "vanished_from_list"),
        *shared(("question_1781191_corrected_detail.json", "q1740470_vanished_from_list")),
    ],
)
def test_derive_status_corrected_and_withdrawn(name: str, folder: str) -> None:
    corrected = detail(name)
    assert status_of(corrected) == "corrected"
    assert status_of({**corrected, "isWithdrawn": True}) == "withdrawn"
    unanswered = timeline(folder)[0]
    assert status_of({**unanswered, "isWithdrawn": True}) == "withdrawn"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ({}, "unanswered"),
        ({"answerText": None, "dateAnswered": None, "answerIsHolding": None}, "unanswered"),
        ({"answerText": "", "dateAnswered": None}, "unanswered"),
        (
            {
                "answerText": "<p>Holding.</p>",
                "dateAnswered": "2024-11-13T00:00:00",
                "answerIsHolding": True,
                "answerIsCorrection": False,
            },
            "holding",
        ),
        (
            {
                "answerText": "<p>Yes.</p>",
                "dateAnswered": "2024-11-14T00:00:00",
                "answerIsHolding": False,
                "answerIsCorrection": False,
            },
            "answered",
        ),
        (
            {
                "answerText": "<p>Yes.</p>",
                "dateAnswered": "2024-11-14T00:00:00",
                "answerIsHolding": False,
                "answerIsCorrection": True,
            },
            "corrected",
        ),
        ({"answerText": None, "dateAnswered": "2024-11-14T00:00:00"}, "answered"),
        ({"answerText": "<p>Yes.</p>", "isWithdrawn": True}, "withdrawn"),
    ],
)
def test_derive_status_cases(value: dict[str, Any], status: str) -> None:
    assert status_of(value) == status
    assert status in STATUSES


def test_our_own_questions_show_every_status() -> None:
    assert {status_of(v) for v in details_from("own").values()} == set(STATUSES)


# A fact about the real March 2025 set (fetched as answered questions), not about pqtrack's
# own fixtures, which hold every status on purpose.
@pytest.mark.samples
def test_every_sample_answer_is_answered_or_corrected() -> None:
    statuses = {status_of(v) for v in details_from("shared").values()}
    assert statuses == {"answered", "corrected"}


@pytest.mark.parametrize(
    "folder",
    [
        "answered_at_prorogation",
        *shared("q1676644_answered_at_prorogation"),
    ],
)
def test_the_prorogation_formula_is_recognised(folder: str) -> None:
    (value,) = timeline(folder)
    assert is_prorogation_answer(value["answerText"])
    assert parse_row(value)["is_prorogation_answer"] is True
    assert status_of(value) == "answered"


# The single responses answered with the prorogation formula: our own set has one.
PROROGATION = {"own": {3100095}, "shared": set()}


@pytest.mark.parametrize("source", SOURCES)
def test_ordinary_answers_are_not_prorogation_answers(source: str) -> None:
    found = set()
    for value in details_from(source).values():
        if value["answerText"] is None:
            assert parse_row(value)["is_prorogation_answer"] is False
            continue
        formula = is_prorogation_answer(html_to_text(value["answerText"]))
        assert parse_row(value)["is_prorogation_answer"] is formula
        if formula:
            found.add(value["id"])
    assert found == PROROGATION[source]
    root = OWN / "timelines" if source == "own" else require_samples() / "timelines"
    paths = [p for p in root.glob("*/*.json") if "prorogation" not in p.parent.name]
    assert paths
    for path in paths:
        assert not is_prorogation_answer(detail_value(path)["answerText"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It has not been possible to answer this question before Dissolution.", True),
        ("It has not proved possible to reply to the noble Lord before the prorogation.", True),
        (
            "The Department has indicated that it will not be possible to answer within the usual "
            "time period.",
            False,
        ),
        ("The Prorogation of Parliament is a matter for the Government.", False),
        ("", False),
        (None, False),
    ],
)
def test_prorogation_cases(text: str | None, expected: bool) -> None:
    assert is_prorogation_answer(text) is expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-03-06T00:00:00", "2025-03-06"),
        ("2024-12-05", "2024-12-05"),
        (None, None),
        ("", None),
    ],
)
def test_parse_date(text: str | None, day: str | None) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "name",
    [
        "question_3100070.json",
        *shared("question_1781191_corrected_detail.json"),
    ],
)
def test_to_row_dates_are_days(name: str) -> None:
    row = parse_row(detail(name))
    for key in ("date_tabled", "date_for_answer", "date_answered", "date_answer_corrected"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[key]), key
    assert row["date_holding_answer"] is None


# -- hashing -------------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_content_keys = st.text(min_size=1, max_size=20).filter(
    lambda k: k not in MEMBER_OBJECTS and k != "links"
)
_values = st.dictionaries(_content_keys, _json, min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(_values, st.randoms(use_true_random=False))
def test_content_hash_is_stable_under_key_order(value: dict[str, Any], rnd: Any) -> None:
    items = list(value.items())
    rnd.shuffle(items)
    shuffled = dict(items)
    assert content_hash(shuffled) == content_hash(value)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", content_hash(value))


@settings(max_examples=100, deadline=None)
@given(_values, st.data())
def test_any_change_of_a_content_value_changes_the_hash(value: dict[str, Any], data: Any) -> None:
    key = data.draw(st.sampled_from(sorted(value)))
    new = data.draw(_json.filter(lambda v: canonical_json(v) != canonical_json(value[key])))
    assert content_hash({**value, key: new}) != content_hash(value)


@settings(max_examples=100, deadline=None)
@given(_values, st.sampled_from([*MEMBER_OBJECTS, "links"]), _json)
def test_member_objects_and_links_are_not_content(
    value: dict[str, Any], key: str, extra: Any
) -> None:
    assert content_hash({**value, key: extra}) == content_hash(value)


@pytest.mark.parametrize(
    "name",
    [
        "question_3100070.json",
        *shared("question_1781191_corrected_detail.json"),
    ],
)
def test_content_hash_of_a_value_ignores_key_order_and_member_objects(name: str) -> None:
    value = detail(name)
    reordered = dict(sorted(value.items(), reverse=True))
    assert content_hash(reordered) == content_hash(value)
    expanded = {**value, "askingMember": {"id": value["askingMemberId"], "name": "Someone"}}
    assert content_hash(expanded) == content_hash(value)
    assert content_hash({**value, "heading": value["heading"] + "!"}) != (content_hash(value))


# -- names and validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("id", "id"),
        ("uin", "uin"),
        ("answeringBodyId", "answering_body_id"),
        ("dateAnswerCorrected", "date_answer_corrected"),
        ("groupedQuestionsDates", "grouped_questions_dates"),
        ("isNamedDay", "is_named_day"),
        ("answerIsHolding", "answer_is_holding"),
        ("already_snake", "already_snake"),
    ],
)
def test_snake(name: str, column: str) -> None:
    assert snake(name) == column


@pytest.mark.parametrize("source", SOURCES)
def test_validate_accepts_every_value(source: str) -> None:
    values = list(details_from(source).values())
    if source == "own":
        for page in own_list_files():
            values += [i["value"] for i in json.loads(page.read_text(encoding="utf-8"))["results"]]
    assert values
    for value in values:
        assert validate(value) is value


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        "1781191",
        {},
        {"id": None, "questionText": "x"},
        {"id": "1781191", "questionText": "x"},
        {"id": 0, "questionText": "x"},
        {"id": -4, "questionText": "x"},
        {"id": True, "questionText": "x"},
        {"id": 17.5, "questionText": "x"},
        {"id": 1, "questionText": 5},
        {"id": 1, "answerText": ["<p>x</p>"]},
        {"id": 1, "heading": {"a": 1}},
        {"id": 1, "uin": 35566},
        {"id": 1, "dateTabled": "yesterday"},
        {"id": 1, "dateTabled": 20250304},
        {"id": 1, "dateAnswered": "04/03/2025"},
        {"id": 1, "dateForAnswer": ""},
        {"id": 1, "dateAnswerCorrected": "2025-3-4"},
    ],
)
def test_validate_rejects_bad_values(value: Any) -> None:
    with pytest.raises(ValueError):
        validate(value)


@pytest.mark.parametrize("day", ["2025-13-45T00:00:00", "2025-02-30T00:00:00"])
def test_validate_rejects_impossible_dates(day: str) -> None:
    with pytest.raises(ValueError):
        validate({"id": 1, "questionText": "x", "dateTabled": day})


def test_validate_rejects_ids_sqlite_cannot_store() -> None:
    with pytest.raises(ValueError):
        validate({"id": 2**63, "questionText": "x"})
