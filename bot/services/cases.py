"""Use cases over one case: open, acknowledge, progress, resolve, feedback, transfer."""

from __future__ import annotations

import json
import logging

from bot import texts
from bot.classifier import Classification
from bot.domain.case import STATE_LABELS, Action, CaseState, case_number, next_state
from bot.domain.privacy import mask_text
from bot.domain.roles import Role, may_handle_case
from bot.handlers.messages import Sender
from bot.services import clocks, notify
from bot.services.context import Actor, Context
from bot.store.tables import Case, ChatBinding, Correction, Person

log = logging.getLogger(__name__)
CATEGORY_CODES = ("environment", "facilities", "utilities", "safety", "security", "dispute", "property",
                  "order", "traffic", "welfare", "health", "market", "ecology", "other")
MAX_CASE_TEXT = 4000


def route(ctx: Context, grid_id: int, category: str) -> Person | None:
    """The grid worker who takes this category in this grid; else the general worker; else the leader."""
    general = None
    for membership, person in ctx.repo.workers_of(grid_id):
        cats = [c.strip() for c in membership.categories.split(",") if c.strip()]
        if category in cats:
            return person
        if not cats and general is None:
            general = person
    if general:
        return general
    leaders = ctx.repo.people_with_role(grid_id, Role.GRID_LEADER)
    return leaders[0] if leaders else None


def set_deadlines(ctx: Context, case: Case, start=None) -> None:
    clocks.set_deadlines(ctx, case, start)  # working days and hours; the rows come with the first transition


def open_case(
    ctx: Context,
    *,
    binding: ChatBinding,
    chat_id: int,
    message_id: int,
    thread_id: int | None,
    reporter: Sender,
    text: str,
    photos: tuple[str, ...],
    result: Classification,
    opened_by: Actor,
) -> Case:
    """A report in a residents' group becomes a case, is routed, and everybody concerned is told."""
    existing = ctx.repo.case_by_source(chat_id, message_id)
    if existing:
        return existing
    from bot.services import duplicates  # 并单: a repeat of an open case joins it

    repeated = duplicates.find(ctx, binding.unit_id, result.category or "other", text, result.location)
    if repeated is not None:
        return duplicates.join(ctx, repeated, chat_id=chat_id, message_id=message_id, thread_id=thread_id,
                               reporter=reporter, text=text, photos=photos)
    local_day = ctx.now.astimezone(ctx.tz).date()
    seq = ctx.repo.next_case_number(f"{local_day:%Y%m%d}")
    category = result.category or "other"
    case = Case(
        number=case_number(local_day, seq),
        state=CaseState.NEW.value,
        category=category,
        subcategory=result.subcategory,
        urgency=result.urgency or "green",
        confidence=result.confidence,
        keywords=",".join(result.keywords),
        location=result.location,
        text=text[:MAX_CASE_TEXT],
        photos=json.dumps(list(photos)),
        grid_id=binding.unit_id,
        unit_id=binding.unit_id,
        tier="grid",
        reporter_tg_id=reporter.id,
        reporter_name=reporter.name,
        source_chat_id=chat_id,
        source_message_id=message_id,
        source_thread_id=thread_id,
        created_at=ctx.now,
    )
    set_deadlines(ctx, case)
    ctx.session.add(case)
    ctx.session.flush()
    note = f"{category}/{case.urgency} conf={result.confidence:.2f} kw={','.join(result.keywords)}"
    ctx.log(case.id, opened_by, "open", None, CaseState.NEW.value, note)
    worker = route(ctx, case.grid_id, category)
    if worker is not None:
        case.assignee_id = worker.id
        _move(ctx, case, Action.ASSIGN, None, worker.name)  # plans the deadline rows (after_move)
    else:
        clocks.replan(ctx, case)
    log.info("case %s opened in grid %s (%s/%s)", case.number, case.grid_id, category, case.urgency)

    reply = ""
    if case.urgency == "red" and result.emergency:
        tax = ctx.classifier.taxonomy
        numbers = "、".join(
            f"{n}（{tax.emergency_label(n)}）" if hasattr(tax, "emergency_label") and tax.emergency_label(n) else n
            for n in result.emergency
        )
        reply = texts.fmt(texts.RED_FIRST, numbers=numbers) + "\n"
    reply += texts.fmt(
        texts.CASE_OPENED,
        number=case.number,
        category=notify.category_label(ctx, case),
        icon=texts.URGENCY_ICON[case.urgency],
        urgency=texts.URGENCY_LABEL[case.urgency],
        worker=worker.name if worker else texts.NO_WORKER,
        accept_by=ctx.local(case.accept_by),
        resolve_by=ctx.local(case.resolve_by),
    )
    if case.location:
        reply += texts.fmt(texts.CASE_OPENED_LOCATION, location=case.location)
    notify.to_residents(ctx, case, reply, link_kind="report_ack")
    notify.post_card(ctx, case)
    return case


def _move(ctx: Context, case: Case, action: Action, actor: Actor | None, note: str = "") -> None:
    before = case.state
    case.state = next_state(case.state, action).value
    ctx.log(case.id, actor, action.value, before, case.state, note)
    clocks.after_move(ctx, case, action)  # restart clocks (transfer, reopen), plan the deadline rows again


move = _move  # for the other case services (escalation, duplicates, follow-up)


def may_handle(ctx: Context, case: Case, actor: Actor) -> bool:
    is_assignee = actor.person_id is not None and actor.person_id == case.assignee_id
    return may_handle_case(is_assignee, ctx.roles_over(actor, case.unit_id))


def acknowledge(ctx: Context, case: Case, actor: Actor) -> str:
    """The worker takes the case on. Returns a short answer for the worker."""
    if case.state == CaseState.ACCEPTED:
        return texts.fmt(texts.ALREADY_ACCEPTED, number=case.number, worker=notify.worker_name(ctx, case))
    if case.state not in (CaseState.ASSIGNED, CaseState.REOPENED, CaseState.NEW):
        return texts.fmt(texts.ALREADY_DONE, number=case.number, state=STATE_LABELS[CaseState(case.state)],
                         action="接单")
    if case.state == CaseState.NEW or case.assignee_id is None:
        case.assignee_id = actor.person_id
        if case.state == CaseState.NEW:
            _move(ctx, case, Action.ASSIGN, actor, actor.name)
    _move(ctx, case, Action.ACCEPT, actor)
    case.accepted_at = case.accepted_at or ctx.now
    worker = notify.worker_name(ctx, case)
    notify.to_residents(ctx, case, texts.fmt(texts.ACCEPTED_RESIDENTS, worker=notify.handler(case, worker),
                                             number=case.number))
    notify.refresh_card(ctx, case)
    return texts.fmt(texts.ACCEPTED_WORKERS, number=case.number, worker=actor.name)


def progress(ctx: Context, case: Case, actor: Actor, text: str, photos: tuple[str, ...]) -> str:
    """A progress note (text and/or photos) is logged and relayed to the residents' group."""
    if case.state not in (CaseState.ASSIGNED, CaseState.ACCEPTED, CaseState.REOPENED):
        return texts.fmt(texts.ALREADY_DONE, number=case.number, state=STATE_LABELS[CaseState(case.state)],
                         action="反馈进展")
    text = mask_text(text.strip())[:MAX_CASE_TEXT]
    ctx.log(case.id, actor, "progress", case.state, case.state, text + (f" [photos:{len(photos)}]" if photos else ""))
    body = texts.fmt(texts.PROGRESS_RESIDENTS, number=case.number, worker=notify.handler(case, actor.name),
                     text=text or texts.PROGRESS_PHOTO)
    if photos:
        notify.to_residents(ctx, case, body[:1000], photo=photos[0])
        for extra in photos[1:3]:
            notify.to_residents(ctx, case, "", photo=extra)
    else:
        notify.to_residents(ctx, case, body)
    return texts.fmt(texts.PROGRESS_NOTED, number=case.number)


def resolve(ctx: Context, case: Case, actor: Actor, text: str = "", photos: tuple[str, ...] = ()) -> str:
    """The worker reports the result; the reporter is asked whether it is fixed."""
    if case.state in (CaseState.ASSIGNED, CaseState.REOPENED):
        _move(ctx, case, Action.ACCEPT, actor, "auto: resolved without acknowledgement")
        case.accepted_at = case.accepted_at or ctx.now
    if case.state != CaseState.ACCEPTED:
        return texts.fmt(texts.ALREADY_DONE, number=case.number, state=STATE_LABELS[CaseState(case.state)],
                         action="办结")
    result = mask_text(text.strip())[:MAX_CASE_TEXT] or texts.RESOLVED_DEFAULT_TEXT
    _move(ctx, case, Action.RESOLVE, actor, result)
    case.resolved_at = ctx.now
    reporter_label = case.reporter_name or "反映人"
    from bot.services import followup  # 回访: 满意 / 基本满意 / 不满意, 默认满意 after followup_hours

    body = texts.fmt(texts.RESOLVED_RATE, number=case.number, worker=notify.handler(case, actor.name),
                     text=result, reporter=reporter_label, hours=f"{ctx.settings.followup_hours:g}")
    buttons = followup.rating_buttons(case)
    mentions = []
    if case.reporter_tg_id:
        at = body.rfind(reporter_label)
        from bot.handlers.messages import Mention

        mentions = [Mention(at, len(reporter_label), case.reporter_tg_id)]
    notify.to_residents(ctx, case, body[:1000] if photos else body, photo=photos[0] if photos else None,
                        buttons=buttons, link_kind="result", mentions=mentions)
    notify.refresh_card(ctx, case)
    return texts.fmt(texts.RESOLVED_WORKERS, number=case.number)


def feedback(ctx: Context, case: Case, actor: Actor, fixed: bool) -> str | None:
    """The reporter answers 已解决 / 未解决. Returns a refusal for anyone else, else None."""
    if actor.sender.id != case.reporter_tg_id:
        return texts.ONLY_REPORTER
    if case.state != CaseState.RESOLVED:
        return texts.fmt(texts.ALREADY_DONE, number=case.number, state=STATE_LABELS[CaseState(case.state)],
                         action="确认")
    if fixed:
        _move(ctx, case, Action.CLOSE, actor, "reporter: fixed")
        case.closed_at = ctx.now
        notify.to_residents(ctx, case, texts.fmt(texts.CLOSED_RESIDENTS, number=case.number))
        notify.to_workers(ctx, case, texts.fmt(texts.CLOSED_WORKERS, number=case.number), link_kind="task_card")
    else:
        _move(ctx, case, Action.REOPEN, actor, "reporter: not fixed")
        case.reopen_count += 1
        case.resolved_at = None
        notify.to_residents(ctx, case, texts.fmt(texts.REOPENED_RESIDENTS, number=case.number))
        worker = ctx.repo.person(case.assignee_id)
        text = texts.fmt(texts.REOPENED_WORKERS, number=case.number, worker=notify.worker_name(ctx, case))
        notify.to_workers(ctx, case, text, link_kind="task_card", mentions=notify.mention(text, worker))
    notify.refresh_card(ctx, case)
    return None


def transfer_choices(ctx: Context, case: Case) -> list[Person]:
    return [p for _, p in ctx.repo.workers_of(case.unit_id) if p.id != case.assignee_id]


def transfer(ctx: Context, case: Case, actor: Actor, to: Person, reason: str = "") -> str:
    """Hand the case sideways to another worker of the same unit."""
    if case.state not in (CaseState.ASSIGNED, CaseState.ACCEPTED, CaseState.REOPENED):
        return texts.fmt(texts.ALREADY_DONE, number=case.number, state=STATE_LABELS[CaseState(case.state)],
                         action="转派")
    before = notify.worker_name(ctx, case)
    _move(ctx, case, Action.TRANSFER, actor, f"{before} → {to.name} {reason}".strip())
    case.assignee_id = to.id
    _move(ctx, case, Action.ASSIGN, actor, to.name)
    text = texts.fmt(texts.TRANSFERRED_WORKERS, number=case.number, actor=actor.name, worker=to.name)
    notify.to_workers(ctx, case, text, link_kind="task_card", mentions=notify.mention(text, to))
    notify.to_residents(ctx, case, texts.fmt(texts.TRANSFERRED_RESIDENTS, number=case.number, worker=to.name))
    notify.refresh_card(ctx, case)
    return text


def recategorize(ctx: Context, case: Case, actor: Actor, code: str) -> str:
    """A worker corrects the category (/recat): audit-logged, remembered for `gridbot rules suggest`."""
    names = ctx.classifier.taxonomy
    if code not in CATEGORY_CODES:
        return texts.fmt(texts.RECAT_USAGE, codes=" ".join(CATEGORY_CODES))
    if code == case.category:
        return texts.fmt(texts.RECAT_SAME, number=case.number, category=names.category_name(code))
    before = case.category
    ctx.session.add(Correction(case_id=case.id, text=case.text, old_category=before, new_category=code,
                               actor_tg_id=actor.sender.id, at=ctx.now))
    case.category, case.subcategory = code, None
    ctx.log(case.id, actor, "recategorize", case.state, case.state, f"{before} → {code}")
    clocks.recompute(ctx, case, actor, "recategorize")
    notify.refresh_card(ctx, case)
    return texts.fmt(texts.RECAT_DONE, number=case.number, old=names.category_name(before),
                     new=names.category_name(code))
