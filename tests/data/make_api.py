"""Writes the API-shaped fixtures in tests/data/api/ (run it to regenerate them; commit the JSON).

Every question, name and text here is made up for pqtrack's tests. The shapes follow the
Written Questions API (field names, envelopes, null vs "" vs []), and the list files render the
single responses the way the list endpoint does: question text cut to 255 characters, answer
text stripped of tags and cut to 255 characters plus "...", correction texts blanked, grouping
shown (the single responses show none).

    python tests/data/make_api.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "api"
Value = dict[str, Any]

BODIES = {
    1: "Home Office",
    11: "Ministry of Defence",
    13: "Department for Environment, Food and Rural Affairs",
    14: "Treasury",
    17: "Department of Health and Social Care",
    27: "Department for Transport",
    54: "Ministry of Justice",
    60: "Department for Education",
}
ASKERS = {
    7101: ("Orla Penhale", "Penhale, Orla", "Labour", "Lab", "Westmarsh"),
    7102: ("Dev Castellan", "Castellan, Dev", "Conservative", "Con", "Highmoor"),
    7103: ("Ruth Aldous", "Aldous, Ruth", "Liberal Democrat", "LD", "Kettlebury"),
    7104: ("Lord Brackwell", "Brackwell, Lord", "Crossbench", "XB", "Life peer"),
    7105: ("Baroness Tamsin", "Tamsin, Baroness", "Labour", "Lab", "Life peer"),
}
MINISTERS = {
    7201: ("Hal Quarrie", "Quarrie, Hal", "Labour", "Lab", "Eastwold"),
    7202: ("Lord Fennick", "Fennick, Lord", "Labour", "Lab", "Life peer"),
    7203: ("Priya Moorcroft", "Moorcroft, Priya", "Labour", "Lab", "Sallowby"),
}
LINK = (
    "https://eur03.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.example.gov.uk"
    "%2Fguidance%2Fhedgerows&data=05%7C02%7Cx&reserved=0"
)


def member(mid: int | None) -> Value | None:
    if mid is None:
        return None
    name, list_as, party, abbr, seat = {**ASKERS, **MINISTERS}[mid]
    return {
        "id": mid,
        "listAs": list_as,
        "name": name,
        "party": party,
        "partyColour": "999999",
        "partyAbbreviation": abbr,
        "memberFrom": seat,
        "thumbnailUrl": f"https://members-api.parliament.uk/api/Members/{mid}/Thumbnail",
    }


def day(d: str | None) -> str | None:
    return f"{d}T00:00:00" if d else None


def question(
    qid: int,
    uin: str,
    body: int,
    asker: int,
    tabled: str,
    text: str,
    *,
    heading: str | None = None,
    due: str | None = None,
    answer: str | None = None,
    answered: str | None = None,
    minister: int | None = 7201,
    holding: str | None = None,
    corrected: str | None = None,
    original: str = "",
    comparable: str = "",
    withdrawn: bool = False,
    named_day: bool = False,
    grouped: tuple[tuple[str, str], ...] = (),
) -> Value:
    house = "Lords" if uin.startswith("HL") else "Commons"
    is_answered = answer is not None
    return {
        "id": qid,
        "askingMemberId": asker,
        "askingMember": None,
        "house": house,
        "memberHasInterest": False,
        "dateTabled": day(tabled),
        "dateForAnswer": day(due or tabled),
        "uin": uin,
        "questionText": text,
        "answeringBodyId": body,
        "answeringBodyName": BODIES[body],
        "isWithdrawn": withdrawn,
        "isNamedDay": named_day,
        "groupedQuestions": [u for u, _ in grouped],
        "answerIsHolding": (holding is not None and answered == holding) if is_answered else None,
        "answerIsCorrection": (corrected is not None) if is_answered else None,
        "answeringMemberId": minister if is_answered else None,
        "answeringMember": None,
        "correctingMemberId": minister if corrected else None,
        "correctingMember": None,
        "dateAnswered": day(answered) if is_answered else None,
        "answerText": answer,
        "originalAnswerText": original,
        "comparableAnswerText": comparable,
        "dateAnswerCorrected": day(corrected),
        "dateHoldingAnswer": day(holding),
        "attachmentCount": 0,
        "heading": heading,
        "attachments": [],
        "groupedQuestionsDates": [{"questionUin": u, "dateTabled": day(d)} for u, d in grouped],
    }


_TAG = re.compile(r"<[^>]*>")


def list_form(value: Value, *, expand: bool = True) -> Value:
    """The list endpoint's rendering of a single response (API.md §6)."""
    item = dict(value)
    item["questionText"] = value["questionText"][:255]
    if value["answerText"] is not None:
        flat = _TAG.sub("", value["answerText"])
        item["answerText"] = flat[:255] + "..." if len(flat) > 255 else flat
    item["originalAnswerText"] = ""
    item["comparableAnswerText"] = ""
    if expand:
        for key in ("askingMember", "answeringMember", "correctingMember"):
            item[key] = member(value[key + "Id"])
    return item


def single(value: Value) -> Value:
    """A single response: grouping is never shown there."""
    return {
        "value": {**value, "groupedQuestions": [], "groupedQuestionsDates": []},
        "links": [{"rel": "self", "href": f"/Questions/{value['id']}", "method": "GET"}],
    }


def envelope(items: list[Value]) -> Value:
    return {
        "totalResults": len(items),
        "results": [
            {
                "value": v,
                "links": [{"rel": "self", "href": f"/Questions/{v['id']}", "method": "GET"}],
            }
            for v in items
        ],
    }


# -- the answers ---------------------------------------------------------------------------------

HOLDING = (
    "<p>The Department has indicated that it will not be possible to answer this question "
    "within the usual time period. An answer is being prepared and will be provided as soon "
    "as it is available.</p>"
)
PROROGUED = (
    "<p>It has not proved possible to respond to the hon. Member in the time available "
    "before Prorogation.</p>"
)
TABLE_ANSWER = (
    "<p>The number of prison officers in post at the end of each quarter is set out in the "
    "table below. Figures are full-time equivalents and are rounded to the nearest ten.</p>"
    "<p> </p>"
    "<table><thead><tr><th><p>Quarter</p></th><th><p>Band 3 officers</p></th>"
    "<th><p>Band 4 supervisors</p></th></tr></thead><tbody>"
    "<tr><td><p>Q1 2024</p></td><td><p>21,340</p></td><td><p>3,110</p></td></tr>"
    "<tr><td><p>Q2 2024</p></td><td><p>21,870</p></td><td><p>3,150</p></td></tr>"
    "<tr><td><p>Q3 2024</p></td><td><p>22,020</p></td><td><p>3,190</p></td></tr>"
    "</tbody></table>"
    "<p> </p>"
    "<p>Prison staff &amp; officers in the youth estate are counted separately and are "
    "published in the quarterly workforce bulletin.</p>"
    "<table><tr><td><p>Youth estate</p></td><td><p>1,020</p></td></tr>"
    "<tr><td><p>Probation hostels</p></td><td><p>480</p></td></tr></table>"
)
LINK_ANSWER = (
    "<p>Farmers can apply for hedgerow grants under the Capital Grants offer. Details of "
    f'eligible items are on <a href="{LINK}" target="_blank">GOV.UK</a>.</p>'
    "<p> </p>"
    "<p>We have also published advice on tackling fly-tipping on farmland &amp; verges, "
    f'available at <a href="{LINK}" target="_blank">the rural crime pages</a>.</p>'
)
LINK_ANSWER_2 = (
    "<p>Recycling rates for household waste rose to 44.1% in 2023. The figures for each local "
    f'authority are in the <a href="{LINK}" target="_blank">waste statistics release</a>.</p>'
    "<p>Councils\u2019 plans for food waste collections &amp; garden waste are due by April.</p>"
)
ORIGINAL = (
    "<p>Since July, the Department has opened 14 new mental health support teams in schools, "
    "covering 310 schools in total.</p><p>A further expansion will be announced in the "
    "spring.</p>"
)
CORRECTED = (
    "<p>Since July, the Department has opened 16 new mental health support teams in schools, "
    "covering 340 schools in total.</p><p>A further expansion will be announced in the "
    "spring.</p>"
)
COMPARABLE = (
    '<p>Since July, the Department has opened <del class="ministerial">14</del>'
    '<ins class="ministerial">16</ins> new mental health support teams in schools, covering '
    '<del class="ministerial">310</del><ins class="ministerial">340</ins> schools in '
    "total.</p><p>A further expansion will be announced in the spring.</p>"
)
TABLE_ORIGINAL = (
    "<p>Vaccination uptake among care home staff is shown below.</p>"
    "<table><tr><td><p>Region</p></td><td><p>Uptake</p></td></tr>"
    "<tr><td><p>North</p></td><td><p></p></td></tr>"
    "<tr><td><p>South</p></td><td><p></p></td></tr></table>"
)
TABLE_CORRECTED = (
    "<p>Vaccination uptake among care home staff is shown below.</p>"
    "<table><tr><td><p>Region</p></td><td><p>Uptake</p></td></tr>"
    "<tr><td><p>North</p></td><td><p>71%</p></td></tr>"
    "<tr><td><p>South</p></td><td><p>68%</p></td></tr></table>"
)
TABLE_COMPARABLE = (
    "<p>Vaccination uptake among care home staff is shown below.</p>"
    "<table><tr><td><p>Region</p></td><td><p>Uptake</p></td></tr>"
    '<tr><td><p>North</p></td><td><p><ins class="ministerial">71%</ins></p></td></tr>'
    '<tr><td><p>South</p></td><td><p><ins class="ministerial">68%</ins></p></td></tr>'
    "</table>"
)
CADETS_ORIGINAL = (
    "<p>Adult volunteer numbers in the cadet forces are published each year in the "
    "Department’s cadet statistics.</p>"
)
CADETS_TABLE = (
    "<table><tr><td><p>{ins}Nation{end}</p></td><td><p>{ins}Adult volunteers{end}</p></td></tr>"
    "<tr><td><p>{ins}Scotland{end}</p></td><td><p>{ins}2,310{end}</p></td></tr>"
    "<tr><td><p>{ins}Wales{end}</p></td><td><p>{ins}1,140{end}</p></td></tr></table>"
)
LATE_ANSWER = (
    "<p>Integrated care boards are responsible for commissioning NHS dentistry in their areas. "
    "The Government has asked every board to set out how it will use the dental recovery "
    "funding to offer more urgent appointments, and NHS England publishes the number of "
    "courses of treatment delivered each month.</p>"
    "<p>In the six months to September 2024, {n} urgent appointments were provided in "
    "the South West.</p>"
)
LONG_QUESTION = (
    "To ask the Secretary of State for Justice, how many prison officers were in post in each "
    "quarter of 2024; how many of those officers left the service within their first year; "
    "what steps her Department is taking to improve the retention of prison staff in "
    "establishments with the highest vacancy rates; and whether she plans to publish those "
    "figures by establishment."
)


def own_questions() -> list[Value]:
    """The corpus: about forty questions covering every shape pqtrack must handle."""
    q: list[Value] = []
    add = q.append
    # Ministry of Justice: tables, a long question, prison staff searches
    add(
        question(
            3100001,
            "31001",
            54,
            7101,
            "2025-03-03",
            LONG_QUESTION,
            heading="Prison Officers",
            answer=TABLE_ANSWER,
            answered="2025-03-10",
            minister=7203,
        )
    )
    add(
        question(
            3100002,
            "31002",
            54,
            7102,
            "2025-03-03",
            "To ask the Secretary of State for Justice, what assessment she has made of "
            "staffing levels in the prison estate.",
            heading="Prisons: Staff",
            answer="<p>I refer the hon. Member to the answer I gave on 10 March 2025 to "
            "Question UIN 31001.</p>",
            answered="2025-03-11",
            minister=7203,
        )
    )
    add(
        question(
            3100003,
            "31003",
            54,
            7101,
            "2025-03-04",
            "To ask the Secretary of State for Justice, how many prison officers were "
            "assaulted in 2024.",
            heading="Prison Officers: Crime",
            answer="<p>Assaults on prison officers fell by 6% in 2024 compared with the "
            "previous year.</p>",
            answered="2025-03-10",
            minister=7203,
        )
    )
    # Home Office: police, crime, asylum, facial recognition, immigration
    home = [
        (
            "police",
            "Police: Recruitment",
            "how many police officers were recruited in each police force area in 2024.",
        ),
        (
            "police_crime",
            "Police: Crime",
            "what steps she is taking to help the police reduce knife crime.",
        ),
        (
            "asylum",
            "Asylum: Hotels",
            "how many asylum seekers were housed in hotels at the end of February 2025.",
        ),
        (
            "refugees",
            "Refugees: Ukraine",
            "how many refugees from Ukraine have been granted further leave.",
        ),
        (
            "facial",
            "Police: Facial Recognition",
            "what guidance she has issued on the use of live facial recognition by police forces.",
        ),
        (
            "boats",
            "Immigration: Small Boats",
            "how many people crossed the Channel in small boats in January 2025.",
        ),
        (
            "visas",
            "Visas: Skilled Workers",
            "how many skilled worker visas were granted to care workers in 2024.",
        ),
        (
            "citizenship",
            "Citizenship: Fees",
            "what the cost is of an application for citizenship by naturalisation.",
        ),
        (
            "smuggling",
            "People Smuggling",
            "what progress the Border Security Command has made against people smuggling gangs.",
        ),
        (
            "illegal",
            "Illegal Working",
            "how many civil penalties for illegal working were issued in 2024.",
        ),
        (
            "biometric",
            "Biometrics",
            "what her policy is on retaining biometric data of people not charged.",
        ),
        (
            "immigration",
            "Immigration: Statistics",
            "when she plans to publish the next quarterly immigration statistics.",
        ),
    ]
    for i, (_, heading, ask) in enumerate(home):
        qid = 3100010 + i
        text = f"To ask the Secretary of State for the Home Department, {ask}"
        answered = i % 4 != 3
        add(
            question(
                qid,
                str(31010 + i),
                1,
                7101 + i % 3,
                f"2025-03-0{3 + i % 3}",
                text,
                heading=heading if answered else None,
                answer=f"<p>The Home Office publishes figures on this. {heading} data for "
                f"2024 will be released in May 2025.</p>"
                if answered
                else None,
                answered="2025-03-10" if answered else None,
            )
        )
    # a withdrawn Home Office question
    add(
        question(
            3100030,
            "31030",
            1,
            7102,
            "2025-03-04",
            "To ask the Secretary of State for the Home Department, how many police "
            "horses are kept by the Metropolitan Police.",
            withdrawn=True,
        )
    )
    # Defence: a dozen, some grouped, some holding
    for i in range(12):
        qid = 3100040 + i
        grouped: tuple[tuple[str, str], ...] = ()
        if i in (0, 1):
            partner = 31041 if i == 0 else 31040
            grouped = ((str(partner), "2025-03-03"),)
        holding = i in (5, 6, 7, 8, 9)
        add(
            question(
                qid,
                str(31040 + i),
                11,
                7103,
                "2025-03-03",
                f"To ask the Secretary of State for Defence, what the planned service life "
                f"is of the Army's fleet of type {i + 1} support vehicles.",
                heading="Army: Vehicles",
                due="2025-03-05" if i == 4 else None,
                named_day=i == 4,
                answer=HOLDING
                if holding
                else (
                    "<p>The support vehicle fleets named in the question (and their "
                    "replacements) are reviewed every year.</p>"
                    if i in (0, 1)
                    else f"<p>Vehicle fleet {i + 1} is expected to remain in service until "
                    f"{2030 + i}.</p><p>Each fleet is inspected by the Defence Equipment and "
                    "Support "
                    "organisation, and its planned out-of-service date is reviewed against the "
                    "condition of the vehicles, the cost of keeping them running and the arrival "
                    "of replacements under the land equipment programme.</p>"
                ),
                answered="2025-03-11",
                holding="2025-03-11" if holding else None,
                minister=7201,
                grouped=grouped,
            )
        )
    # Defence: a correction that adds a table after the answer it corrects
    add(
        question(
            3100052,
            "31052",
            11,
            7102,
            "2025-03-04",
            "To ask the Secretary of State for Defence, how many adult volunteers served in "
            "the cadet forces in Scotland and Wales in 2024.",
            heading="Cadets: Volunteers",
            answer=CADETS_ORIGINAL + CADETS_TABLE.format(ins="", end=""),
            answered="2025-03-07",
            corrected="2025-03-11",
            original=CADETS_ORIGINAL,
            comparable=CADETS_ORIGINAL
            + CADETS_TABLE.format(ins='<ins class="ministerial">', end="</ins>"),
            minister=7201,
        )
    )
    # DHSC: vaccination, covid-19, dementia, corrections, holding
    add(
        question(
            3100063,
            "31063",
            17,
            7103,
            "2025-03-04",
            "To ask the Secretary of State for Health and Social Care, how many extra urgent "
            "dental appointments were provided in the South West in 2024.",
            heading="Dental Services: South West",
            answer=LATE_ANSWER.format(n="4,120 extra"),
            answered="2025-03-05",
            corrected="2025-03-06",
            original=LATE_ANSWER.format(n="4,210 additional"),
            comparable=LATE_ANSWER.format(
                n='<del class="ministerial">4,210 additional</del>'
                '<ins class="ministerial">4,120 extra</ins>'
            ),
            minister=7203,
        )
    )
    add(
        question(
            3100060,
            "31060",
            17,
            7102,
            "2025-03-03",
            "To ask the Secretary of State for Health and Social Care, what the uptake of "
            "the covid-19 vaccine was among care home staff in 2020/21, by region.",
            heading="Coronavirus: Vaccination",
            answer=TABLE_CORRECTED,
            answered="2025-03-07",
            corrected="2025-03-12",
            original=TABLE_ORIGINAL,
            comparable=TABLE_COMPARABLE,
            minister=7203,
        )
    )
    add(
        question(
            3100061,
            "31061",
            17,
            7101,
            "2025-03-04",
            "To ask the Secretary of State for Health and Social Care, what funding is "
            "available for dementia diagnosis in 2025-26.",
            heading="Dementia: Diagnosis",
            answer=HOLDING,
            answered="2025-03-10",
            holding="2025-03-10",
            minister=7203,
        )
    )
    add(
        question(
            3100062,
            "31062",
            17,
            7103,
            "2025-03-04",
            "To ask the Secretary of State for Health and Social Care, what assessment he "
            "has made of waiting times for mental health services for adults.",
            heading="Mental Health Services",
            answer="<p>Waiting times for adult mental health services are published "
            "monthly by NHS England.</p>",
            answered="2025-03-10",
            minister=7203,
        )
    )
    # Education: the wording correction
    add(
        question(
            3100070,
            "31070",
            60,
            7101,
            "2025-03-03",
            "To ask the Secretary of State for Education, how many mental health support "
            "teams have opened in schools since July 2024.",
            heading="Schools: Mental Health",
            answer=CORRECTED,
            answered="2025-03-06",
            corrected="2025-03-13",
            original=ORIGINAL,
            comparable=COMPARABLE,
            minister=7201,
        )
    )
    add(
        question(
            3100071,
            "31071",
            60,
            7102,
            "2025-03-05",
            "To ask the Secretary of State for Education, how many school buildings need "
            "urgent repairs.",
            heading="School Buildings",
        )
    )
    # DEFRA: links, fly-tipping, recycling, flooding
    add(
        question(
            3100080,
            "31080",
            13,
            7103,
            "2025-03-03",
            "To ask the Secretary of State for Environment, Food and Rural Affairs, what "
            "support is available to farmers for hedgerows and for clearing fly-tipping.",
            heading="Hedgerows: Fly-tipping",
            answer=LINK_ANSWER,
            answered="2025-03-10",
            minister=7201,
        )
    )
    add(
        question(
            3100081,
            "31081",
            13,
            7101,
            "2025-03-04",
            "To ask the Secretary of State for Environment, Food and Rural Affairs, what "
            "the household recycling rate was in 2023.",
            heading="Recycling",
            answer=LINK_ANSWER_2,
            answered="2025-03-10",
            minister=7201,
        )
    )
    add(
        question(
            3100082,
            "31082",
            13,
            7102,
            "2025-03-05",
            "To ask the Secretary of State for Environment, Food and Rural Affairs, how "
            "many homes were flooded in January 2025.",
            heading="Flooding",
            answer="<p>Around 800 properties flooded in January 2025.</p>",
            answered="2025-03-11",
            minister=7201,
        )
    )
    # Treasury
    add(
        question(
            3100090,
            "31090",
            14,
            7102,
            "2025-03-03",
            "To ask the Chancellor of the Exchequer, what estimate she has made of receipts "
            "from fuel duty in 2025-26.",
            heading="Fuel Duty",
            answer="<p>Forecasts of fuel duty receipts are published by the Office for "
            "Budget Responsibility.</p>",
            answered="2025-03-10",
            minister=7201,
        )
    )
    # Transport: prorogation formula, transferred question
    add(
        question(
            3100095,
            "31095",
            27,
            7103,
            "2025-03-03",
            "To ask the Secretary of State for Transport, how many level crossings were "
            "upgraded in 2024.",
            heading="Level Crossings",
            answer=PROROGUED,
            answered="2025-03-12",
            minister=7201,
        )
    )
    # Lords: twenty-two, a few answered, a referral to a Commons UIN
    for i in range(22):
        qid = 3100100 + i
        body = (1, 17, 11, 54)[i % 4]
        answered = i % 3 == 0
        text = (
            f"To ask His Majesty's Government what plans they have to review item {i + 1} of "
            f"the {BODIES[body]} guidance on school transport and police vaccination."
            if i % 5 == 0
            else f"To ask His Majesty's Government how long visa applications from group {i + 1} "
            "take to decide."
            if i % 5 == 1
            else f"To ask His Majesty's Government how many public bodies answered survey {i + 1}."
        )
        add(
            question(
                qid,
                f"HL{5100 + i}",
                body,
                7104 + i % 2,
                "2025-03-04",
                text,
                heading="Public Bodies" if answered else None,
                due="2025-03-18",
                answer="<p>The Government will write to the noble Lord with the figures.</p>"
                if answered
                else None,
                answered="2025-03-12" if answered else None,
                minister=7202,
            )
        )
    add(
        question(
            3100130,
            "HL5130",
            54,
            7104,
            "2025-03-05",
            "To ask His Majesty's Government what assessment they have made of staffing "
            "levels in prisons.",
            heading="Prisons: Staff",
            due="2025-03-19",
            answer="<p>I refer the noble Lord to the answer given by my hon. Friend the "
            "Minister for Prisons on 10 March 2025 in the House of Commons to Question "
            "UIN 31001.</p>",
            answered="2025-03-13",
            minister=7202,
        )
    )
    return q


# -- timelines: one question as the list showed it on successive days ---------------------------


def timelines() -> dict[str, list[Value]]:
    base = dict(
        qid=3200001,
        uin="32001",
        body=17,
        asker=7101,
        tabled="2025-01-06",
        text="To ask the Secretary of State for Health and Social Care, how many community "
        "pharmacies closed in 2024.",
    )

    def q(**kw: Any) -> Value:
        args = {**base, **kw}
        return question(
            args.pop("qid"),
            args.pop("uin"),
            args.pop("body"),
            args.pop("asker"),
            args.pop("tabled"),
            args.pop("text"),
            **args,
        )

    substantive = (
        "<p>NHS England records show 289 community pharmacies closed in 2024 and 42 opened.</p>"
    )
    out: dict[str, list[Value]] = {}
    out["unanswered_holding_substantive"] = [
        q(),
        q(
            heading="Pharmacy: Closures",
            answer=HOLDING,
            answered="2025-01-20",
            holding="2025-01-20",
        ),
        q(
            heading="Pharmacy: Closures",
            answer=substantive,
            answered="2025-02-03",
            holding="2025-01-20",
        ),
    ]
    base.update(
        qid=3200002,
        uin="32002",
        text="To ask the Secretary of State for Health and "
        "Social Care, how many GP practices closed in 2024.",
    )
    first = "<p>There were 61 GP practice closures in 2024.</p>"
    second = "<p>There were 67 GP practice closures in 2024.</p>"
    out["answered_then_corrected"] = [
        q(heading="GP Practices", answer=first, answered="2025-01-14"),
        q(
            heading="GP Practices",
            answer=second,
            answered="2025-01-14",
            corrected="2025-02-10",
            original=first,
            comparable='<p>There were <del class="ministerial">61</del>'
            '<ins class="ministerial">67</ins> GP practice closures in 2024.</p>',
        ),
    ]
    base.update(
        qid=3200003,
        uin="32003",
        body=14,
        text="To ask the Chancellor of the Exchequer, what the cost was of the civil "
        "service graduate scheme in 2024.",
    )
    moved = (
        "To ask the Minister for the Cabinet Office, what the cost was of the civil service "
        "graduate scheme in 2024."
    )
    BODIES[53] = "Cabinet Office"
    out["transferred_reworded_then_answered"] = [
        q(),
        q(body=53, text=moved),
        q(
            body=53,
            text=moved,
            heading="Civil Service: Graduates",
            answer="<p>The scheme cost \u00a34.2 million in 2024.</p>",
            answered="2025-01-21",
            minister=7203,
        ),
    ]
    base.update(
        qid=3200004,
        uin="32004",
        body=1,
        text="To ask the Secretary of State for the "
        "Home Department, how many fire and rescue inspections took place in 2024.",
    )
    out["vanished_from_list"] = [q()]
    base.update(
        qid=3200005,
        uin="32005",
        body=27,
        text="To ask the Secretary of State for "
        "Transport, when the next rail timetable review will take place.",
    )
    out["dateTabled_changed"] = [
        q(tabled="2025-01-06", due="2025-01-08"),
        q(tabled="2025-01-07", due="2025-01-09"),
    ]
    base.update(
        qid=3200006,
        uin="32006",
        body=11,
        tabled="2025-01-06",
        text="To ask the Secretary of State for Defence, how many reservists were "
        "mobilised in 2024.",
    )
    out["grouped_questions_changed"] = [
        q(grouped=(("32007", "2025-01-06"),)),
        q(grouped=(("32007", "2025-01-06"), ("32009", "2025-01-07"))),
    ]
    base.update(
        qid=3200008,
        uin="32008",
        body=27,
        text="To ask the Secretary of State for "
        "Transport, how many bus routes were withdrawn in 2024.",
    )
    out["answered_at_prorogation"] = [
        q(heading="Bus Services", answer=PROROGUED, answered="2025-01-30"),
    ]
    base.update(
        qid=3200010,
        uin="32010",
        body=60,
        text="To ask the Secretary of State for "
        "Education, how many teaching assistants were employed in primary schools in 2024.",
    )
    few = "<p>Around 278,000 teaching assistants worked in primary schools in 2024.</p>"
    more = "<p>Around 281,000 teaching assistants worked in primary schools in 2024.</p>"
    more_marked = (
        '<p>Around <del class="ministerial">278,000</del><ins class="ministerial">281,000'
        "</ins> teaching assistants worked in primary schools in 2024.</p>"
    )
    out["unanswered_answered_corrected"] = [
        q(),
        q(heading="Teaching Assistants"),
        q(heading="Teaching Assistants", answer=few, answered="2025-01-15"),
        q(
            heading="Teaching Assistants",
            answer=more,
            answered="2025-01-15",
            corrected="2025-01-29",
            original=few,
            comparable=more_marked,
        ),
    ]
    base.update(
        qid=3200011,
        uin="32011",
        body=13,
        text="To ask the Secretary of State for "
        "Environment, Food and Rural Affairs, how many beavers have been released under licence.",
    )
    released = "<p>Seven beavers have been released under licence since 2022.</p>"
    out["answered_and_corrected_same_day"] = [
        q(),
        q(heading="Beavers"),
        q(
            heading="Beavers",
            answer=released,
            answered="2025-01-16",
            corrected="2025-01-16",
            original="<p>Six beavers have been released under licence since 2022.</p>",
            comparable='<p><del class="ministerial">Six</del><ins class="ministerial">Seven'
            "</ins> beavers have been released under licence since 2022.</p>",
        ),
    ]
    base.update(
        qid=3200012,
        uin="32012",
        body=54,
        text="To ask the Secretary of State for "
        "Justice, how many magistrates were appointed in 2024.",
    )
    appointed = "<p>The judiciary appointed 1,120 new magistrates in 2024.</p>"
    out["dateForAnswer_changed_heading_after_answer"] = [
        q(due="2025-01-09"),
        q(due="2025-01-13"),
        q(due="2025-01-13", answer=appointed, answered="2025-01-13"),
        q(due="2025-01-13", heading="Magistrates", answer=appointed, answered="2025-01-13"),
    ]
    base.update(
        qid=3200013,
        uin="32013",
        body=17,
        text="To ask the Secretary of State for "
        "Health and Social Care, how many extra urgent dental appointments were provided in "
        "Cumbria in 2024.",
    )
    late = LATE_ANSWER.replace("the South West", "Cumbria")
    out["corrected_beyond_the_cut"] = [
        q(
            heading="Dental Services: Cumbria",
            answer=late.format(n="910 extra"),
            answered="2025-01-08",
        ),
        q(
            heading="Dental Services: Cumbria",
            answer=late.format(n="901 extra"),
            answered="2025-01-08",
            corrected="2025-01-22",
            original=late.format(n="910 extra"),
            comparable=late.format(
                n='<del class="ministerial">910</del><ins class="ministerial">901</ins> extra'
            ),
        ),
    ]
    return out


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    questions = own_questions()
    for value in questions:
        write(OUT / "details" / f"question_{value['id']}.json", single(value))
    visible = [v for v in questions if not v["isWithdrawn"]]

    def newest(v: Value) -> tuple[str, int]:
        return (max(v["dateAnswered"] or "", v["dateAnswerCorrected"] or ""), v["id"])

    answered = sorted((v for v in visible if v["dateAnswered"]), key=newest, reverse=True)
    tabled = sorted(visible, key=newest, reverse=True)
    write(
        OUT / "lists" / "list_answered_expandMember.json",
        envelope([list_form(v) for v in answered]),
    )
    write(
        OUT / "lists" / "list_tabled.json", envelope([list_form(v, expand=False) for v in tabled])
    )
    for name, values in timelines().items():
        for n, value in enumerate(values, 1):
            write(
                OUT / "timelines" / name / f"{n:02d}.json",
                {"value": list_form(value, expand=False), "links": []},
            )


if __name__ == "__main__":
    main()
