"""Boilerplate rules on plain text: which lines and sentences are not part of the story.

The rules are general (phrases, line shapes), never per site. Phrase rules only fire on short
blocks, or on blocks made mostly of boilerplate sentences, so that a real paragraph that mentions
"subscribe" or "newsletter" in passing stays. Both the HTML cleaner and the plain-text path use
:func:`judge_blocks`, so a rule added here applies to both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsarchive.models import RemovedBlock

SHORT_LINE = 90  # a whole line this short may be boilerplate by its shape alone
TEASER_LINE = 200  # "Read also: <another headline>" lines can be longer than SHORT_LINE
SHORT_BLOCK = 220  # a block this short goes when it contains a boilerplate phrase
LONG_BLOCK = 1200  # no boilerplate block is this long; skipping them saves the phrase search
CAPTION_LINE = 300  # a picture caption with its credit or figure number is at most this long
APPEAL_WINDOW = 6  # how many blocks after an appeal heading may still belong to the appeal


# Patterns are written in lower case and matched against lower-cased text: re.IGNORECASE made
# the phrase search three times slower.


def _whole(pattern: str, colon: bool = False) -> re.Pattern[str]:
    """The whole line; with ``colon``, a heading's colon may end it ("About the author:")."""
    return re.compile(rf"^(?:{pattern}){':?' if colon else ''}$")


def _any(*patterns: str) -> re.Pattern[str]:
    """Any of the phrases, each starting a word: the gate makes the search about four times faster."""
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")


MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|okt"
    r"|dez|janv|févr|mars|avr|juin|juil|août|sept|déc|enero|febrero|marzo|abril|mayo|junio|julio"
    r"|agosto|septiembre|octubre|noviembre|diciembre|janeiro|fevereiro|março|maio|junho|julho"
    r"|setembro|outubro|novembro|dezembro)[a-zé]*\.?"
)
# A date with an optional weekday and time: "Tuesday 14 January 2025 09:12 GMT", "June 3, 2024".
DATE = (
    r"(?:\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [a-z]{2,5})?,? )?"
    rf"(?:[a-z-]+,? )?(?:\d{{1,2}}(?:st|nd|rd|th)?\.? (?:de )?{MONTH},?(?: de)? \d{{4}}"
    rf"|{MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})"
    r"(?:,? (?:at |um |à |às |-\s)?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [a-z]{2,5})?)?"
)

AGENCY = (
    r"getty images|afp|reuters|ap|ap photo|pa wire|pa media|shutterstock|epa|dpa|pap|imago"
    r"|picture alliance|keystone|apa|ansa|efe|kna|epd|bestimage|istock(?:photo)?|adobe ?stock"
    r"|unsplash|pixabay"
)

# Whole lines: the entire (short) line has this shape. Each ``|``-separated alternative is one
# idea, with its inflections and its translations, and fires on at least three sites of the dev
# sets (``python bench/rules.py count``); wording seen on only one or two sites is left to site
# learning (sitewide.py), which finds a site's furniture in the archive instead.
LINE_RULES: dict[str, re.Pattern[str]] = {
    "subscription": _whole(r"subscribe(?: now| today)?"),
    "advertisement": _whole(
        r"(?:advert(?:isement|ising)?|anzeige|werbung|publicidad|sponsored(?: content)?)"
        r"|(?:(?:story|article) continues|continue reading) below(?: advertisement)?"
        r"|(?:anzeige|werbung|advertisement)\s*[-–:,|].{0,70}"
    ),
    "comments": _whole(
        r"(?:\d+\s*)?(?:(?:noch )?keine |no )?(?:comments?|kommentare?|kommentieren|commentaires?"
        r"|comentarios?)(?:\s*\([^)]{1,80}\)?)?"
    ),
    "share": _whole(
        r"(?:jetzt )?(?:share|teilen|partager|compartir)(?: (?:this|on \w+|via \w+)"
        r"(?: (?:article|story|page|post))?)?!?|like this",
        colon=True,
    ),
    "related": _whole(
        r"(?:(?:read more|lee(?:r)? más|más información|dowiedz się więcej|explore further)"
        r"|more|related(?: stories| articles| content| coverage| posts)?"
        r"|(?:you (?:may|might) also like|recommended)"
        r"|(?:most (?:read|popular|viewed)|meist(?:-| )?(?:gelesen|diskutiert|geklickt))(?: in [^.]{1,30})?"
        r"|(?:see also|auch lesen|(?:à )?lire (?:aussi|également)|czytaj (?:też|także|również)"
        r"|zobacz (?:też|także|również)|puedes ver|schon gelesen\?)"
        r"|lesen sie (?:auch|mehr|hier)[^.]*|(?:zum )?weiterlesen"
        r"|mehr zum thema.{0,40}|mehr (?:zu|von) [^.]{1,40}|auch interessant"
        r"|(?:next|previous|(?:vorschau auf den )?nächsten?) (?:article|post|story|artikel|beitrag)"
        r"|(?:weitere|mehr|ähnliche|empfohlene|verwandte) (?:themen|beiträge|artikel)[^.]{0,40}"
        r"|(?:das|dies)(?: thema)? (?:könnte|dürfte) (?:sie|dich) auch interessieren!?"
        r"|empfehlungen aus (?:der|dem|unserem) .{0,40}|le puede interesar"
        r"|(?:lea|vea|mira) también)(?:\s*[:>»›].*)?"
    ),
    "contents": _whole(
        r"(?:table of )?contents|inhalt(?:sverzeichnis)?|(?:in|on) this (?:article|page|post)",
        colon=True,
    ),
    "author": _whole(
        r"(?:über|zum|zur) (?:den |die )?autor(?:in|en)?|about the author",
        colon=True,
    ),
    "navigation": _whole(
        r"loading|close|caption|(?:reading|read) time\s*:?\s*\d+ min(?:utes?)?"
        r"|(?:lesezeit|lesedauer|tempo de leitura|temps de lecture|tiempo de lectura)\s*:?\s*(?:ca\. )?"
        r"\d+ min(?:\.|utes?|uten?|utos?)?"
        r"|(?:tags|schlagwörter|schlagworte|themen|kategorien?"
        r"|categor(?:y|ies)|filed under|étiquettes|etiquetas)\s*:.*"
        r"|(?:(?:presse)?kontakt|ansprechpartner(?:in)?(?: zum thema)?|von|quellen(?:angaben)?"
        r"|(?:weitere|zusätzliche|mehr) (?:informationen|infos)(?: (?:zu|zum|zur|über|unter) .{1,60})?"
        r"|zusatzinformationen)\s*:?"
    ),
    "dateline": _whole(
        rf"(?:(?:published|updated|posted|last (?:updated|modified)|release date|veröffentlicht"
        rf"|veröffentlichung|publiziert|aktualisiert|erstellt|stand|publié|mis à jour|publicado|actualizado)"
        rf"(?: on| at| am| le| el)?:?\s*)?(?:{DATE})?|(?:erstellt|veröffentlicht) am {DATE}"
    ),
    "byline": _whole(
        r"(?:by|von|por) [\w.'’-]+(?: [\w.'’-]+){0,3}(?: (?:and|und|et|y) [\w.'’-]+(?: [\w.'’-]+){0,3})?"
        r"(?:\s*[,|]\s*[\w ]{0,40})?"
    ),
    "credit": _whole(
        r"(?:photo|image|picture|credit|foto|bild|quelle)s?\s*(?:credit)?\s*:.*"
        r"|(?:crédits? photos?|bildquelle|credits?)\s*:.{0,60}|(?:titelbild|beitragsbild)(?:\s*:.{0,60})?"
        r"|©.{0,60}|[^.]{0,80}(?:\(|/\s*|\bvia\s+)(?:" + AGENCY + r")\b[^)]*\)?"
        r"|(?:" + AGENCY + r")(?:\s*/\s*[^.]{1,40})?|[^©]{0,80}©[^.]{0,60}"
    ),
}

# All line shapes in one pattern, in the order above: the first shape that matches names the
# rule (one match instead of one per rule).
ANY_LINE = re.compile(
    "|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in LINE_RULES.items())
)

# Words of buttons and widgets; a short line made only of these is interface, not story ("Like
# Loading...", "Gefällt mir Wird geladen", "4 min read"). Only words met in such lines on three
# sites or more: a site's own button row is site learning's to find.
_INTERFACE = "like loading gefällt mir wird geladen read min"
INTERFACE_WORDS = frozenset(_INTERFACE.split())

# "See also: <headline of another story>": a pointer, a colon, then a headline. One alternative
# per language.
TEASER = re.compile(
    r"(?:(?:read|see) (?:more|also)|also read|related"
    r"|(?:lesen sie (?:auch|mehr|hier)|auch lesen|mehr zum thema)|(?:à )?lire aussi"
    r"|(?:(?:lea|lee|vea|mira) (?:también|más)|(?:te|le) puede interesar|puedes ver)"
    r"|(?:czytaj (?:też|także|również)|zobacz (?:też|także)|dowiedz się więcej))\s*[:>»›]\s*\S"
)

# A caption: numbered ("Abbildung 4: ..."), or a sentence signed with its credit ("... at dusk.
# | © Ana Ruiz", "... at dusk. Photo: Ana Ruiz").
CAPTION = re.compile(
    r"(?:abbildung|abb\.)\s*\d*\s*:|.*[.!?…|]\s*(?:©|(?:photo|image|picture|foto|bild)s?"
    r"(?: by| credits?)?\s*[:\-–—])\s*[^©.]{1,60}$"
)

# Phrases: a short block containing one of these is boilerplate. As with the line shapes, each
# entry is one idea (with its translations) that fires on three sites or more of the dev sets;
# the order names the rule when several match (a newsletter's "Subscribe to our newsletter" is a
# newsletter prompt before it is a subscription one).
PHRASES: dict[str, tuple[str, ...]] = {
    "appeal": (
        r"(?:\bdonate\b|jetzt spenden)",
        r"\bpaywalls?\b",
        # "Help us keep reporting", "Your support helps us to tell the story"
        r"helps? us (?:to )?(?:continue|keep|do|fund|grow|stay|report|tell|bring|cover|produce"
        r"|sustain|spread)",
        r"if you (?:enjoyed|liked) (?:reading )?this",
        r"unterstütze(?:n sie)? (?:uns|unsere[nm]?|unabhängigen)",
    ),
    "newsletter": (
        r"(?:(?:sign up|subscribe|register) (?:for|to) (?:our|the|a|this) .{0,40}newsletter"
        r"|(?:melden sie sich|abonnieren sie|inscrivez-vous) .{0,30}newsletter)",
        r"newsletter (?:sign-?up|abonnieren)",
        r"(?:delivered|straight|direct) to your inbox",
        r"sign up (?:now|here|for free|today)",
    ),
    "subscription": (
        # A sentence that opens with a call to subscribe.
        r"(?:^|(?<=[.!?¿¡] ))(?:subscribe\b|abonnez-vous|jetzt abonnieren"
        r"|(?:start|get|buy|try|choose) (?:your|a|an) [^.]{0,40}subscription)",
        r"(?:already (?:a subscriber|subscribed|have an account\?)|déjà abonné|ya eres suscriptor)",
    ),
    "comments": (
        # The reader asked for a comment, as comment forms ask.
        r"(?:(?:leave|post|add|write|share) (?:a|your) (?:comments?|reply|thoughts)"
        r"|(?:schreibe|schreiben sie) (?:einen|den ersten) kommentar"
        r"|tell us what you think|we want to hear what you think"
        r"|(?:submit|send|write)[^.]{0,20} letters? to the editor)",
        # "Join the conversation", "Join our commenting forum"
        r"join (?:[\w-]+ ){0,3}(?:conversations?|discussions?|debates?|forums?)\b",
    ),
    "share": (
        r"share (?:this|it with a friend|on (?:facebook|twitter|x|whatsapp|linkedin)|via email)",
        r"(?:follow us on|folgen sie uns (?:auf|bei)|s[ií]guenos en)",
        r"follow .{0,40} on (?:twitter|facebook|instagram|telegram)",
    ),
    "legal": (
        r"all rights reserved",
        r"ohne gewähr",
        r"(?:(?:we|i) (?:may )?(?:receive|earn) (?:an? )?(?:small )?(?:affiliate )?"
        r"(?:compensation|commissions?)|erhalten wir (?:ggf\. )?eine provision)",
        r"earns? from qualifying purchases",
        # A form's consent line: "By signing up you agree to our privacy policy."
        r"by (?:signing up|subscribing|registering|clicking|submitting|continuing|entering|posting"
        r"|using)[^.]{0,80}(?:agree|accept|consent|acknowledge)",
        r"(?:contains?|includes?|through|enthält|handelt es sich um) (?:our |unsere )?"
        r"(?:werbung|affiliate[- ]?links?)",
    ),
}

PHRASE_RULES = {name: _any(*phrases) for name, phrases in PHRASES.items()}
# All phrases at once behind one word-start gate: most blocks match none, and one search
# settles that.
ANY_PHRASE = _any(*(phrase for phrases in PHRASES.values() for phrase in phrases))

# Words that keep an appeal run going (donation appeals run over several paragraphs).
APPEAL_WORDS = re.compile(
    r"\b(?:donat|paywall|journalis|reporters|trusted by|subscri|contribut|membership|newsroom|your support"
    r"|free to read|spende|abonn|periodismo|soutien)|" + PHRASE_RULES["appeal"].pattern
)
QUOTE_MARKS = re.compile(r"[\"“”«»„]")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")
# Two blocks glued together by a bad text export: "...the difference.Ukraine's president..."
GLUED = re.compile(r"(?<=[a-z0-9)\]][.!?])(?=[A-Z‘“\"])")


@dataclass(frozen=True)
class Verdict:
    """What becomes of one block: the text kept ("" when the block goes) and what was removed."""

    kept: str
    removed: tuple[RemovedBlock, ...] = ()


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space."""
    return " ".join(text.split())


def line_rule(text: str) -> str | None:
    """The rule naming ``text`` as boilerplate by shape or phrase, or None if it may be story."""
    return _rule(normalise(text))


def _rule(text: str) -> str | None:
    """``line_rule`` of a normalised text."""
    text = text.strip(" .|•·-–—()").lower()
    if not text:
        return None
    if len(text) <= SHORT_LINE:
        shape = ANY_LINE.match(text)
        if shape:
            return shape.lastgroup
        if _is_interface(text):
            return "interface"
    if len(text) <= TEASER_LINE and TEASER.match(text):
        return "related"
    if len(text) <= CAPTION_LINE and CAPTION.match(text):
        return "credit"
    if len(text) > LONG_BLOCK or not ANY_PHRASE.search(text):
        return None
    if len(text) <= SHORT_BLOCK and not QUOTE_MARKS.search(text):
        return _phrase_rule(text)
    return _mostly_boilerplate(text)


def _is_interface(text: str) -> bool:
    """A short line made only of button words: "Print recipe Pin", "Bild anzeigen Bild schließen"."""
    words = text.replace("…", " ").split()
    return (
        2 <= len(words) <= 8
        and len(text) <= SHORT_LINE
        and all(word.strip(":!?.,") in INTERFACE_WORDS or word.isdigit() for word in words)
        and not all(word.isdigit() for word in words)
    )


def _phrase_rule(text: str) -> str | None:
    for name, pattern in PHRASE_RULES.items():
        if pattern.search(text):
            return name
    return None


def _mostly_boilerplate(text: str) -> str | None:
    """A long block goes when most of its characters are in boilerplate sentences."""
    rules = {}
    for sentence in SENTENCE_END.split(text):
        rule = None if QUOTE_MARKS.search(sentence) else _phrase_rule(sentence)
        if rule:
            rules[rule] = rules.get(rule, 0) + len(sentence)
    if rules and sum(rules.values()) >= 0.6 * len(text):
        return max(rules, key=rules.__getitem__)
    return None


def judge_block(text: str) -> Verdict:
    """Judge one block on its own, splitting it first where two blocks were glued together."""
    return _judge(normalise(text))


def _judge(text: str) -> Verdict:
    """``judge_block`` of a normalised text (its glued parts are normalised too).

    The split is only a guess ("Node.JS", "Ph.D" and "www.BBC.co.uk" look glued too): the
    text comes back exactly as it was unless a part of it was removed.
    """
    parts = GLUED.split(text)
    return _verdict(text, parts, [_rule(part) for part in parts])


def _verdict(text: str, parts: list[str], rules: Sequence[str | None]) -> Verdict:
    """The verdict on ``text`` split into glued ``parts``, given each part's rule (None: kept)."""
    if not any(rules):
        return Verdict(text)
    pairs = zip(parts, rules, strict=True)
    return Verdict(_rejoin(parts, rules), tuple(RemovedBlock(p, r) for p, r in pairs if r))


def _rejoin(parts: list[str], rules: Sequence[str | None]) -> str:
    """The parts kept, as they stood: neighbours joined again without a space, one space
    where a removed part sat between two kept ones."""
    runs, run = [], ""
    for part, rule in zip(parts, rules, strict=True):
        if rule:
            runs.append(run)
            run = ""
        else:
            run += part
    runs.append(run)
    return " ".join(run for run in runs if run)


def judge_blocks(texts: list[str]) -> list[Verdict]:
    """Judge a sequence of blocks, one verdict per block, catching multi-paragraph appeals."""
    texts = [normalise(text) for text in texts]  # once: the helpers below take them normalised
    verdicts = [_judge(text) for text in texts]
    index = 0
    while index < len(texts):
        if _is_appeal_heading(texts[index]):
            index = _remove_appeal_run(texts, verdicts, index)
        index += 1
    return verdicts


def _is_appeal_heading(text: str) -> bool:
    """A short line such as "Your support helps us to tell the story" opening an appeal.

    Most blocks are longer, and lower-casing never shortens a text: those need no more."""
    if len(text) > SHORT_LINE:
        return False
    text = text.lower()
    return len(text) <= SHORT_LINE and PHRASE_RULES["appeal"].search(text) is not None


def _remove_appeal_run(texts: list[str], verdicts: list[Verdict], start: int) -> int:
    """Remove the paragraphs after an appeal heading that still talk about support or money.

    One paragraph without appeal words may sit inside the run; the run ends at the last paragraph
    with them, or at a paragraph glued to the story, where only the glued appeal part goes.
    Returns the index of the last block of the run.
    """
    end = _appeal_run_end(texts, start)
    for index in range(start + 1, end + 1):
        parts = GLUED.split(texts[index])
        rules = [
            "appeal" if len(parts) == 1 or APPEAL_WORDS.search(part.lower()) else None
            for part in parts
        ]
        verdicts[index] = _verdict(texts[index], parts, rules)
    return end


def _appeal_run_end(texts: list[str], start: int) -> int:
    end = start
    for index in range(start + 1, min(len(texts), start + 1 + APPEAL_WINDOW)):
        if index - end > 2:
            break
        parts = GLUED.split(texts[index])
        if APPEAL_WORDS.search(parts[0].lower()):
            end = index
            if len(parts) > 1:
                break
    return end


def clean_paragraphs(texts: list[str]) -> tuple[list[str], list[RemovedBlock]]:
    """Drop boilerplate paragraphs and glued boilerplate sentences from a list of paragraphs."""
    kept: list[str] = []
    removed: list[RemovedBlock] = []
    for verdict in judge_blocks(texts):
        if verdict.kept:
            kept.append(verdict.kept)
        removed.extend(verdict.removed)
    return kept, removed
