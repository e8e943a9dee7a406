"""The case state machine: every allowed transition, and every forbidden one."""

from datetime import date

import pytest

from bot.domain.case import TRANSITIONS, Action, CaseState, TransitionError, can, case_number, next_state

ALLOWED = {
    (CaseState.NEW, Action.ASSIGN): CaseState.ASSIGNED,
    (CaseState.TRANSFERRED, Action.ASSIGN): CaseState.ASSIGNED,
    (CaseState.ASSIGNED, Action.ACCEPT): CaseState.ACCEPTED,
    (CaseState.REOPENED, Action.ACCEPT): CaseState.ACCEPTED,
    (CaseState.ACCEPTED, Action.RESOLVE): CaseState.RESOLVED,
    (CaseState.RESOLVED, Action.CLOSE): CaseState.CLOSED,
    (CaseState.RESOLVED, Action.REOPEN): CaseState.REOPENED,
    (CaseState.ASSIGNED, Action.TRANSFER): CaseState.TRANSFERRED,
    (CaseState.ACCEPTED, Action.TRANSFER): CaseState.TRANSFERRED,
    (CaseState.REOPENED, Action.TRANSFER): CaseState.TRANSFERRED,
}
OPEN = [CaseState.NEW, CaseState.ASSIGNED, CaseState.ACCEPTED, CaseState.RESOLVED, CaseState.REOPENED,
        CaseState.TRANSFERRED]
for s in OPEN:
    ALLOWED[(s, Action.MERGE)] = CaseState.MERGED
    ALLOWED[(s, Action.REJECT)] = CaseState.REJECTED


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("action", list(Action))
def test_every_pair(state, action):
    expected = ALLOWED.get((state, action))
    if expected is None:
        assert not can(state, action)
        with pytest.raises(TransitionError, match=f"cannot {action.value}"):
            next_state(state, action)
    else:
        assert can(state, action)
        assert next_state(state, action) == expected


def test_table_and_expectation_agree():
    table = {(s, a): t for a, m in TRANSITIONS.items() for s, t in m.items()}
    assert table == ALLOWED


def test_final_states_allow_nothing():
    for s in (CaseState.CLOSED, CaseState.MERGED, CaseState.REJECTED):
        assert not any(can(s, a) for a in Action)


def test_case_number_is_readable():
    assert case_number(date(2026, 11, 22), 7) == "20261122-0007"
