"""Moving a case between owners: up a tier (/up, 上报), sideways (/transfer), back to the dispatcher (/return,
退单) and the leader's decision on a return. Every step is a transition with its reason in the audit log.

微事不出格、小事不出村、大事不出镇: grid → community → street → department (the category's department).
The resolve clock keeps running for the resident; the new owner signs within the accept time.
"""

from __future__ import annotations

from bot import texts
from bot.domain.case import STATE_LABELS, Action, CaseState
from bot.domain.roles import SUPERVISORS, UnitKind
from bot.domain.supervision import next_tier
from bot.handlers.messages import Button
from bot.services import cases, chats, notify, supervision
from bot.services.context import Actor, Context
from bot.store.tables import Case, Person, Unit

MOVABLE = (CaseState.ASSIGNED, CaseState.ACCEPTED, CaseState.REOPENED)
TIER_UNIT_KIND = {"community": UnitKind.COMMUNITY, "street": UnitKind.STREET, "department": UnitKind.STREET}


def _refuse(case: Case, action: str) -> str:
    return texts.fmt(texts.ALREADY_DONE, number=case.number, state=STATE_LABELS[CaseState(case.state)],
                     action=action)


def _leave_current_owner(ctx: Context, case: Case, actor: Actor | None, note: str) -> None:
    """TRANSFER out of the present owner (a case already 流转中 after a return stays so), card edited."""
    if case.state != CaseState.TRANSFERRED:
        cases.move(ctx, case, Action.TRANSFER, actor, note)
    else:
        ctx.log(case.id, actor, "transfer", case.state, case.state, note)
    notify.refresh_card(ctx, case)  # the old card, in the old owner's chat, now says 流转中


def _take_over(ctx: Context, case: Case, actor: Actor | None, unit: Unit, tier: str, owner: Person | None,
               note: str) -> None:
    case.unit_id, case.tier, case.assignee_id = unit.id, tier, owner.id if owner else None
    if unit.kind == UnitKind.GRID:
        case.grid_id = unit.id
    if owner is not None:
        cases.move(ctx, case, Action.ASSIGN, actor, note)
    else:
        ctx.log(case.id, actor, "assign", case.state, case.state, note + " (no owner found)")
    notify.post_card(ctx, case)


# --- up a tier -------------------------------------------------------------------------------------------------
def tier_target(ctx: Context, case: Case) -> tuple[str, Unit] | None:
    """The next tier that has a unit above the case (a grid right under a street skips the community)."""
    tier = case.tier or "grid"
    while (tier := next_tier(tier)) is not None:
        unit = chats.ancestor_of_kind(ctx, case.unit_id, TIER_UNIT_KIND[tier])
        if unit is not None:
            return tier, unit
    return None


def raise_label(ctx: Context, case: Case) -> str | None:
    target = tier_target(ctx, case)
    if target is None:
        return None
    tier, _ = target
    return texts.fmt(texts.BUTTON_RAISE, tier=texts.TIER_LABELS[tier])


def raise_tier(ctx: Context, case: Case, actor: Actor, reason: str) -> str:
    """/up 原因: the owner of the next tier takes the case; the resident is told who handles it now."""
    if case.state not in (*MOVABLE, CaseState.TRANSFERRED):
        return _refuse(case, "上报")
    target = tier_target(ctx, case)
    if target is None:
        return texts.fmt(texts.RAISE_TOP, number=case.number)
    tier, unit = target
    reason = reason.strip() or texts.NO_REASON
    old_tier, old_unit = case.tier, ctx.repo.unit(case.unit_id)
    department = ctx.classifier.taxonomy.department(case.category, case.subcategory) if tier == "department" else None
    where = department or unit.name
    _leave_current_owner(ctx, case, actor, f"up {old_tier} → {tier} ({where}): {reason}")
    owner = chats.owner_of(ctx, unit.id, tier)
    _take_over(ctx, case, actor, unit, tier, owner, f"{tier} {where}: {owner.name if owner else '-'}")
    handler = owner.name if owner else texts.NO_WORKER
    told = texts.fmt(texts.RAISED_WORKERS, number=case.number, actor=actor.name,
                     tier=texts.TIER_LABELS[tier], unit=where, owner=handler, reason=reason)
    text = texts.fmt(texts.RAISED_OWNER, number=case.number, actor=actor.name, unit=old_unit.name if old_unit else "",
                     reason=reason, owner=handler)
    notify.to_workers(ctx, case, text, mentions=notify.mention(text, owner))
    notify.to_residents(ctx, case, texts.fmt(texts.RAISED_RESIDENTS, number=case.number, unit=where,
                                             tier=texts.TIER_LABELS[tier], owner=handler))
    return told


# --- sideways ---------------------------------------------------------------------------------------------------
def find_target(ctx: Context, case: Case, name: str) -> Person | Unit | None:
    """A person of the case's unit by name, or a unit by code or name."""
    name = name.strip().lstrip("@")
    if not name:
        return None
    people = [p for _, p in ctx.repo.workers_of(case.unit_id)] + chats.supervisors(ctx, case.unit_id)
    for p in people:
        if p.name == name:
            return p
    unit = ctx.repo.unit_by_code(name)
    if unit is not None:
        return unit
    return next((u for u in ctx.repo.units() if u.name == name), None)


def transfer_to(ctx: Context, case: Case, actor: Actor, args: str) -> str:
    """/transfer <姓名|单位编码> 原因: another worker of the unit, or another unit (another grid: its worker)."""
    target_name, _, reason = args.strip().partition(" ")
    target = find_target(ctx, case, target_name)
    if target is None:
        return texts.fmt(texts.TRANSFER_UNKNOWN, name=target_name or "?")
    reason = reason.strip() or texts.NO_REASON
    if isinstance(target, Person):
        if target.id == case.assignee_id:
            return texts.fmt(texts.TRANSFER_SAME, number=case.number, name=target.name)
        return cases.transfer(ctx, case, actor, target, reason)
    if case.state not in MOVABLE:
        return _refuse(case, "转派")
    if target.id == case.unit_id:
        return texts.fmt(texts.TRANSFER_SAME, number=case.number, name=target.name)
    if target.kind == UnitKind.GRID:
        owner = cases.route(ctx, target.id, case.category)
        tier = "grid"
    else:
        tier = "community" if target.kind == UnitKind.COMMUNITY else "street"
        owner = chats.owner_of(ctx, target.id, tier)
    old_unit = ctx.repo.unit(case.unit_id)
    _leave_current_owner(ctx, case, actor, f"→ {target.name}: {reason}")
    _take_over(ctx, case, actor, target, tier, owner, f"{target.name}: {owner.name if owner else '-'}")
    handler = owner.name if owner else texts.NO_WORKER
    told = texts.fmt(texts.MOVED_WORKERS, number=case.number, actor=actor.name, unit=target.name, owner=handler,
                     reason=reason)
    text = texts.fmt(texts.RAISED_OWNER, number=case.number, actor=actor.name, unit=old_unit.name if old_unit else "",
                     reason=reason, owner=handler)
    notify.to_workers(ctx, case, text, mentions=notify.mention(text, owner))
    notify.to_residents(ctx, case, texts.fmt(texts.MOVED_RESIDENTS, number=case.number, unit=target.name,
                                             owner=handler))
    return told


# --- back to the dispatcher (退单) --------------------------------------------------------------------------------
def return_case(ctx: Context, case: Case, actor: Actor, reason: str) -> str:
    """/return 原因: the worker hands the case back; the leader decides with the buttons of the notice."""
    if case.state not in MOVABLE:
        return _refuse(case, "退单")
    reason = reason.strip()
    if not reason:
        return texts.RETURN_NEEDS_REASON
    returner = ctx.repo.person(case.assignee_id)
    cases.move(ctx, case, Action.TRANSFER, actor, f"退单 return by {actor.name}: {reason}")
    case.assignee_id = None
    leaders = chats.supervisors(ctx, case.unit_id)
    text = texts.fmt(texts.RETURNED_WORKERS, number=case.number, worker=actor.name, reason=reason,
                     boss="、".join(p.name for p in leaders) or texts.NO_BOSS)
    notify.to_workers(ctx, case, text, buttons=return_buttons(ctx, case, returner),
                      mentions=supervision.mention_all(text, leaders))
    notify.refresh_card(ctx, case)
    return texts.fmt(texts.RETURN_NOTED, number=case.number)


def return_buttons(ctx: Context, case: Case, returner: Person | None) -> list[list[Button]]:
    rows = [[Button(texts.fmt(texts.BUTTON_REDISPATCH, name=p.name), f"rd:{case.id}:{p.id}")]
            for _, p in ctx.repo.workers_of(case.unit_id) if returner is None or p.id != returner.id][:6]
    last = []
    if returner is not None:
        last.append(Button(texts.BUTTON_RETURN_REFUSED, f"rb:{case.id}:{returner.id}"))
    label = raise_label(ctx, case)
    if label:
        last.append(Button(label, f"u:{case.id}"))
    last.append(Button(texts.BUTTON_INVALID, f"rx:{case.id}"))
    return [*rows, last]


def is_supervisor(ctx: Context, case: Case, actor: Actor) -> bool:
    return bool(ctx.roles_over(actor, case.unit_id) & SUPERVISORS)


def redispatch(ctx: Context, case: Case, actor: Actor, to: Person, refused: bool = False) -> str:
    """The leader's answer to a return: another worker (改派), or the same one (驳回退单)."""
    if case.state != CaseState.TRANSFERRED:
        return _refuse(case, "派单")
    case.assignee_id = to.id
    note = f"{'驳回退单' if refused else '改派'} → {to.name}"
    cases.move(ctx, case, Action.ASSIGN, actor, note)
    template = texts.RETURN_REFUSED_WORKERS if refused else texts.TRANSFERRED_WORKERS
    text = texts.fmt(template, number=case.number, actor=actor.name, worker=to.name)
    notify.to_workers(ctx, case, text, mentions=notify.mention(text, to))
    if not refused:
        notify.to_residents(ctx, case, texts.fmt(texts.TRANSFERRED_RESIDENTS, number=case.number, worker=to.name))
    notify.refresh_card(ctx, case)
    return text


def invalidate(ctx: Context, case: Case, actor: Actor) -> str:
    """The leader confirms a return as not a case at all (无效): rejected, the resident is told."""
    if case.state != CaseState.TRANSFERRED:
        return _refuse(case, "作废")
    cases.move(ctx, case, Action.REJECT, actor, "退单确认：无效")
    case.closed_at = ctx.now
    notify.to_residents(ctx, case, texts.fmt(texts.INVALID_RESIDENTS, number=case.number))
    text = texts.fmt(texts.INVALID_WORKERS, number=case.number, actor=actor.name)
    notify.to_workers(ctx, case, text)
    notify.refresh_card(ctx, case)
    return text


def menu_buttons(ctx: Context, case: Case) -> list[list[Button]]:
    """Beside the workers in the 转派 menu: 上报 (next tier) and 退单."""
    row = []
    label = raise_label(ctx, case)
    if label and case.state in MOVABLE:
        row.append(Button(label, f"u:{case.id}"))
    if case.state in MOVABLE:
        row.append(Button(texts.BUTTON_RETURN, f"rt:{case.id}"))
    return [row] if row else []
