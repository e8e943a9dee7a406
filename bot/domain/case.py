"""The case state machine: which action moves a case from which state to which.

    new → assigned → accepted → resolved → closed
    assigned/accepted/reopened → transferred → assigned
    resolved → reopened → accepted …     any open state → merged | rejected
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class CaseState(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    TRANSFERRED = "transferred"
    MERGED = "merged"
    REJECTED = "rejected"


class Action(StrEnum):
    ASSIGN = "assign"
    ACCEPT = "accept"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    TRANSFER = "transfer"
    MERGE = "merge"
    REJECT = "reject"


STATE_LABELS = {
    CaseState.NEW: "待受理",
    CaseState.ASSIGNED: "已派单",
    CaseState.ACCEPTED: "处置中",
    CaseState.RESOLVED: "已办结(待回访)",
    CaseState.CLOSED: "已结案",
    CaseState.REOPENED: "已重办",
    CaseState.TRANSFERRED: "流转中",
    CaseState.MERGED: "已合并",
    CaseState.REJECTED: "无效",
}

FINAL_STATES = frozenset({CaseState.CLOSED, CaseState.MERGED, CaseState.REJECTED})
OPEN_STATES = frozenset(set(CaseState) - FINAL_STATES)
# states in which the assignee still owes work (resolved waits for the reporter)
WORKING_STATES = frozenset({CaseState.NEW, CaseState.ASSIGNED, CaseState.ACCEPTED, CaseState.REOPENED,
                            CaseState.TRANSFERRED})

TRANSITIONS: dict[Action, dict[CaseState, CaseState]] = {
    Action.ASSIGN: {CaseState.NEW: CaseState.ASSIGNED, CaseState.TRANSFERRED: CaseState.ASSIGNED},
    Action.ACCEPT: {CaseState.ASSIGNED: CaseState.ACCEPTED, CaseState.REOPENED: CaseState.ACCEPTED},
    Action.RESOLVE: {CaseState.ACCEPTED: CaseState.RESOLVED},
    Action.CLOSE: {CaseState.RESOLVED: CaseState.CLOSED},
    Action.REOPEN: {CaseState.RESOLVED: CaseState.REOPENED},
    Action.TRANSFER: {s: CaseState.TRANSFERRED for s in (CaseState.ASSIGNED, CaseState.ACCEPTED, CaseState.REOPENED)},
    Action.MERGE: {s: CaseState.MERGED for s in OPEN_STATES},
    Action.REJECT: {s: CaseState.REJECTED for s in OPEN_STATES},
}


class TransitionError(ValueError):
    def __init__(self, state: CaseState, action: Action):
        super().__init__(f"cannot {action.value} a case that is {state.value}")
        self.state = state
        self.action = action


def next_state(state: CaseState | str, action: Action | str) -> CaseState:
    """The state after `action`, or TransitionError when the action is not allowed now."""
    state, action = CaseState(state), Action(action)
    try:
        return TRANSITIONS[action][state]
    except KeyError:
        raise TransitionError(state, action) from None


def can(state: CaseState | str, action: Action | str) -> bool:
    return CaseState(state) in TRANSITIONS[Action(action)]


def case_number(day: date, seq: int) -> str:
    """Readable case number: local date and the day's sequence, e.g. 20261122-0007."""
    return f"{day:%Y%m%d}-{seq:04d}"
