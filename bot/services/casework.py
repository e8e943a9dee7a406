"""The issue-5 commands and buttons on a case, dispatched from bot/handlers/router.py:

    /up 原因            raise one tier (grid → community → street → department)
    /transfer 对象 原因  to another worker of the unit, or to another unit
    /return 原因        退单: back to the dispatcher (the leader decides)
    /merge 编号         this card's case is the same problem as another
    /urgency 红|黄|绿   change the urgency; the clocks are recomputed (logged, kept as a correction);
                        made red, the grid leader is mentioned at once
Buttons: u (上报), rt (退单 hint), rd / rb / rx (the leader's answer to a return), r1-r3 (回访).
"""

from __future__ import annotations

from bot import texts
from bot.domain.case import FINAL_STATES, CaseState
from bot.services import clocks, duplicates, escalation, notify
from bot.services.context import Actor, Context
from bot.store.tables import Case, Correction

URGENCY_WORDS = {"红": "red", "红色": "red", "紧急": "red", "red": "red", "黄": "yellow", "黄色": "yellow",
                 "较急": "yellow", "yellow": "yellow", "绿": "green", "绿色": "green", "一般": "green", "green": "green"}
CASE_COMMANDS = ("up", "transfer", "return", "merge", "urgency")
CASE_BUTTONS = ("u", "rt", "rd", "rb", "rx")


def command(ctx: Context, case: Case, actor: Actor, name: str, args: str) -> str:
    if name == "up":
        return escalation.raise_tier(ctx, case, actor, args)
    if name == "transfer":
        return escalation.transfer_to(ctx, case, actor, args) if args.strip() else texts.TRANSFER_USAGE
    if name == "return":
        return escalation.return_case(ctx, case, actor, args)
    if name == "merge":
        return duplicates.merge(ctx, case, actor, args.strip().lstrip("#"))
    if name == "urgency":
        return change_urgency(ctx, case, actor, args)
    raise ValueError(name)


def button(ctx: Context, case: Case, actor: Actor, kind: str, ids: list[int]) -> tuple[str, bool, bool]:
    """(answer, as an alert, also post the answer into the chat)."""
    if kind == "rt":
        return texts.RETURN_BUTTON_HINT, True, False
    if kind == "u":
        return escalation.raise_tier(ctx, case, actor, texts.NO_REASON), False, True
    if kind == "rx":
        return escalation.invalidate(ctx, case, actor), False, False
    to = ctx.repo.person(ids[1]) if len(ids) > 1 else None
    if to is None:
        return texts.UNKNOWN_BUTTON, True, False
    return escalation.redispatch(ctx, case, actor, to, refused=kind == "rb"), False, False


def change_urgency(ctx: Context, case: Case, actor: Actor, args: str) -> str:
    urgency = URGENCY_WORDS.get(args.strip().lower())
    if urgency is None:
        return texts.URGENCY_USAGE
    if case.state in FINAL_STATES or case.state == CaseState.RESOLVED:
        return texts.fmt(texts.ALREADY_DONE, number=case.number, state=case.state, action="改紧急程度")
    if urgency == case.urgency:
        return texts.fmt(texts.URGENCY_SAME, number=case.number, urgency=texts.URGENCY_LABEL[urgency])
    before = case.urgency
    case.urgency = urgency
    ctx.session.add(Correction(case_id=case.id, text=case.text, old_category=case.category,
                               new_category=case.category, old_urgency=before, new_urgency=urgency,
                               actor_tg_id=actor.sender.id, at=ctx.now))  # for `gridbot rules suggest`
    ctx.log(case.id, actor, "urgency", case.state, case.state, f"{before} → {urgency}")
    clocks.recompute(ctx, case, actor, "urgency")
    notify.refresh_card(ctx, case)
    if urgency == "red":
        notify.raised_to_red(ctx, case, actor.name)
    return texts.fmt(texts.URGENCY_DONE, icon=texts.URGENCY_ICON[urgency], number=case.number,
                     urgency=texts.URGENCY_LABEL[urgency], accept_by=ctx.local(case.accept_by),
                     resolve_by=ctx.local(case.resolve_by))
