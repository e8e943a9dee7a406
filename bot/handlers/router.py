"""Platform-neutral handling of one event: decide what it means, call the use case, queue the answers."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from bot import texts
from bot.domain.roles import ChatKind
from bot.handlers.messages import Button, ButtonPress, ChatEvent, Event, IncomingMessage, OutgoingMessage
from bot.services import cases, casework, escalation, followup, org, patrol, queries
from bot.services import digest as digest_service
from bot.services.context import Actor, Context, Deferred
from bot.store.tables import ChatSeen, PendingReport

log = logging.getLogger(__name__)


def handle(ctx: Context, event: Event) -> None:
    if isinstance(event, IncomingMessage):
        on_message(ctx, event)
    elif isinstance(event, ButtonPress):
        on_button(ctx, event)
    elif isinstance(event, ChatEvent):
        on_chat_event(ctx, event)


# --- messages ---------------------------------------------------------------------------------------------
def reply(ctx: Context, msg: IncomingMessage, text: str, **kw) -> None:
    ctx.send(OutgoingMessage(chat_id=msg.chat_id, text=text, reply_to_message_id=msg.message_id,
                             thread_id=msg.thread_id, **kw))


def parse_command(text: str) -> tuple[str, str] | None:
    """'/status@gridbot 2026…' → ('status', '2026…')."""
    if not text.startswith("/"):
        return None
    head, _, rest = text[1:].partition(" ")
    head = head.split("@", 1)[0].lower()
    return (head, rest.strip()) if head else None


def on_message(ctx: Context, msg: IncomingMessage) -> None:
    if msg.sender.is_bot:
        return
    text = msg.text.strip()
    command = parse_command(text)
    if command is None and (period := digest_service.alias(ctx.settings, text)) is not None:
        command = ("digest", period)  # 今日汇总, 本周汇总, 3月汇总 …
    actor = ctx.actor(msg.sender)
    if command:
        on_command(ctx, msg, actor, *command)
        return
    if msg.is_private:
        if text:
            reply(ctx, msg, texts.HELP_PRIVATE)
        return
    binding = ctx.repo.binding(msg.chat_id)
    if binding is None:
        hint_unbound(ctx, msg)
        return
    if binding.kind == ChatKind.RESIDENT_GROUP:
        if msg.edited:
            update_reported_text(ctx, msg)
        else:
            intake(ctx, msg, actor, binding)
    elif binding.kind in (ChatKind.WORKER_GROUP, ChatKind.COMMAND_GROUP, ChatKind.DEPT_GROUP):
        if msg.reply_to_message_id and not msg.edited:
            worker_reply(ctx, msg, actor)


def hint_unbound(ctx: Context, msg: IncomingMessage) -> None:
    """An unbound group gets one short hint for admins, once; nothing is opened."""
    if ctx.repo.chat_seen(msg.chat_id) is not None:
        return
    ctx.session.add(ChatSeen(chat_id=msg.chat_id, title=msg.chat_title, hinted_at=ctx.now))
    ctx.send(OutgoingMessage(chat_id=msg.chat_id, text=texts.UNBOUND_HINT, thread_id=msg.thread_id))


def role_name(ctx: Context, actor: Actor, unit_id: int) -> str:
    roles = ctx.roles_over(actor, unit_id)
    return sorted(r.value for r in roles)[0] if roles else "resident"


def intake(ctx: Context, msg: IncomingMessage, actor: Actor, binding) -> None:
    text = msg.text.strip()
    if not text:
        # a photo without words, a sticker, a voice message: nothing to classify; a photo sent after
        # 我要投诉, before the words, joins the report the next message opens
        if msg.photos:
            awaiting = ctx.repo.awaiting_details(msg.chat_id, msg.sender.id, ctx.now)
            if awaiting is not None:
                awaiting.photos = json.dumps(json.loads(awaiting.photos) + list(msg.photos))
        return
    result = ctx.classifier.classify(text, role=role_name(ctx, actor, binding.unit_id))
    if result.reason == "intent":
        await_details(ctx, msg)
        return
    opens = result.is_report and result.confidence >= ctx.settings.open_threshold
    photos = msg.photos
    if opens or result.reason is None:
        # the writer said only 我要投诉 and was asked what and where: this message is the report
        awaiting = ctx.repo.awaiting_details(msg.chat_id, msg.sender.id, ctx.now)
        if awaiting is not None:
            awaiting.status = "reported"
            photos = tuple(json.loads(awaiting.photos)) + photos
            opens = True
    if opens:
        cases.open_case(ctx, binding=binding, chat_id=msg.chat_id, message_id=msg.message_id,
                        thread_id=msg.thread_id, reporter=msg.sender, text=text, photos=photos,
                        result=result, opened_by=actor)
    elif result.category is not None and result.confidence >= ctx.settings.ask_threshold:
        # below the classifier's own 0.5 cut, but a rule matched and no non-report filter fired
        # (a subject named alone, 楼下垃圾桶): the writer decides
        ask_to_report(ctx, msg)


def pending_for(ctx: Context, msg: IncomingMessage, status: str) -> PendingReport:
    pending = PendingReport(
        chat_id=msg.chat_id, message_id=msg.message_id, user_id=msg.sender.id, user_name=msg.sender.name,
        thread_id=msg.thread_id, text=msg.text.strip(), photos=json.dumps(list(msg.photos)), created_at=ctx.now,
        expires_at=ctx.now + timedelta(minutes=ctx.settings.ask_timeout_minutes), status=status,
    )
    ctx.session.add(pending)
    return pending


def await_details(ctx: Context, msg: IncomingMessage) -> None:
    """我要投诉 with nothing more: ask what and where; the writer's next message opens the case."""
    waiting = ctx.repo.awaiting_details(msg.chat_id, msg.sender.id, ctx.now)
    if waiting is None:
        pending_for(ctx, msg, "awaiting")
    else:  # said twice: one wait, from now
        waiting.expires_at = ctx.now + timedelta(minutes=ctx.settings.ask_timeout_minutes)
    reply(ctx, msg, texts.ASK_DETAILS)


def ask_to_report(ctx: Context, msg: IncomingMessage) -> None:
    pending = pending_for(ctx, msg, "open")
    ctx.session.flush()
    reply(ctx, msg, texts.ASK_CONFIRM, buttons=[[Button(texts.ASK_BUTTON_YES, f"ry:{pending.id}"),
                                                 Button(texts.ASK_BUTTON_NO, f"rn:{pending.id}")]])


def update_reported_text(ctx: Context, msg: IncomingMessage) -> None:
    """An edited report updates the case text while nobody has taken it on yet."""
    case = ctx.repo.case_by_source(msg.chat_id, msg.message_id)
    if case is None or case.state not in ("new", "assigned") or not msg.text.strip():
        return
    old = case.text
    case.text = msg.text.strip()[: cases.MAX_CASE_TEXT]
    ctx.log(case.id, ctx.actor(msg.sender), "edit", case.state, case.state, f"was: {old[:200]}")
    cases.notify.refresh_card(ctx, case)


def is_phrase(text: str, phrases: list[str], *, max_len: int | None = None) -> bool:
    """A reply that opens with one of the phrases ("收到，马上去"), or closes with one ("下水道疏通了，已处理")."""
    t = text.strip().strip("!！。.~～ ").lower()
    if max_len is not None and len(t) > max_len:
        return False
    return any(t.startswith(p.lower()) or t.endswith(p.lower()) for p in phrases if p)


def worker_reply(ctx: Context, msg: IncomingMessage, actor: Actor) -> None:
    link = ctx.repo.link(msg.chat_id, msg.reply_to_message_id)
    if link is None and ctx.may_defer and msg.reply_to_sender is not None and msg.reply_to_sender.is_bot:
        raise Deferred()  # a reply faster than the sender could record the card it replies to
    if link is None or not link.kind.startswith("task_card"):
        return  # a reply to something that is not a task card: ordinary conversation
    case = ctx.repo.case(link.case_id)
    if case is None:
        return
    if not cases.may_handle(ctx, case, actor):
        reply(ctx, msg, texts.NOT_ALLOWED_CASE)
        return
    text = msg.text.strip()
    if not text and not msg.photos:
        return
    if text and is_phrase(text, ctx.settings.done_phrases):
        answer = cases.resolve(ctx, case, actor, text, msg.photos)
    elif text and not msg.photos and is_phrase(text, ctx.settings.ack_phrases, max_len=30):
        answer = cases.acknowledge(ctx, case, actor)
    else:
        answer = cases.progress(ctx, case, actor, text, msg.photos)
    reply(ctx, msg, answer, case_id=case.id, link_kind="task_card")


# --- commands ---------------------------------------------------------------------------------------------
def on_command(ctx: Context, msg: IncomingMessage, actor: Actor, name: str, args: str) -> None:
    if name in ("start", "help"):
        reply(ctx, msg, help_text(ctx, msg))
    elif name == "whoami":
        reply(ctx, msg, f"您的 Telegram ID：{msg.sender.id}" + (f"（{actor.name}）" if actor.person else ""))
    elif name == "bind":
        if msg.is_private:
            reply(ctx, msg, texts.BIND_USAGE)
            return
        reply(ctx, msg, org.bind_command(ctx.session, msg.chat_id, msg.chat_title, actor.person_id,
                                         args.split(), msg.sender.id))
    elif name == "status":
        reply(ctx, msg, queries.status(ctx, args.split()[0]) if args else texts.STATUS_USAGE)
    elif name == "mycases":
        reply(ctx, msg, queries.my_cases(ctx, actor))
    elif name == "digest":
        digest(ctx, msg, actor, args)
    elif name == "report":
        explicit_report(ctx, msg, actor, args)
    elif name == "recat":
        case_command(ctx, msg, actor, lambda case: cases.recategorize(ctx, case, actor, args.strip().lower()))
    elif name in casework.CASE_COMMANDS:  # /up /transfer /return /merge /urgency, as replies to a card
        case_command(ctx, msg, actor, lambda case: casework.command(ctx, case, actor, name, args))
    elif name == "patrol":
        reply(ctx, msg, patrol.log_patrol(ctx, msg, actor, args))


def help_text(ctx: Context, msg: IncomingMessage) -> str:
    if msg.is_private:
        return texts.HELP_PRIVATE
    binding = ctx.repo.binding(msg.chat_id)
    if binding is not None and binding.kind != ChatKind.RESIDENT_GROUP:
        return texts.HELP_STAFF
    return texts.HELP_GROUP


def case_command(ctx: Context, msg: IncomingMessage, actor: Actor, act) -> None:
    """A command sent as a reply to a task card acts on that card's case."""
    link = ctx.repo.link(msg.chat_id, msg.reply_to_message_id) if msg.reply_to_message_id else None
    case = ctx.repo.case(link.case_id) if link and link.kind.startswith("task_card") else None
    if case is None:
        reply(ctx, msg, texts.NEEDS_CARD_REPLY)
    elif not cases.may_handle(ctx, case, actor):
        reply(ctx, msg, texts.NOT_ALLOWED_CASE)
    else:
        reply(ctx, msg, act(case), case_id=case.id, link_kind="task_card")


def digest(ctx: Context, msg: IncomingMessage, actor: Actor, args: str) -> None:
    digest_service.command(ctx, msg, actor, args)


def explicit_report(ctx: Context, msg: IncomingMessage, actor: Actor, args: str) -> None:
    """/report 文本, or /report as a reply to someone's message: open a case whatever the classifier says."""
    binding = ctx.repo.binding(msg.chat_id)
    if binding is None or binding.kind != ChatKind.RESIDENT_GROUP:
        if binding is None and not msg.is_private:
            hint_unbound(ctx, msg)
        else:
            reply(ctx, msg, texts.REPORT_USAGE)
        return
    if msg.reply_to_message_id and not args:
        text, message_id, reporter = msg.reply_to_text.strip(), msg.reply_to_message_id, msg.reply_to_sender
        photos = msg.reply_to_photos
    else:
        text, message_id, reporter, photos = args, msg.message_id, msg.sender, msg.photos
    if not text or reporter is None:
        reply(ctx, msg, texts.REPORT_EMPTY)
        return
    existing = ctx.repo.case_by_source(msg.chat_id, message_id)
    if existing:
        reply(ctx, msg, texts.fmt(texts.DUPLICATE_REPORT, number=existing.number))
        return
    result = ctx.classifier.classify(text, role="resident")
    cases.open_case(ctx, binding=binding, chat_id=msg.chat_id, message_id=message_id, thread_id=msg.thread_id,
                    reporter=reporter, text=text, photos=photos, result=result, opened_by=actor)


# --- buttons ----------------------------------------------------------------------------------------------
def answer(ctx: Context, press: ButtonPress, text: str = "", alert: bool = False) -> None:
    ctx.send(OutgoingMessage(chat_id=press.chat_id, kind="answer_callback", callback_id=press.callback_id,
                             text=text, alert=alert))


def on_button(ctx: Context, press: ButtonPress) -> None:
    kind, _, rest = press.data.partition(":")
    actor = ctx.actor(press.sender)
    parts = rest.split(":")
    try:
        ids = [int(p) for p in parts if p]
    except ValueError:
        ids = []
    if not ids:
        answer(ctx, press, texts.UNKNOWN_BUTTON)
        return
    if kind in ("ry", "rn"):
        pending_choice(ctx, press, ids[0], kind == "ry")
        return
    case = ctx.repo.case(ids[0])
    if case is None:
        answer(ctx, press, texts.UNKNOWN_BUTTON)
        return
    if kind in followup.BUTTON_DATA:  # 回访 满意 / 基本满意 / 不满意 (and the older 已解决 / 未解决)
        refusal = followup.rate(ctx, case, actor, followup.BUTTON_DATA[kind])
        answer(ctx, press, refusal or texts.RATE_ANSWER, alert=bool(refusal))
        return
    if kind not in ("a", "d", "t", "tt", *casework.CASE_BUTTONS):
        answer(ctx, press, texts.UNKNOWN_BUTTON)
        return
    if not cases.may_handle(ctx, case, actor):
        answer(ctx, press, texts.NOT_ALLOWED_CASE, alert=True)
        return
    if kind == "a":
        result = cases.acknowledge(ctx, case, actor)
    elif kind == "d":
        result = cases.resolve(ctx, case, actor)
    elif kind in casework.CASE_BUTTONS:
        result, alert, post = casework.button(ctx, case, actor, kind, ids)
        if post:
            ctx.send(OutgoingMessage(chat_id=press.chat_id, text=result, reply_to_message_id=press.message_id,
                                     thread_id=press.thread_id))
        answer(ctx, press, result[:190], alert=alert)
        return
    elif kind == "t":
        choices = cases.transfer_choices(ctx, case)
        buttons = [[Button(p.name, f"tt:{case.id}:{p.id}")] for p in choices[:10]]
        buttons += escalation.menu_buttons(ctx, case)  # 上报 (next tier) and 退单
        if not buttons:
            answer(ctx, press, texts.TRANSFER_NOBODY, alert=True)
            return
        ctx.send(OutgoingMessage(chat_id=press.chat_id, text=texts.fmt(texts.TRANSFER_PICK, number=case.number),
                                 reply_to_message_id=press.message_id, buttons=buttons, case_id=case.id,
                                 link_kind="task_card"))
        answer(ctx, press)
        return
    else:
        to = ctx.repo.person(ids[1]) if len(ids) > 1 else None
        if to is None:
            answer(ctx, press, texts.UNKNOWN_BUTTON)
            return
        result = cases.transfer(ctx, case, actor, to)
    answer(ctx, press, result[:190])


def pending_choice(ctx: Context, press: ButtonPress, pending_id: int, report: bool) -> None:
    pending = ctx.repo.pending_report(pending_id)
    if pending is None:
        answer(ctx, press, texts.UNKNOWN_BUTTON)
        return
    if press.sender.id != pending.user_id:
        answer(ctx, press, texts.ONLY_WRITER, alert=True)
        return
    if pending.status != "open" or pending.expires_at < ctx.now:
        pending.status = "expired" if pending.status == "open" else pending.status
        answer(ctx, press, texts.ASK_EXPIRED, alert=True)
        return
    binding = ctx.repo.binding(pending.chat_id)
    if not report or binding is None:
        pending.status = "dismissed"
        answer(ctx, press, texts.ASK_DISMISSED)
        ctx.send(OutgoingMessage(chat_id=press.chat_id, kind="edit", edit_message_id=press.message_id,
                                 text=texts.ASK_DISMISSED))
        return
    pending.status = "reported"
    result = ctx.classifier.classify(pending.text, role="resident")
    from bot.handlers.messages import Sender

    case = cases.open_case(
        ctx, binding=binding, chat_id=pending.chat_id, message_id=pending.message_id, thread_id=pending.thread_id,
        reporter=Sender(pending.user_id, pending.user_name), text=pending.text,
        photos=tuple(json.loads(pending.photos)), result=result, opened_by=ctx.actor(press.sender),
    )
    answer(ctx, press, f"已上报 #{case.number}")
    ctx.send(OutgoingMessage(chat_id=press.chat_id, kind="edit", edit_message_id=press.message_id,
                             text=f"已上报，工单号 #{case.number}"))


# --- chats ------------------------------------------------------------------------------------------------
def on_chat_event(ctx: Context, event: ChatEvent) -> None:
    binding = ctx.repo.binding(event.chat_id, active_only=False)
    if binding is None:
        return
    if event.kind == "migrated" and event.new_chat_id:
        log.info("chat %s migrated to %s; binding follows", event.chat_id, event.new_chat_id)
        ctx.repo.move_chat(event.chat_id, event.new_chat_id)
    elif event.kind == "bot_removed":
        log.warning("bot removed from chat %s (%s); binding marked inactive", event.chat_id, binding.title)
        binding.active = False
    elif event.kind == "bot_added":
        binding.active = True
