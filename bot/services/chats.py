"""Which staff chat speaks for a case's owner, and who supervises a unit (for cards and 督办)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.domain.roles import ChatKind, Role, UnitKind
from bot.services.context import Context
from bot.store.tables import Case, ChatBinding, Person, Unit


def bound_here(ctx: Context, unit_id: int, kind: ChatKind) -> list[ChatBinding]:
    q = select(ChatBinding).where(ChatBinding.unit_id == unit_id, ChatBinding.kind == kind.value,
                                  ChatBinding.active == True)  # noqa: E712
    return list(ctx.session.exec(q.order_by(col(ChatBinding.id))))


def department_chat(ctx: Context, unit_id: int, department: str | None) -> ChatBinding | None:
    """A department group bound to the unit or above; the one whose title names the department first."""
    names = [n for n in (department or "").replace("、", "/").split("/") if n]
    for unit in ctx.repo.ancestors(unit_id):
        chats = bound_here(ctx, unit.id, ChatKind.DEPT_GROUP)
        for chat in chats:
            if any(n in (chat.title or "") for n in names):
                return chat
        if chats:
            return chats[0]
    return None


def staff_chat(ctx: Context, case: Case) -> ChatBinding | None:
    """Where the case's owner works: a grid's workers' group; above the grid the unit's own workers' or
    command group (the nearest above when it has none); for a department, the department's group."""
    if case.tier == "department":
        chat = department_chat(ctx, case.unit_id, ctx.classifier.taxonomy.department(case.category,
                                                                                    case.subcategory))
        if chat:
            return chat
    unit = ctx.repo.unit(case.unit_id)
    if unit is None or unit.kind == UnitKind.GRID:
        return ctx.repo.chat_for(case.unit_id, ChatKind.WORKER_GROUP)
    for kind in (ChatKind.WORKER_GROUP, ChatKind.COMMAND_GROUP):
        here = bound_here(ctx, unit.id, kind)
        if here:
            return here[0]
    return ctx.repo.chat_for(unit.id, ChatKind.COMMAND_GROUP) or ctx.repo.chat_for(unit.id, ChatKind.WORKER_GROUP)


def ancestor_of_kind(ctx: Context, unit_id: int, kind: UnitKind) -> Unit | None:
    return next((u for u in ctx.repo.ancestors(unit_id) if u.kind == kind), None)


def supervisors(ctx: Context, unit_id: int) -> list[Person]:
    """Who answers for a unit: the grid leader of a grid, the secretary of a community or street."""
    unit = ctx.repo.unit(unit_id)
    if unit is None:
        return []
    role = Role.GRID_LEADER if unit.kind == UnitKind.GRID else Role.SECRETARY
    return ctx.repo.people_with_role(unit.id, role)


def owner_of(ctx: Context, unit_id: int, tier: str) -> Person | None:
    """Who takes a case raised to a tier: the secretary of a community or street, a department's liaison."""
    if tier == "department":
        for unit in ctx.repo.ancestors(unit_id):
            people = ctx.repo.people_with_role(unit.id, Role.DEPT_LIAISON)
            if people:
                return people[0]
        return None
    people = supervisors(ctx, unit_id)
    return people[0] if people else None
