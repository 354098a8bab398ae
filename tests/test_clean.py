"""Boilerplate rules (rules.py) and the HTML cleaner (clean.py)."""

from __future__ import annotations

import pytest

from newsarchive.extract.clean import block_lines, clean_body, paragraphs_html
from newsarchive.extract.readable import parse
from newsarchive.extract.rules import Verdict, clean_paragraphs, judge_block, line_rule
from newsarchive.models import RemovedBlock


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Advertisement", "advertisement"),
        ("Anzeige", "advertisement"),
        ("Comments", "comments"),
        ("12 comments", "comments"),
        ("Join our commenting forum", "comments"),
        ("Share this article", "share"),
        ("Follow us on Instagram", "share"),
        ("Read more: Why the ferries stopped running", "related"),
        ("Related:", "related"),
        ("Recommended", "related"),
        ("Lesen Sie auch: Der Hafen bleibt geschlossen", "related"),
        ("À lire aussi", "related"),
        ("Lee también: El puerto sigue cerrado", "related"),
        ("Photo: Ana Ruiz/Reuters", "credit"),
        ("(Getty Images)", "credit"),
        ("Sign up for our weekly politics newsletter", "newsletter"),
        ("Get the best stories delivered straight to your inbox", "newsletter"),
        ("Inscrivez-vous à notre newsletter", "newsletter"),
        ("Already a subscriber? Log in", "subscription"),
        ("Subscribe to Courier Plus to read this story", "subscription"),
        (
            "Want to bookmark your favourite articles? Start your Plus subscription today.",
            "subscription",
        ),
        ("Jetzt abonnieren und weiterlesen", "subscription"),
        ("¿Ya eres suscriptor? Inicia sesión", "subscription"),
        ("Déjà abonné ? Connectez-vous", "subscription"),
        ("Your support helps us to tell the story", "appeal"),
        ("Help us keep reporting from the harbour", "appeal"),
        ("Donate today", "appeal"),
        ("Join the conversation", "comments"),
        ("Leave a comment", "comments"),
        ("Story continues below advertisement", "advertisement"),
        ("Next article", "related"),
        ("Subscribe to The Courier and read every story", "subscription"),
        ("Unterstützen Sie unabhängigen Journalismus", "appeal"),
        ("By Jane Doe and John Roe, Political Editor", "byline"),
        ("Tuesday 14 January 2025 09:12 GMT", "dateline"),
        ("Veröffentlicht am 3. März 2024", "dateline"),
        ("Advert", "advertisement"),
        ("Continue Reading Below", "advertisement"),
        ("Most read in sport", "related"),
        ("SEE MORE: Ferry timetable changes for the summer", "related"),
        ("close", "navigation"),
        ("Like this story? Share it with a friend!", "share"),
        ("Tell us what YOU think...", "comments"),
    ],
)
def test_boilerplate_lines(line: str, rule: str) -> None:
    assert line_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "The parish newsletter first reported the missing bell in 1984.",
        "“Thank you for your support,” the mayor told the crowd.",
        "More than 200 readers wrote in to share their memories of the old pier.",
        "By noon, the crowd outside the town hall had grown to several hundred people.",
        "The tide data helps us understand why the harbour wall failed.",
        "Subscribers to the print edition fell by a third last year.",
        "Volunteers helped us to keep the shelter open through the night.",
        "He spoke to Reuters.",
        "The close of the season came early.",
        "Most readers never saw the second edition.",
        "Residents who want to subscribe to the new bus pass scheme can apply at the library, the "
        "council said, adding that the scheme would run for a trial period of twelve months and "
        "that anyone over 65 would be eligible without having to provide further proof of age.",
    ],
)
def test_story_lines_stay(line: str) -> None:
    assert line_rule(line) is None


def test_long_block_made_mostly_of_appeal_sentences_goes() -> None:
    block = (
        "Quality reporting costs money. Your gift helps us keep reporters in the field. "
        "Donate today, and help us grow the newsroom."
    )
    assert line_rule(block) == "appeal"


def test_glued_appeal_sentence_is_split_off() -> None:
    verdict = judge_block(
        "Every gift makes all the difference.Your donation helps us report."
        "The bridge reopened on Monday after repairs."
    )
    assert (
        verdict.kept
        == "Every gift makes all the difference. The bridge reopened on Monday after repairs."
    )
    assert verdict.removed == (RemovedBlock("Your donation helps us report.", "appeal"),)


@pytest.mark.parametrize(
    "text",
    [
        "The service was rewritten in Node.JS over the winter.",
        "She finished her Ph.D in Uppsala before moving to the U.S. in 2019.",
        "The old page at www.Harbour.Example.co.uk still works, e.g. for the archive.",
        "Shares in J.P.Morgan.Chase rose 2.5% on Friday.",
        "Ferries ran late.Buses ran on time.",  # looks glued; nothing goes, so nothing changes
    ],
)
def test_a_block_with_nothing_removed_is_returned_as_it_was(text: str) -> None:
    assert judge_block(text) == Verdict(text)
    assert clean_paragraphs([text]) == ([text], [])


def test_parts_kept_beside_a_removed_one_stay_glued_as_they_were() -> None:
    verdict = judge_block(
        "The rewrite in Node.JS took a year.Sign up for our newsletter to get it in your inbox."
        "The Ph.D thesis is online."
    )
    assert verdict.kept == "The rewrite in Node.JS took a year. The Ph.D thesis is online."
    assert [block.rule for block in verdict.removed] == ["newsletter"]


def test_an_appeal_run_changes_no_text_it_keeps() -> None:
    paragraphs = [
        "Your support helps us to tell the story",
        "Every contribution keeps our reporters on the ground.The app is written in Node.JS.",
        "The Ph.D student said the U.S. version would follow.",
    ]
    kept, _ = clean_paragraphs(paragraphs)
    assert kept == ["The app is written in Node.JS.", paragraphs[2]]


def test_appeal_run_removes_heading_and_its_paragraphs_only() -> None:
    paragraphs = [
        "Your support helps us to tell the story",
        "Our correspondents travel to where the news is happening, wherever that may be.",
        "Every contribution, however small, keeps our reporters on the ground.",
        "We will never put our journalism behind a paywall.",
        "Your support makes all the difference.The harbour reopened at dawn on Tuesday.",
        "Fishing boats were the first to leave.",
    ]
    kept, removed = clean_paragraphs(paragraphs)
    assert kept == [
        "The harbour reopened at dawn on Tuesday.",
        "Fishing boats were the first to leave.",
    ]
    assert [block.rule for block in removed] == ["appeal"] * 5
    assert removed[-1].text == "Your support makes all the difference."


def test_blocks_are_judged_alike_however_their_whitespace_runs() -> None:
    """Blocks are normalised once, up front: raw text_content() must judge as the clean text."""
    paragraphs = [
        "Your support helps us to tell the story",
        "Every contribution, however small, keeps our reporters on the ground.",
        "Your support makes all the difference.The harbour reopened at dawn on Tuesday.",
        "Fishing boats were the first to leave.",
        "Advertisement",
    ]
    messy = ["\n\t  " + text.replace(" ", " \n   ") + "\u00a0\n" for text in paragraphs]
    assert clean_paragraphs(messy) == clean_paragraphs(paragraphs)
    assert clean_paragraphs(paragraphs)[0] == [
        "The harbour reopened at dawn on Tuesday.",
        "Fishing boats were the first to leave.",
    ]
    assert [judge_block(text) for text in messy[3:]] == [judge_block(t) for t in paragraphs[3:]]


def test_appeal_run_stops_at_story() -> None:
    paragraphs = [
        "Help us keep reporting",
        "The council approved the budget on Monday.",
        "Councillors argued for two hours.",
        "Funding for libraries was protected.",
    ]
    kept, _ = clean_paragraphs(paragraphs)
    assert kept == paragraphs[1:]


def test_clean_body_drops_boilerplate_and_unsafe_markup() -> None:
    fragment = (
        '<div class="story"><p onclick="steal()">The pier reopened on Saturday.</p>'
        '<div class="story-byline"><a href="#">Ana Ruiz</a></div>'
        "<script>alert(1)</script><p>Advertisement</p>"
        '<figure><img src="/pier.jpg" alt="The pier"><figcaption>The pier at dusk (PA)</figcaption></figure>'
        '<p><a href="javascript:void(0)">Crowds</a> gathered to watch.</p></div>'
    )
    body = clean_body(fragment)
    assert body.lines == ["The pier reopened on Saturday.", "Crowds gathered to watch."]
    assert {block.rule for block in body.removed} == {"class-byline", "advertisement", "caption"}
    for unsafe in ("onclick", "javascript:", "<script", "class="):
        assert unsafe not in body.html
    assert '<img src="/pier.jpg" alt="The pier">' in body.html


def test_hinted_element_holding_most_of_the_body_stays() -> None:
    text = "The whole story sits in a wrapper with an unlucky class name. " * 5
    body = clean_body(f'<div class="author-wrapper"><p>{text}</p></div>')
    assert body.lines == [text.strip()]


def test_block_lines_one_line_per_block() -> None:
    doc = parse(
        "<div>Intro text<p>First <b>para</b>graph</p><ul><li>One</li><li>Two</li></ul>"
        "line<br>break<table><tr><td>a</td><td>b</td></tr></table><blockquote>Q</blockquote></div>"
    )
    assert block_lines(doc.body) == [
        "Intro text",
        "First paragraph",
        "One",
        "Two",
        "line",
        "break",
        "a b",
        "Q",
    ]


def test_empty_fragment() -> None:
    assert clean_body("").lines == []
    assert clean_body("<html><head></head></html>").lines == []


def test_paragraphs_html_escapes() -> None:
    assert paragraphs_html(["a < b & c"]) == "<p>a &lt; b &amp; c</p>"


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Weiterlesen:", "related"),
        ("Ähnliche Beiträge", "related"),
        ("Das könnte Sie auch interessieren!", "related"),
        ("Schon gelesen?", "related"),
        ("Mehr zum Thema Hafen", "related"),
        ("Czytaj też", "related"),
        (
            "Vea también: El ayuntamiento aprueba el presupuesto para las escuelas del distrito "
            "norte después de meses de negociación",
            "related",
        ),
        ("Keine Kommentare", "comments"),
        ("Jetzt teilen!", "share"),
        ("Síguenos en Telegram y Facebook", "share"),
        ("Crédits photos : Studio Nord", "credit"),
        ("DPA / Kai Berg", "credit"),
        ("Der Leuchtturm am Abend. © Jana Brock", "credit"),
        ("(Credit: Tom Ward / Harbour Images)", "credit"),
        ("Aktualisiert: 11.04.2020, 10:27", "dateline"),
        ("Updated 1:39 am EST, Wednesday, November 20, 2019", "dateline"),
        ("Erstellt am Dienstag 6. Mai 2014", "dateline"),
        ("Tags: Hafen, Fähre, Insel", "navigation"),
        ("Über den Autor", "author"),
        ("Alle Angaben ohne Gewähr", "legal"),
        ("Dieser Beitrag enthält Werbung für eine Reederei.", "legal"),
        ("Subscribe now to our digital edition for the full story.", "subscription"),
        ("Gefällt mir Wird geladen…", "interface"),
        ("Kontakt:", "navigation"),
        ("Weitere Informationen zum Hafenfest:", "navigation"),
        ("Quellenangaben:", "navigation"),
        ("meist-gelesen", "related"),
        ("Vorschau auf den nächsten Artikel", "related"),
        ("Mehr zum Thema auf hafenblatt.de", "related"),
        ("Anzeige – Jetzt Fährtickets sichern", "advertisement"),
        ("Publiziert: 03.04.2020, 12:35", "dateline"),
        ("12comments", "comments"),
        ("Keine Kommentare (Kommentare erscheinen nach Prüfung)", "comments"),
        ("Like this:", "share"),
        ("About the Author:", "author"),
        ("In this article:", "contents"),
        ("Reading Time: 11 minutes", "navigation"),
        ("Lesezeit: ca. 3 Min.", "navigation"),
        ("Temps de lecture : 4 minutes", "navigation"),
        ("Caption", "navigation"),
        (
            "Lesen Sie hier: Warum die Fähre zur Insel im Winter seltener fährt und was die"
            " Reederei plant",
            "related",
        ),
        (
            "Der Kutter läuft am frühen Morgen aus dem Hafen aus, begleitet von Möwen."
            " | © Jana Brock / Hafenbild",
            "credit",
        ),
        (
            "Abbildung 3: Der Pegel am Hafen im Lauf eines Jahres. Im Winter steigt das Wasser"
            " deutlich höher als im Sommer, vor allem bei Sturm aus Nordwest.",
            "credit",
        ),
        (
            "The old ferry at the slipway, a few weeks before it was broken up for scrap."
            " Photo: Ana Ruiz/Harbour Images",
            "credit",
        ),
        (
            "Die neue Fähre bei ihrer ersten Fahrt über den Sund im Frühjahr. Foto - Jana Brock",
            "credit",
        ),
        ("We may earn a commission when you buy through links on this page.", "legal"),
        ("As an Amazon Associate I earn from qualifying purchases.", "legal"),
        ("This post contains affiliate links, see our disclosure.", "legal"),
    ],
)
def test_multilingual_boilerplate_lines(line: str, rule: str) -> None:
    assert line_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "Mehr Menschen teilen ihre Bilder vom Hafenfest als je zuvor.",
        "Die Lesezeit der Broschüre beträgt fünf Minuten.",
        "Zurück in der Stadt eröffnete sie eine Bäckerei am Markt.",
        "Kontakt zur Reederei nahm die Polizei noch am Abend auf.",
        "Weitere Informationen gab die Stadt nicht bekannt.",
        "Die Fotografin signiert ihre Abzüge seit vierzig Jahren mit einem kleinen ©, sagte sie"
        " dem Hafenblatt.",
        "The commission said it would earn back the cost of the new pier within a year.",
        "Abbildungen der alten Fähre hängen heute im Museum am Hafen.",
        "By the numbers:",
        "Captions help deaf viewers follow the harbour council's debates.",
        "The museum bought the picture in 1998. Photographers from across the region came to"
        " see it: Ana Ruiz, Tom Ward and others.",
        "Fotografie ist seit ihrer Jugend ihre große Leidenschaft.",
        "Wer die Zeitung abonnieren möchte, kann das künftig auch im Rathaus tun, sagte der "
        "Bürgermeister am Rande der Sitzung, in der über die Zukunft des Kiosks beraten wurde.",
        "2024",
    ],
)
def test_multilingual_story_lines_stay(line: str) -> None:
    assert line_rule(line) is None


def test_loose_interface_text_beside_paragraphs_goes() -> None:
    story = "Die Fähre legt künftig eine Stunde früher ab, teilte die Reederei am Montag mit."
    more = "Der Fahrplan gilt ab dem ersten Mai."
    body = clean_body(f"<div><p>{story}</p>Keine Kommentare<p>{more}</p></div>")
    assert body.lines == [story, more]
    assert RemovedBlock("Keine Kommentare", "comments") in body.removed


def test_teaser_list_after_related_heading_goes() -> None:
    story = "Der Gemeinderat hat den Haushalt für das kommende Jahr einstimmig beschlossen."
    body = clean_body(
        f"<p>{story}</p><h3>Lesen Sie auch:</h3>"
        '<ul><li><a href="/a">Hafenfest lockt Tausende</a></li>'
        '<li><a href="/b">Neue Buslinie</a></li></ul>'
        "<p>Die Sitzung dauerte bis Mitternacht.</p>"
    )
    assert body.lines == [story, "Die Sitzung dauerte bis Mitternacht."]
    assert RemovedBlock("Hafenfest lockt Tausende | Neue Buslinie", "related") in body.removed


def test_story_list_after_ordinary_heading_stays() -> None:
    body = clean_body(
        "<h3>Was sich ändert</h3><ul><li><a href='/f'>Fahrplan</a> ab Mai</li>"
        "<li>Neue Preise</li></ul>"
    )
    assert body.lines == ["Was sich ändert", "Fahrplan ab Mai", "Neue Preise"]


def test_paragraph_that_is_only_a_link_goes() -> None:
    story = "The ferry will leave an hour earlier from Monday, the operator said."
    body = clean_body(
        f"<p>{story}</p>"
        '<p><a href="/other"><strong>HARBOUR FESTIVAL DRAWS RECORD CROWDS</strong></a></p>'
        f'<p>{story} <a href="/timetable">See the timetable</a>.</p>'
    )
    assert body.lines == [story, f"{story} See the timetable."]
    assert RemovedBlock("HARBOUR FESTIVAL DRAWS RECORD CROWDS", "link") in body.removed


def test_bare_address_cited_as_a_source_stays() -> None:
    story = "The figures come from the harbour authority's annual report."
    body = clean_body(f'<p>{story}</p><p><a href="/r">https://example.org/report-2024</a></p>')
    assert body.lines == [story, "https://example.org/report-2024"]


@pytest.mark.parametrize(
    "name", ["author-bio", "saboxplugin-wrap author", "post-author", "credits"]
)
def test_author_box_and_credits_go(name: str) -> None:
    story = "The council approved the new harbour wall after a two-hour debate on Tuesday. " * 3
    body = clean_body(
        f'<div><p>{story}</p><div class="{name}"><p>Mara Lind writes about the coast.</p></div></div>'
    )
    assert body.lines == [story.strip()]
    assert "Mara Lind writes about the coast." in [block.text for block in body.removed]


def test_caption_in_a_picture_figure_goes_but_a_quoted_figure_stays() -> None:
    story = "The lifeboat was launched twice on Sunday."
    body = clean_body(
        f'<div><p>{story}</p><figure><img src="/boat.jpg"><p>The crew at the slipway.</p>'
        "<span>Photo: Ann Cole</span></figure>"
        "<figure><blockquote><p>We were there within minutes.</p></blockquote></figure></div>"
    )
    assert body.lines == [story, "We were there within minutes."]
    assert RemovedBlock("The crew at the slipway. Photo: Ann Cole", "caption") in body.removed
    assert '<img src="/boat.jpg">' in body.html


def test_caption_class_in_any_spelling_goes() -> None:
    story = "The harbour wall will be raised by half a metre before the winter storms arrive."
    body = clean_body(
        f'<div><p>{story}</p><span class="newsCaption">Waves over the wall in March</span></div>'
    )
    assert body.lines == [story]
    assert RemovedBlock("Waves over the wall in March", "class-caption") in body.removed


def test_story_printed_twice_keeps_its_first_telling() -> None:
    story = [
        "The ferry left the harbour at dawn with every seat taken by commuters, many of them "
        "travelling to the mainland for the first time since the storm closed the crossing.",
        "By noon the council had agreed to add a second crossing on weekdays, and the operator "
        "said it would hire four more deckhands before the summer timetable begins in June.",
        "Passengers queued along the quay for an hour before boarding opened.",
    ]
    told = "".join(f"<p>{line}</p>" for line in story)
    body = clean_body(f"<div>{told}<p>Print edition</p>{told}</div>")
    assert body.lines == [*story, "Print edition"]
    assert [block.rule for block in body.removed] == ["repeated"] * 3


def test_repeated_question_and_short_refrain_stay() -> None:
    question = "What made you start cooking for other people in the first place?"
    lines = [question, "My grandmother did.", question, "Yes.", "My neighbours did.", "Yes."]
    body = clean_body("".join(f"<p>{line}</p>" for line in lines))
    assert body.lines == lines


@pytest.mark.parametrize("heading", ["In this article", "Table of Contents", "Inhaltsverzeichnis"])
def test_contents_heading_goes_with_its_jump_links(heading: str) -> None:
    fragment = (
        "<div><p>The harbour wall was rebuilt over two summers, stone by stone.</p>"
        f"<h2>{heading}</h2>"
        '<ul><li><a href="#why">Why the wall fell</a></li>'
        '<li><a href="#how">How it was rebuilt</a></li></ul>'
        '<h2 id="why">Why the wall fell</h2><p>Storms in 2019 undercut the foundations.</p>'
        '<h2 id="how">How it was rebuilt</h2><p>Masons reused the old granite blocks.</p></div>'
    )
    body = clean_body(fragment)
    assert body.lines == [
        "The harbour wall was rebuilt over two summers, stone by stone.",
        "Why the wall fell",
        "Storms in 2019 undercut the foundations.",
        "How it was rebuilt",
        "Masons reused the old granite blocks.",
    ]
    assert RemovedBlock("Why the wall fell | How it was rebuilt", "contents") in body.removed


def test_list_of_points_after_a_contents_heading_stays() -> None:
    fragment = (
        "<div><h2>In this article</h2><ul><li>Why the harbour wall fell in 2019</li>"
        "<li>What the masons did with the old granite</li></ul>"
        "<p>The harbour wall was rebuilt over two summers, stone by stone.</p></div>"
    )
    assert clean_body(fragment).lines[:2] == [
        "Why the harbour wall fell in 2019",
        "What the masons did with the old granite",
    ]
