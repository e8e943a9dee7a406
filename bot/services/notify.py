"""Where each notice about a case goes, and what the task card says."""

from __future__ import annotations

from bot import texts
from bot.domain.case import STATE_LABELS, CaseState
from bot.domain.privacy import mask_name, mask_text
from bot.domain.roles import Role
from bot.handlers.messages import Button, Mention, OutgoingMessage
from bot.services import badges, chats, followers
from bot.services.context import Context
from bot.store.tables import Case, Person

CARD_TEXT_LIMIT = 1500


def mention(text: str, person: Person | None) -> list[Mention]:
    """Mention a person wherever their name first appears in text (a text_mention needs no username)."""
    if person is None or not person.tg_user_id or not person.name:
        return []
    at = text.find(person.name)
    return [Mention(at, len(person.name), person.tg_user_id)] if at >= 0 else []


def worker_name(ctx: Context, case: Case) -> str:
    person = ctx.repo.person(case.assignee_id)
    return person.name if person else texts.NO_WORKER


def handler(case: Case, name: str) -> str:
    """The name residents are told, with the title of the case's tier: 网格员李明, 社区工作人员陈丽华."""
    return f"{texts.HANDLER_TITLES.get(case.tier or 'grid', '')}{name}"


def category_label(ctx: Context, case: Case) -> str:
    tax = ctx.classifier.taxonomy
    name = tax.category_name(case.category)
    sub = tax.subcategory_name(case.category, case.subcategory) if case.subcategory else None
    return f"{name}·{sub}" if sub and sub != name else name


def to_residents(ctx: Context, case: Case, text: str, *, photo: str | None = None,
                 buttons: list[list[Button]] | None = None, link_kind: str = "notice",
                 mentions: list[Mention] | None = None) -> None:
    """A notice in the residents' group, as a reply to the original report (followers mentioned too)."""
    text, told = followers.tail(ctx, case, text, limit=1024 if photo else None) if text else (text, [])
    mentions = [*(mentions or []), *told]
    ctx.send(OutgoingMessage(
        chat_id=case.source_chat_id, text=text, photo=photo, reply_to_message_id=case.source_message_id,
        thread_id=case.source_thread_id, buttons=buttons or [], case_id=case.id, link_kind=link_kind,
        mentions=mentions or [],
    ))


def to_workers(ctx: Context, case: Case, text: str, *, reply_to_card: bool = True, photo: str | None = None,
               buttons: list[list[Button]] | None = None, link_kind: str = "task_card",
               mentions: list[Mention] | None = None) -> None:
    """A notice in the workers' group of the case's unit; replies to it also reach the case."""
    chat = chats.staff_chat(ctx, case)  # the grid's workers' group; above the grid, the owner's chat
    if chat is None:
        return
    reply_to = None
    if reply_to_card:
        link = ctx.repo.latest_link(case.id, "task_card_main")
        reply_to = link.message_id if link and link.chat_id == chat.chat_id else None
    ctx.send(OutgoingMessage(
        chat_id=chat.chat_id, text=text, photo=photo, reply_to_message_id=reply_to, buttons=buttons or [],
        case_id=case.id, link_kind=link_kind, mentions=mentions or [],
    ))


def card_text(ctx: Context, case: Case) -> str:
    reporter_chat = ctx.repo.binding(case.source_chat_id)
    body = mask_text(case.text)
    if len(body) > CARD_TEXT_LIMIT:
        body = body[:CARD_TEXT_LIMIT] + "…"
    text = texts.fmt(
        texts.CARD,
        icon=texts.URGENCY_ICON[case.urgency],
        number=case.number,
        category=category_label(ctx, case),
        urgency=texts.URGENCY_LABEL[case.urgency],
        card_extra=badges.card_extra(ctx, case),  # 督办 card, followers, tier
        text=body,
        reporter=mask_name(case.reporter_name),
        chat=(reporter_chat.title if reporter_chat and reporter_chat.title else "居民群"),
        worker=worker_name(ctx, case),
        accept_by=ctx.local(case.accept_by),
        resolve_by=ctx.local(case.resolve_by),
        state=STATE_LABELS[CaseState(case.state)],
    )
    if case.location:
        text += texts.fmt(texts.CARD_LOCATION, location=case.location)
    if case.state in (CaseState.ASSIGNED, CaseState.ACCEPTED, CaseState.REOPENED):
        text += texts.CARD_HINT
    return text


def card_buttons(case: Case) -> list[list[Button]]:
    if case.state in (CaseState.NEW, CaseState.ASSIGNED, CaseState.REOPENED):
        return [[Button(texts.BUTTON_ACCEPT, f"a:{case.id}"), Button(texts.BUTTON_DONE, f"d:{case.id}"),
                 Button(texts.BUTTON_TRANSFER, f"t:{case.id}")]]
    if case.state == CaseState.ACCEPTED:
        return [[Button(texts.BUTTON_DONE, f"d:{case.id}"), Button(texts.BUTTON_TRANSFER, f"t:{case.id}")]]
    return []


def post_card(ctx: Context, case: Case) -> None:
    """The task card in the workers' group; red cases mention the grid leader at once."""
    text = card_text(ctx, case)
    assignee = ctx.repo.person(case.assignee_id)
    mentions = mention(text, assignee)
    if case.urgency == "red" and (alert := red_alert(ctx, case)):
        head, head_mentions = alert
        mentions = [*head_mentions, *[type(m)(m.offset + len(head) + 1, m.length, m.user_id) for m in mentions]]
        text = head + "\n" + text
    to_workers(ctx, case, text, reply_to_card=False, buttons=card_buttons(case), link_kind="task_card_main",
               mentions=mentions)
    photos = case_photos(case)
    for photo in photos[:3]:
        to_workers(ctx, case, f"#{case.number} 现场照片", photo=photo, reply_to_card=True)


def red_alert(ctx: Context, case: Case) -> tuple[str, list[Mention]] | None:
    """"🚨 紧急工单，请 <grid leader> 关注！" with the leader mentioned; None when the grid has no leader."""
    leaders = ctx.repo.people_with_role(case.grid_id, Role.GRID_LEADER)
    if not leaders:
        return None
    alert = texts.fmt(texts.CARD_RED_ALERT, leader=leaders[0].name)
    return alert, mention(alert, leaders[0])


def raised_to_red(ctx: Context, case: Case, actor_name: str) -> None:
    """A case a worker has just made red: the grid leader is told at once, as a reply to the card (an
    edited card mentions nobody)."""
    alert = red_alert(ctx, case)
    head, mentions = alert if alert else ("", [])  # the alert opens the text: its mention offsets hold
    text = texts.fmt(texts.RAISED_TO_RED, alert=head, number=case.number, actor=actor_name).strip()
    to_workers(ctx, case, text, link_kind="task_card", mentions=mentions)


def refresh_card(ctx: Context, case: Case) -> None:
    """Edit the task card so it always shows the case as it is now."""
    chat = chats.staff_chat(ctx, case)
    if chat is None:
        return
    ctx.send(OutgoingMessage(
        chat_id=chat.chat_id, kind="edit", text=card_text(ctx, case), buttons=card_buttons(case),
        case_id=case.id, edit_link_kind="task_card_main",
    ))


def case_photos(case: Case) -> list[str]:
    import json

    return list(json.loads(case.photos or "[]"))
