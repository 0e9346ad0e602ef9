"""Cleaning a page: main text, metadata, and per-site rules for what the extractor misses."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article_page, paragraphs

from worker.config import SiteRule, settings_from_mapping
from worker.exceptions import ConfigError
from worker.extract import extract_page

EVALUATION_PAGES = Path(__file__).parent / "data" / "syndication"

PROMO = (
    "Members of our loyalty club get early access to every concert in the harbour series, "
    "a free programme at each door, discounted parking on the quay and a monthly draw for "
    "backstage tours, so join today and never miss a show again this season."
)


def _page_with_promo() -> str:
    body = paragraphs("concerts")
    body.insert(2, f'</p><div class="club-promo"><p>{PROMO}</p></div><p>')
    return article_page("Concert season opens", body)


def test_site_rule_drop_removes_what_the_extractor_keeps() -> None:
    url = "https://news.example.com/concerts"
    assert PROMO in extract_page(_page_with_promo(), url).text
    rule = SiteRule(host="example.com", drop=(".club-promo",))
    text = extract_page(_page_with_promo(), url, [rule]).text
    assert PROMO not in text
    assert "Paragraph 3 about concerts" in text


def test_site_rule_keep_selects_the_article_element() -> None:
    html = article_page("Tides", paragraphs("tides")).replace(
        "<footer>",
        '<div class="sidebar-story"><p>'
        + " ".join(paragraphs("sidebar gossip", 3))
        + "</p></div><footer>",
    )
    rule = SiteRule(host="news.example.com", keep="article")
    text = extract_page(html, "https://news.example.com/tides", [rule]).text
    assert "sidebar gossip" not in text and "Paragraph 4 about tides" in text


def test_rules_apply_only_to_their_host() -> None:
    rule = SiteRule(host="other.example.org", drop=(".club-promo",))
    assert PROMO in extract_page(_page_with_promo(), "https://news.example.com/c", [rule]).text


def test_invalid_css_selector_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"sites\[0\]\.drop"):
        settings_from_mapping({"sites": [{"host": "example.com", "drop": ["div[["]}]})


def test_author_is_a_person_and_time_zone_is_honoured() -> None:
    head = (
        '<meta name="author" content="Ada Lovelace">'
        '<meta property="article:published_time" content="2026-05-19T16:37:00+05:30">'
    )
    page = extract_page(article_page("T", paragraphs("looms"), head=head), "https://e.example/a")
    assert page.author == "Ada Lovelace"
    assert (
        page.published_at is not None
        and page.published_at.isoformat() == "2026-05-19T11:07:00+00:00"
    )
    assert page.language == "en" and page.site_name == "Test Gazette"
    assert page.text.count("\n\n") == 3


def test_title_is_the_article_heading_not_the_site_logo() -> None:
    html = article_page("Dunes shift inland", paragraphs("dunes")).replace(
        "<body>", "<body><header><h1>The Daily Example</h1></header>"
    )
    assert extract_page(html, "https://e.example/a").title == "Dunes shift inland"


@pytest.mark.parametrize(
    "author", ["Jane Doe, Reuters", "Jane Doe | Reuters", "Jane Doe and Reuters"]
)
def test_agency_in_author_field_goes_to_source_agency(author: str) -> None:
    from worker.clean import clean_page
    from worker.syndication import load_rules

    head = f'<meta name="author" content="{author}">'
    html = article_page("Rates rise", paragraphs("rates"), head=head, byline="")
    article = clean_page(html, "https://e.example/rates", sites=(), rules=load_rules())
    assert article.author == "Jane Doe"
    assert article.source_agency == "Reuters"
    assert article.syndicated


def _table_layout_page(story: list[str], data_table: str = "") -> str:
    """An old-style page laid out in one big table: menu row, left nav, story cell, box."""
    menu = " | ".join(f'<a href="/{s}/">{s.upper()}</a>' for s in ("news", "sport", "weather"))
    story_html = "".join(f"<p>{p}</p>" for p in story)
    return f"""<html><head><title>Ferry fares | Old Gazette</title></head><body>
<table width="980"><tr><td colspan="3">{menu}</td></tr>
<tr><td width="160"><table><tr><td><a href="/news/">News</a></td></tr>
<tr><td><a href="/sport/">Sport</a></td></tr></table></td>
<td width="560"><b>Ferry fares rise</b><br><div class="storytext">{story_html}</div>{data_table}</td>
<td width="260"><table><tr><td>1.</td><td><a href="/x">Most read: council row</a></td></tr></table>
<div class="nl"><h3>Get the morning briefing</h3><p>Top stories in your inbox.</p></div></td></tr>
<tr><td colspan="3">About us | Contact | &copy; 2026 Old Gazette</td></tr></table></body></html>"""


def test_a_table_laid_out_page_gives_the_story_not_its_menus() -> None:
    story = paragraphs("ferry fares")
    page = extract_page(_table_layout_page(story), "https://old.example/ferry")
    assert page.text.split("\n\n") == story


def test_a_data_table_inside_the_story_stays_a_table() -> None:
    fares = (
        "<table><tr><th>Route</th><th>Fare</th></tr>"
        "<tr><td>Harbour to Isle</td><td>4.20</td></tr></table>"
    )
    page = extract_page(
        _table_layout_page(paragraphs("ferry fares"), fares), "https://old.example/f"
    )
    assert "| Route | Fare |" in page.text
    assert "| Harbour to Isle | 4.20 |" in page.text


def test_a_story_set_as_text_between_double_breaks_beside_a_photo_is_read() -> None:
    # an old CMS's page from the evaluation set: the story is bare text with <br><br>
    # between paragraphs, in a layout-table cell that also holds the photo's table
    html = (EVALUATION_PAGES / "tuning19" / "t19_013.html").read_text()
    page = extract_page(html, "https://www.heraldoarequipa.example/noticia.php?id=58214")
    paragraphs = page.text.split("\n\n")
    assert paragraphs[5].startswith("AREQUIPA (Perú), 5 mar (EFE).- Los criadores")
    assert paragraphs[12].startswith("Los alpaqueros anunciaron")


@pytest.mark.parametrize(
    ("markup", "byline"),
    [
        ('<span class="auteur">belga</span>', "belga"),
        ('<div class="firma">Redacción</div>', "Redacción"),
        ('<p class="submitted-by">By Tess Bonn - 11/19/19</p>', "By Tess Bonn - 11/19/19"),
        ('<div class="sort-by">Sort by Relevance Date</div>', None),
    ],
)
def test_bylines_are_found_by_their_class_names_in_several_languages(
    markup: str, byline: str | None
) -> None:
    html = article_page("Tunnel", paragraphs("tunnel works")).replace(
        '<p class="byline">By Ada Lovelace, Staff Reporter</p>', markup
    )
    assert extract_page(html, "https://news.example/tunnel").byline == byline


def test_text_set_in_capitals_by_an_inline_style_reads_in_capitals() -> None:
    story = paragraphs("exports")
    dateline = '<span style="text-transform: uppercase">seoul, april 1 (yonhap)</span> -- '
    html = article_page("Exports", story).replace(f"<p>{story[0]}", f"<p>{dateline}{story[0]}")
    page = extract_page(html, "https://news.example/exports")
    assert page.text.startswith(f"SEOUL, APRIL 1 (YONHAP) -- {story[0]}")


def test_a_callout_box_is_a_note_beside_the_story() -> None:
    callout = (
        '<div class="kg-card kg-callout-card"><div class="kg-callout-text">This article first '
        "ran on Anadolu Agency's English-language service.</div></div>"
    )
    html = article_page("Figs", paragraphs("figs")).replace("</article>", callout + "</article>")
    note = "This article first ran on Anadolu Agency's English-language service."
    assert note in extract_page(html, "https://news.example/figs").notes


def test_blockquoted_passages_are_known_as_quotations() -> None:
    quoted = "NAIROBI, Feb 26 (Reuters) - Kenya's parliament approved a finance bill."
    story = paragraphs("finance bill")
    html = article_page("Column", story).replace(
        f"<p>{story[0]}</p>", f"<p>{story[0]}</p>\n<blockquote><p>{quoted}</p></blockquote>"
    )
    page = extract_page(html, "https://news.example/column")
    assert quoted in page.text and page.quotations == (quoted,)


def test_a_photo_credit_in_a_figure_is_not_a_note_beside_the_story() -> None:
    html = article_page("Harbour", paragraphs("harbour")).replace(
        "<p>Paragraph 1",
        '<figure><img src="/h.jpg"><figcaption><small>(c) 2026 Reuters / Jane Doe'
        "</small></figcaption></figure><aside>Our harbour coverage is free to read.</aside>"
        "<p>Paragraph 1",
        1,
    )
    notes = extract_page(html, "https://e.example/h").notes
    assert "Our harbour coverage is free to read." in notes
    assert not any("Reuters" in note for note in notes)


def test_small_print_after_the_story_is_a_note_and_newsletter_lines_are_dropped() -> None:
    html = article_page("Trade", paragraphs("trade")).replace(
        "<footer>",
        '<div class="fonte-agenzia">RIPRODUZIONE RISERVATA \u00a9 Copyright ANSA</div>'
        '<font size="1">This content is carried from the Xinhua service without changes.</font>'
        "<p>Get the morning briefing</p><p>The day's top stories, delivered to your inbox.</p>"
        "<p>Sign up</p><footer>",
    )
    page = extract_page(html, "https://e.example/trade")
    assert "RIPRODUZIONE RISERVATA \u00a9 Copyright ANSA" in page.notes
    assert "This content is carried from the Xinhua service without changes." in page.notes
    assert "briefing" not in page.text and "inbox" not in page.text and "Sign up" not in page.text


def test_a_byline_marked_by_a_data_attribute_and_a_note_in_the_articles_footer_are_read() -> None:
    html = (
        article_page("Basin", paragraphs("basin"), byline="")
        .replace(
            "<p>Paragraph 1",
            '<div class="css-abzy77" data-testid="byline">By Kate Wilmott, AAP</div><p>Paragraph 1',
            1,
        )
        .replace(
            "</article>",
            "<footer><p>Texten kommer fr\u00e5n TT och publiceras automatiskt.</p></footer></article>",
        )
    )
    page = extract_page(html, "https://e.example/basin")
    assert page.byline == "By Kate Wilmott, AAP"
    assert "Texten kommer fr\u00e5n TT och publiceras automatiskt." in page.notes


def test_a_chinese_story_is_not_too_short_for_lack_of_spaces() -> None:
    story = [
        "农业农村部种植业管理司有关负责人介绍，截至3月上旬，全国已春播粮食面积约5000万亩，进度同比略快。"
    ] * 3
    page = extract_page(article_page("春播", story, lang="zh"), "https://e.example/zh")
    assert page.text.startswith("农业农村部")


def test_byline_parts_in_separate_elements_keep_their_space() -> None:
    html = article_page("Reef", paragraphs("reef"), byline="").replace(
        "<p>Paragraph 1",
        '<div class="byline"><span>Marnie Keough</span><span>Australian Associated Press</span></div>'
        "<p>Paragraph 1",
        1,
    )
    assert extract_page(html, "https://e.example/reef").byline == (
        "Marnie Keough Australian Associated Press"
    )


def test_sign_up_and_log_in_prompts_in_other_languages_are_furniture() -> None:
    prompts = [
        "Najważniejsze informacje dnia prosto na Twoją skrzynkę.",
        "Zaloguj się, aby dodać komentarz.",
        "L'essentiel de l'actualité chaque matin dans votre boîte mail.",
    ]
    html = article_page("Rates", [*paragraphs("rates"), *prompts])
    text = extract_page(html, "https://e.example/rates").text
    assert not any(prompt in text for prompt in prompts)


def test_a_partner_logo_in_the_byline_is_read_as_part_of_it() -> None:
    html = article_page("River", paragraphs("river"), byline="").replace(
        "<p>Paragraph 1",
        '<div class="byline"><img src="/ap.png" alt="The Associated Press"> By ROSA MENDEZ</div>'
        "<p>Paragraph 1",
        1,
    )
    assert extract_page(html, "https://e.example/river").byline == (
        "By ROSA MENDEZ | The Associated Press"
    )


def test_a_featured_image_class_on_the_body_does_not_hide_notes_and_bylines() -> None:
    html = article_page("Port", paragraphs("port")).replace(
        "<body>", '<body class="has-featured-image"><aside>This story is from the AAP wire.</aside>'
    )
    page = extract_page(html, "https://e.example/port")
    assert page.byline == "By Ada Lovelace, Staff Reporter"
    assert "This story is from the AAP wire." in page.notes


def test_a_long_data_table_with_paragraphs_in_cells_stays_a_table() -> None:
    rows = "".join(
        f"<tr><td><p>Stop {i}</p></td><td>{i}:05</td><td>{i}:35</td></tr>" for i in range(12)
    )
    page = extract_page(
        article_page("Timetable", [*paragraphs("ferry"), f"</p><table>{rows}</table><p>"]),
        "https://e.example/t",
    )
    assert "| Stop 3 | 3:05 | 3:35 |" in page.text


def test_a_header_line_of_labelled_fields_is_not_dropped_as_a_menu() -> None:
    line = "Penulis: Redaksi | Editor: Budi Santoso | Sumber: ANTARA"
    html = article_page("Hujan", [line, *paragraphs("hujan")])
    assert line in extract_page(html, "https://e.example/h").text


def test_a_script_is_never_a_byline() -> None:
    html = article_page("Port", paragraphs("port"), byline="").replace(
        "<body>", '<body><script id="byline-data">{"a":1}</script>'
    )
    assert extract_page(html, "https://e.example/port").byline is None


def test_camel_cased_css_module_classes_mark_bylines_and_notes() -> None:
    html = article_page("Dams", paragraphs("dams"), byline="").replace(
        "</article>",
        '<div class="WireCredit_root__Hq2x1">African News Agency (ANA); Editing by T. Mokoena</div>'
        "</article>",
    )
    html = html.replace('<p class="byline">', '<p class="ArticleByline_name__x1">By Lerato Dube')
    page = extract_page(html, "https://e.example/dams")
    assert page.byline == "By Lerato Dube"
    assert "African News Agency (ANA); Editing by T. Mokoena" in page.notes


def test_a_source_label_named_in_dutch_or_norwegian_is_a_note() -> None:
    html = article_page("Dijken", paragraphs("dijken")).replace(
        "<article>",
        '<article><div class="article__label"><span class="label-rubriek">Binnenland</span> '
        '<span class="label-bron">ANP</span></div><div class="fp-kilde">NTB</div>',
    )
    notes = extract_page(html, "https://e.example/dijken").notes
    assert "ANP" in notes and "NTB" in notes


def test_a_cookie_consent_dialog_is_never_part_of_the_story() -> None:
    consent = (
        "Szanujemy Twoją prywatność. Wraz z naszymi partnerami używamy plików cookie i podobnych "
        "technologii w celach statystycznych, marketingowych oraz aby zapewnić prawidłowe "
        "działanie serwisu."
    )
    html = article_page("Floods", paragraphs("floods")).replace(
        "</body>",
        f'<div class="ckb"><div id="consent" role="dialog"><p>{consent}</p></div></div></body>',
    )
    page = extract_page(html, "https://e.example/floods")
    assert "Szanujemy" not in page.text
    assert page.text.split("\n\n")[-1].startswith("Paragraph")


def test_the_json_ld_author_of_the_article_in_a_graph_is_read_by_reference() -> None:
    graph = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "VideoObject", "author": {"@type": "Organization", "name": "Reuters"}},'
        '{"@type": "NewsArticle", "author": [{"@id": "#jane"}, '
        '{"@type": "Organization", "name": "The Associated Press"}]},'
        '{"@type": "Person", "@id": "#jane", "name": "Jane Doe"}]}</script>'
    )
    page = extract_page(
        article_page("Ports", paragraphs("ports"), head=graph, byline=""), "https://e.example/p"
    )
    assert page.author == "Jane Doe"  # not the video's, and a co-credit is not the byline


def test_small_type_set_by_an_inline_style_is_a_note_and_its_lines_are_read_apart() -> None:
    html = article_page("Waves", paragraphs("waves")).replace(
        "</article>",
        "</article>"
        '<div class="_nb8" style="font-size:11px;color:#888">Hinweis: Dieser Beitrag wurde '
        "automatisiert übernommen.</div>"
        '<div style="font-size:13px"><span>Pewarta: Rina Kusumawati<br>'
        "Copyright © ANTARA 2026, all rights</span></div>"
        '<div style="font-size:18px">Big promo text that is not small print at all.</div>'
        '<span style="font-size:11px">AFP</span>',  # a photo credit: too short for small type
    )
    page = extract_page(html, "https://e.example/waves")
    assert "Hinweis: Dieser Beitrag wurde automatisiert übernommen." in page.notes
    assert not any("ANTARA" in note for note in page.notes)  # 13px is body type
    html = html.replace("font-size:13px", "font-size:0.75em")
    notes = extract_page(html, "https://e.example/waves").notes
    assert "Pewarta: Rina Kusumawati Copyright © ANTARA 2026, all rights" in notes
    assert "Copyright © ANTARA 2026, all rights" in notes
    assert not any("Big promo" in note for note in notes)
    assert "AFP" not in notes


def test_small_print_classes_mark_notes_and_a_republish_boxs_text_area_is_not_one() -> None:
    html = article_page("Rice", paragraphs("rice")).replace(
        "</article>",
        "</article>"
        '<div class="mt-8 text-xs text-gray-500">Content provided by Vietnam News Agency under '
        "a content-sharing arrangement and carried here without alteration.</div>"
        '<div class="fine"><span>Agency copy, published without any changes.</span></div>'
        '<p class="small">AFP</p>'  # a photo credit: too short for small print
        # a teaser's meta lines, and a grid class that is no type size
        '<div class="small">The Associated Press<br>2 hours ago in World news</div>'
        '<div class="small-12 columns">Market data and some content provided by Reuters.</div>'
        '<div class="republish-box"><p class="card-text small">Copy the code below:</p>'
        '<textarea class="form-control small">This story is republished under a Creative '
        "Commons license.</textarea></div>",
    )
    notes = extract_page(html, "https://e.example/rice").notes
    assert (
        "Content provided by Vietnam News Agency under a content-sharing arrangement and "
        "carried here without alteration." in notes
    )
    assert "Agency copy, published without any changes." in notes
    assert "AFP" not in notes
    assert "The Associated Press" not in notes
    assert not any("Market data" in note for note in notes)
    assert not any("Creative Commons" in note for note in notes)


def test_each_field_of_an_info_block_is_read_and_a_headline_widgets_credit_is_not_a_note() -> None:
    html = article_page("Rains", paragraphs("rains")).replace(
        "</article>",
        '</article><dl class="article-info muted"><dd>Redacción</dd><dd>Fuente: Agencia Andina'
        "</dd><dd>martes, 10 junio 2025</dd></dl>"
        '<div class="wire-widget"><h3>AP Top Stories</h3><ul><li><a href="/1">Storms knock '
        'out power</a></li><li><a href="/2">Stocks drift before jobs report</a></li><li><a '
        'href="/3">Rookie leads late comeback</a></li></ul>'
        '<p class="wire-widget__credit">Copyright The Associated Press</p></div>',
    )
    notes = extract_page(html, "https://e.example/rains").notes
    assert "Fuente: Agencia Andina" in notes
    assert not any("Associated Press" in note for note in notes)


def test_a_post_tagged_gdpr_or_cookies_is_not_pruned_as_a_consent_banner() -> None:
    html = (
        article_page("Ruling", paragraphs("ruling"))
        .replace(
            "<article>", '<article><div class="post-42 post type-post tag-gdpr category-cookies">'
        )
        .replace("</article>", "</div></article>")
    )
    assert "Paragraph 3 about ruling" in extract_page(html, "https://e.example/r").text


def test_site_rule_selectors_match_class_names_in_any_case() -> None:
    html = _page_with_promo().replace('class="club-promo"', 'class="ClubPromo"')
    rule = SiteRule(host="example.com", drop=(".ClubPromo",))
    assert PROMO not in extract_page(html, "https://news.example.com/concerts", [rule]).text
