"""The NATO / Admiralty grade of an assessment, by explicit rules that explain themselves.

Reliability (A-F) is that of the strongest origin behind the assertions:

| origin | reliability |
|---|---|
| the government or a company of the flow's own provider or recipient (first-party statement) | A |
| another government, a named intelligence service, a joint statement, an international organisation | B |
| a named expert body or think tank; a company not party to the flow; unnamed officials reported through an outlet | C |
| an outlet's own reporting, documents or media reports without an official behind them; a witness; an official the knowledge base cannot place | D |
| (never assigned by rule: "unreliable" needs a track record the ledger does not keep) | E |
| no asserting source at all (only denials) | F |

Credibility (1-6) comes from corroboration and contradiction, applied in this order:

1. Start from the number of independent asserting origins: 3 or more -> 1 (confirmed),
   2 -> 2 (probably true), 1 -> 3 (possibly true), none -> 6 (cannot be judged; stop here).
2. A first-party assertion (reliability A) counts as confirmation from inside the flow: with
   another independent origin the credibility becomes 1, alone at least 2.
3. Each third party that denies the flow lowers credibility by one step.
4. A denial by the provider or recipient lowers it by one step only when the flow rests on a
   single origin that is no better than C; otherwise it is recorded but does not lower the grade
   (parties routinely deny what is well established).
5. Credibility never goes below 5 (improbable) by rule; 6 is kept for "cannot be judged".
"""

from __future__ import annotations

from typing import Sequence

from ..model import Denial, Grade, Origin

RELIABILITY_BY_KIND = {"government": "B", "intelligence": "B", "joint": "B", "organisation": "B",
                       "company": "C", "expert": "C", "press": "D", "witness": "D", "official": "D"}
RELIABILITY_MEANING = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
                       "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}
CREDIBILITY_MEANING = {1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
                       6: "truth cannot be judged"}
FLOOR = 5


def origin_reliability(kind: str, country: str | None, officials: bool, parties: tuple[str, str]) -> str:
    """Reliability of one origin: first-party statements A, governments B, unnamed officials C..."""
    if kind in ("government", "company") and country in parties:
        return "A"
    if kind == "press":
        return "C" if officials else "D"
    return RELIABILITY_BY_KIND.get(kind, "D")


def grade(origins: Sequence[Origin], denials: Sequence[Denial]) -> Grade:
    """Apply the rules of the module docstring; every step that changes the grade says why."""
    why: list[str] = []
    if not origins:
        why.append("no source asserts the flow: reliability F, credibility 6")
        return Grade("F", 6, tuple(why))
    strongest = min(origins, key=lambda o: o.reliability)
    reliability = strongest.reliability
    why.append(f"reliability {reliability} ({RELIABILITY_MEANING[reliability]}): strongest source is "
               f"{strongest.label} ({_kind_phrase(strongest, reliability)})")
    n = len(origins)
    credibility = 1 if n >= 3 else 2 if n == 2 else 3
    why.append(f"credibility {credibility} ({CREDIBILITY_MEANING[credibility]}): {n} independent origin"
               f"{'s' if n != 1 else ''}")
    if reliability == "A":
        confirmed = 1 if n >= 2 else 2
        if confirmed < credibility:
            credibility = confirmed
            why.append(f"credibility {credibility}: a party to the flow ({strongest.label}) asserts it itself")
    third = [d for d in denials if not d.interested]
    for denial in third:
        if credibility < FLOOR:
            credibility += 1
            why.append(f"credibility {credibility}: denied by a third party ({denial.by})")
    interested = [d for d in denials if d.interested]
    if interested:
        names = ", ".join(sorted({d.by for d in interested}))
        if n == 1 and reliability >= "C" and credibility < FLOOR:
            credibility += 1
            why.append(f"credibility {credibility}: single {reliability}-rated origin, denied by a party to the "
                       f"flow ({names})")
        else:
            why.append(f"denied by a party to the flow ({names}): recorded, grade not lowered")
    return Grade(reliability, credibility, tuple(why))


def _kind_phrase(origin: Origin, reliability: str) -> str:
    if reliability == "A":
        return "first-party statement by the provider or recipient"
    return {"government": "a government not party to the flow", "intelligence": "an intelligence service",
            "joint": "a joint statement of governments", "organisation": "an international organisation",
            "company": "a company", "expert": "an expert body",
            "press": "unnamed officials through an outlet" if reliability == "C" else "media reporting",
            "witness": "a witness", "official": "an official the ledger cannot place"}.get(origin.kind, origin.kind)
