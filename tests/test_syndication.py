"""Claims about worker.syndication: wire copy is flagged, credits are not, disclaimers go."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from worker.exceptions import ConfigError
from worker.syndication import assess, load_rules, near_duplicate_flags
from worker.types import Evidence, ExtractedPage, StoredCopy, SyndicationVerdict

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


def test_a_disclaimer_quoted_as_an_example_below_the_first_paragraph_is_not_a_flag() -> None:
    intro = "Scroll to the bottom of many news stories and you will find it: a line in italics."
    example = (
        "(This story has not been edited by our staff and is auto-generated from a "
        "syndicated feed.)"
    )
    assert not assess(page(intro, example, *BODY, *BODY, *BODY), NEWS_URL, RULES).syndicated


def test_disclaimer_words_in_the_middle_of_a_long_story_are_not_evidence() -> None:
    middle = (
        "(This story has not been edited by staff and is auto-generated from a syndicated feed.)"
    )
    long_body = tuple(p * 3 for p in BODY)
    paragraphs = (*long_body, middle, *long_body, *long_body)
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
    "url",
    [
        "https://www.reuters.com/world/us/fed-holds-rates",
        "https://reuters.com/markets/x",
        "https://www.reuters-agency.example/markets/x",  # its name beside a generic word
    ],
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
        # French "des textes" is no German "des Textes"
        "L'association demande des garanties sur la mention claire des textes traduits "
        "automatiquement par l'agence.",
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


# --- disclaimers in more languages, and quoted disclaimer wording -------------------


@pytest.mark.parametrize(
    ("note", "language", "agency"),
    [
        pytest.param(
            "Dit bericht is automatisch overgenomen van het ANP en niet door de redactie "
            "geredigeerd.",
            "nl",
            "ANP",
            id="dutch",
        ),
        pytest.param(
            "Texten är automatiskt publicerad från nyhetsbyrån TT och har inte redigerats.",
            "sv",
            "TT",
            id="swedish",
        ),
        pytest.param(
            "Artikkelen er hentet fra NTB og er ikke redigert av vår redaksjon.",
            "no",
            "NTB",
            id="norwegian",
        ),
        pytest.param(
            "Bu haber Anadolu Ajans\u0131 servisinden otomatik olarak al\u0131nm\u0131\u015ft\u0131r.",
            "tr",
            "Anadolu",
            id="turkish",
        ),
        pytest.param(
            "Berita ini dimuat secara otomatis dari kantor berita Antara.",
            "id",
            "Antara",
            id="indonesian",
        ),
        pytest.param(
            "Ten artykuł został opublikowany automatycznie z serwisu PAP, bez ingerencji redakcji.",
            "pl",
            "PAP",
            id="polish",
        ),
        pytest.param(
            "Nota publicada a partir del servicio de Europa Press, sin edición de esta redacción.",
            "es",
            "Europa Press",
            id="spanish-service",
        ),
        pytest.param(
            "This item was taken over automatically from the dpa wire and has not been edited.",
            "en",
            "dpa",
            id="taken-over-automatically",
        ),
        pytest.param(
            "Cet article a \u00e9t\u00e9 publi\u00e9 automatiquement \u00e0 partir d\u2019une "
            "d\u00e9p\u00eache de l\u2019Agence France-Presse. Il n\u2019a pas \u00e9t\u00e9 "
            "retravaill\u00e9 par notre r\u00e9daction.",
            "fr",
            "AFP",
            id="french-typographic-apostrophes",
        ),
        pytest.param(
            "(\u092f\u0939 \u0959\u092c\u0930 \u092f\u0942\u0928\u0940\u0935\u093e\u0930"
            "\u094d\u0924\u093e \u0915\u0940 \u095e\u0940\u0921 \u0938\u0947 \u0938\u094d"
            "\u0935\u0924\u0903 \u092a\u094d\u0930\u0915\u093e\u0936\u093f\u0924 \u0939"
            "\u0941\u0908 \u0939\u0948\u0964)",
            "hi",
            "UNI",
            id="hindi",
        ),
        pytest.param(
            "\u041c\u0430\u0442\u0435\u0440\u0438\u0430\u043b \u043e\u043f\u0443\u0431\u043b\u0438\u043a\u043e\u0432\u0430\u043d "
            "\u0430\u0432\u0442\u043e\u043c\u0430\u0442\u0438\u0447\u0435\u0441\u043a\u0438 \u0438\u0437 \u043b\u0435\u043d\u0442\u044b "
            "\u0422\u0410\u0421\u0421 \u0431\u0435\u0437 \u0440\u0435\u0434\u0430\u043a\u0442\u0438\u0440\u043e\u0432\u0430\u043d\u0438\u044f.",
            "ru",
            "TASS",
            id="russian",
        ),
        pytest.param(
            "本記事は共同通信の配信記事を自動掲載しています。", "ja", "Kyodo", id="japanese"
        ),
        pytest.param("本文来自新华社\uff0c未经编辑自动发布。", "zh", "Xinhua", id="chinese"),
        pytest.param(
            "이 기사는 연합뉴스 제공 기사를 자동으로 게재한 것입니다.", "ko", "Yonhap", id="korean"
        ),
        pytest.param("Tato zpráva byla automaticky převzata z ČTK.", "cs", "CTK", id="czech"),
        pytest.param(
            "Hinweis der Redaktion: Diesen Text haben wir im Wortlaut von der Deutschen "
            "Presse-Agentur übernommen. Er wurde weder gekürzt noch bearbeitet.",
            "de",
            "dpa",
            id="german-verbatim",
        ),
        pytest.param(
            "تنويه: يُنشر هذا الخبر كما ورد من وكالة الأنباء الكويتية (كونا)، ولم يخضع لأي تحرير.",
            "ar",
            "KUNA",
            id="arabic",
        ),
        pytest.param(
            "Texten kommer från TT och publiceras automatiskt. Redaktionen har inte granskat den.",
            "sv",
            "TT",
            id="swedish-word-order",
        ),
        pytest.param(
            "【声明】本文转载自新华社\uff0c未对原文作任何修改。",
            "zh",
            "Xinhua",
            id="chinese-reposted",
        ),
        pytest.param(
            "Materiał pochodzi z serwisu informacyjnego PAP i jest publikowany w niezmienionej "
            "formie, bez ingerencji redakcji.",
            "pl",
            "PAP",
            id="polish-unchanged",
        ),
        pytest.param(
            "Šī ziņa automātiski pārņemta no aģentūras LETA ziņu plūsmas; redakcija tekstu nav "
            "rediģējusi.",
            "lv",
            "LETA",
            id="latvian",
        ),
        pytest.param(
            "Artikel ini disiarkan secara automatik daripada suapan berita Bernama dan tidak "
            "melalui proses suntingan.",
            "ms",
            "Bernama",
            id="malay",
        ),
        pytest.param(
            "Tämä uutinen on julkaistu automaattisesti STT:n uutisvirrasta.",
            "fi",
            "STT",
            id="finnish",
        ),
        pytest.param("Bài viết được đăng tự động từ nguồn TTXVN.", "vi", "VNA", id="vietnamese"),
        pytest.param(
            "Napomena: ova je vijest preuzeta iz servisa Hrvatske izvještajne novinske agencije "
            "(Hina) i objavljuje se u izvornom obliku, bez uredničkih intervencija.",
            "hr",
            "HINA",
            id="croatian",
        ),
        pytest.param(
            "STT:n uutispalvelusta. Juttu julkaistaan sellaisenaan, eikä sitä ole toimitettu "
            "Kymenlaakson Viestin toimituksessa.",
            "fi",
            "STT",
            id="finnish-as-such",
        ),
        pytest.param(
            "Dieser Beitrag wird automatisch aus dem Landesdienst Niedersachsen-Bremen des "
            "Evangelischen Pressedienstes (epd) übernommen. Eine redaktionelle Bearbeitung "
            "findet nicht statt.",
            "de",
            "epd",
            id="german-epd",
        ),
        pytest.param(
            "Contenido de la Agencia EFE reproducido de forma íntegra y automática. La redacción "
            "no ha intervenido en este texto.",
            "es",
            "EFE",
            id="spanish-in-full",
        ),
        pytest.param(
            "Cette dépêche est diffusée telle qu\u2019elle nous parvient du fil de l\u2019Agence "
            "France-Presse ; elle n\u2019a été ni réécrite ni vérifiée par la rédaction.",
            "fr",
            "AFP",
            id="french-as-it-arrives",
        ),
        pytest.param(
            "(This copy has come to us through the PTI wire service feed. Barring the headline, "
            "nobody at Deccan Ledger has edited it.)",
            "en",
            "PTI",
            id="nobody-edited",
        ),
        pytest.param(
            "Konten ini merupakan sindikasi dari Kantor Berita ANTARA dan ditayangkan apa adanya "
            "tanpa penyuntingan oleh redaksi.",
            "id",
            "Antara",
            id="indonesian-syndication",
        ),
        pytest.param(
            "Матеріал розміщено в рамках інформаційного партнерства з Укрінформом. Текст "
            "поширюється без редакційних змін.",
            "uk",
            "Ukrinform",
            id="ukrainian-partnership",
        ),
        pytest.param(
            "Dit bericht is integraal overgenomen van persbureau ANP en is niet door de "
            "redactie van Dagblad Zuidrand bewerkt.",
            "nl",
            "ANP",
            id="dutch-in-full",
        ),
        pytest.param(
            "Testo dell'agenzia ANSA, riprodotto integralmente e senza alcun intervento della "
            "redazione.",
            "it",
            "ANSA",
            id="italian-agency-text",
        ),
        pytest.param(
            "Conte\u00fado recebido da ag\u00eancia Lusa e publicado tal como chegou, sem "
            "interven\u00e7\u00e3o dos nossos jornalistas.",
            "pt",
            "Lusa",
            id="portuguese-as-it-came",
        ),
        pytest.param(
            "As received: the text below reached us through the Emirates News Agency service "
            "feed and appears without changes by our editors.",
            "en",
            "WAM",
            id="labelled-as-received",
        ),
        pytest.param(
            "Published as received from PTI's wire service. Our newsroom has not altered the copy.",
            "en",
            "PTI",
            id="as-received",
        ),
        pytest.param(
            "Automatisch overgenomen van persbureau ANP. De tekst is niet door de redactie "
            "bewerkt.",
            "nl",
            "ANP",
            id="dutch-the-text",
        ),
        pytest.param(
            "The Associated Press generated this report automatically, using Automated Insights "
            "software and figures from Zacks Investment Research. No newsroom staff reviewed it "
            "before publication.",
            "en",
            "AP",
            id="automated-earnings",
        ),
        pytest.param(
            "Questo articolo è pubblicato automaticamente dal servizio ANSA senza modifiche.",
            "it",
            "ANSA",
            id="italian-service",
        ),
        pytest.param(
            "Aviso: Esta información procede de Europa Press y se reproduce tal y como la "
            "distribuye la agencia, sin que la redacción haya intervenido en su edición.",
            "es",
            "Europa Press",
            id="spanish-as-distributed",
        ),
        pytest.param(
            "(Yeh khabar PTI ki feed se seedhe li gayi hai. Hamari team ne iske text mein koi "
            "badlav nahi kiya hai.)",
            "en",
            "PTI",
            id="hindi-in-latin-letters",
        ),
        pytest.param(
            "Dit bericht werd automatisch overgenomen van persagentschap Belga. De redactie van "
            "Scheldepost heeft de tekst niet bewerkt.",
            "nl",
            "Belga",
            id="flemish-press-agency",
        ),
        pytest.param(
            "Contenu fourni par l'agence Belga et mis en ligne automatiquement : ce texte n'a fait "
            "l'objet d'aucune relecture ni modification par la rédaction.",
            "fr",
            "Belga",
            id="french-supplied-by-the-agency",
        ),
        pytest.param(
            "Cet article a été rédigé par l'Agence France-Presse et mis en ligne automatiquement "
            "sur notre site, sans intervention de la rédaction.",
            "fr",
            "AFP",
            id="french-written-by-the-agency",
        ),
        pytest.param(
            "Cette dépêche est diffusée telle que reçue du fil de l'Agence France-Presse ; elle "
            "n'a fait l'objet d'aucune relecture par notre rédaction.",
            "fr",
            "AFP",
            id="french-as-received",
        ),
        pytest.param(
            "Contenido de agencia · Esta información se reproduce íntegra tal y como ha sido "
            "distribuida por la Agencia EFE, sin intervención de la redacción.",
            "es",
            "EFE",
            id="spanish-agency-content",
        ),
        pytest.param(
            "(The text of this report comes straight from the ANI wire. Bharat Times Now has "
            "written the headline; nothing else has been changed.)",
            "en",
            "ANI",
            id="straight-from-the-wire",
        ),
        pytest.param(
            "Quelle dieses Artikels ist der Basisdienst der Deutschen Presse-Agentur; er wurde "
            "von unserer Redaktion nicht bearbeitet.",
            "de",
            "dpa",
            id="german-genitive",
        ),
        pytest.param(
            "Editor's note: This report reaches us through the Kenya News Agency content "
            "service and is published exactly as supplied.",
            "en",
            "Kenya News Agency",
            id="kenya-news-agency",
        ),
        pytest.param(
            "Cet article est diffusé dans le cadre d'un partenariat avec l'Agence France-Presse. "
            "Il est reproduit tel quel par notre rédaction.",
            "fr",
            "AFP",
            id="french-content-partnership",
        ),
        pytest.param(
            "The Harbour Times runs it as received from Kyodo News and does not alter the text "
            "of this report.",
            "en",
            "Kyodo",
            id="runs-as-received",
        ),
        pytest.param(
            "यह समाचार सीधे यूनीवार्ता (UNI) की सेवा से लिया गया है; इसमें कोई बदलाव नहीं किया गया।",
            "hi",
            "UNI",
            id="hindi-agency-service",
        ),
        pytest.param(
            "Denne saken er levert av nyhetsbyrået NTB og er ikke redigert av oss.",
            "no",
            "NTB",
            id="norwegian-this-story",
        ),
    ],
)
def test_disclaimer_in_more_languages_flags_page(note: str, language: str, agency: str) -> None:
    story = replace(page(*BODY), language=language, notes=(note,))
    verdict = assess(story, NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["disclaimer"]
    assert verdict.source_agency == agency


@pytest.mark.parametrize(
    "closing",
    [
        "共同通信によると、首相は来週訪米する予定だ。",
        "연합뉴스에 따르면 회담은 다음 주에 열린다.",
        "据新华社报道\uff0c会议将于下周举行。",
    ],
)
def test_agency_named_in_chinese_japanese_or_korean_prose_is_not_evidence(closing: str) -> None:
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert not verdict.syndicated and verdict.evidence == ()


def test_inflected_agency_name_in_a_german_note_names_the_agency() -> None:
    note = "Hinweis: Dieser Beitrag ist eine Meldung der Deutschen Presse-Agentur, unverändert."
    verdict = assess(replace(page(*BODY), language="de", notes=(note,)), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == "dpa"


@pytest.mark.parametrize(
    "paragraph",
    [
        "Many portals print a grey line saying the article \u201chas not been edited by our "
        "staff and is auto-generated from a syndicated feed.\u201d",
        'Readers see the note "this story was published automatically from the wire service '
        'without changes" and assume someone checked it.',
        "On the evening of Feb. 20, a wire report carried the wrong death toll for 40 minutes, "
        "according to a count by The Copy Desk Review. Most sites had not changed a word.",
        "Scroll to the bottom of many regional news pages and you find a line of italic text. On "
        "one portal it reads: This story has not been edited by our staff and is auto-generated "
        "from a syndicated feed.",
    ],
)
def test_disclaimer_wording_quoted_in_prose_is_not_evidence(paragraph: str) -> None:
    verdict = assess(page(paragraph, *BODY), NEWS_URL, RULES)
    assert not verdict.syndicated
    verdict = assess(page(BODY[0], paragraph, *BODY[1:]), NEWS_URL, RULES)
    assert not verdict.syndicated
    assert paragraph in verdict.text


def test_disclaimer_naming_the_outlet_in_quotes_is_still_a_disclaimer() -> None:
    note = '(This story has not been edited by "The Gazette" staff; it is auto-generated from a syndicated feed.)'
    verdict = assess(page(*BODY, note), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["disclaimer"]


# --- dateline forms -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lede", "agency"),
    [
        ("BOISE, Idaho (AP) \u2014 Lawmakers approved the budget.", "AP"),
        ("ANN ARBOR, Mich. (AP) \u2014 The university named a new president.", "AP"),
        ("Valparaiso, Chile (AFP) - Fishermen protested on Monday.", "AFP"),
        ("Shillong (Meghalaya) [India], June 2 (ANI): The state cabinet met.", "ANI"),
        ("Hamburg/Kiel (dpa/lno) - Der Hafen meldet einen Rekord.", "dpa"),
        ("SEVILLA, 12 (EUROPA PRESS) La Junta ha aprobado el plan.", "Europa Press"),
        ("MOSCOW. June 2 (Interfax) - The ministry said exports rose.", "Interfax"),
        ("June 2 (Reuters) - Oil prices rose on Tuesday.", "Reuters"),
        ("RABAT, June 2 (MAP) - Le gouvernement a adopté le projet.", "MAP"),
        ("JAKARTA (ANTARA) - Pemerintah menyiapkan anggaran baru.", "Antara"),
        ("ABU DHABI, 3rd March, 2026 (WAM) -- The council met.", "WAM"),
        (
            "S\u00e3o Paulo, 3 de mar\u00e7o (Ag\u00eancia Brasil) - O governo anunciou.",
            "Ag\u00eancia Brasil",
        ),
        ("Berlin (SID) - Der Verband hat den Trainer entlassen.", "SID"),
        ("नयी दिल्ली, 10 मार्च (भाषा) केंद्र सरकार ने मंगलवार को घोषणा की।", "PTI"),
        ("চট্টগ্রাম, ৬ মার্চ, ২০২৬ (বাসস) : বন্দরে কনটেইনার হ্যান্ডলিং বেড়েছে।", "BSS"),
        ("الرياض 22 رمضان 1447 هـ الموافق 11 مارس 2026 م واس", "SPA"),
        ("Jihlava 3. března (ČTK) - Řidiče na dálnici D1 čekají omezení.", "CTK"),
        ("الكويت - 12 - 3 (كونا) -- وقعت وزارة الكهرباء عقدا جديدا.", "KUNA"),
        ("DEN HAAG (anp) - Het kabinet trekt extra geld uit voor dijken.", "ANP"),
        ("TOKYO, March 18 Kyodo - Foreign visitors hit a record in February.", "Kyodo"),
        ("SEVILLA, 4 (EUROPA PRESS)", "Europa Press"),
        ("KARACHI, (APP): A seven-day anti-polio campaign began.", "APP"),
        ("brussel (belga) - De federale regering heeft een akkoord bereikt.", "Belga"),
        ("القاهرة (أ ش أ) أعلنت وزارة الري الانتهاء من المشروع.", "MENA"),
        (
            "\u0421\u0410\u041c\u0410\u0420\u0410, 5 \u043c\u0430\u0440\u0442\u0430. /\u0422\u0410\u0421\u0421/. "
            "\u0412\u043b\u0430\u0441\u0442\u0438 \u0440\u0435\u0433\u0438\u043e\u043d\u0430 \u0441\u043e\u043e\u0431\u0449\u0438\u043b\u0438.",
            "TASS",
        ),
    ],
)
def test_more_dateline_forms_flag_page(lede: str, agency: str) -> None:
    verdict = assess(page(lede, *BODY[1:]), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["dateline"]
    assert verdict.source_agency == agency


@pytest.mark.parametrize(
    "lede",
    [
        "DENVER, Colo. \u2014 The Colorado Public Employees Pension (AFP) board voted on Monday.",
        "TALLINN \u2014 The Estonian Fencing Federation (EFE) named a new coach.",
        "HYDERABAD, Telangana \u2014 Andhra Pradesh (AP) officials met their counterparts.",
        "DAYTON, Ohio \u2014 (ap) scores rose at the high school this year.",
        "CHICAGO, March 3 AP Biology students won the state science fair.",
    ],
)
def test_acronym_lookalikes_after_a_place_are_not_datelines(lede: str) -> None:
    verdict = assess(page(lede, *BODY[1:]), NEWS_URL, RULES)
    assert not verdict.syndicated


# --- agency bylines with the reporter's name ----------------------------------------


def test_reporter_and_agency_byline_flags_page_and_keeps_the_person() -> None:
    verdict = assess(page(*BODY, byline="By JOHN ROE Associated Press"), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["agency_byline"]
    assert verdict.source_agency == "AP"
    assert RULES.people_in("JOHN ROE Associated Press") == "JOHN ROE"
    assert RULES.people_in("Jane Doe, Reuters") == "Jane Doe"


@pytest.mark.parametrize(
    ("byline", "agency"),
    [
        ("Redazione ANSA", "ANSA"),
        ("Bloomberg News", "Bloomberg"),
        ("Jane Doe (AFP)", "AFP"),
        ("Door: ANP", "ANP"),
        ("By Ella Pritchard, PA Health Correspondent", "PA Media"),
        ("Marnie Keough Australian Associated Press", "AAP"),
        ("Marnie Cooper, AAP August 14 2025 - 4:10pm", "AAP"),
        ("Poppy Hargreaves and Callum Ng| AAP Published: March 4 2026 - 5:40pm", "AAP"),
        ("Minh Anh (theo Reuters)", "Reuters"),
        ("Vitor Abdala \u2013 Rep\u00f3rter da Ag\u00eancia Brasil", "Agência Brasil"),
        ("Ana Ruiz, corresponsal de EFE", "EFE"),
        ("Associated Press November 19, 2019, 9:02 AM", "AP"),
        ("Tom Davies Associated Press Published 11:34 PM EST Nov 19, 2019", "AP"),
        ("Rastriya Samachar Samiti", "RSS"),
        ("أ ش أ", "MENA"),
        ("Agencia Andina", "Andina"),  # the agency word before its name
        ("La Presse Canadienne", "The Canadian Press"),
        ("Agence Ivoirienne de Presse", "AIP"),
    ],
)
def test_agency_newsroom_and_bracketed_agency_bylines_flag_page(byline: str, agency: str) -> None:
    verdict = assess(page(*BODY, byline=byline), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == agency


@pytest.mark.parametrize(
    "byline", ["By Kevin Doyle | Gazette Staff", "By Ana Ruiz, Times Sports Writer", "Uni Ahmed"]
)
def test_staff_bylines_are_not_agency_bylines(byline: str) -> None:
    assert not assess(page(*BODY, byline=byline), NEWS_URL, RULES).syndicated


# --- sign-offs: agency credit lines and copyright -------------------------------------


@pytest.mark.parametrize(
    ("closing", "agency", "removed"),
    [
        ("-- IANS", "IANS", True),
        ("(dpa/lsw)", "dpa", True),
        ("(ANSA).", "ANSA", True),
        ("\u2014 AFP", "AFP", True),
        ("\u2014 afp", "AFP", True),
        ("(afp)", "AFP", True),
        ("-- IANS rkb/khz", "IANS", True),
        ("EFE", "EFE", True),
        ("Kyodo News", "Kyodo", True),
        ("Source: Xinhua", "Xinhua", True),
        ("Quelle: dpa", "dpa", True),
        ("\u00a9 dpa-infocom, dpa:260305-99-123456/3", "dpa", True),
        ("\u00a9 dpa-infocom, dpa:260311-930-418265/2", "dpa", True),
        ("==Kyodo", "Kyodo", True),
        ("PTI SKL RT", "PTI", True),
        ("/ritzau/", "Ritzau", True),
        ("Copyright Thomson Reuters 2026", "Reuters", True),
        ("Enditem", "Xinhua", True),
        ("Lusa/Fim", "Lusa", True),
        ("(\u00a9NTB)", "NTB", True),
        ("\u00a9 Agence France-Presse", "AFP", True),
        ("\u00a9 dpa-AFX", "dpa", True),
        ("Marcin Kowalczyk (PAP)", "PAP", True),
        (
            "AGERPRES/(AS - autor: Radu B\u0103lan, editor: Cristina Ene, editor online: Andrei Popa)",
            "Agerpres",
            True,
        ),
        ("(END)", "Yonhap", True),
        ("Reuters Health Information", "Reuters", True),
        ("African News Agency (ANA); Editing by Thandeka Mokoena", "SAPA", True),
        (
            "Джерело: Укрінформ. Матеріал передруковано відповідно до умов використання "
            "інформації агентства.",
            "Ukrinform",
            True,
        ),
        ("Haber kaynağı: AA (Anadolu Ajansı)", "Anadolu", True),
        ("المصدر: وكالة أنباء الإمارات (وام)", "WAM", True),
        ("Источник: «Интерфакс»", "Interfax", True),
        ("منبع: خبرگزاری جمهوری اسلامی (ایرنا)", "IRNA", True),
        ("Fuente: Agencia Andina", "Andina", True),
        ("bron: anp \u2014 dit bericht is zonder redactionele bewerking overgenomen", "ANP", True),
        ("Theo TTXVN", "VNA", True),
        ("RIPRODUZIONE RISERVATA \u00a9 Copyright ANSA", "ANSA", True),
        ("By Agence France-Presse", "AFP", True),
        ("\u00a9 AAP 2026", "AAP", True),
        ("Copyright \u00a9 PA Media Ltd 2026. All rights reserved.", "PA Media", True),
        ("More stories like this are available on bloomberg.com", "Bloomberg", True),
        ("(c) Copyright Agence France-Presse 2026. All rights reserved.", "AFP", True),
        ("Prices are expected to ease next month, he said. -- IANS", "IANS", False),
        ("Die Arbeiten sollen im Herbst beginnen. (dpa)", "dpa", False),
        ("They were deported for entering the country illegally. PTI", "PTI", False),
    ],
)
def test_agency_credit_at_the_end_flags_page(closing: str, agency: str, removed: bool) -> None:
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["signoff"]
    assert verdict.source_agency == agency
    assert (closing not in verdict.text) is removed


@pytest.mark.parametrize(
    "closing",
    [
        "(AP Photo/Jane Doe)",
        "(AFP/Getty)",
        "\u00a9 AFP",
        "Photo: \u00a9 AFP 2026",
        "The vote was called by the Riverside Parents' Association (PA).",
        "The board of the teachers' pension fund (AFP) meets again in June.",
        "(With inputs from agencies)",
        "Reuters contributed to this report.",
        "Photo copyright Reuters",
        "\u2014 the Dayton AP Biology class",
        "1. \u201cIndonesia cuts nickel ore quota to support prices\u201d (Reuters)",
    ],
)
def test_photo_credits_and_acronyms_at_the_end_are_not_signoffs(closing: str) -> None:
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert not verdict.syndicated
    assert verdict.evidence == ()


# --- republication -------------------------------------------------------------------


def test_republished_from_another_outlet_under_a_licence_flags_page() -> None:
    line = "Republished from UPI.com under a content licence."
    verdict = assess(page(*BODY, line), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["republication"]
    assert verdict.source_agency == "UPI"
    assert line not in verdict.text


def test_copyright_and_distribution_credit_in_small_print_beside_the_story_flags_page() -> None:
    note = "\u00a92026 Bloomberg L.P. Visit bloomberg.com. Distributed by Tribune Content Agency."
    verdict = assess(replace(page(*BODY), notes=(note,)), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["signoff", "republication"]
    assert verdict.source_agency == "Bloomberg"


@pytest.mark.parametrize(
    "closing",
    [
        "D'après l'AFP, le texte a été adopté intégralement par les députés mardi soir.",
        "Le texte n'a pas été modifié depuis sa première lecture, a indiqué à l'AFP un conseiller.",
        "Selon l'agence de presse officielle iranienne, le texte de l'accord n'a pas été modifié.",
        "The text of the ceasefire, supplied by Reuters, has not been changed since March.",
        "Correction: An earlier version of this article, based on figures provided by AP, "
        "misstated the death toll. The headline has not been changed.",
        "Stock quotes in this article are provided by Dow Jones and displayed automatically.",
        "Die Polizei sucht Zeugen. (pa)",
        "Wedstrijd eindigde in 2-2. (tt)",
        "Source: Reuters \u2013 median of 40 economists polled",
        "Quelle: dpa - Grafik: Redaktion",
        "Correction: The mayor's name was misspelled. This story first appeared in the Tribune's "
        "weekend magazine.",
    ],
)
def test_prose_initials_and_chart_sources_are_not_credits(closing: str) -> None:
    # agency names in French prose, a writer's initials in brackets, a chart's source line
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert not verdict.syndicated and verdict.evidence == ()


@pytest.mark.parametrize(
    "closing",
    [
        "Also read: Sensex ends 500 points higher | This story has not been edited by "
        "Devdiscourse staff and is auto-generated from a syndicated feed.",
        'The minister said: "We will act." (This story has not been edited by Devdiscourse staff '
        "and is auto-generated from a syndicated feed.)",
    ],
)
def test_a_disclaimer_after_a_link_label_or_a_quoted_sentence_is_still_one(closing: str) -> None:
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["disclaimer"]


def test_an_agencys_end_mark_above_the_sites_sign_up_lines_flags_page() -> None:
    # a bare agency name is read only as the last lines; with its end mark it is unmistakable
    furniture = (
        "Inicie sessão para comentar. Os comentários são moderados.",
        "Receba todas as manhãs as principais notícias da região no seu email.",
        "Ao subscrever aceita a nossa política de privacidade.",
    )
    verdict = assess(page(*BODY, "ALYN // JMR", "Lusa/Fim", *furniture), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == "Lusa"
    assert "Lusa/Fim" not in verdict.text


def test_a_distribution_credit_closing_a_columnists_note_flags_page() -> None:
    closing = (
        "Marcy Elwood writes about personal finance and consumer issues. Send questions to her "
        "at the address on her website. \u00a92026 Marcy Elwood. Distributed by Tribune Content "
        "Agency, LLC."
    )
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["republication"]
    assert "Marcy Elwood writes" not in verdict.text


def test_a_credit_closing_the_lede_flags_page() -> None:
    lede = "La SNCB supprimera quatre trains de soir\u00e9e sur la ligne 162, a annonc\u00e9 mardi l'entreprise. (Belga)"
    verdict = assess(page(lede, *BODY), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == "Belga"


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        (
            "Este texto foi publicado originalmente pela Ag\u00eancia Brasil e \u00e9 reproduzido "
            "aqui sob a licen\u00e7a Creative Commons Atribui\u00e7\u00e3o 4.0.",
            "Ag\u00eancia Brasil",
        ),
        ("Dieser Beitrag ist zuerst erschienen bei der APA.", "APA"),
        (
            "Erstver\u00f6ffentlichung bei der APA \u2013 Austria Presse Agentur; \u00dcbernahme "
            "mit deren Einverst\u00e4ndnis.",
            "APA",
        ),
        ("Cet article a été publié initialement par Belga.", "Belga"),
        (
            "Cet article a d'abord été publié par l'Agence de presse sénégalaise (APS). Nous "
            "reprenons ici la dépêche dans son intégralité, avec l'autorisation de l'agence.",
            "APS",
        ),
        (
            "Cette dépêche a été initialement diffusée par l'agence Belga. Elle est reproduite ici "
            "dans son intégralité, avec l'autorisation de l'agence.",
            "Belga",
        ),
    ],
)
def test_republication_lines_in_other_languages_flag_page(line: str, agency: str) -> None:
    verdict = assess(page(*BODY, line), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == agency


@pytest.mark.parametrize(
    ("field", "agency"),
    [
        ("Zdroj: ČTK Publikováno: 10. 3. 2026 14:32", "CTK"),
        ("Penulis: Redaksi | Sumber: ANTARA", "Antara"),
        ("Πηγή: ΑΠΕ-ΜΠΕ", "ANA-MPA"),
    ],
)
def test_a_source_field_above_the_story_flags_page(field: str, agency: str) -> None:
    verdict = assess(page(field, *BODY), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == agency


def test_a_provider_credit_naming_the_outlet_as_partner_flags_page() -> None:
    # the outlet's own name after "content-sharing arrangement with" names the partner
    note = (
        "This story was provided by Xinhua News Agency under a content-sharing arrangement "
        "with Example News and is republished in full."
    )
    verdict = assess(replace(page(*BODY), notes=(note,)), NEWS_URL, RULES)
    # "this story was provided by Xinhua ... republished in full" is also a no-editing claim
    assert verdict.syndicated and families(verdict) == ["disclaimer", "republication"]
    assert verdict.source_agency == "Xinhua"


def test_a_writers_credit_for_an_agency_beside_the_story_flags_page() -> None:
    note = "Words: Tom Whitcombe for Australian Associated Press"
    verdict = assess(replace(page(*BODY), notes=(note,)), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["agency_byline"]
    assert verdict.source_agency == "AAP"
    assert RULES.people_in("By Jane Doe for AFP") == "Jane Doe"


def test_a_reporting_and_editing_credit_beside_the_story_flags_it_as_reuters_copy() -> None:
    note = "(Reporting by Enkhjin Batbold in Ulaanbaatar; Editing by Simon Cardew)"
    verdict = assess(replace(page(*BODY), notes=(note,)), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["signoff"]
    assert verdict.source_agency == "Reuters"


def test_a_dateline_quoted_from_a_wire_dispatch_is_not_the_pages_own() -> None:
    intro = "Last Thursday this site published a short wire dispatch. It began like this:"
    quoted = "NAIROBI, Feb 26 (Reuters) - Kenya's parliament approved a finance bill."
    story = replace(page(intro, quoted, *BODY), quotations=(quoted,))
    assert not assess(story, NEWS_URL, RULES).syndicated
    assert assess(page(quoted, *BODY), NEWS_URL, RULES).syndicated
    # an agency's name above the story is not quoted because a quotation names it too
    credit = replace(page("EFE", *BODY), quotations=("Fuentes de EFE dijeron que no.",))
    assert assess(credit, NEWS_URL, RULES).syndicated


def test_a_first_run_elsewhere_after_a_source_label_flags_page_though_it_names_the_outlet() -> None:
    note = (
        "Source: Xinhua. This article originally ran on the Xinhua News Agency English service "
        "and is republished by Silk Road Observer under a content-exchange arrangement."
    )
    story = replace(page(*BODY), site_name="Silk Road Observer", notes=(note,))
    verdict = assess(story, "https://www.silkroadobserver.example/asia/x", RULES)
    assert verdict.syndicated and verdict.source_agency == "Xinhua"


def test_republished_from_an_agency_is_not_mistaken_for_the_sites_own_note() -> None:
    line = (
        "Este conteúdo foi publicado originalmente pela Agência Brasil e é republicado pelo "
        "Correio do Cerrado nos termos da licença Creative Commons."
    )
    story = replace(page(*BODY, line), site_name="Correio do Cerrado")
    verdict = assess(story, "https://www.correiodocerrado.example/saude/x", RULES)
    assert verdict.syndicated and verdict.source_agency == "Agência Brasil"


@pytest.mark.parametrize(
    ("path", "agency"),
    [("/wires/reuters/article-1234/Oil-rises.html", "Reuters"), ("/news/wire/ap/2026/03/x", "AP")],
)
def test_an_agency_wire_section_in_the_url_flags_page(path: str, agency: str) -> None:
    verdict = assess(page(*BODY), "https://www.dailyexample.example" + path, RULES)
    assert verdict.syndicated and verdict.source_agency == agency


def test_a_wire_word_in_a_url_without_an_agency_is_not_evidence() -> None:
    assert not assess(page(*BODY), "https://e.example/wire/cables-cut-in-storm", RULES).syndicated


@pytest.mark.parametrize(
    ("note", "agency"),
    [
        ("Lusa/Fim", "Lusa"),
        ("| Извор: Танјуг", "Tanjug"),
        ("BSS/SR/RY/1640", "BSS"),
        ("(Schluss) sst/kre APA0118 2026-03-02/10:54", "APA"),
    ],
)
def test_a_short_agency_credit_in_small_print_flags_page(note: str, agency: str) -> None:
    verdict = assess(replace(page(*BODY), notes=(note,)), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == agency


def test_an_indonesian_republication_tagline_flags_page() -> None:
    line = "Artikel ini telah tayang di ANTARANews.com dengan judul: Harga beras naik"
    verdict = assess(page(*BODY, line), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == "Antara"


def test_a_story_provided_by_an_agency_flags_page() -> None:
    verdict = assess(
        page(*BODY, "This story was provided by The Associated Press."), NEWS_URL, RULES
    )
    assert verdict.syndicated and families(verdict) == ["republication"]
    assert verdict.source_agency == "AP"


# Lines seen on real pages of ../shared/extraction-benchmark/ that once flagged them.
@pytest.mark.parametrize(
    "line",
    [
        "First published on November 19, 2019 / 8:16 AM",
        "\u00a9 1995 - 2019 by Snopes Media Group Inc. This material may not be reproduced "
        "without permission.",
        "Cases of Eastern Equine Encephalitis first appeared in West Michigan in August.",
        "The 1952 map, reproduced from the county archive, shows the original shoreline.",
    ],
)
def test_timestamps_notices_and_prose_are_not_republication(line: str) -> None:
    verdict = assess(page(*BODY, line), NEWS_URL, RULES)
    assert not verdict.syndicated and verdict.evidence == ()


def test_originally_published_on_the_sites_own_name_is_not_republication() -> None:
    line = "Originally published on Live Science."
    own = replace(page(*BODY, line), site_name="Live Science")
    assert not assess(own, "https://www.livescience.com/feather-duvet.html", RULES).syndicated
    assert assess(page(*BODY, line), "https://www.sciencealert.com/duvet", RULES).syndicated


# --- the agency's own site under another top-level domain ---------------------------


@pytest.mark.parametrize(
    "url", ["https://www.reuters.co.uk/markets/x", "https://reuters.de/wirtschaft/y"]
)
def test_agency_on_its_own_name_under_another_tld_is_not_syndicated(url: str) -> None:
    paragraphs = ("LONDON (Reuters) - " + BODY[0], BODY[1], "(Reporting by A; Editing by B)")
    verdict = assess(page(*paragraphs), url, RULES)
    assert not verdict.syndicated and verdict.source_agency == "Reuters"


def test_agency_under_its_own_domain_name_but_another_tld_is_its_own_site() -> None:
    # Yonhap's yna.co.kr: the registered name "yna" is not one of its aliases
    paragraphs = ("SEOUL, March 6 (Yonhap) -- " + BODY[0], BODY[1])
    assert not assess(page(*paragraphs), "https://en.yna.example/view/AEN2026", RULES).syndicated


@pytest.mark.parametrize(
    "url",
    ["https://www.reutersnews.example/x", "https://news.co.uk/y", "https://www.news.cn.example/z"],
)
def test_other_names_are_not_an_agency_site(url: str) -> None:
    paragraphs = ("LONDON (Reuters) - " + BODY[0], BODY[1])
    assert assess(page(*paragraphs), url, RULES).syndicated


def test_a_rule_naming_an_unknown_agency_for_a_group_is_a_config_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\nname = "end-mark"\npattern = "^(?P<mark>-30-)$"\n'
        'agencies = { mark = "No Such Agency" }\n'
    )
    with pytest.raises(ConfigError, match=r"'end-mark'.*agencies"):
        load_rules(rules)


@pytest.mark.parametrize(
    ("lede", "agency"),
    [
        ("【ワシントン共同】米政府は5日、新たな制裁を発表した。", "Kyodo"),
        ("新华社北京3月5日电（记者张三）国务院5日发布通知。", "Xinhua"),
        ("(서울=연합뉴스) 홍길동 기자 = 정부는 5일 발표했다.", "Yonhap"),
        ("（中央社記者林宜萱台北3日電）交通部今天宣布新的觀光列車。", "CNA"),
        ("الفجيرة في 3 مارس / وام / أعلنت الحكومة اليوم عن خطة جديدة.", "WAM"),
        ("الرباط (ومع) - بلغت نسبة ملء السدود حوالي 45 في المائة.", "MAP"),
        ("İZMİR (AA) - Ege Bölgesi'nde zeytinyağı ihracatı arttı.", "Anadolu"),
        ("नयी दिल्ली, तीन मार्च (भाषा) रेल मंत्रालय ने मंगलवार को कहा।", "PTI"),
        ("नयी दिल्ली, 14 मई (भाषा) दिल्ली उच्च न्यायालय ने बुधवार को निर्देश दिया।", "PTI"),
        ("МОСКВА, 5 мар — РИА Новости. Правительство утвердило план.", "RIA Novosti"),
    ],
)
def test_east_asian_and_russian_agency_datelines_flag_page(lede: str, agency: str) -> None:
    verdict = assess(page(lede, *BODY), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == agency


def test_a_dateline_without_the_agency_is_not_evidence_in_japanese() -> None:
    assert not assess(
        page("【ワシントン】米政府は5日、新たな制裁を発表した。", *BODY), NEWS_URL, RULES
    ).syndicated


# Ordinary prose and look-alikes a reviewer found flagged; none is evidence.
@pytest.mark.parametrize(
    "closing",
    [
        "The agency has not changed its forecast since March, the report said.",
        "Der Leitzins bleibt unverändert, wie die Nachrichtenagentur auf den Bericht meldete.",
        "El texto fue aprobado sin cambios, según un portavoz de la agencia.",
        "The effect has been reproduced under controlled conditions in two labs.",
        "The two broadcasters signed a content-sharing agreement last year.",
        "The drug is distributed by Pfizer under a licensing deal.",
        "The post first appeared on Facebook on Monday.",
        "Source: APA, 2023 Stress in America survey",
        "Text: Ana Lopez Photos: Juan Ruiz",
        "(Map)",
    ],
)
def test_prose_and_look_alikes_a_reviewer_found_are_not_evidence(closing: str) -> None:
    assert not assess(page(*BODY, closing), NEWS_URL, RULES).syndicated


@pytest.mark.parametrize(
    "lede", ["Pittsburgh (PA) — The council met.", "Tirupati (AP): The temple board met."]
)
def test_a_state_after_a_place_is_not_an_agency_dateline(lede: str) -> None:
    assert not assess(page(lede, *BODY), NEWS_URL, RULES).syndicated


@pytest.mark.parametrize("byline", ["Sana", "Ana", "Ria", "By Mena"])
def test_first_names_that_spell_an_agency_in_title_case_are_not_agency_bylines(byline: str) -> None:
    assert not assess(page(*BODY, byline=byline), NEWS_URL, RULES).syndicated


def _copy(
    article_id: int, url: str, agency: str | None, evidence: tuple[Evidence, ...]
) -> StoredCopy:
    return StoredCopy(
        article_id=article_id,
        url=url,
        text="",
        cluster_id=None,
        source_agency=agency,
        evidence=evidence,
    )


def test_a_stripped_copy_on_a_site_named_like_an_agency_is_still_flagged() -> None:
    # tt.com is Tiroler Tageszeitung, not TT's own site for a Reuters story
    marked = _copy(
        1,
        "https://www.gazette.example/a",
        "Reuters",
        (Evidence(rule="dateline", family="dateline", match="x"),),
    )
    stripped = _copy(2, "https://www.tt.com/b", None, ())
    [flag] = near_duplicate_flags(stripped, [(marked, 0.9)], RULES)
    assert flag.article_id == 2 and flag.syndicated and flag.source_agency == "Reuters"


DISCLAIMED = (Evidence(rule="disclaimer", family="disclaimer", match="from a syndicated feed"),)
DATELINED = (Evidence(rule="dateline", family="dateline", match="SANTIAGO (Reuters) -"),)


def test_copies_of_one_story_share_the_agency_one_of_them_names() -> None:
    # the disclaimer names no agency; a copy elsewhere carries the Reuters dateline
    disclaimed = _copy(1, "https://www.tradepulse.example/a", None, DISCLAIMED)
    stripped = _copy(2, "https://www.marketsdesk.example/b", None, ())
    [flag] = near_duplicate_flags(stripped, [(disclaimed, 0.9)], RULES)
    assert flag.syndicated and flag.source_agency is None
    stripped = replace(stripped, evidence=flag.evidence)

    datelined = _copy(3, "https://www.valleysentinel.example/c", "Reuters", DATELINED)
    flags = near_duplicate_flags(datelined, [(disclaimed, 0.9), (stripped, 0.85)], RULES)
    assert {(f.article_id, f.source_agency, f.evidence) for f in flags} == {
        (1, "Reuters", DISCLAIMED),
        (2, "Reuters", stripped.evidence),
    }


def test_a_copy_naming_no_agency_takes_the_one_its_earlier_copies_name() -> None:
    datelined = _copy(1, "https://www.valleysentinel.example/c", "Reuters", DATELINED)
    disclaimed = _copy(2, "https://www.tradepulse.example/a", None, DISCLAIMED)
    [flag] = near_duplicate_flags(disclaimed, [(datelined, 0.9)], RULES)
    assert flag.article_id == 2 and flag.source_agency == "Reuters"
    assert flag.evidence == DISCLAIMED and flag.syndicated


def test_a_copy_that_learns_its_agency_passes_it_to_the_stripped_copy_it_flags() -> None:
    earlier = _copy(1, "https://www.valleysentinel.example/c", "Reuters", DATELINED)
    stripped = _copy(2, "https://www.marketsdesk.example/b", None, ())
    disclaimed = _copy(3, "https://www.tradepulse.example/a", None, DISCLAIMED)
    flags = near_duplicate_flags(disclaimed, [(earlier, 0.8), (stripped, 0.9)], RULES)
    assert {(f.article_id, f.source_agency) for f in flags} == {(2, "Reuters"), (3, "Reuters")}


def test_the_agencys_own_copy_is_not_flagged_once_the_story_names_the_agency() -> None:
    earlier = _copy(1, "https://www.valleysentinel.example/c", "Reuters", DATELINED)
    own = _copy(2, "https://www.reuters.com/world/b", None, ())
    disclaimed = _copy(3, "https://www.tradepulse.example/a", None, DISCLAIMED)
    flags = near_duplicate_flags(own, [(disclaimed, 0.95), (earlier, 0.9)], RULES)
    assert flags == []
    flags = near_duplicate_flags(disclaimed, [(own, 0.95), (earlier, 0.9)], RULES)
    assert [(f.article_id, f.source_agency) for f in flags] == [(3, "Reuters")]


def test_a_copy_below_the_threshold_passes_no_flag_to_its_near_duplicates() -> None:
    # a canonical link to a sister paper is evidence, but not enough to call either wire copy
    weak = (Evidence(rule="canonical-elsewhere", family="canonical", match="x"),)
    sister = _copy(1, "https://www.sisterpaper.example/a", None, weak)
    unmarked = _copy(2, "https://www.gazette.example/b", None, ())
    assert near_duplicate_flags(unmarked, [(sister, 0.9)], RULES) == []
    assert near_duplicate_flags(sister, [(unmarked, 0.9)], RULES) == []


def test_an_unflagged_copy_takes_no_agency_from_its_copies() -> None:
    datelined = _copy(1, "https://www.valleysentinel.example/c", "Reuters", DATELINED)
    weak = (Evidence(rule="canonical-elsewhere", family="canonical", match="x"),)
    below = _copy(2, "https://www.tradepulse.example/a", None, weak)
    assert near_duplicate_flags(below, [(datelined, 0.9)], RULES) == []


def test_the_agencys_own_copy_is_not_flagged_as_a_near_duplicate() -> None:
    marked = _copy(
        1,
        "https://www.gazette.example/a",
        "Reuters",
        (Evidence(rule="dateline", family="dateline", match="x"),),
    )
    own = _copy(2, "https://www.reuters.com/world/b", None, ())
    assert near_duplicate_flags(own, [(marked, 0.9)], RULES) == []


def test_the_agencys_name_alone_above_the_story_is_its_byline() -> None:
    # a feed item or a CMS without a byline field: "<p>EFE</p>" first
    verdict = assess(page("EFE", *BODY), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["agency_byline"]
    assert verdict.source_agency == "EFE"
    assert verdict.text == "\n\n".join(BODY)


def test_a_generic_word_alone_is_no_agency_site_and_two_brands_are_none() -> None:
    assert RULES.agency_site("https://news-agency.example/x") is None
    assert RULES.agency_site("https://reuters-afp.example/x") is None


@pytest.mark.parametrize(
    "note",
    [
        "The Sentinel publishes this story through its content partnership with KFF Health "
        "News, a national newsroom that produces in-depth journalism about health issues.",
        # after another sentence of the same note
        "Disclosure: Hannah Whitcombe receives funding from the Australian Research Council and "
        "Brisbane City Council. First published by The Conversation; republished here under a "
        "Creative Commons licence.",
        # the agency as the item's maker, also in Romance languages
        "This article was produced by The Canadian Press and is carried by the Valley Herald "
        "through a content-sharing arrangement.",
        "The article above is supplied by Yonhap News Agency under a news-supply contract.",
        "Este artigo foi produzido pela agência Lusa ao abrigo de um acordo de partilha.",
        "Esta noticia ha sido elaborada por la Agencia EFE.",
        "Contenuto fornito da ANSA nell'ambito di un accordo di distribuzione.",
    ],
)
def test_republication_notes_beside_the_story_flag_page(note: str) -> None:
    verdict = assess(replace(page(*BODY), notes=(note,)), NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["republication"]


def test_a_canonical_link_to_another_site_is_evidence_but_no_flag_by_itself() -> None:
    # MSN's copy of a CNN story -- or a paper's story shared with its sister paper
    msn_copy = replace(page(*BODY), declared_url="https://www.cnn.com/2026/03/01/health/x")
    verdict = assess(msn_copy, "https://www.msn.com/en-us/health/ar-BB1", RULES)
    assert not verdict.syndicated and families(verdict) == ["canonical"]
    assert 0 < verdict.score < RULES.threshold
    wire_copy = replace(
        page("June 2 (Reuters) - " + BODY[0], *BODY[1:]),
        declared_url="https://www.reuters.com/world/x",
    )
    verdict = assess(wire_copy, NEWS_URL, RULES)
    assert verdict.syndicated and families(verdict) == ["dateline", "canonical"]
    assert (
        verdict.score
        > assess(page("June 2 (Reuters) - " + BODY[0], *BODY[1:]), NEWS_URL, RULES).score
    )


@pytest.mark.parametrize(
    ("canonical", "url"),
    [
        ("https://www.example.com/world/x", "https://news.example.com/world/x"),
        ("https://www.reuters.com/world/x", "https://uk.reuters.co.uk/world/x"),
        ("https://www.jaraguadosul.sc.gov.br/news/x", "https://jaraguadosul.com.br/news/x"),
        ("http://localhost:8080/news/x", "https://www.example.com/news/x"),  # misconfigured
        ("http://10.0.0.12/news/x", "https://www.example.com/news/x"),
    ],
)
def test_a_canonical_link_on_the_same_site_is_not_evidence(canonical: str, url: str) -> None:
    story = replace(page(*BODY), declared_url=canonical)
    assert assess(story, url, RULES).evidence == ()


def test_a_rule_line_before_the_credits_does_not_push_them_out_of_the_end() -> None:
    closing = ("The works are due to start in the autumn. (dpa)", "___", "More: Budget", "___")
    verdict = assess(page(*BODY, *closing), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == "dpa"


def test_a_credit_below_furniture_the_site_left_in_its_own_language_is_still_read() -> None:
    furniture = ("En Çok Okunanlar", "Sabah Bülteni", "Kaydol")  # most read, bulletin, sign up
    verdict = assess(page(*BODY, "Haber kaynağı: AA (Anadolu Ajansı)", *furniture), NEWS_URL, RULES)
    assert verdict.syndicated and verdict.source_agency == "Anadolu"


@pytest.mark.parametrize(
    "closing",
    [
        "Protesters gather outside parliament in Tbilisi on Tuesday. AFP",  # a caption's credit
        "Le elezioni si terranno a giugno. DIRE",
        "The line will be served daily from July. TAP",
        "Die Meldung des Bundesnachrichtendienstes sei bislang nicht geprüft worden, hieß es.",
        "Selon une dépêche de l'AFP, ces chiffres n'ont été ni confirmés ni vérifiés.",
        "Other than the headline, the AP story was accurate, the public editor concluded.",
        "Her memoir became a bestseller. Originally published in French, it has been translated.",
        "Sign up for The Download. This story first appeared in our weekly newsletter.",
        # a correction, and the archive's note on an old story
        "In einer früheren Version dieses Artikels hieß es, die Zahlen seien von der "
        "Nachrichtenagentur dpa ungeprüft übernommen worden.",
        "Editor's note: This story from our archives appears in its original form. It includes "
        "reporting from The Associated Press.",
        # organisations sharing an agency's initials: only the agencies' full names count
        "Source: ENA",
        "© 2026 AIP Publishing LLC",
        "AFP/STR/2024",  # a photo credit with a year, not a desk slug with a time
        # an agency named as the source of figures, or a partner of the story's subject
        "Il testo dell'accordo è stato fornito da un portavoce, ha riferito l'ANSA.",
        "The ministry does not alter its forecasts, it said in a statement to Reuters.",
    ],
)
def test_prose_that_reads_like_a_credit_closing_a_story_is_not_evidence(closing: str) -> None:
    verdict = assess(page(*BODY, closing), NEWS_URL, RULES)
    assert not verdict.syndicated, verdict.evidence


@pytest.mark.parametrize("note", ["Photo source: Reuters", "Data source: Bloomberg"])
def test_a_photo_or_data_source_beside_the_story_is_not_a_source_line(note: str) -> None:
    assert not assess(replace(page(*BODY), notes=(note,)), NEWS_URL, RULES).syndicated
