"""回访: after resolution the reporter and the followers rate the result 满意 / 基本满意 / 不满意.

The first rating decides: 满意 or 基本满意 closes the case; 不满意 reopens it (the clocks start again) and
the leader is told. Nobody answers within `followup_hours` (48 h) → closed as 默认满意, a rating of its
own that statistics keep apart. Ratings after the case is settled are recorded; a late explicit rating
replaces 默认满意, and a late 不满意 is passed on to the leader.
"""

from __future__ import annotations

from bot import texts
from bot.domain.case import STATE_LABELS, Action, CaseState
from bot.handlers.messages import Button
from bot.services import cases, chats, clocks, followers, notify, supervision
from bot.services.context import Actor, Context
from bot.store.tables import Case, Deadline

SATISFIED, BASIC, UNSATISFIED, DEFAULT = "satisfied", "basic", "unsatisfied", "default"
BUTTON_DATA = {"r1": SATISFIED, "r2": BASIC, "r3": UNSATISFIED, "fy": SATISFIED, "fn": UNSATISFIED}


def rating_buttons(case: Case) -> list[list[Button]]:
    return [[Button(texts.RATING_LABELS[SATISFIED], f"r1:{case.id}"),
             Button(texts.RATING_LABELS[BASIC], f"r2:{case.id}"),
             Button(texts.RATING_LABELS[UNSATISFIED], f"r3:{case.id}")]]


def may_rate(ctx: Context, case: Case, tg_user_id: int) -> bool:
    return tg_user_id == case.reporter_tg_id or followers.is_follower(ctx, case, tg_user_id)


def rate(ctx: Context, case: Case, actor: Actor, rating: str) -> str | None:
    """A rating from a button. Returns a refusal to show as an alert, or None."""
    if not may_rate(ctx, case, actor.sender.id):
        return texts.ONLY_RATERS
    label = texts.RATING_LABELS[rating]
    who = "reporter" if actor.sender.id == case.reporter_tg_id else "follower"
    if case.state == CaseState.RESOLVED:
        if rating == UNSATISFIED:
            _reopen(ctx, case, actor, f"{label} ({who})")
        else:
            _close(ctx, case, actor, rating, f"{label} ({who})")
        return None
    if case.state == CaseState.CLOSED:
        ctx.log(case.id, actor, "rate", case.state, case.state, f"{label} ({who}, after closing)")
        if case.satisfaction == DEFAULT:
            case.satisfaction = rating
        if rating == UNSATISFIED:
            _tell_leader(ctx, case, texts.fmt(texts.LATE_UNSATISFIED, number=case.number))
        notify.to_residents(ctx, case, texts.fmt(texts.RATING_THANKS, number=case.number, rating=label))
        return None
    return texts.fmt(texts.ALREADY_DONE, number=case.number, state=STATE_LABELS[CaseState(case.state)], action="评价")


def _close(ctx: Context, case: Case, actor: Actor | None, rating: str, note: str) -> None:
    cases.move(ctx, case, Action.CLOSE, actor, note)
    case.closed_at, case.satisfaction = ctx.now, rating
    if rating == DEFAULT:
        notify.to_residents(ctx, case, texts.fmt(texts.DEFAULT_CLOSED_RESIDENTS, number=case.number,
                                                 hours=_hours(ctx)))
        notify.to_workers(ctx, case, texts.fmt(texts.DEFAULT_CLOSED_WORKERS, number=case.number, hours=_hours(ctx)))
    else:
        notify.to_residents(ctx, case, texts.fmt(texts.RATED_CLOSED_RESIDENTS, number=case.number,
                                                 rating=texts.RATING_LABELS[rating]))
        notify.to_workers(ctx, case, texts.fmt(texts.RATED_CLOSED_WORKERS, number=case.number,
                                               rating=texts.RATING_LABELS[rating]))
    notify.refresh_card(ctx, case)


def _reopen(ctx: Context, case: Case, actor: Actor, note: str) -> None:
    cases.move(ctx, case, Action.REOPEN, actor, note)
    case.reopen_count += 1
    case.resolved_at = None
    case.satisfaction = UNSATISFIED
    notify.to_residents(ctx, case, texts.fmt(texts.REOPENED_RESIDENTS, number=case.number))
    _tell_leader(ctx, case, texts.fmt(texts.UNSATISFIED_WORKERS, number=case.number,
                                      worker=notify.worker_name(ctx, case), accept_by=ctx.local(case.accept_by)))
    notify.refresh_card(ctx, case)


def _tell_leader(ctx: Context, case: Case, text: str) -> None:
    leaders = chats.supervisors(ctx, case.unit_id)
    worker = ctx.repo.person(case.assignee_id)
    if leaders:
        text += texts.fmt(texts.LEADER_TOLD, boss="、".join(p.name for p in leaders))
    notify.to_workers(ctx, case, text, mentions=supervision.mention_all(text, [worker, *leaders]))


def _hours(ctx: Context) -> str:
    h = ctx.settings.followup_hours
    return f"{h:g}"


def fire_timeout(ctx: Context, row: Deadline) -> str:
    """No rating within followup_hours: closed as 默认满意 (sweeper, in the row's transaction)."""
    case = ctx.repo.case(row.case_id)
    if case is None or case.state != CaseState.RESOLVED:
        return "stale"
    if case.resolved_at is not None and not clocks.same_time(case.resolved_at, row.ref_at):
        return "stale"
    _close(ctx, case, None, DEFAULT, f"默认满意 default: no answer within {_hours(ctx)} h")
    return "sent"
