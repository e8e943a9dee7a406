"""督办 as the sweeper fires it: the 75 % reminder, the yellow card, the red card, the street alert.

Each function runs inside the transaction that settles its deadline row, so a notice is queued exactly
when the row is marked fired. Before acting it checks that the row still describes the case (the step
is still running and its deadline has not moved); otherwise the row is settled as stale.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot import texts
from bot.domain.privacy import mask_text
from bot.domain.roles import ChatKind, UnitKind
from bot.domain.supervision import (
    CARD_OF,
    RED_CARD,
    REMIND,
    STREET_ALERT,
    YELLOW_CARD,
    higher_card,
    step_of_state,
    superseded,
)
from bot.handlers.messages import Mention, OutgoingMessage
from bot.services import chats, clocks, notify
from bot.services.context import Context
from bot.store.tables import Case, Deadline, Person


def fire(ctx: Context, row: Deadline) -> str:
    """Act on a due reminder / 督办 row; returns the outcome recorded on the row."""
    case = ctx.repo.case(row.case_id)
    if case is None or row.step not in step_of_state(case.state):
        return "stale"
    if not clocks.same_time(clocks.step_due(case, row.step), row.ref_at):
        return "stale"
    if superseded(row.kind, due_kinds(ctx, row)):
        return "superseded"
    if row.kind == REMIND:
        remind(ctx, case, row)
    elif row.kind in (YELLOW_CARD, RED_CARD):
        card(ctx, case, row)
    elif row.kind == STREET_ALERT:
        if not street_alert(ctx, case, row):
            return "no_chat"
    return "sent"


def due_kinds(ctx: Context, row: Deadline) -> set[str]:
    """The kinds of the same step whose time has come too (settled or not, cancelled rows aside)."""
    q = select(Deadline.kind, Deadline.outcome).where(
        Deadline.case_id == row.case_id, Deadline.step == row.step, Deadline.ref_at == row.ref_at,
        col(Deadline.due_at) <= ctx.now, Deadline.id != row.id)
    return {kind for kind, outcome in ctx.session.exec(q) if outcome != "cancelled"}


def overdue_text(ctx: Context, due) -> str:
    late = ctx.now - clocks.aware(due)
    return texts.fmt(texts.OVERDUE_BY, late=clocks.left_text(late)) if late.total_seconds() >= 60 else texts.OVERDUE_NOW


def _labels(row: Deadline) -> tuple[str, str]:
    return texts.STEP_LABELS[row.step], texts.STEP_ACTIONS[row.step]


def _summary(ctx: Context, case: Case) -> str:
    text = mask_text(case.text).replace("\n", " ")
    return text[:30] + ("…" if len(text) > 30 else "")


def mention_all(text: str, people: list[Person | None]) -> list[Mention]:
    """Mentions of every named person, in text order (Telegram wants entities sorted), each person once."""
    out, seen = [], set()
    for p in people:
        if p is not None and p.id not in seen:
            seen.add(p.id)
            out.extend(notify.mention(text, p))
    return sorted(out, key=lambda m: m.offset)


def remind(ctx: Context, case: Case, row: Deadline) -> None:
    step, action = _labels(row)
    worker = ctx.repo.person(case.assignee_id)
    due = clocks.step_due(case, row.step)
    text = texts.fmt(texts.REMIND_WORKER, number=case.number, step=step, due=ctx.local(due),
                     left=clocks.left_text(clocks.aware(due) - ctx.now), action=action,
                     worker=worker.name if worker else texts.fmt(texts.REMIND_NOBODY, unit=_unit_name(ctx, case)))
    notify.to_workers(ctx, case, text, link_kind="task_card", mentions=notify.mention(text, worker))
    ctx.log(case.id, None, "remind", case.state, case.state, f"{row.step}: due {ctx.local(due)}")


def _unit_name(ctx: Context, case: Case) -> str:
    unit = ctx.repo.unit(case.unit_id)
    return unit.name if unit else ""


def card(ctx: Context, case: Case, row: Deadline) -> None:
    """黄牌 to the owner's leader in the owner's chat; 红牌 to the secretary one level up, in its command group."""
    colour = CARD_OF[row.kind]
    step, action = _labels(row)
    due = clocks.step_due(case, row.step)
    worker = ctx.repo.person(case.assignee_id)
    if row.kind == YELLOW_CARD:
        unit_id = case.unit_id
        chat = chats.staff_chat(ctx, case)
        template = texts.YELLOW_CARD
    else:
        above = ctx.repo.ancestors(case.unit_id)[1:2]
        unit_id = above[0].id if above else case.unit_id
        chat = ctx.repo.chat_for(unit_id, ChatKind.COMMAND_GROUP) or chats.staff_chat(ctx, case)
        template = texts.RED_CARD
    bosses = chats.supervisors(ctx, unit_id)
    text = texts.fmt(template, number=case.number, step=step, action=action, due=ctx.local(due),
                     late=overdue_text(ctx, due), summary=_summary(ctx, case),
                     worker=worker.name if worker else texts.NO_WORKER, unit=_unit_name(ctx, case),
                     boss="、".join(p.name for p in bosses) or texts.NO_BOSS)
    case.card = higher_card(case.card, colour)
    case.card_at = ctx.now
    if chat is not None:
        staff = chats.staff_chat(ctx, case)
        reply_to = None
        if staff is not None and chat.chat_id == staff.chat_id:
            link = ctx.repo.latest_link(case.id, "task_card_main")
            reply_to = link.message_id if link and link.chat_id == chat.chat_id else None
        ctx.send(OutgoingMessage(chat_id=chat.chat_id, text=text, reply_to_message_id=reply_to, case_id=case.id,
                                 link_kind="task_card", mentions=mention_all(text, [*bosses, worker])))
    ctx.log(case.id, None, row.kind, case.state, case.state,
            f"{texts.CARD_BADGE[colour]} {row.step} overdue since {ctx.local(due)}"
            + ("" if chat else "; no chat bound"))
    notify.refresh_card(ctx, case)


def street_alert(ctx: Context, case: Case, row: Deadline) -> bool:
    """The last rung: the street's command group hears of a case still overdue after both cards."""
    step, action = _labels(row)
    due = clocks.step_due(case, row.step)
    street = chats.ancestor_of_kind(ctx, case.unit_id, UnitKind.STREET)
    chat = ctx.repo.chat_for(street.id, ChatKind.COMMAND_GROUP) if street else None
    worker = ctx.repo.person(case.assignee_id)
    bosses = chats.supervisors(ctx, street.id) if street else []
    text = texts.fmt(texts.STREET_ALERT, number=case.number, step=step, action=action, due=ctx.local(due),
                     late=overdue_text(ctx, due), summary=_summary(ctx, case),
                     worker=worker.name if worker else texts.NO_WORKER, unit=_unit_name(ctx, case),
                     boss="、".join(p.name for p in bosses) or texts.NO_BOSS)
    if chat is not None:
        ctx.send(OutgoingMessage(chat_id=chat.chat_id, text=text, case_id=case.id, link_kind="task_card",
                                 mentions=mention_all(text, bosses)))
    ctx.log(case.id, None, STREET_ALERT, case.state, case.state,
            f"{row.step} overdue since {ctx.local(due)}" + ("" if chat else "; no street command group bound"))
    return chat is not None


