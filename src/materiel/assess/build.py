"""Build the assessments of one family of events: cluster into flows, then gather for each flow
its origins, status history, denials, figures, estimative terms and grade. Pure functions over
claims; the store decides which families to rebuild."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..knowledge.base import KnowledgeBase, load_knowledge
from ..model import (UNORDERED_TYPES, Assessment, Claim, Denial, EstimativeUse, Figure, Origin, SourceKind, Stance,
                     Status, StatusStep, highest_status, ladder_rank)
from ..nlp.scan import dateline_state, default_scanner
from .flows import Cluster, assessment_id, cluster_family, family_key
from .grading import grade, origin_reliability
from .origins import OriginRef, OriginResolver

NO_DATE = "9999-99-99"  # undated articles sort last


def _date(claim: Claim) -> str:
    return claim.published or NO_DATE


class AssessmentBuilder:
    """Turns the claims of one family into assessments (one per flow)."""

    def __init__(self, kb: KnowledgeBase | None = None):
        self.kb = kb or load_knowledge()
        self.resolver = OriginResolver(self.kb, default_scanner())

    def build_family(self, family: str, claims: list[Claim], texts: dict[str, str] | None = None) -> list[Assessment]:
        """`texts` maps article hashes to their text, for datelines (optional)."""
        claims = sorted(claims, key=lambda c: (_date(c), c.article_hash, c.event_id))
        assert all(family_key(c.event) == family for c in claims), "claims from another family"
        clusters = cluster_family([c.event for c in claims], self.kb)
        return [self.build_flow(family, cluster, [claims[i] for i in cluster.members], texts or {})
                for cluster in clusters]

    def _origins_of(self, claim: Claim, texts: dict[str, str], datelines: dict[str, str | None],
                    silent: frozenset[str]) -> list[OriginRef]:
        e = claim.event
        lead = texts.get(claim.article_hash, "")
        if claim.article_hash not in datelines:  # one article gives many claims: read its dateline once
            datelines[claim.article_hash] = dateline_state(lead, self.kb) if lead else None
        home = datelines[claim.article_hash]
        if home is None:
            country = self.resolver.home_country(claim.outlet)
            home = country if country in (e.provider, e.recipient) else None
        return self.resolver.resolve(e, claim.outlet, home, lead, silent)

    def build_flow(self, family: str, cluster: Cluster, claims: list[Claim], texts: dict[str, str]) -> Assessment:
        first = claims[0].event
        provider, recipient = first.provider, first.recipient
        if first.type in UNORDERED_TYPES:  # the orientation most articles use
            provider, recipient = Counter((c.event.provider, c.event.recipient) for c in claims).most_common(1)[0][0]
        parties = (provider, recipient)
        asserted = [c for c in claims if c.event.stance is Stance.ASSERTED]
        denials = self._denials([c for c in claims if c.event.stance is Stance.DENIED], parties, texts)
        denial_spans = _denial_spans(claims)
        datelines: dict[str, str | None] = {}
        refs = {c.event_id: self._origins_of(c, texts, datelines, _denying_in_same_sentence(c, denial_spans))
                for c in asserted}
        refs = _drop_unattributed(asserted, refs)
        refs = _collapse_press(refs)
        claims = [replace(c, origins=tuple(r.key for r in refs.get(c.event_id, ()))) for c in claims]
        asserted = [c for c in claims if c.event.stance is Stance.ASSERTED]
        origins = _origins(asserted, refs, parties)
        history = _status_history(asserted)
        figures = _figures(asserted)
        dates = [p.published for c in claims for p in c.reports if p.published]  # a later copy reports it again
        names = list(dict.fromkeys(c.event.item.name for c in claims if c.event.item.name))
        label = cluster.canonical or cluster.designation or first.item.category.value
        return Assessment(
            id=assessment_id(family, cluster.item_key), type=first.type, provider=provider, recipient=recipient,
            category=first.item.category, canonical=cluster.canonical, item_label=label, names=tuple(names),
            claims=tuple(claims), origins=tuple(origins), status_history=tuple(history),
            max_status=_max_status(asserted), latest_status=_latest_status(asserted), denials=tuple(denials),
            figures=tuple(figures), largest_figure=_largest(figures), confidence=tuple(_confidence(asserted)),
            grade=grade(origins, denials), first_reported=min(dates) if dates else None,
            last_reported=max(dates) if dates else None)

    def _denials(self, denied: list[Claim], parties: tuple[str, str], texts: dict[str, str]) -> list[Denial]:
        """One entry per denying party, with every source and article that carries its denial."""
        by_party: dict[str, dict[str, list]] = {}
        for claim in denied:
            sources = [s for s in claim.event.sources if s.kind is not SourceKind.AUTHOR]
            interested = [s for s in sources if s.country in parties or
                          any(p in parties for p, _ in self.resolver.parties_named(s.name))]
            for source in interested or sources:  # others quoted beside a party's denial are its accusers
                deniers = self.resolver.states_named(source.name)
                if source.kind in (SourceKind.DOCUMENT, SourceKind.MEDIA) and len(deniers) < 2:
                    # "the Post's latest report" contradicts: the denier is the outlet that reports it
                    deniers = [self.resolver.channel_of(source, claim.outlet, claim.event,
                                                        texts.get(claim.article_hash, ""))]
                elif len(deniers) < 2:  # "Russia and North Korea" deny together; "Iran's UN mission" is Iran
                    named = [p for p, _ in self.resolver.parties_named(source.name)]
                    deniers = [source.country or (named[0] if named else source.name)]
                for by in deniers:
                    entry = by_party.setdefault(by, {"sources": [], "articles": [], "dates": []})
                    if source.name not in entry["sources"]:
                        entry["sources"].append(source.name)
                    if claim.article_id not in entry["articles"]:
                        entry["articles"].append(claim.article_id)
                    entry["dates"].append(_date(claim))
        out = [Denial(by, by in parties, tuple(e["sources"]), tuple(e["articles"]),
                      None if min(e["dates"]) == NO_DATE else min(e["dates"]))
               for by, e in by_party.items() if by != "the article"]
        return sorted(out, key=lambda d: (d.first_reported or NO_DATE, d.by))


def _denial_spans(claims: list[Claim]) -> dict[tuple[str, int, int], set[str]]:
    """(article, evidence span) -> names of the sources denying the flow in that sentence."""
    out: dict[tuple[str, int, int], set[str]] = {}
    for claim in claims:
        if claim.event.stance is Stance.DENIED:
            names = {s.name for s in claim.event.sources if s.kind is not SourceKind.AUTHOR}
            for e in claim.event.evidence:
                out.setdefault((claim.article_hash, e.start, e.end), set()).update(names)
    return out


def _denying_in_same_sentence(claim: Claim, denials: dict[tuple[str, int, int], set[str]]) -> frozenset[str]:
    """Sources of a denial stated in the same sentence as the claim: they deny it, not assert it."""
    return frozenset(name for e in claim.event.evidence
                     for name in denials.get((claim.article_hash, e.start, e.end), ()))


def _drop_unattributed(asserted: list[Claim], refs: dict[str, list[OriginRef]]) -> dict[str, list[OriginRef]]:
    """An article's unattributed sentence about a flow it also attributes is the outlet summing up
    its sources, not a separate origin."""
    attributed = {c.article_hash for c in asserted if any(not _is_own_voice(r) for r in refs[c.event_id])}
    out = {}
    for c in asserted:
        kept = refs[c.event_id]
        if c.article_hash in attributed:
            kept = [r for r in kept if not _is_own_voice(r)]
        out[c.event_id] = kept
    return out


def _is_own_voice(ref: OriginRef) -> bool:
    return ref.kind == "press" and ref.label.endswith("(own reporting)")


def _collapse_press(refs: dict[str, list[OriginRef]]) -> dict[str, list[OriginRef]]:
    """Within one outlet, reporting without a country joins the outlet's unnamed officials: 'according
    to the Post' is the Post's officials."""
    by_outlet: dict[str, list[OriginRef]] = {}
    for ref in (r for rs in refs.values() for r in rs if r.key.startswith("press:") and r.country):
        by_outlet.setdefault(ref.key.split("|")[0], []).append(ref)
    out = {}
    for event_id, rs in refs.items():
        moved = []
        for r in rs:
            if r.key.startswith("press:") and not r.country and r.key.split("|")[0] in by_outlet:
                r = sorted(by_outlet[r.key.split("|")[0]], key=lambda x: x.key)[0]
            if r not in moved:
                moved.append(r)
        out[event_id] = moved
    return out


def _origins(asserted: list[Claim], refs: dict[str, list[OriginRef]], parties: tuple[str, str]) -> list[Origin]:
    found: dict[str, tuple[OriginRef, list[str]]] = {}
    for c in asserted:
        for r in refs[c.event_id]:
            ref, articles = found.setdefault(r.key, (r, []))
            if c.article_id not in articles:
                articles.append(c.article_id)
    origins = []
    for key, (ref, articles) in found.items():
        rel = origin_reliability(ref.kind, ref.country, ref.officials, parties)
        origins.append(Origin(key, ref.label, ref.kind, tuple(articles), rel))
    return sorted(origins, key=lambda o: (o.reliability, o.key))


def _status_history(asserted: list[Claim]) -> list[StatusStep]:
    steps: dict[Status, tuple[str, list[str], list[str]]] = {}
    for c in asserted:  # already in date order
        status = c.event.status
        if status is Status.UNCLEAR:
            continue
        first, articles, sources = steps.setdefault(status, (_date(c), [], []))
        if c.article_id not in articles:
            articles.append(c.article_id)
        for s in c.event.sources:
            if s.name not in sources:
                sources.append(s.name)
    ordered = sorted(steps.items(), key=lambda kv: (kv[1][0], ladder_rank(kv[0])))
    return [StatusStep(status, None if first == NO_DATE else first, tuple(a), tuple(s))
            for status, (first, a, s) in ordered]


def _max_status(asserted: list[Claim]) -> Status:
    return highest_status({c.event.status for c in asserted})


def _latest_status(asserted: list[Claim]) -> Status:
    """The status in the most recent article that reports one: cancelled wins, else the highest."""
    dated = [c for c in asserted if c.event.status is not Status.UNCLEAR]
    if not dated:
        return Status.UNCLEAR
    last = max(_date(c) for c in dated)
    statuses = {c.event.status for c in dated if _date(c) == last}
    return Status.CANCELLED if Status.CANCELLED in statuses else highest_status(statuses)


def _figures(asserted: list[Claim]) -> list[Figure]:
    """Every reported number with its source, once per article and origin."""
    out: list[Figure] = []
    seen = set()
    for c in asserted:
        e = c.event
        if not (e.quantity and e.quantity.value is not None) and not e.value:
            continue
        q, v = e.quantity, e.value
        origin = c.origins[0] if c.origins else None
        key = (c.article_id, q.value if q else None, v.amount if v else None, origin)
        if key in seen:
            continue
        seen.add(key)
        source = next((s.name for s in e.sources if s.kind.value != "author"), e.sources[0].name if e.sources else "")
        out.append(Figure(c.article_id, c.published, e.status, source, origin,
                          q.value if q else None, q.approx if q else False, q.text if q else "",
                          v.amount if v else None, v.currency if v else None))
    return out


def _largest(figures: list[Figure]) -> Figure | None:
    """The largest asserted quantity; an exact figure wins a tie over an approximate one."""
    counted = [f for f in figures if f.quantity is not None]
    if not counted:
        return None
    return max(counted, key=lambda f: (f.quantity, not f.approx, f.published or ""))


def _confidence(asserted: list[Claim]) -> list[EstimativeUse]:
    out = []
    for c in asserted:
        conf = c.event.confidence
        if conf is None:
            continue
        source = next((s.name for s in c.event.sources if s.kind.value != "author"), "the article")
        use = EstimativeUse(conf.text, source, c.article_id, conf.low, conf.high)
        if use not in out:
            out.append(use)
    return out
