"""督办 and the tier ladder, as pure rules.

A case has two clocks (steps): accept (签收) and resolve (办结). For each running step the bot
reminds the assignee when `remind_fraction` of the time is used up, and once the step is overdue it
climbs a ladder, one rung per supervision interval:

    due            → yellow card (黄牌督办) to the leader of the owning unit
    due + 1 × step → red card (红牌督办) to the secretary of the unit above
    due + 2 × step → the street's command group

The card colour is its own field on the case, separate from urgency, and is never lowered.
Tiers follow 微事不出格、小事不出村、大事不出镇: grid → community → street → department.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

ACCEPT, RESOLVE = "accept", "resolve"
REMIND, YELLOW_CARD, RED_CARD, STREET_ALERT = "remind", "yellow_card", "red_card", "street_alert"
LADDER = (YELLOW_CARD, RED_CARD, STREET_ALERT)
CARD_OF = {YELLOW_CARD: "yellow", RED_CARD: "red"}
CARD_RANK = {None: 0, "yellow": 1, "red": 2}

TIERS = ("grid", "community", "street", "department")


@dataclass(frozen=True)
class Milestone:
    kind: str  # remind | yellow_card | red_card | street_alert
    step: str  # accept | resolve
    at: datetime


def milestones(step: str, start: datetime, due: datetime, remind_fraction: float,
               after: Callable[[datetime, int], datetime]) -> list[Milestone]:
    """The moments of one step. `after(due, n)` is the due time plus n supervision intervals."""
    out: list[Milestone] = []
    if 0 < remind_fraction < 1 and due > start:
        out.append(Milestone(REMIND, step, start + (due - start) * remind_fraction))
    out.append(Milestone(YELLOW_CARD, step, due))
    out.append(Milestone(RED_CARD, step, after(due, 1)))
    out.append(Milestone(STREET_ALERT, step, after(due, 2)))
    return out


def higher_card(current: str | None, new: str | None) -> str | None:
    """Cards only go up: a yellow card after a red one leaves the case red."""
    return new if CARD_RANK.get(new, 0) > CARD_RANK.get(current, 0) else current


def superseded(kind: str, later_due: set[str]) -> bool:
    """A reminder that a step is nearly due says nothing once the same step is already overdue."""
    return kind == REMIND and bool(later_due & set(LADDER))


def next_tier(tier: str) -> str | None:
    """One step up the ladder; None at the top (a department)."""
    try:
        i = TIERS.index(tier)
    except ValueError:
        return TIERS[1]
    return TIERS[i + 1] if i + 1 < len(TIERS) else None


def step_of_state(state: str) -> tuple[str, ...]:
    """The clocks that run in a state: nobody has signed for it yet → both; being handled → resolve."""
    if state in ("new", "assigned", "transferred", "reopened"):
        return (ACCEPT, RESOLVE)
    if state == "accepted":
        return (RESOLVE,)
    return ()
