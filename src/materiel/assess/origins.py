"""Independent origins: which separate sources a flow's assertions rest on.

Many outlets repeating one newspaper's unnamed officials are one origin; a named government and a
separate intelligence service are two. Every source of an event is mapped to an origin key:

| source | origin key |
|---|---|
| official naming two or more states ("Britain, France and Germany") or a joint statement | `joint:` the states |
| official of a named intelligence service (an `intelligence` organ, "Defence Intelligence") | `intel:` its state (one per state) |
| "U.S. intelligence" with no service named | `press:` as unnamed officials of that state, unless a named official of that state cites it |
| official of a manufacturer | `company:` the company |
| any other official, organ or minister | `gov:` the state it speaks for |
| unnamed officials, a document or a news organisation cited as source | `press:` the outlet they reached readers through |
| expert or think tank | `expert:` the organisation, or the outlet for unnamed analysts |
| witness | `witness:` article and name |
| the article's own voice | `press:` its outlet, only when nothing in the article attributes the flow |

The outlet of unnamed officials is the one their attribution names (`via`, "told The Washington
Post", "according to the Post"), else the article's own. Within one outlet, unnamed officials of
one country, the outlet's own reporting and documents it obtained count once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..knowledge.base import KnowledgeBase
from ..model import UNKNOWN_PARTY, Event, MentionKind, Source, SourceKind
from ..nlp.scan import Scanner

# Generic words for unnamed experts: they are the outlet's analysts, not an organisation.
GENERIC_EXPERT = re.compile(r"^(?:(?:some|several|many|two|three|independent|western|military|defen[cs]e|"
                            r"arms|security|open-source|other)\s+)*(?:analysts?|experts?|observers?|"
                            r"researchers?|specialists?|commentators?)\b", re.IGNORECASE)
NAMED_INTELLIGENCE = re.compile(r"\b(?:Defen[cs]e Intelligence|Intelligence (?:Service|Agency|Directorate)"
                                r"|intelligence update)\b")
# "U.S. intelligence", "newly declassified American intelligence": no service named, no one on record.
GENERIC_INTELLIGENCE = re.compile(r"^(?:(?:newly|recently|declassified|the|new)\s+)*(?:[\w.'-]+\s+){0,2}"
                                  r"intelligence(?:\s+(?:findings|assessments?|reports?|officials?))?$", re.IGNORECASE)
JOINT = re.compile(r"\bjoint statement\b", re.IGNORECASE)
SHORT_OUTLET = re.compile(r"\bthe (Post|Times|Journal|Guardian|Telegraph|Independent|Herald)\b")
SHORT_POSSESSIVE = re.compile(r"\b(Post|Times|Journal|Guardian|Telegraph|Independent|Herald)'s\b")
STATE_KINDS = ("name", "demonym", "capital", "metonym")


@dataclass(frozen=True)
class OriginRef:
    """One origin as one source in one article shows it."""

    key: str
    label: str
    kind: str  # government, intelligence, joint, company, organisation, press, expert, witness, official
    country: str | None = None
    officials: bool = False  # press origins: unnamed officials behind the outlet's report


def _norm(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


class OriginResolver:
    """Maps the sources of a stored event to origin keys, with the knowledge base's names."""

    def __init__(self, kb: KnowledgeBase, scanner: Scanner):
        self.kb = kb
        self.scanner = scanner
        self.outlet_country = {o.party: o.kind for o in kb.outlets}
        self.outlet_home = kb.outlet_homes
        self._outlet_cache: dict[str, str | None] = {}
        self._party_cache: dict[str, list[tuple[str, str]]] = {}

    def outlet_named(self, text: str) -> str | None:
        """The first news organisation a short text names (source names repeat: memoised)."""
        if text not in self._outlet_cache:
            found = [m.value for m in self.scanner.mentions(text) if m.kind is MentionKind.OUTLET]
            self._outlet_cache[text] = found[0] if found else None
        return self._outlet_cache[text]

    def canonical_outlet(self, outlet: str | None) -> str:
        if not outlet:
            return "unknown outlet"
        return self.outlet_named(outlet) or outlet.strip()

    def _short_outlet(self, name: str, candidates: list[str]) -> str | None:
        """'the Post' in a source's name: the outlet ending in that word among those cited alongside."""
        m = SHORT_OUTLET.search(name) or SHORT_POSSESSIVE.search(name)
        if not m:
            return None
        word = m.group(1).casefold()
        return next((c for c in candidates if c.casefold().rstrip(".").endswith(word)), None)

    def parties_named(self, name: str) -> list[tuple[str, str]]:
        """(party, surface kind) for every party named in a source's name, in order, each once."""
        if name not in self._party_cache:
            out: list[tuple[str, str]] = []
            for m in self.scanner.mentions(name):
                if m.kind is MentionKind.PARTY and m.value not in (p for p, _ in out):
                    out.append((m.value, m.detail))
            self._party_cache[name] = out
        return self._party_cache[name]

    def resolve(self, event: Event, outlet: str | None, home_country: str | None = None,
                lead: str = "", silent: frozenset[str] = frozenset()) -> list[OriginRef]:
        """Origins of one event's sources; the author voice only when nothing else is cited.

        `lead` is the article's opening: an unattributed story whose lead follows up another
        outlet's report ("denied a Washington Post report that ...") rests on that outlet.
        `silent` names sources to leave out: those denying the flow in the very sentence that states
        it ("X rejected accusations that it supplied ..." is X's denial, not X's assertion).
        """
        own_outlet = self.canonical_outlet(outlet)
        cited = [s for s in event.sources if s.kind is not SourceKind.AUTHOR and s.name not in silent]
        if not cited and lead:
            others = {m.value for m in self.scanner.mentions(lead) if m.kind is MentionKind.OUTLET} - {own_outlet}
            if len(others) == 1:
                followed = others.pop()
                return [OriginRef(f"press:{followed}|", f"reporting via {followed}", "press")]
        channels = [o for o in (self.outlet_named(s.name) for s in cited if s.kind is SourceKind.MEDIA) if o]
        refs: list[OriginRef] = []
        for source in cited or [s for s in event.sources if s.kind is SourceKind.AUTHOR]:
            ref = self.origin_of(source, own_outlet, channels, home_country)
            if ref is not None and ref not in refs:
                refs.append(ref)
        # intelligence cited by a named official of the same state is that official's evidence
        governments = {r.country for r in refs if r.kind == "government"}
        return [r for r in refs if not (r.kind == "press" and r.label.startswith("intelligence")
                                        and r.country in governments)]

    def origin_of(self, source: Source, own_outlet: str, channels: list[str],
                  home_country: str | None) -> OriginRef | None:
        kind = source.kind
        if kind is SourceKind.AUTHOR:
            return OriginRef(f"press:{own_outlet}|", f"{own_outlet} (own reporting)", "press")
        if kind in (SourceKind.UNNAMED_OFFICIAL, SourceKind.MEDIA, SourceKind.DOCUMENT):
            if kind is SourceKind.DOCUMENT:
                named = self._named_body(source.name)
                if named is not None:
                    return named
            channel = self._channel(source, own_outlet, channels)
            country = source.country if kind is SourceKind.UNNAMED_OFFICIAL else None
            who = {SourceKind.UNNAMED_OFFICIAL: f"unnamed {country + ' ' if country else ''}officials",
                   SourceKind.MEDIA: "reporting", SourceKind.DOCUMENT: "documents"}[kind]
            return OriginRef(f"press:{channel}|{country or ''}", f"{who} via {channel}", "press", country,
                             officials=kind is SourceKind.UNNAMED_OFFICIAL)
        if kind is SourceKind.EXPERT:
            if GENERIC_EXPERT.match(source.name.strip()):
                return OriginRef(f"expert:{own_outlet}", f"analysts cited by {own_outlet}", "expert")
            return OriginRef(f"expert:{_norm(source.name)}", source.name, "expert")
        if kind is SourceKind.WITNESS:
            return OriginRef(f"witness:{own_outlet}:{_norm(source.name)}", source.name, "witness")
        return self._official(source, home_country, own_outlet)

    def _channel(self, source: Source, own_outlet: str, channels: list[str]) -> str:
        """The outlet through which a source reached readers: its `via`, an outlet its name cites
        (also as 'the Post'), an outlet cited beside it, else the article's own."""
        return (self.outlet_named(source.via) if source.via else None) or self.outlet_named(source.name) \
            or self._short_outlet(source.name, channels) or (channels[0] if channels else None) or own_outlet

    def channel_of(self, source: Source, outlet: str | None, event: Event, lead: str = "") -> str:
        """`_channel` for one source of a stored event; outlets the article's lead names count as cited."""
        own = self.canonical_outlet(outlet)
        channels = [o for o in (self.outlet_named(s.name) for s in event.sources if s.kind is SourceKind.MEDIA) if o]
        channels += [m.value for m in self.scanner.mentions(lead) if m.kind is MentionKind.OUTLET and m.value != own]
        return self._channel(source, own, channels)

    def _named_body(self, name: str) -> OriginRef | None:
        """A document issued by a named state organ or organisation is that body's statement."""
        for party, surface_kind in self.parties_named(name):
            if surface_kind.startswith(("organ:", "group:")):
                return self._official(Source(name, SourceKind.OFFICIAL, party), None)
        return None

    def _home_of(self, outlet: str) -> str | None:
        return self.outlet_home.get(outlet)

    def states_named(self, name: str) -> list[str]:
        """The states (not organs, groups or organisations) a name lists: 'Britain, France and Germany'."""
        return list(dict.fromkeys(p for p, k in self.parties_named(name) if k in STATE_KINDS
                                  and not p.startswith("org:")))

    def _official(self, source: Source, home_country: str | None, own_outlet: str = "") -> OriginRef:
        named = self.parties_named(source.name)
        states = self.states_named(source.name)
        if len(states) >= 2 or JOINT.search(source.name):
            members = sorted(set(states)) or [source.country or "?"]
            return OriginRef(f"joint:{'+'.join(members)}", f"joint statement ({', '.join(members)})", "joint")
        country = source.country or next((p for p, _ in named), None)
        for party, surface_kind in named:
            if surface_kind == "organ:intelligence":
                return OriginRef(f"intel:{party}", self._organ_label(source.name, party), "intelligence", party)
            if surface_kind == "organ:manufacturer":
                company = next((m.text for m in self.scanner.mentions(source.name)
                                if m.kind is MentionKind.PARTY and m.detail == surface_kind), source.name)
                return OriginRef(f"company:{_norm(company)}", company, "company", party)
        if NAMED_INTELLIGENCE.search(source.name) and country:
            return OriginRef(f"intel:{country}", source.name, "intelligence", country)
        if GENERIC_INTELLIGENCE.match(source.name.strip()) and country:
            # unattributed intelligence reaches readers the way unnamed officials do: via the outlet
            return OriginRef(f"press:{own_outlet}|{country}", f"intelligence reported via {own_outlet}", "press",
                             country, officials=True)
        if country and country.startswith("org:"):
            return OriginRef(f"org:{country}", self.kb.party_label(country), "organisation", country)
        country = country or self.kb.person_country(source.name) or home_country or self._home_of(own_outlet)
        if country and country != UNKNOWN_PARTY:
            return OriginRef(f"gov:{country}", f"{self.kb.party_label(country)} government", "government", country)
        return OriginRef(f"official:{_norm(source.name)}", source.name, "official")

    def _organ_label(self, name: str, party: str) -> str:
        organs = [m.text for m in self.scanner.mentions(name) if m.kind is MentionKind.PARTY and m.value == party]
        return organs[0] if organs else name

    def home_country(self, outlet: str | None) -> str | None:
        """Where an outlet is based, national or not."""
        return self.outlet_country.get(self.canonical_outlet(outlet))
