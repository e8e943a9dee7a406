"""并单: a new report of a problem already being handled joins that case instead of opening another.

Same grid, same top-level category, opened within the window (default 24 h), still being worked on,
and either the same place (building number or place name) or similar words (character-bigram overlap).
Two reports that name different buildings are never the same problem. The new reporter becomes a
follower: told "已有人反映 #N，已为您关注", mentioned in the case's notices and asked for the 回访.
A worker can also merge a card's case into another with `/merge N`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import col, select

from bot import texts
from bot.domain.case import WORKING_STATES, Action, CaseState
from bot.domain.privacy import mask_text
from bot.domain.similarity import same_place, score
from bot.handlers.messages import OutgoingMessage, Sender
from bot.services import cases, followers, notify
from bot.services.context import Actor, Context
from bot.store.tables import Case, CaseFollower

log = logging.getLogger(__name__)


def find(ctx: Context, grid_id: int, category: str, text: str, location: str | None) -> Case | None:
    """The open case this report repeats, or None."""
    since = ctx.now - timedelta(hours=ctx.settings.duplicate_window_hours)
    q = select(Case).where(Case.grid_id == grid_id, Case.category == category, col(Case.created_at) >= since,
                           col(Case.state).in_([s.value for s in WORKING_STATES]))
    best, best_score = None, 0.0
    for case in ctx.session.exec(q.order_by(col(Case.id).desc())):
        place = same_place(location, case.location)
        if place is False:
            continue  # another building: another problem, however alike the words
        value = 1.0 if place else score(text, case.text)
        if value >= ctx.settings.duplicate_similarity and value > best_score:
            best, best_score = case, value
    return best


def join(ctx: Context, case: Case, *, chat_id: int, message_id: int, thread_id: int | None, reporter: Sender,
         text: str, photos: tuple[str, ...]) -> Case:
    """The reporter follows `case`; they and the workers are told. Safe to call twice for one message."""
    done = ctx.session.exec(select(CaseFollower).where(CaseFollower.case_id == case.id,
                                                        CaseFollower.chat_id == chat_id,
                                                        CaseFollower.message_id == message_id)).first()
    if done is not None:
        return case
    again = reporter.id == case.reporter_tg_id or followers.is_follower(ctx, case, reporter.id)
    if again:
        ctx.log(case.id, None, "repeat", case.state, case.state, f"{reporter.name} asked again")
        answer = texts.fmt(texts.DUPLICATE_AGAIN, number=case.number)
        worker_text = texts.fmt(texts.DUPLICATE_AGAIN_WORKERS, number=case.number, worker=notify.worker_name(ctx, case))
    else:
        ctx.session.add(CaseFollower(case_id=case.id, tg_user_id=reporter.id, name=reporter.name, chat_id=chat_id,
                                     message_id=message_id, text=text[: cases.MAX_CASE_TEXT], joined_at=ctx.now))
        ctx.session.flush()
        n = followers.count(ctx, case)
        ctx.log(case.id, None, "follow", case.state, case.state, f"+{n} {mask_text(text)[:80]}")
        answer = texts.fmt(texts.DUPLICATE_JOINED, number=case.number)
        worker_text = texts.fmt(texts.DUPLICATE_WORKERS, number=case.number, n=n, text=mask_text(text)[:60])
    ctx.send(OutgoingMessage(chat_id=chat_id, text=answer, reply_to_message_id=message_id, thread_id=thread_id,
                             case_id=case.id, link_kind="report_ack"))
    worker = ctx.repo.person(case.assignee_id)
    notify.to_workers(ctx, case, worker_text[:1000], photo=photos[0] if photos else None,
                      mentions=notify.mention(worker_text, worker) if again else [])
    notify.refresh_card(ctx, case)
    log.info("report %s/%s joined case %s", chat_id, message_id, case.number)
    return case


def merge(ctx: Context, case: Case, actor: Actor, number: str) -> str:
    """/merge N on a card: this card's case is the same problem as #N; its people follow #N."""
    target = ctx.repo.case_by_number(number.strip()) if number.strip() else None
    if target is None:
        return texts.fmt(texts.MERGE_USAGE) if not number.strip() else texts.fmt(texts.CASE_NOT_FOUND, number=number)
    if target.id == case.id:
        return texts.fmt(texts.MERGE_SELF, number=case.number)
    if target.state not in [s.value for s in WORKING_STATES] + [CaseState.RESOLVED.value]:
        return texts.fmt(texts.MERGE_TARGET_CLOSED, number=target.number)
    if case.state not in [s.value for s in WORKING_STATES] + [CaseState.RESOLVED.value]:
        return texts.fmt(texts.ALREADY_DONE, number=case.number, state=case.state, action="合并")
    people = [(case.reporter_tg_id, case.reporter_name, case.source_chat_id, case.source_message_id, case.text)]
    people += [(f.tg_user_id, f.name, f.chat_id, f.message_id, f.text) for f in followers.of(ctx, case)]
    for tg_id, name, chat_id, message_id, text in people:
        if tg_id is None or tg_id == target.reporter_tg_id or followers.is_follower(ctx, target, tg_id):
            continue
        ctx.session.add(CaseFollower(case_id=target.id, tg_user_id=tg_id, name=name, chat_id=chat_id,
                                     message_id=message_id, text=text, joined_at=ctx.now))
    ctx.session.flush()
    cases.move(ctx, case, Action.MERGE, actor, f"→ #{target.number}")
    case.closed_at = ctx.now
    ctx.log(target.id, actor, "follow", target.state, target.state, f"merged #{case.number}")
    notify.to_residents(ctx, case, texts.fmt(texts.MERGED_RESIDENTS, number=case.number, target=target.number))
    notify.refresh_card(ctx, case)
    notify.refresh_card(ctx, target)
    return texts.fmt(texts.MERGED_WORKERS, number=case.number, target=target.number, n=followers.count(ctx, target))
