"""Read-only use cases: /status, /mycases."""

from __future__ import annotations

from bot import texts
from bot.domain.case import STATE_LABELS, CaseState
from bot.domain.privacy import mask_text
from bot.services import badges, notify
from bot.services.context import Actor, Context
from bot.store.tables import Case


def status(ctx: Context, number: str) -> str:
    case = ctx.repo.case_by_number(number)
    if case is None:
        return texts.fmt(texts.CASE_NOT_FOUND, number=number)
    lines = [texts.fmt(
        texts.STATUS, number=case.number, state=STATE_LABELS[CaseState(case.state)],
        category=notify.category_label(ctx, case), icon=texts.URGENCY_ICON[case.urgency],
        urgency=texts.URGENCY_LABEL[case.urgency], worker=notify.worker_name(ctx, case),
        created=ctx.local(case.created_at), accept_by=ctx.local(case.accept_by),
        resolve_by=ctx.local(case.resolve_by), text=mask_text(case.text)[:300],
    ) + badges.status_extra(ctx, case)]  # 督办 card, followers, tier, 回访 rating
    for ev in ctx.repo.events(case.id)[-8:]:
        note = f"：{mask_text(ev.note)[:80]}" if ev.action in ("progress", "resolve", "transfer") and ev.note else ""
        lines.append(texts.fmt(texts.STATUS_EVENT, at=ctx.local(ev.at), actor=ev.actor_name,
                               action=texts.ACTION_LABELS.get(ev.action, ev.action), note=note))
    return "\n".join(lines)


def my_cases(ctx: Context, actor: Actor) -> str:
    items: list[Case]
    if actor.person_id is not None and ctx.repo.open_cases_of_worker(actor.person_id):
        items = ctx.repo.open_cases_of_worker(actor.person_id)
        header = texts.fmt(texts.MYCASES_HEADER_WORKER, n=len(items))
    else:
        items = ctx.repo.cases_of_reporter(actor.sender.id)
        header = texts.fmt(texts.MYCASES_HEADER_RESIDENT, n=len(items))
    if not items:
        return texts.MYCASES_NONE
    lines = [header]
    for c in items[:30]:
        lines.append(texts.fmt(texts.MYCASES_ITEM, icon=texts.URGENCY_ICON[c.urgency], number=c.number,
                               state=STATE_LABELS[CaseState(c.state)],
                               category=ctx.classifier.taxonomy.category_name(c.category),
                               text=mask_text(c.text)[:40]))
    return "\n".join(lines)


# the digest (/digest, scheduled digests) lives in bot/services/digest.py
