"""Residents who follow a case (their report joined it): who they are, and how notices reach them."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot import texts
from bot.domain.privacy import mask_name
from bot.handlers.messages import Mention
from bot.services.context import Context
from bot.store.tables import Case, CaseFollower

MAX_MENTIONED = 10


def of(ctx: Context, case: Case) -> list[CaseFollower]:
    q = select(CaseFollower).where(CaseFollower.case_id == case.id).order_by(col(CaseFollower.id))
    return list(ctx.session.exec(q))


def count(ctx: Context, case: Case) -> int:
    if case.id is None:
        return 0
    q = select(func.count()).select_from(CaseFollower).where(CaseFollower.case_id == case.id)
    return int(ctx.session.exec(q).one())


def is_follower(ctx: Context, case: Case, tg_user_id: int) -> bool:
    q = select(CaseFollower.id).where(CaseFollower.case_id == case.id, CaseFollower.tg_user_id == tg_user_id)
    return ctx.session.exec(q).first() is not None


def tail(ctx: Context, case: Case, text: str, limit: int | None = None) -> tuple[str, list[Mention]]:
    """A line that mentions the followers (masked names), appended to a notice in the residents' group;
    with `limit` (a photo caption) the notice is shortened so that the line still fits."""
    people = [f for f in of(ctx, case) if f.tg_user_id != case.reporter_tg_id][:MAX_MENTIONED]
    if not people:
        return text, []
    if limit is not None:
        room = limit - len(texts.FOLLOWERS_TOLD) - 1 - 5 * len(people)
        text = text if len(text) <= room else text[:max(0, room - 1)] + "…"
    out = text + "\n" + texts.FOLLOWERS_TOLD
    mentions = []
    for i, f in enumerate(people):
        if i:
            out += "、"
        name = mask_name(f.name)
        mentions.append(Mention(len(out), len(name), f.tg_user_id))
        out += name
    return out, mentions
