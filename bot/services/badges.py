"""What the task card and /status add for issue 5: the 督办 card colour, followers (+N), the 回访 rating."""

from __future__ import annotations

from bot import texts
from bot.services import followers
from bot.services.context import Context
from bot.store.tables import Case


def card_extra(ctx: Context, case: Case) -> str:
    """Appended to the urgency line of the task card, e.g. "｜🟨黄牌督办｜👥 +2 人关注"."""
    parts = []
    if case.card in texts.CARD_BADGE:
        parts.append(texts.CARD_BADGE[case.card])
    n = followers.count(ctx, case)
    if n:
        parts.append(texts.fmt(texts.FOLLOWERS_BADGE, n=n))
    if case.tier and case.tier != "grid":
        parts.append(texts.fmt(texts.TIER_BADGE, tier=texts.TIER_LABELS.get(case.tier, case.tier)))
    return "".join("｜" + p for p in parts)


def status_extra(ctx: Context, case: Case) -> str:
    """Extra lines for /status."""
    lines = []
    if case.card in texts.CARD_BADGE:
        lines.append(texts.fmt(texts.STATUS_CARD, card=texts.CARD_BADGE[case.card], at=ctx.local(case.card_at)))
    n = followers.count(ctx, case)
    if n:
        lines.append(texts.fmt(texts.STATUS_FOLLOWERS, n=n))
    if case.tier and case.tier != "grid":
        lines.append(texts.fmt(texts.STATUS_TIER, tier=texts.TIER_LABELS.get(case.tier, case.tier)))
    if case.satisfaction in texts.RATING_LABELS:
        lines.append(texts.fmt(texts.STATUS_RATING, rating=texts.RATING_LABELS[case.satisfaction]))
    return "".join("\n" + line for line in lines)
