"""Syndication: is this page unedited wire copy? Rules, evidence, score and cleanup (pure).

The rules are data (``worker/data/syndication.toml``, overridable with
``[syndication] rules_file``): each is a pattern that may match only where
such a marker sits on a page (the last paragraphs, the opening, the byline).
Families: ``disclaimer`` ("not edited ... from a syndicated feed"),
``dateline`` ("WASHINGTON (Reuters) -"), ``agency_byline``, ``signoff``
("(Reporting by ...; Editing by ...)", agency copyright lines) and ``republication``.
Credits that do not make an item wire copy ("(With inputs from agencies.)",
"© AFP", "Reuters has reported") match none of them on purpose.

The score is ``1 - prod(1 - weight)`` over the strongest match of each family;
an article is ``syndicated`` when the score reaches the threshold.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .dedupe import HAN_KANA
from .exceptions import ConfigError
from .types import Evidence, ExtractedPage, FlagUpdate, StoredCopy, SyndicationVerdict
from .urls import GENERIC_SITE_NAMES, host_of, same_owner, same_site, site_name

DEFAULT_THRESHOLD = 0.5
# Weights of evidence that does not come from a page rule.
NEAR_DUPLICATE_FAMILY = "near_duplicate"
FAMILY_WEIGHTS = {NEAR_DUPLICATE_FAMILY: 0.8}
WHERE = ("end", "start", "byline", "note", "url", "canonical")
_DEFAULT_ZONE = {"end": 5, "start": 300, "byline": 0, "note": 0, "url": 0, "canonical": 0}
_PLACEHOLDER = re.compile(r"<<(\w+)>>")


@dataclass(frozen=True)
class Agency:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    name: str
    family: str
    where: tuple[str, ...]
    pattern: re.Pattern[str]
    weight: float
    remove: bool
    zone: int | None  # None: the default of each place
    max_chars: int
    language: str
    not_acronym: bool
    not_quoted: bool
    not_own_site: bool
    # (group, agency): a match of that named group stands for the agency without naming it
    group_agencies: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """Compiled rules and agencies; picklable, so it can go to a process pool."""

    rules: tuple[Rule, ...]
    agencies: tuple[Agency, ...]
    threshold: float

    def agency(self, alias: str) -> Agency | None:
        return _alias_map(self.agencies).get(alias.casefold())

    def people_in(self, author: str | None) -> str | None:
        """An author field without agency names: "Jane Doe, Reuters" -> "Jane Doe",
        "GENE MORALES Associated Press" -> "GENE MORALES"."""
        people = []
        for part in author_parts(author):
            match = self._byline_match(part)
            if match is None:
                people.append(part)
            elif person := match.groupdict().get("person"):
                people.append(person.strip())
        return ", ".join(people) or None

    def agency_named(self, text: str | None) -> str | None:
        """The agency when ``text`` (an author field or byline) *is* an agency."""
        match = self._byline_match(text)
        return self._agency_of(match) if match else None

    def _byline_match(self, text: str | None) -> re.Match[str] | None:
        if not text:
            return None
        line = " ".join(text.split()).translate(_PLAIN_APOSTROPHES)
        for rule in self.rules:
            if "byline" in rule.where and (match := rule.pattern.search(line)):
                return match
        return None

    def _agency_of(self, match: re.Match[str]) -> str | None:
        for group, value in match.groupdict().items():
            if group.startswith("agency") and value and (agency := self.agency(value)):
                return agency.name
        return self._first_mentioned(match.group(0))

    def _first_mentioned(self, text: str) -> str | None:
        match = _mention_pattern(self.agencies).search(text)
        if match and (agency := self.agency(match.group(1))):
            return agency.name
        # an agency lower-cased in a dateline's brackets: "DEN HAAG (anp) -"
        bracketed = (self.agency(m.group(1).strip()) for m in _BRACKETED.finditer(text))
        return next((agency.name for agency in bracketed if agency), None)

    def agency_site(self, url: str) -> str | None:
        """The agency whose own site ``url`` is on, if any: one of its domains, or its
        own name under another top-level domain (reuters.co.uk, dpa.de, efe.es), alone or
        beside a generic word (efe-agency.es)."""
        host = host_of(url)
        for agency in self.agencies:
            if any(host == d or host.endswith("." + d) for d in agency.domains):
                return agency.name
        name = site_name(host)
        if name is None:
            return None
        # the agency's name with a generic word beside it is still its own: "efe-agency",
        # "afp-agence"
        brand = [part for part in name.split("-") if part not in GENERIC_SITE_NAMES]
        if len(brand) != 1:
            return None
        for agency in self.agencies:
            if brand[0] in {site_name(d) for d in agency.domains}:
                return agency.name
        return None


_WORD_CHARACTER = re.compile(r"[^\W_]")


@cache
def _alias_map(agencies: tuple[Agency, ...]) -> dict[str, Agency]:
    return {alias.casefold(): agency for agency in agencies for alias in agency.aliases}


@cache
def _mention_pattern(agencies: tuple[Agency, ...]) -> re.Pattern[str]:
    return re.compile(_whole_word(f"({_alternation(_aliases(agencies))})"))


# A letter for whole-word matching. Python's \w leaves out the vowel signs of
# Indic scripts, so \b would cut "यूनीवार्ता" after its last sign; Chinese,
# Japanese and Korean run words together ("共同通信の", "연합뉴스는"), so their
# characters never join a name to its neighbour; the danda (।) ends a sentence.
_LETTER = rf"(?:[^\W{HAN_KANA}\uac00-\ud7af]|[\u0300-\u036f\u0900-\u0963\u0966-\u0dff])"


def _whole_word(pattern: str) -> str:
    return rf"(?<!{_LETTER})(?:{pattern})(?!{_LETTER})"


def _aliases(agencies: Iterable[Agency]) -> list[str]:
    return [alias for agency in agencies for alias in agency.aliases]


def _alternation(aliases: Iterable[str], *, lower: bool = False) -> str:
    # each alias as written and in capitals ("EUROPA PRESS", "ANTARA" in datelines), and
    # with ``lower`` in lower case ("— afp"); never title-cased, so "SANA" is not "Sana"
    forms = (str.upper, str.lower) if lower else (str.upper,)
    spelled = {form for a in aliases for form in (a, *(f(a) for f in forms))}
    return "|".join(re.escape(a) for a in sorted(spelled, key=len, reverse=True))


# Rules are written with a plain apostrophe; pages use typographic ones too
# (U+2019 in "l\u2019Agence"). One character for one, so match offsets hold.
_PLAIN_APOSTROPHES = str.maketrans("\u2019\u02bc\u2018", "'''")


def assess(page: ExtractedPage, url: str, rules: RuleSet) -> SyndicationVerdict:
    """Flag ``page`` when wire markers sit where wire copy puts them; strip removable ones."""
    paragraphs = page.text.split("\n\n")
    evidence: list[Evidence] = []
    named: list[tuple[float, str]] = []  # (rule weight, agency) of every match naming one
    removed: set[int] = set()
    seen: set[tuple[str, int | str]] = set()
    plain: dict[str, str] = {}  # each text read with plain apostrophes, once for all rules
    for rule in rules.rules:
        if rule.language != "*" and page.language and page.language != rule.language:
            continue
        for position, text, index in _places(rule, page, paragraphs, url):
            if text not in plain:
                plain[text] = text.translate(_PLAIN_APOSTROPHES)
            match = rule.pattern.search(plain[text])
            if match is None or (rule.not_acronym and _spells_agency(match)):
                continue
            if rule.not_quoted and _quoted(text, match):
                continue
            if rule.not_own_site and _names_own_site(_source_named(match), page, url):
                continue
            if rule.remove and index is not None:
                removed.add(index)
            if rule.weight == 0:
                break  # furniture: removed, but no evidence of anything
            place = (rule.family, index if index is not None else position)
            if place in seen:
                break  # one line read by two rules of a family is one piece of evidence
            seen.add(place)
            evidence.append(
                Evidence(
                    rule=rule.name,
                    family=rule.family,
                    match=text[match.start() : match.end()].strip()[:500],
                    position=position,
                )
            )
            if agency := (
                rules._agency_of(match)
                or next((name for group, name in rule.group_agencies if match.group(group)), None)
                # a canonical copy on an agency's own site names that agency
                or (rules.agency_site(text) if position == "canonical" else None)
            ):
                named.append((rule.weight, agency))
            break
    source_agency = max(named, key=lambda pair: pair[0])[1] if named else None
    if source_agency and rules.agency_site(url) == source_agency:
        # An agency's own site carries its datelines and sign-offs: that is not syndication.
        return SyndicationVerdict(
            syndicated=False, score=0.0, source_agency=source_agency, evidence=(), text=page.text
        )
    score = syndication_score(evidence, rules)
    text = "\n\n".join(p for i, p in enumerate(paragraphs) if i not in removed)
    return SyndicationVerdict(
        syndicated=score >= rules.threshold,
        score=score,
        source_agency=source_agency,
        evidence=tuple(evidence),
        text=text,
    )


def syndication_score(evidence: Iterable[Evidence], rules: RuleSet) -> float:
    """``1 - prod(1 - w)`` over the heaviest match of each family (0..1)."""
    weights = {rule.name: rule.weight for rule in rules.rules}
    strongest: dict[str, float] = {}
    for item in evidence:
        weight = weights.get(item.rule, FAMILY_WEIGHTS.get(item.family, 0.0))
        strongest[item.family] = max(strongest.get(item.family, 0.0), weight)
    remaining = 1.0
    for weight in strongest.values():
        remaining *= 1.0 - weight
    return round(1.0 - remaining, 4)


_AUTHOR_SEPARATOR = re.compile(r"\s*(?:[,|/;&]|\s(?:and|und|et|y|e)\s)\s*", re.I)


def author_parts(text: str | None) -> list[str]:
    """ "Jane Doe and John Roe | Reuters" -> ["Jane Doe", "John Roe", "Reuters"]."""
    if not text:
        return []
    return [part for part in _AUTHOR_SEPARATOR.split(" ".join(text.split())) if part]


_QUOTE_MARKS = re.compile(r'["\u201c\u201d\u201e\u00ab\u00bb]')
# wording reported after a verb of saying and a colon in the same sentence, without
# quotation marks: "On one Indian portal it reads: This story has not been edited ..."
# (not "Also read: …", a link label before the note)
_REPORTED_WORDING = re.compile(
    r"\b(?:reads|says|said|states|stated|declares|declared|warns|warned|lautet|heißt\s+es"
    r"|dice|decía|reza|diz|dizia|indique|précise|recita|luidt)\s*:",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?|][\"'\u201d\u00bb)]*\s")


def _quoted(text: str, match: re.Match[str]) -> bool:
    """True when the ``claim`` of a match (else the match) sits inside quotation marks, or
    after "it reads:" in its sentence: a column quoting a disclaimer's wording, not one."""
    start = max(match.start("claim") if "claim" in match.groupdict() else match.start(), 0)
    if len(_QUOTE_MARKS.findall(text, 0, start)) % 2 == 1:
        return True
    sentence = max((end.end() for end in _SENTENCE_END.finditer(text, 0, start)), default=0)
    return bool(_REPORTED_WORDING.search(text, sentence, start))


_BRACKETED = re.compile(r"[(/]([^()/]+)[)/]")


def _source_named(match: re.Match[str]) -> str:
    named = (v for k, v in match.groupdict().items() if k.startswith("source") and v)
    return next(named, match.group(0))


def _names_own_site(text: str, page: ExtractedPage, url: str) -> bool:
    compact = re.sub(r"[\W_]+", "", text.casefold())
    names = (page.site_name, site_name(host_of(url)))
    own = {re.sub(r"[\W_]+", "", name.casefold()) for name in names if name}
    return any(
        len(name) >= 4 and name not in GENERIC_SITE_NAMES and name in compact for name in own
    )


def _spells_agency(match: re.Match[str]) -> bool:
    """ "Automobile Association (AA) -": the words before "(AA)" are its full name."""
    bracketed = _BRACKETED.search(match.group(0))
    if bracketed is None:
        return False
    before = match.group(0)[: bracketed.start()]
    initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", before) if w[0].isupper())
    return len(initials) > 1 and initials.upper().endswith(bracketed.group(1).upper())


def _places(
    rule: Rule, page: ExtractedPage, paragraphs: list[str], url: str
) -> Iterator[tuple[str, str, int | None]]:
    """(position label, text, paragraph index) where ``rule`` may match."""
    for where in rule.where:
        zone = rule.zone if rule.zone is not None else _DEFAULT_ZONE[where]
        if where == "byline":
            for label, value in (("byline", page.byline), ("author", page.author)):
                # the whole line, then each name in it ("Jane Doe | Reuters")
                parts = author_parts(value)
                whole = [" ".join(value.split())] if value and len(parts) > 1 else []
                for text in [*whole, *parts]:
                    yield label, text, None
        elif where == "url":
            yield "url", urlsplit(url).path, None
        elif where == "canonical":
            if page.declared_url and not same_owner(page.declared_url, url):
                yield "canonical", page.declared_url, None
        elif where == "note":
            for note in page.notes:
                if len(note) <= rule.max_chars:
                    yield "note", note, None
        elif where == "start":
            offset = 0
            for index, paragraph in enumerate(paragraphs):
                if offset > zone:
                    break
                if len(paragraph) <= rule.max_chars and not _quotation(paragraph, page):
                    yield f"paragraph {index + 1}", paragraph, index
                offset += len(paragraph) + 2
        else:
            # the last ``zone`` paragraphs with words: a rule line ("___", "=====") between
            # the story and its credits is no paragraph
            worded = [i for i, p in enumerate(paragraphs) if _WORD_CHARACTER.search(p)]
            for index in reversed(worded[-zone:] if zone else []):
                if len(paragraphs[index]) <= rule.max_chars:
                    yield f"paragraph {index + 1} of {len(paragraphs)}", paragraphs[index], index


_QUOTED_PART_MIN_CHARS = 40


def _quotation(paragraph: str, page: ExtractedPage) -> bool:
    # a short line ("EFE") inside a longer quotation is no sign that the line is quoted
    flat = " ".join(paragraph.split())
    return any(
        flat == quoted or (len(flat) >= _QUOTED_PART_MIN_CHARS and flat in quoted)
        for quoted in page.quotations
    )


# loading --------------------------------------------------------------------------


def load_rules(path: Path | None = None, *, threshold: float = DEFAULT_THRESHOLD) -> RuleSet:
    """The bundled rules, with a user's rules file (same schema) laid over them."""
    return rule_source(path, threshold=threshold).load()


@dataclass(frozen=True)
class RuleSource:
    """The rules as read, not yet compiled: small enough to send to a worker process
    (the compiled set pickles to ~150 KB), and read once, so every process compiles
    the very same rules even if the file changes on disk meanwhile."""

    user_rules: Mapping[str, Any] | None
    path: str | None
    threshold: float

    def load(self) -> RuleSet:
        if self.user_rules is None:
            return _compile(_bundled(), threshold=self.threshold, source="bundled rules")
        return _compile(
            _overlay(_bundled(), self.user_rules),
            threshold=self.threshold,
            source=self.path or "user rules",
        )


def rule_source(path: Path | None, *, threshold: float = DEFAULT_THRESHOLD) -> RuleSource:
    """Read a user's rules file (or none); raises :class:`ConfigError` if unreadable."""
    if path is None:
        return RuleSource(user_rules=None, path=None, threshold=threshold)
    try:
        user = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"syndication.rules_file: cannot read {path}: {e}") from e
    return RuleSource(user_rules=user, path=str(path), threshold=threshold)


@cache
def _bundled() -> Mapping[str, Any]:
    text = resources.files("worker").joinpath("data/syndication.toml").read_text("utf-8")
    return tomllib.loads(text)


def _overlay(base: Mapping[str, Any], user: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(user) - {"fragments", "rule", "agency"}
    if unknown:
        raise ConfigError(f"syndication rules: unknown key {sorted(unknown)[0]!r}")
    merged: dict[str, Any] = {"fragments": {**base["fragments"], **user.get("fragments", {})}}
    for table in ("rule", "agency"):
        by_name = {item["name"]: item for item in base[table]}
        for item in user.get(table, []):
            if not isinstance(item, Mapping) or "name" not in item:
                raise ConfigError(f"syndication rules: every [[{table}]] needs a name")
            by_name[item["name"]] = {**by_name.get(item["name"], {}), **item}
        merged[table] = list(by_name.values())
    return merged


_RULE_KEYS = {
    "not_acronym",
    "not_quoted",
    "not_own_site",
    "agencies",
    "name",
    "family",
    "where",
    "pattern",
    "weight",
    "remove",
    "zone",
    "max_chars",
    "language",
    "enabled",
}


def _compile(data: Mapping[str, Any], *, threshold: float, source: str) -> RuleSet:
    agencies = tuple(
        Agency(
            name=str(a["name"]),
            aliases=tuple(a.get("aliases", [a["name"]])),
            domains=tuple(a.get("domains", [])),
        )
        for a in data["agency"]
    )
    aliases = _aliases(agencies)
    names = _alternation(aliases)
    known_agencies = {agency.name for agency in agencies}
    written_out = [alias for alias in aliases if " " in alias or "-" in alias]
    # Agency names are matched as whole words, in their own case ("AP", not "ap" in
    # "apart"), except where a rule asks for <<agency_anycase>> (bylines: "By REUTERS").
    fragments = {
        **data["fragments"],
        "agency": f"(?-i:{_whole_word(names)})",
        "agency_anycase": f"(?-i:{_whole_word(_alternation(aliases, lower=True))})",
        # names of more than one word ("Agence France-Presse"), never initials
        "agency_written_out": f"(?-i:{_whole_word(_alternation(written_out))})",
    }
    rules = []
    for raw in data["rule"]:
        key = f"syndication rule {raw.get('name', '?')!r} ({source})"
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise ConfigError(f"{key}: unknown key {sorted(unknown)[0]!r}")
        if not raw.get("enabled", True):
            continue
        where = raw.get("where", "end")
        places = tuple([where] if isinstance(where, str) else where)
        weight = raw.get("weight", 0.9)
        if not places or any(place not in WHERE for place in places):
            raise ConfigError(f"{key}: where must be one or more of {', '.join(WHERE)}")
        if not isinstance(weight, int | float) or not 0 <= weight <= 1:
            raise ConfigError(f"{key}: weight must be between 0 and 1")
        try:
            pattern = re.compile(_expand(str(raw["pattern"]), fragments), re.I | re.S)
        except (KeyError, re.error) as e:
            raise ConfigError(f"{key}: bad pattern: {e}") from e
        groups = raw.get("agencies", {})
        if not isinstance(groups, dict):
            raise ConfigError(f"{key}: agencies must be a table of group = agency")
        group_agencies = tuple((str(g), str(a)) for g, a in groups.items())
        for group, agency_name in group_agencies:
            if group not in pattern.groupindex or agency_name not in known_agencies:
                raise ConfigError(
                    f"{key}: agencies: {group!r} must be a group of the pattern and "
                    f"{agency_name!r} a known agency"
                )
        rules.append(
            Rule(
                name=str(raw["name"]),
                family=str(raw.get("family", raw["name"])),
                where=places,
                pattern=pattern,
                weight=float(weight),
                remove=bool(raw.get("remove", False)),
                zone=int(raw["zone"]) if "zone" in raw else None,
                max_chars=int(raw.get("max_chars", 400)),
                language=str(raw.get("language", "*")),
                not_acronym=bool(raw.get("not_acronym", False)),
                not_quoted=bool(raw.get("not_quoted", False)),
                not_own_site=bool(raw.get("not_own_site", False)),
                group_agencies=group_agencies,
            )
        )
    return RuleSet(rules=tuple(rules), agencies=agencies, threshold=threshold)


def _expand(pattern: str, fragments: Mapping[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise re.error("fragments nest too deeply")

    def replace(match: re.Match[str]) -> str:
        return _expand(fragments[match.group(1)], fragments, depth + 1)

    return _PLACEHOLDER.sub(replace, pattern)


# near-duplicates --------------------------------------------------------------------

NEAR_DUPLICATE_RULE = "near_duplicate_of"


def has_markers(evidence: Iterable[Evidence]) -> bool:
    """True when evidence comes from the page itself, not from its copies elsewhere."""
    return any(item.family != NEAR_DUPLICATE_FAMILY for item in evidence)


def near_duplicate_flags(
    new: StoredCopy, matches: list[tuple[StoredCopy, float]], rules: RuleSet
) -> list[FlagUpdate]:
    """Wire copy with its markers stripped is still wire copy.

    A copy without markers that near-duplicates a flagged copy *on another site*
    is flagged ``near_duplicate_of`` it, whichever of the two arrived first (a copy
    whose markers stay below the threshold, such as a canonical link to a sister
    paper, passes on nothing). Copies of one story name one agency: a flagged copy
    whose markers name none ("from a syndicated feed") takes the one its copies name.
    """
    foreign = sorted(
        ((copy, sim) for copy, sim in matches if not same_site(copy.url, new.url)),
        key=lambda pair: pair[1],
        reverse=True,
    )
    flagged = [(copy, sim) for copy, sim in foreign if _is_syndicated(copy.evidence, rules)]
    if not has_markers(new.evidence):
        marked = [(copy, sim) for copy, sim in flagged if has_markers(copy.evidence)]
        if not marked:
            return []
        agency = _first_agency(marked)
        if _on_agency_site(new, agency, rules):
            return []  # the agency's own copy is the original, not a republication
        source, similarity = marked[0]
        return [_flag(new, source, similarity, agency, rules)]
    if not _is_syndicated(new.evidence, rules):
        return []
    agency = new.source_agency or _first_agency(flagged)
    updates = [
        _flag(copy, new, similarity, agency, rules)
        for copy, similarity in foreign
        # unmarked, not yet linked to another marked copy, not the agency's own
        if not copy.evidence and not _on_agency_site(copy, agency, rules)
    ]
    if agency is not None:
        updates += [
            _update(copy.article_id, copy.evidence, agency, rules)
            for copy in (new, *(copy for copy, _ in flagged))
            if copy.source_agency is None
        ]
    return updates


def _first_agency(copies: list[tuple[StoredCopy, float]]) -> str | None:
    """The agency the most similar of ``copies`` names (they come most similar first)."""
    return next((copy.source_agency for copy, _ in copies if copy.source_agency), None)


def _is_syndicated(evidence: tuple[Evidence, ...], rules: RuleSet) -> bool:
    return bool(evidence) and syndication_score(evidence, rules) >= rules.threshold


def _on_agency_site(copy: StoredCopy, agency: str | None, rules: RuleSet) -> bool:
    # tt.com is not TT's site for a Reuters story: only the story's own agency counts
    return agency is not None and rules.agency_site(copy.url) == agency


def _flag(
    target: StoredCopy, source: StoredCopy, similarity: float, agency: str | None, rules: RuleSet
) -> FlagUpdate:
    evidence = (
        *target.evidence,
        Evidence(
            rule=NEAR_DUPLICATE_RULE,
            family=NEAR_DUPLICATE_FAMILY,
            match=f"article {source.article_id} ({source.url})",
            article_id=source.article_id,
            similarity=similarity,
        ),
    )
    return _update(target.article_id, evidence, agency, rules)


def _update(
    article_id: int, evidence: tuple[Evidence, ...], agency: str | None, rules: RuleSet
) -> FlagUpdate:
    score = syndication_score(evidence, rules)
    return FlagUpdate(
        article_id=article_id,
        evidence=evidence,
        score=score,
        syndicated=score >= rules.threshold,
        source_agency=agency,
    )
