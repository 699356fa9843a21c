"""Synthetic written questions, shaped like the single-question API `value`, for benchmarks.

    python tests/bench/generate.py --n 200000 --out /tmp/q.jsonl
    python tests/bench/generate.py --n 1000000 --seed 7 --out /tmp/q.jsonl.gz

Deterministic for a given --n and --seed. Every sentence is made up here; only the answering
bodies' ids and names are real (API.md §7). The mix: ~25% Lords (HL uins), ~5% unanswered,
~2% holding, ~1% corrected, ~10% boilerplate answers shared word for word (some near-variants
with a name or date changed), ~3% in grouped pairs, a few referral and dissolution answers,
tabled dates spread over 2019-2026, and words drawn with a Zipf-like skew so that "government"
is everywhere and "watchlist" is rare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import random
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

START = dt.date(2019, 1, 7)
END = dt.date(2026, 3, 27)
GOVERNMENT_CHANGE = dt.date(2024, 7, 5)
KING_SINCE = dt.date(2022, 9, 8)
DISSOLUTIONS = (dt.date(2019, 11, 6), dt.date(2024, 5, 30))
# UIN counters restart with each session of Parliament.
SESSION_STARTS = (
    dt.date(2017, 6, 21),
    dt.date(2019, 10, 14),
    dt.date(2019, 12, 19),
    dt.date(2021, 5, 11),
    dt.date(2022, 5, 10),
    dt.date(2023, 11, 7),
    dt.date(2024, 7, 17),
)
MOG_2021 = dt.date(2021, 9, 19)  # housing department renamed (and renamed back in 2024)
MOG_2023 = dt.date(2023, 2, 7)  # business, trade, energy and culture departments reshaped

# (id, name, how a Commons question addresses it, weight, active from, active until)
DEPARTMENTS: tuple[tuple[int, str, str, int, dt.date | None, dt.date | None], ...] = (
    (1, "Home Office", "the Secretary of State for the Home Department", 14, None, None),
    (2, "Scotland Office", "the Secretary of State for Scotland", 1, None, None),
    (
        7,
        "Ministry of Housing, Communities and Local Government",
        "the Secretary of State for Housing, Communities and Local Government",
        6,
        None,
        None,
    ),
    (
        9,
        "Church Commissioners",
        "the hon. Member representing the Church Commissioners",
        1,
        None,
        None,
    ),
    (
        10,
        "Department for Digital, Culture, Media and Sport",
        "the Secretary of State for Digital, Culture, Media and Sport",
        4,
        None,
        MOG_2023,
    ),
    (11, "Ministry of Defence", "the Secretary of State for Defence", 7, None, None),
    (
        13,
        "Department for Environment, Food and Rural Affairs",
        "the Secretary of State for Environment, Food and Rural Affairs",
        8,
        None,
        None,
    ),
    (14, "Treasury", "the Chancellor of the Exchequer", 8, None, None),
    (
        17,
        "Department of Health and Social Care",
        "the Secretary of State for Health and Social Care",
        16,
        None,
        None,
    ),
    (
        18,
        "House of Commons Commission",
        "the hon. Member representing the House of Commons Commission",
        1,
        None,
        None,
    ),
    (21, "Northern Ireland Office", "the Secretary of State for Northern Ireland", 1, None, None),
    (27, "Department for Transport", "the Secretary of State for Transport", 7, None, None),
    (28, "Wales Office", "the Secretary of State for Wales", 1, None, None),
    (
        29,
        "Department for Work and Pensions",
        "the Secretary of State for Work and Pensions",
        9,
        None,
        None,
    ),
    (31, "Women and Equalities", "the Minister for Women and Equalities", 2, None, None),
    (34, "Leader of the House", "the Leader of the House", 1, None, None),
    (53, "Cabinet Office", "the Minister for the Cabinet Office", 5, None, None),
    (54, "Ministry of Justice", "the Secretary of State for Justice", 6, None, None),
    (60, "Department for Education", "the Secretary of State for Education", 10, None, None),
    (88, "Attorney General", "the Attorney General", 1, None, None),
    (
        201,
        "Department for Business, Energy and Industrial Strategy",
        "the Secretary of State for Business, Energy and Industrial Strategy",
        7,
        None,
        MOG_2023,
    ),
    (
        202,
        "Department for International Trade",
        "the Secretary of State for International Trade",
        2,
        None,
        MOG_2023,
    ),
    (
        208,
        "Foreign, Commonwealth and Development Office",
        "the Secretary of State for Foreign, Commonwealth and Development Affairs",
        7,
        None,
        None,
    ),
    (
        211,
        "Department for Levelling Up, Housing and Communities",
        "the Secretary of State for Levelling Up, Housing and Communities",
        6,
        MOG_2021,
        GOVERNMENT_CHANGE,
    ),
    (
        214,
        "Department for Business and Trade",
        "the Secretary of State for Business and Trade",
        5,
        MOG_2023,
        None,
    ),
    (
        215,
        "Department for Energy Security and Net Zero",
        "the Secretary of State for Energy Security and Net Zero",
        5,
        MOG_2023,
        None,
    ),
    (
        216,
        "Department for Science, Innovation and Technology",
        "the Secretary of State for Science, Innovation and Technology",
        4,
        MOG_2023,
        None,
    ),
    (
        217,
        "Department for Culture, Media and Sport",
        "the Secretary of State for Culture, Media and Sport",
        4,
        MOG_2023,
        None,
    ),
)
COMMONS_ONLY = frozenset({9, 18, 34})

# Topic phrase -> heading, per department. Phrases are what researchers search for.
TOPICS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        ("live facial recognition", "Police: Facial Recognition"),
        ("small boats", "Asylum: Small Boats"),
        ("knife crime", "Knife Crime"),
        ("rural crime", "Rural Crime"),
        ("police officer numbers", "Police: Manpower"),
        ("visa processing times", "Visas: Applications"),
        ("asylum accommodation", "Asylum: Housing"),
        ("antisocial behaviour", "Antisocial Behaviour"),
        ("biometric residence permits", "Immigration: Biometrics"),
        ("shoplifting", "Shoplifting"),
    ),
    2: (
        ("the Scottish economy", "Scotland: Economic Growth"),
        ("whisky exports", "Whisky: Exports"),
    ),
    7: (
        ("social housing waiting lists", "Social Rented Housing"),
        ("leasehold reform", "Leasehold"),
        ("cladding remediation", "Buildings: Insulation"),
        ("council tax", "Council Tax"),
        ("homelessness", "Homelessness"),
        ("local government finance", "Local Government: Finance"),
    ),
    9: (("church roof repairs", "Churches: Repairs"), ("clergy stipends", "Clergy: Pay")),
    10: (
        ("gigabit broadband", "Broadband: Rural Areas"),
        ("online safety", "Internet: Safety"),
        ("grassroots football", "Football: Finance"),
        ("local museums", "Museums and Galleries"),
    ),
    11: (
        ("service family accommodation", "Armed Forces: Housing"),
        ("defence procurement", "Defence Equipment: Procurement"),
        ("veterans' mental health", "Veterans: Mental Health"),
        ("armed forces recruitment", "Armed Forces: Recruitment"),
        ("military bases", "Military Bases"),
    ),
    13: (
        ("fly-tipping", "Fly-tipping"),
        ("sewage discharges", "Water Companies: Sewage"),
        ("bovine tuberculosis", "Cattle: Tuberculosis"),
        ("rural crime", "Rural Areas: Crime"),
        ("farm payments", "Agriculture: Subsidies"),
        ("flood defences", "Flood Control"),
        ("avian influenza", "Avian Influenza"),
    ),
    14: (
        ("fuel duty", "Fuel Duty"),
        ("the personal allowance", "Income Tax: Allowances"),
        ("VAT on school fees", "Private Education: VAT"),
        ("the 2020/21 spending review", "Public Expenditure"),
        ("business rates", "Business Rates"),
    ),
    17: (
        ("covid-19 vaccines", "Coronavirus: Vaccination"),
        ("long covid", "Long Covid"),
        ("hospital waiting lists", "Hospitals: Waiting Lists"),
        ("GP appointments", "General Practitioners: Appointments"),
        ("NHS dentistry", "Dental Services"),
        ("social care workforce", "Social Services: Recruitment"),
        ("ambulance response times", "Ambulance Services: Standards"),
        ("eating disorders", "Eating Disorders: Health Services"),
    ),
    18: (("the Parliamentary estate", "Palace of Westminster: Repairs and Maintenance"),),
    21: (
        ("the Windsor Framework", "Windsor Framework"),
        ("legacy inquests", "Northern Ireland: Inquests"),
    ),
    27: (
        ("potholes", "Roads: Repairs and Maintenance"),
        ("rail fares", "Railways: Fares"),
        ("bus services", "Bus Services: Rural Areas"),
        ("electric vehicle charging points", "Electric Vehicles: Charging Points"),
        ("driving test waiting times", "Driving Tests"),
    ),
    28: (("the Welsh steel industry", "Steel Industry: Wales"),),
    29: (
        ("universal credit", "Universal Credit"),
        ("the state pension", "State Retirement Pensions"),
        ("personal independence payment", "Personal Independence Payment"),
        ("the two-child limit", "Social Security Benefits: Children"),
        ("cost-of-living payments", "Cost of Living Payments"),
    ),
    31: (("the gender pay gap", "Equal Pay"), ("menopause support", "Menopause")),
    34: (("sitting hours", "House of Commons: Sittings"),),
    53: (
        ("civil service headcount", "Civil Servants: Recruitment"),
        ("government procurement", "Public Sector: Procurement"),
        ("the covid-19 inquiry", "Covid-19 Inquiry"),
        ("e-mail retention", "Government Departments: Email"),
    ),
    54: (
        ("prison capacity", "Prisons: Overcrowding"),
        ("court backlogs", "Courts: Backlogs"),
        ("probation caseloads", "Probation"),
        ("legal aid", "Legal Aid Scheme"),
    ),
    60: (
        ("special educational needs", "Special Educational Needs"),
        ("teacher recruitment", "Teachers: Recruitment"),
        ("free school meals", "Free School Meals"),
        ("school buildings", "Schools: Buildings"),
        ("childcare places", "Childcare"),
        ("student loans", "Students: Loans"),
    ),
    88: (("unduly lenient sentences", "Sentencing"),),
    201: (
        ("energy price cap", "Energy: Prices"),
        ("heat pumps", "Heat Pumps"),
        ("post office compensation", "Post Office: Compensation"),
    ),
    202: (("free trade agreements", "Free Trade Agreements"),),
    208: (
        ("official development assistance", "Development Aid"),
        ("British nationals detained abroad", "British Nationals Abroad: Detainees"),
        ("sanctions", "Sanctions"),
    ),
    211: (
        ("the levelling up fund", "Levelling Up Fund"),
        ("leasehold reform", "Leasehold"),
        ("cladding remediation", "Buildings: Insulation"),
        ("homelessness", "Homelessness"),
    ),
    214: (
        ("post office compensation", "Post Office: Compensation"),
        ("late payments to small businesses", "Small Businesses: Payments"),
        ("steel tariffs", "Steel: Tariffs"),
    ),
    215: (
        ("heat pumps", "Heat Pumps"),
        ("net zero", "Climate Change: Net Zero"),
        ("offshore wind", "Wind Power"),
        ("energy bills", "Energy: Prices"),
    ),
    216: (
        ("artificial intelligence", "Artificial Intelligence"),
        ("gigabit broadband", "Broadband"),
        ("online safety", "Internet: Safety"),
    ),
    217: (
        ("grassroots football", "Football: Finance"),
        ("local museums", "Museums and Galleries"),
        ("the BBC licence fee", "BBC: Licences"),
    ),
}

# Most common first; weights fall off as 1/rank.
NOUNS = """
government department support people funding services plans data number years assessment
communities schools health families businesses guidance work staff policy costs impact
access children care safety areas training standards investment steps review people's
households councils patients workers programme strategy resources evidence outcomes
applications infrastructure budget regulations consultation demand capacity sector
performance stakeholders responsibilities pressures priorities arrangements provision
partners employers regions transport housing energy security delivery procurement contracts
inspections complaints waiting recruitment retention allowance grants payments levels
figures statistics estimates proposals risks benefits legislation duties framework
enforcement licensing compliance monitoring targets backlog appeals referrals vacancies
apprenticeships pensions tenants landlords schemes projects facilities equipment vehicles
veterans volunteers carers pupils students teachers nurses doctors officers prisons courts
victims offenders charities manufacturers exporters farmers fishermen hauliers retailers
consumers suppliers contractors inspectors regulators ombudsman tribunals coroners
hospices pharmacies midwives paramedics dentists audiologists prosthetics hydrogen
microplastics peatland hedgerows badgers pollinators seagrass beavers telematics drones
cybersecurity ransomware deepfakes algorithms cryptocurrency stablecoins semiconductors
lithium cobalt graphite geothermal biomethane watchlist biometric spyware sandbags
""".split()  # noqa: SIM905
ADJECTIVES = """
local national public new additional current future financial regional rural urban
independent appropriate effective significant specific recent long-term short-term
statutory voluntary digital environmental economic social clinical criminal international
domestic affordable sustainable vulnerable disadvantaged coastal agricultural operational
strategic proportionate bespoke cross-government ring-fenced means-tested evidence-based
""".split()  # noqa: SIM905
VERBS = """
improve support increase reduce protect review strengthen expand monitor deliver tackle
assess address promote encourage ensure publish consult fund prioritise accelerate
streamline safeguard incentivise decarbonise
""".split()  # noqa: SIM905
STAKEHOLDERS = (
    "local authorities",
    "the devolved administrations",
    "industry representatives",
    "trade unions",
    "charities",
    "police and crime commissioners",
    "NHS England",
    "the Local Government Association",
    "employers",
    "patient groups",
)
PLACES = (
    "England",
    "the North East",
    "the South West",
    "rural areas",
    "coastal communities",
    "London",
    "Yorkshire and the Humber",
    "the West Midlands",
    "Cornwall",
    "Cumbria",
    "each region",
    "Wales",
    "Scotland",
    "Northern Ireland",
)

FIRST_NAMES = """
Alice Amira Andrew Anna Ben Bridget Callum Carla Chris Claire Daniel Deborah Ewan Elena Fiona
Gareth Gemma Hamid Hannah Iain Imogen Jack Jasmine Jonathan Joanna Kamal Karen Liam Lucy
Marcus Maria Neil Nadia Oliver Olivia Patrick Priya Rhys Rachel Sajid Sarah Thomas Tasmina
Vikram Victoria William Wendy Yusuf Zara Graham Helen Martin Ruth Simon Margaret Owen Shona
""".split()  # noqa: SIM905
SURNAMES = """
Abbott Ahmed Ashworth Baker Barclay Bell Bhatti Blackwood Carver Chambers Clegg Crane Dale
Dunmore Ellison Evans Fairbairn Fletcher Garner Gill Greaves Hale Harker Hughes Iqbal Jarvis
Kaur Kendrick Lamb Lennox Lowther MacLeod Mahmood Marsh Mellor Morrow Nash Norris Oakes
Okafor Pearce Penrose Quinn Rahman Redfern Rowe Sadler Shaw Sinclair Stokes Thorne Tully
Underwood Vance Walsh Whitmore Wilde Yates Young Ziegler Addo Brennan Cartwright Doyle Egan
Foster Gordon Holt Ives Jennings Kerr Lyle Mistry Nolan Osei Parry Reid Shah Talbot Upton
""".split()  # noqa: SIM905
PLACE_PARTS = """
Ashby Brackley Carrow Dunholm Eastwick Fenbridge Garston Hollins Ilbury Kelmarsh Langford
Marden Northam Oxley Pendle Quarrington Redmere Stanlow Thornbury Upwood Wexcombe Yarley
""".split()  # noqa: SIM905
PLACE_SUFFIXES = ("North", "South", "East", "West", "Central", "and District", "Vale")

# (name, abbreviation, colour, Commons weight, Lords weight)
PARTIES: tuple[tuple[str, str | None, str | None, int, int], ...] = (
    ("Labour", "Lab", "#cc1122", 40, 22),
    ("Conservative", "Con", "#1133aa", 40, 32),
    ("Liberal Democrat", "LD", "#ee9922", 8, 10),
    ("Scottish National Party", "SNP", "#ddcc33", 5, 0),
    ("Green Party", "Green", "#66aa33", 1, 1),
    ("Plaid Cymru", "PC", "#338855", 1, 1),
    ("Democratic Unionist Party", "DUP", "#992233", 1, 1),
    ("Independent", "Ind", "#aaaaaa", 2, 0),
    ("Crossbench", "CB", "#888888", 0, 22),
    ("Non-affiliated", None, None, 0, 5),
    ("Bishops", "Bp", "#663399", 0, 4),
)

BOILERPLATE = (
    "Information on {w0} {w1} is not held centrally and could only be obtained at "
    "disproportionate cost.",
    "The Department does not routinely publish {w0} on {w1} {w2}. Officials keep the matter "
    "under review.",
    "{name} set out the Government's position on {w0} {w1} in a written statement on {date}.",
    "The information requested falls within the responsibility of the relevant devolved "
    "administration.",
    "Ministers keep {w0} policy under regular review and will say more in due course.",
    "As at {date}, the Department had received no formal representations on {w0} {w1}.",
    "It is long-standing practice not to comment on {w0} matters relating to national security.",
    "Decisions on {w0} {w1} are an operational matter for the relevant {w2}.",
    "Figures for {w0} are published quarterly; the latest release, on {date}, is available on "
    "GOV.UK.",
    "The {w0} {w1} scheme closed to new applications on {date}. {name} will write to affected "
    "{w2}.",
)
HOLDING = (
    "The Department will respond to the hon. Member as soon as practicable; a full reply is "
    "being prepared."
)
DISSOLUTION = (
    "It has not been possible to answer this question before the dissolution of Parliament."
)

Value = dict[str, Any]


def _cum(n: int, exponent: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


NOUN_CUM = _cum(len(NOUNS))
ADJ_CUM = _cum(len(ADJECTIVES))
VERB_CUM = _cum(len(VERBS))


class _Generator:
    """Holds the member pool, ministers and counters for one deterministic stream."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.day_span = (END - START).days
        self._dates: dict[int, str] = {}
        self._long_dates: dict[int, str] = {}
        self._build_members()
        self._build_ministers()
        self.uins: dict[tuple[int, str], int] = {}
        self.recent: dict[tuple[str, int], deque[tuple[dt.date, str]]] = {}
        self.boilerplate = [
            (text, self._weighted_department(), self._fields()) for text in BOILERPLATE * 4
        ]
        self._departments_by_period: dict[
            tuple[bool, bool, bool, str], tuple[list[Any], list[float]]
        ] = {}

    # ----- people ---------------------------------------------------------------------------
    def _build_members(self) -> None:
        rng = self.rng
        ids = rng.sample(range(8, 5400), 800)
        self.commons: list[Value] = []
        self.lords: list[Value] = []
        commons_w = [p[3] for p in PARTIES]
        lords_w = [p[4] for p in PARTIES]
        for index, member_id in enumerate(ids):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            if index < 560:
                party = rng.choices(PARTIES, weights=commons_w)[0]
                place = f"{rng.choice(PLACE_PARTS)} {rng.choice(PLACE_SUFFIXES)}"
                name, list_as, member_from = f"{first} {last}", f"{last}, {first}", place
            else:
                party = rng.choices(PARTIES, weights=lords_w)[0]
                place = rng.choice(PLACE_PARTS)
                if party[0] == "Bishops":
                    name, list_as, member_from = (
                        f"The Bishop of {place}",
                        f"{place}, Bishop of",
                        "Bishops",
                    )
                else:
                    title = rng.choice(("Lord", "Baroness"))
                    name = f"{title} {last} of {place}" if rng.random() < 0.6 else f"{title} {last}"
                    list_as = f"{last}, {title}"
                    member_from = "Excepted Hereditary" if rng.random() < 0.1 else "Life peer"
            member = {
                "id": member_id,
                "listAs": list_as,
                "name": name,
                "party": party[0],
                "partyColour": party[2],
                "partyAbbreviation": party[1],
                "memberFrom": member_from,
                "thumbnailUrl": f"https://members-api.parliament.uk/api/Members/{member_id}/Thumbnail",
            }
            (self.commons if index < 560 else self.lords).append(member)
        # A few members ask most of the questions.
        self.commons_cum = _cum(len(self.commons), 0.8)
        self.lords_cum = _cum(len(self.lords), 0.8)

    def _build_ministers(self) -> None:
        rng = self.rng
        self.ministers: dict[tuple[int, bool, str], list[Value]] = {}
        for dept in DEPARTMENTS:
            for labour in (False, True):
                party = "Labour" if labour else "Conservative"
                commons = [m for m in self.commons if m["party"] == party]
                lords = [m for m in self.lords if m["party"] == party]
                self.ministers[(dept[0], labour, "Commons")] = rng.sample(commons, 3)
                self.ministers[(dept[0], labour, "Lords")] = rng.sample(lords, 1)

    # ----- small helpers --------------------------------------------------------------------
    def _weighted_department(self) -> int:
        return self.rng.choices(DEPARTMENTS, weights=[d[3] for d in DEPARTMENTS])[0][0]

    def _date(self, day: dt.date) -> str:
        key = day.toordinal()
        text = self._dates.get(key)
        if text is None:
            text = self._dates[key] = f"{day.isoformat()}T00:00:00"
        return text

    def _long_date(self, day: dt.date) -> str:
        key = day.toordinal()
        text = self._long_dates.get(key)
        if text is None:
            text = self._long_dates[key] = f"{day.day} {day:%B %Y}"
        return text

    def _fields(self) -> dict[str, str]:
        rng = self.rng
        words = rng.choices(NOUNS, cum_weights=NOUN_CUM, k=3)
        day = START + dt.timedelta(days=rng.randrange(self.day_span))
        minister = rng.choice(self.commons)["name"]
        return {
            "w0": words[0],
            "w1": words[1],
            "w2": words[2],
            "date": self._long_date(day),
            "name": minister,
        }

    def _departments(self, day: dt.date, house: str) -> tuple[list[Any], list[float]]:
        key = (day >= MOG_2021, day >= MOG_2023, day >= GOVERNMENT_CHANGE, house)
        cached = self._departments_by_period.get(key)
        if cached is None:
            active = [
                d
                for d in DEPARTMENTS
                if (d[4] is None or day >= d[4])
                and (d[5] is None or day < d[5])
                and not (house == "Lords" and d[0] in COMMONS_ONLY)
                # the housing department took its old name back in 2024
                and not (d[0] == 7 and MOG_2021 <= day < GOVERNMENT_CHANGE)
            ]
            cached = (active, list(itertools.accumulate(d[3] for d in active)))
            self._departments_by_period[key] = cached
        return cached

    def _uin(self, day: dt.date, house: str) -> str:
        session = sum(1 for start in SESSION_STARTS if start <= day)
        if house == "Lords":
            counter = (session, "HL")
            self.uins[counter] = self.uins.get(counter, self._first_uin(session, 12_000)) + 1
            return f"HL{self.uins[counter]}"
        counter = (session, "recess" if day.month == 8 else "C")
        base = 900_000 if day.month == 8 else self._first_uin(session, 200_000)
        self.uins[counter] = self.uins.get(counter, base) + 1
        return str(self.uins[counter])

    @staticmethod
    def _first_uin(session: int, carried: int) -> int:
        # The stream starts in the middle of the 2017-19 session, whose numbers were already high.
        first = sum(1 for start in SESSION_STARTS if start <= START)
        return carried if session == first else 0

    @staticmethod
    def _weekday(day: dt.date) -> dt.date:
        weekday = day.weekday()
        return day + dt.timedelta(days=7 - weekday) if weekday >= 5 else day

    # ----- texts ----------------------------------------------------------------------------
    def _question_text(self, house: str, addressee: str, topic: str, day: dt.date) -> str:
        rng = self.rng
        noun = rng.choices(NOUNS, cum_weights=NOUN_CUM, k=4)
        adj = rng.choices(ADJECTIVES, cum_weights=ADJ_CUM, k=2)
        verb = rng.choices(VERBS, cum_weights=VERB_CUM, k=2)
        place = rng.choice(PLACES)
        year = day.year - rng.randrange(1, 4)
        fy = (
            f"{year}/{(year + 1) % 100:02d}"
            if rng.random() < 0.5
            else f"{year}-{(year + 1) % 100:02d}"
        )
        if house == "Lords":
            crown = "His" if day >= KING_SINCE else "Her"
            opener = f"To ask {crown} Majesty's Government"
            they, has, is_ = "they", "have", "are"
        else:
            opener = f"To ask {addressee},"
            they, has, is_ = rng.choice(("he", "she")), "has", "is"
        pick = rng.randrange(8)
        if pick == 0:
            body = (
                f"what assessment {they} {has} made of the {adj[0]} impact of {topic} on "
                f"{noun[0]} in {place}"
            )
        elif pick == 1:
            body = (
                f"how many {noun[0]} relating to {topic} were recorded in {place} in each "
                f"year since {year}"
            )
        elif pick == 2:
            body = f"what steps {they} {is_} taking to {verb[0]} {topic}"
        elif pick == 3:
            body = f"what funding {they} {has} allocated to {topic} in {fy}"
        elif pick == 4:
            who = rng.choice(STAKEHOLDERS)
            body = f"what recent discussions {they} {has} had with {who} on {topic}"
        elif pick == 5:
            plan = "plan" if they == "they" else "plans"
            body = f"whether {they} {plan} to {verb[0]} the {adj[1]} {noun[1]} for {topic}"
        elif pick == 6:
            body = (
                f"what estimate {they} {has} made of the cost to the public purse of {topic} "
                f"in {fy}"
            )
        else:
            body = (
                f"with reference to {topic}, what {noun[1]} {they} {has} received on "
                f"{adj[0]} {noun[2]}"
            )
        text = f"{opener} {body}"
        if rng.random() < 0.45:
            text += f"; and what steps {they} {is_} taking to {verb[1]} {noun[3]} for {noun[2]}"
        if house == "Commons" and rng.random() < 0.15:
            text += "; and if {} will make a statement".format("he" if they == "he" else "she")
        return text + "."

    def _sentence(self, topic: str, day: dt.date) -> str:
        rng = self.rng
        noun = rng.choices(NOUNS, cum_weights=NOUN_CUM, k=5)
        adj = rng.choices(ADJECTIVES, cum_weights=ADJ_CUM, k=2)
        verb = rng.choices(VERBS, cum_weights=VERB_CUM, k=2)
        pick = rng.randrange(10)
        if pick == 0:
            return (
                f"The Government is committed to {verb[0]} {topic} and the {noun[0]} of {noun[1]}."
            )
        if pick == 1:
            return (
                f"In {day.year - 1}, the Department provided £{rng.randrange(2, 900)} million to "
                f"{verb[0]} {adj[0]} {noun[0]}, including {noun[1]} and {noun[2]}."
            )
        if pick == 2:
            who, where = rng.choice(STAKEHOLDERS), rng.choice(PLACES)
            return f"Officials continue to work with {who} to {verb[1]} {noun[3]} in {where}."
        if pick == 3:
            return f"{topic[0].upper()}{topic[1:]} remains a priority for this Government."
        if pick == 4:
            return (
                f"The number of {noun[0]} rose by {rng.randrange(1, 40)}% between "
                f"{day.year - 3} and {day.year - 1}."
            )
        if pick == 5:
            return (
                f"Information on {adj[0]} {noun[2]} is published in the {adj[1]} {noun[4]} "
                "statistics."
            )
        if pick == 6:
            return (
                f"We will {verb[0]} the {noun[0]} framework so that {noun[1]} can {verb[1]} "
                f"{noun[2]}."
            )
        if pick == 7:
            return f"The Department does not hold data on {noun[3]} broken down by {noun[4]}."
        if pick == 8:
            return (
                f"Our {adj[0]} {noun[0]} strategy, published in {day.year - 1}, sets out how "
                f"we will {verb[1]} {topic}."
            )
        return f"Decisions on {noun[1]} and {noun[2]} are taken by {rng.choice(STAKEHOLDERS)}."

    def _answer(self, topic: str, day: dt.date) -> str:
        rng = self.rng
        paragraphs = []
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
            count = rng.randrange(1, 4)
            paragraphs.append(" ".join(self._sentence(topic, day) for _ in range(count)))
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        roll = rng.random()
        if roll < 0.03:
            html += self._table(day)
        elif roll < 0.06:
            html += (
                '<p>Further details are available on <a href="https://www.gov.uk/government/'
                'statistics" target="_blank">GOV.UK</a>.</p>'
            )
        return html

    def _table(self, day: dt.date) -> str:
        rng = self.rng
        rows = "".join(
            f"<tr><td><p>{year}</p></td><td><p>{rng.randrange(10, 99999):,}</p></td></tr>"
            for year in range(day.year - 4, day.year)
        )
        return (
            "<table><tbody><tr><td><p><strong>Year</strong></p></td>"
            f"<td><p><strong>Number</strong></p></td></tr>{rows}</tbody></table>"
        )

    def _boilerplate(self) -> tuple[str, int | None]:
        text, dept_id, fields = self.rng.choice(self.boilerplate)
        if self.rng.random() < 0.3:  # a near-variant: same wording, another name or date
            fresh = self._fields()
            fields = {**fields, "name": fresh["name"], "date": fresh["date"]}
        return f"<p>{text.format(**fields)}</p>", dept_id

    # ----- one question (or a grouped pair) -------------------------------------------------
    def questions(self, index: int, pair: bool) -> list[Value]:
        rng = self.rng
        day = self._weekday(START + dt.timedelta(days=index * self.day_span // self.n))
        house = "Lords" if rng.random() < 0.25 else "Commons"
        boiler: str | None = None
        if rng.random() < 0.10:
            boiler, boiler_dept = self._boilerplate()
        active, cum = self._departments(day, house)
        dept = rng.choices(active, cum_weights=cum)[0]
        if boiler is not None:
            dept = next((d for d in active if d[0] == boiler_dept), dept)
        topic, heading = rng.choice(TOPICS[dept[0]])
        if house == "Lords":
            asker = self.lords[
                int(rng.choices(range(len(self.lords)), cum_weights=self.lords_cum)[0])
            ]
        else:
            asker = self.commons[
                int(rng.choices(range(len(self.commons)), cum_weights=self.commons_cum)[0])
            ]
        labour = day >= GOVERNMENT_CHANGE
        minister = rng.choice(self.ministers[(dept[0], labour, house)])

        named = house == "Commons" and rng.random() < 0.25
        due = day + dt.timedelta(
            days=14 if house == "Lords" else (rng.randrange(3, 6) if named else 7)
        )
        answered_on = self._weekday(day + dt.timedelta(days=int(rng.expovariate(1 / 9)) + 2))

        roll = rng.random()
        recent = (END - day).days < 21
        withdrawn = roll < 0.002
        unanswered = withdrawn or roll < 0.045 or (recent and roll < 0.7) or answered_on > END
        dissolved = next((d for d in DISSOLUTIONS if 0 <= (d - day).days < 10), None)
        dissolution = unanswered and not withdrawn and dissolved is not None
        if dissolution and dissolved is not None:
            answered_on = dissolved
        holding = not unanswered and roll < 0.065
        corrected = not unanswered and not holding and roll < 0.075
        earlier_holding = not unanswered and not holding and 0.075 <= roll < 0.095
        holding_on = self._weekday(day + dt.timedelta(days=2)) if earlier_holding else None
        if holding_on is not None:  # the substantive answer follows the holding one
            answered_on = max(answered_on, self._weekday(holding_on + dt.timedelta(days=7)))

        answer: str | None = None
        if dissolution:
            answer, unanswered = f"<p>{DISSOLUTION}</p>", False
        elif unanswered:
            answer = None
        elif holding:
            answer = f"<p>{HOLDING}</p>"
        elif boiler is not None:
            answer = boiler
        elif rng.random() < 0.006 and self.recent.get((house, dept[0])):
            earlier_day, earlier_uin = rng.choice(self.recent[(house, dept[0])])
            member = (
                "the hon. Member"
                if house == "Commons"
                else (
                    "the noble Baroness"
                    if asker["name"].startswith("Baroness")
                    else "the noble Lord"
                )
            )
            answer = (
                f"<p>I refer {member} to the answer I gave on {self._long_date(earlier_day)} to "
                f"Question {earlier_uin}.</p>"
            )
        else:
            answer = self._answer(topic, day)

        original = comparable = ""
        corrected_on: dt.date | None = None
        corrector: Value | None = None
        if corrected and answer is not None:
            old, new = rng.randrange(10, 500), rng.randrange(10, 500)
            sentence = "<p>The figure for {} was {}.</p>"
            original = answer + sentence.format(day.year - 1, old)
            answer = answer + sentence.format(day.year - 1, new)
            comparable = answer[: -len(sentence.format(day.year - 1, new))] + (
                f'<p>The figure for {day.year - 1} was <del class="ministerial">{old}</del>'
                f'<ins class="ministerial">{new}</ins>.</p>'
            )
            corrected_on = min(END, answered_on + dt.timedelta(days=rng.randrange(3, 60)))
            corrector = minister

        count = 2 if pair else 1
        uins = [self._uin(day, house) for _ in range(count)]
        values = []
        for k in range(count):
            has_answer = answer is not None
            value: Value = {
                "id": 1_050_000 + index + k,
                "askingMemberId": asker["id"],
                "askingMember": asker,
                "house": house,
                "memberHasInterest": rng.random() < 0.02,
                "dateTabled": self._date(day),
                "dateForAnswer": self._date(self._weekday(due)),
                "uin": uins[k],
                "questionText": self._question_text(house, dept[2], topic, day),
                "answeringBodyId": dept[0],
                "answeringBodyName": dept[1],
                "isWithdrawn": withdrawn,
                "isNamedDay": named,
                "groupedQuestions": [u for u in uins if u != uins[k]],
                "answerIsHolding": holding if has_answer else None,
                "answerIsCorrection": corrected if has_answer else None,
                "answeringMemberId": minister["id"] if has_answer else None,
                "answeringMember": minister if has_answer else None,
                "correctingMemberId": corrector["id"] if corrector else None,
                "correctingMember": corrector,
                "dateAnswered": self._date(answered_on) if has_answer else None,
                "answerText": answer,
                "originalAnswerText": original,
                "comparableAnswerText": comparable,
                "dateAnswerCorrected": self._date(corrected_on) if corrected_on else None,
                "dateHoldingAnswer": (
                    self._date(answered_on)
                    if holding
                    else self._date(holding_on)
                    if holding_on
                    else None
                ),
                "attachmentCount": 0,
                "heading": heading if has_answer or rng.random() < 0.3 else None,
                "attachments": [],
                "groupedQuestionsDates": [
                    {"questionUin": u, "dateTabled": self._date(day)} for u in uins if u != uins[k]
                ],
            }
            values.append(value)
        if not unanswered:
            shelf = self.recent.setdefault((house, dept[0]), deque(maxlen=50))
            shelf.append((day, uins[0]))
        return values


def generate(n: int, seed: int = 1) -> Iterator[Value]:
    """Yield `n` API-shaped question values, in tabling order, the same ones for the same seed."""
    gen = _Generator(n, seed)
    index = 0
    while index < n:
        pair = index + 1 < n and gen.rng.random() < 0.0155
        yield from gen.questions(index, pair)
        index += 2 if pair else 1


def write(values: Iterator[Value], out: TextIO) -> int:
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for value in values:
        out.write(dumps(value))
        out.write("\n")
        count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200_000, help="how many questions (200000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--out", default="-", help="output file; .gz is gzipped; - is stdout")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("--n must be 0 or more")
    started = time.perf_counter()
    if args.out == "-":
        count = write(generate(args.n, args.seed), sys.stdout)
    elif args.out.endswith(".gz"):
        with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=5) as out:
            count = write(generate(args.n, args.seed), out)
    else:
        with open(args.out, "w", encoding="utf-8") as out:
            count = write(generate(args.n, args.seed), out)
    elapsed = time.perf_counter() - started
    sys.stderr.write(f"wrote {count:,} questions to {args.out} in {elapsed:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
