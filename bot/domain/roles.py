"""Who may do what. Roles are held per unit (street → community → grid)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    GRID_WORKER = "grid_worker"
    GRID_LEADER = "grid_leader"
    SECRETARY = "secretary"
    DEPT_LIAISON = "dept_liaison"
    ADMIN = "admin"


class UnitKind(StrEnum):
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


class ChatKind(StrEnum):
    RESIDENT_GROUP = "resident_group"
    WORKER_GROUP = "worker_group"
    COMMAND_GROUP = "command_group"
    DEPT_GROUP = "dept_group"


ROLE_LABELS = {
    Role.RESIDENT: "居民",
    Role.GRID_WORKER: "网格员",
    Role.GRID_LEADER: "网格长",
    Role.SECRETARY: "社区书记",
    Role.DEPT_LIAISON: "部门联络员",
    Role.ADMIN: "管理员",
}
UNIT_KIND_LABELS = {UnitKind.STREET: "街道", UnitKind.COMMUNITY: "社区", UnitKind.GRID: "网格"}
CHAT_KIND_LABELS = {
    ChatKind.RESIDENT_GROUP: "居民群",
    ChatKind.WORKER_GROUP: "网格员工作群",
    ChatKind.COMMAND_GROUP: "指挥群",
    ChatKind.DEPT_GROUP: "部门群",
}

SUPERVISORS = frozenset({Role.GRID_LEADER, Role.SECRETARY, Role.ADMIN})
STAFF = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.SECRETARY, Role.DEPT_LIAISON, Role.ADMIN})


def may_handle_case(is_assignee: bool, roles_over_case_unit: set[Role]) -> bool:
    """Acknowledge, report progress, resolve, transfer: the case's worker or a supervisor of its unit."""
    return is_assignee or bool(roles_over_case_unit & SUPERVISORS)


def may_read_digest(roles: set[Role]) -> bool:
    return bool(roles & SUPERVISORS)


def is_staff(roles: set[Role]) -> bool:
    return bool(roles & STAFF)
