"""Claims about worker.syndication: wire copy is flagged, credits are not, disclaimers go."""

from __future__ import annotations

from dataclasses import replace

import pytest

from worker.syndication import assess, load_rules
from worker.types import ExtractedPage, SyndicationVerdict

RULES = load_rules()
NEWS_URL = "https://news.example.com/world/central-bank-raises-rates-123"
BODY = (
    "The central bank raised interest rates by a quarter point on Thursday.",
    "Officials said further increases were likely later in the year.",
    "Markets had largely priced in the move, analysts said.",
)


def page(*paragraphs: str, byline: str | None = None, author: str | None = None) -> ExtractedPage:
    return ExtractedPage(
        title="Central bank raises rates",
        author=author,
        byline=byline,
        published_at=None,
        text="\n\n".join(paragraphs),
        notes=(),
        language="en",
        site_name="Example News",
        declared_url=None,
    )


def families(verdict: SyndicationVerdict) -> list[str]:
    return [e.family for e in verdict.evidence]


# --- disclaimers --------------------------------------------------------------

DISCLAIMERS = [
    pytest.param(
        "(This story has not been edited by Devdiscourse staff and is auto-generated from a "
        "syndicated feed.)",
        None,
        id="devdiscourse",
    ),
    pytest.param(
        "(Except for the headline, this story has not been edited by NDTV staff and is "
        "published from a syndicated feed.)",
        None,
        id="ndtv",
    ),
    pytest.param(
        "(Only the headline and picture of this report may have been reworked by the Business "
        "Standard staff; the rest of the content is auto-generated from a syndicated feed.)",
        None,
        id="business-standard",
    ),
    pytest.param(
        "Direkt aus dem dpa-Newskanal: Dieser Text wurde automatisch von der Deutschen "
        "Presse-Agentur (dpa) übernommen und von der SZ-Redaktion nicht bearbeitet.",
        "dpa",
        id="sz-dpa",
    ),
]


@pytest.mark.parametrize(("disclaimer", "agency"), DISCLAIMERS)
def test_syndication_disclaimer_flags_page(disclaimer: str, agency: str | None) -> None:
    verdict = assess(page(*BODY, disclaimer), NEWS_URL, RULES)
    assert verdict.syndicated
    assert families(verdict) == ["disclaimer"]
    assert verdict.evidence[0].match == disclaimer
    assert verdict.source_agency == agency


@pytest.mark.parametrize(("disclaimer", "agency"), DISCLAIMERS)
def test_disclaimer_is_removed_from_text_and_body_stays(
    disclaimer: str, agency: str | None
) -> None:
    verdict = assess(page(*BODY, disclaimer), NEWS_URL, RULES)
    assert disclaimer not in verdict.text
    assert verdict.text == "\n\n".join(BODY)


def test_disclaimer_flag_above_the_story_is_evidence_and_removed() -> None:
    flag = "Unedited wire copy: this story is auto-generated from a syndicated feed."
    verdict = assess(page(flag, *BODY, *BODY), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["disclaimer"]
    assert verdict.text == "\n\n".join((*BODY, *BODY))


def test_disclaimer_words_in_the_middle_of_a_long_story_are_not_evidence() -> None:
    middle = (
        "(This story has not been edited by staff and is auto-generated from a syndicated feed.)"
    )
    long_body = tuple(p * 3 for p in BODY)
    paragraphs = (*long_body, middle, *long_body)
    verdict = assess(page(*paragraphs), NEWS_URL, RULES)
    assert not verdict.syndicated
    assert verdict.text == "\n\n".join(paragraphs)


def test_disclaimer_in_a_note_beside_the_story_is_evidence() -> None:
    note = "Content supplied by Xinhua under an automated partner arrangement. It has not been checked."
    story = page(*BODY)
    verdict = assess(replace(story, notes=(note,)), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == "Xinhua"
    assert verdict.evidence[0].position == "note"


# --- datelines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lede", "agency"),
    [
        ("WASHINGTON (Reuters) - The Federal Reserve held rates steady.", "Reuters"),
        ("New Delhi, Jul 7 (PTI) The government on Wednesday announced a new scheme.", "PTI"),
        ("GAZA, Dec. 1 (Xinhua) -- Talks resumed on Friday, officials said.", "Xinhua"),
        ("NEW YORK (AP) \u2014 Stocks closed higher on Monday.", "AP"),
        ("Berlin (dpa) - Die Regierung hat am Montag beschlossen.", "dpa"),
    ],
)
def test_agency_dateline_flags_page_and_names_agency(lede: str, agency: str) -> None:
    paragraphs = (lede, *BODY[1:])
    verdict = assess(page(*paragraphs), NEWS_URL, RULES)
    assert verdict.syndicated
    assert families(verdict) == ["dateline"]
    assert verdict.source_agency == agency
    # the dateline is part of the story: it stays in the text
    assert verdict.text == "\n\n".join(paragraphs)


def test_dateline_deep_in_the_story_is_not_evidence() -> None:
    paragraphs = (BODY[0] * 6, "WASHINGTON (Reuters) - A quote from a wire story.", BODY[1])
    verdict = assess(page(*paragraphs), NEWS_URL, RULES)
    assert not verdict.syndicated


# --- bylines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("Reuters | Updated: 19-05-2021 16:37 IST | Created: 19-05-2021 16:37 IST", None),
        (None, "By Reuters Staff"),
        (None, "Reuters"),
    ],
)
def test_agency_byline_flags_page(byline: str | None, author: str | None) -> None:
    verdict = assess(page(*BODY, byline=byline, author=author), NEWS_URL, RULES)
    assert verdict.syndicated
    assert families(verdict) == ["agency_byline"]
    assert verdict.source_agency == "Reuters"
    assert verdict.text == "\n\n".join(BODY)


def test_staff_byline_is_not_evidence() -> None:
    verdict = assess(page(*BODY, byline="By Jane Reuterson | Updated: 19-05-2021"), NEWS_URL, RULES)
    assert not verdict.syndicated
    assert verdict.source_agency is None


# --- sign-offs ----------------------------------------------------------------


def test_reporting_signoff_flags_page_and_is_removed() -> None:
    signoff = "(Reporting by A; Editing by B)"
    verdict = assess(page(*BODY, signoff), NEWS_URL, RULES)
    assert verdict.syndicated
    assert families(verdict) == ["signoff"]
    assert signoff not in verdict.text
    assert verdict.text == "\n\n".join(BODY)


def test_ap_copyright_line_flags_page_names_ap_and_is_removed() -> None:
    copyright_line = (
        "Copyright 2024 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed without permission."
    )
    verdict = assess(page(*BODY, copyright_line), NEWS_URL, RULES)
    assert verdict.syndicated
    assert families(verdict) == ["signoff"]
    assert verdict.source_agency == "AP"
    assert verdict.text == "\n\n".join(BODY)


def test_dateline_and_signoff_are_both_evidence_dateline_first() -> None:
    paragraphs = ("LONDON (Reuters) - " + BODY[0], BODY[1])
    verdict = assess(page(*paragraphs, "(Reporting by A; Editing by B)"), NEWS_URL, RULES)
    assert verdict.syndicated
    assert families(verdict) == ["dateline", "signoff"]
    assert verdict.source_agency == "Reuters"
    assert verdict.text == "\n\n".join(paragraphs)


# --- hard negatives -----------------------------------------------------------


@pytest.mark.parametrize(
    "paragraphs",
    [
        pytest.param((*BODY, "(With inputs from agencies.)"), id="with-inputs-from-agencies"),
        pytest.param(
            (*BODY, "The Associated Press contributed to this report."), id="ap-contributed"
        ),
        pytest.param((*BODY, "Photo: \u00a9 AFP"), id="photo-credit"),
        pytest.param(
            ("The company is preparing to cut jobs, Reuters has reported.", *BODY[1:]),
            id="reuters-has-reported",
        ),
        pytest.param(
            (
                "Avtalefestet pensjon (AFP) - er en ordning for arbeidstakere i privat og "
                "offentlig sektor.",
                "Ordningen gir rett til pensjon fra 62 år.",
            ),
            id="norwegian-afp-pension",
        ),
    ],
)
def test_credits_and_mentions_are_not_syndication(paragraphs: tuple[str, ...]) -> None:
    verdict = assess(page(*paragraphs), NEWS_URL, RULES)
    assert not verdict.syndicated
    assert verdict.evidence == ()
    assert verdict.source_agency is None
    assert verdict.text == "\n\n".join(paragraphs)


@pytest.mark.parametrize(
    "url", ["https://www.reuters.com/world/us/fed-holds-rates", "https://reuters.com/markets/x"]
)
def test_agency_story_on_the_agencys_own_site_is_not_syndicated(url: str) -> None:
    paragraphs = ("WASHINGTON (Reuters) - " + BODY[0], BODY[1], "(Reporting by A; Editing by B)")
    verdict = assess(page(*paragraphs, byline="Reuters"), url, RULES)
    assert not verdict.syndicated
    assert verdict.evidence == ()
    assert verdict.source_agency == "Reuters"
    assert verdict.text == "\n\n".join(paragraphs)


def test_lookalike_of_agency_domain_is_not_the_agencys_site() -> None:
    paragraphs = ("WASHINGTON (Reuters) - " + BODY[0], BODY[1])
    verdict = assess(page(*paragraphs), "https://notreuters.com/story", RULES)
    assert verdict.syndicated


@pytest.mark.parametrize(
    "closing",
    [
        "The European Medicines Agency approved the revised label without any changes.",
        "The video, which has not been edited, was first shared by a local news agency.",
    ],
)
def test_ordinary_closing_paragraph_is_not_a_disclaimer(closing: str) -> None:
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert not verdict.syndicated
    assert closing in verdict.text


@pytest.mark.parametrize(
    "lede",
    [
        "The Associated Press (AP) said on Tuesday it would cut 8% of its staff.",
        "Asian News International (ANI) reported the arrests late on Monday.",
    ],
)
def test_lede_naming_an_agency_is_not_a_dateline(lede: str) -> None:
    verdict = assess(page(lede, *BODY[1:]), NEWS_URL, RULES)
    assert not verdict.syndicated


# --- agency_named -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("Reuters", "Reuters"),
        ("By Reuters Staff", "Reuters"),
        ("reuters", "Reuters"),
        ("PTI", "PTI"),
        ("Press Trust of India", "PTI"),
        ("By The Associated Press", "AP"),
        ("AFP | Updated: 01-02-2023", "AFP"),
        ("Jane Reuterson", None),
        ("Apple", None),
        ("AP Photo/John Doe", None),
        ("", None),
        (None, None),
    ],
)
def test_agency_named_recognises_only_agency_bylines(text: str | None, agency: str | None) -> None:
    assert RULES.agency_named(text) == agency
