"""The organisation tree (street → community → grid), people and their roles, and chat bindings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlmodel import Session, select

from bot import texts
from bot.domain.roles import CHAT_KIND_LABELS, UNIT_KIND_LABELS, ChatKind, Role, UnitKind
from bot.store.repo import Repo
from bot.store.tables import ChatBinding, Membership, Person, Unit, utcnow


class OrgFileError(ValueError):
    pass


@dataclass
class ImportSummary:
    units: int = 0
    people: int = 0
    roles: int = 0
    chats: int = 0


def import_org(session: Session, path: Path) -> ImportSummary:
    """Load (or update, by unit code and Telegram id) an organisation file like config/org.example.yaml."""
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    except FileNotFoundError:
        raise OrgFileError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise OrgFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or "units" not in data:
        raise OrgFileError(f"{path}: expected a top-level 'units:' list")
    repo, summary = Repo(session), ImportSummary()

    def add_unit(node: dict, parent: Unit | None, where: str) -> None:
        for key in ("code", "name", "kind"):
            if not node.get(key):
                raise OrgFileError(f"{path}: {where}: missing '{key}'")
        try:
            kind = UnitKind(node["kind"])
        except ValueError:
            raise OrgFileError(f"{path}: {where}: kind must be street, community or grid") from None
        unit = repo.unit_by_code(str(node["code"])) or Unit(code=str(node["code"]), name="", kind=kind.value)
        unit.name, unit.kind, unit.parent_id = str(node["name"]), kind.value, parent.id if parent else None
        session.add(unit)
        session.flush()
        summary.units += 1
        for i, child in enumerate(node.get("children") or []):
            add_unit(child, unit, f"{where} → {node['code']}.children[{i}]")

    for i, node in enumerate(data["units"] or []):
        add_unit(node, None, f"units[{i}]")

    for i, p in enumerate(data.get("people") or []):
        where = f"people[{i}]"
        if not p.get("name"):
            raise OrgFileError(f"{path}: {where}: missing 'name'")
        tg = p.get("tg_user_id")
        person = repo.person_by_tg(int(tg)) if tg else None
        if person is None:
            person = session.exec(select(Person).where(Person.name == p["name"], Person.tg_user_id == None)).first()  # noqa: E711
        person = person or Person(name=p["name"])
        person.name, person.phone = p["name"], (str(p["phone"]) if p.get("phone") else None)
        person.tg_user_id = int(tg) if tg else None
        session.add(person)
        session.flush()
        summary.people += 1
        for j, r in enumerate(p.get("roles") or []):
            unit = repo.unit_by_code(str(r.get("unit", "")))
            if unit is None:
                raise OrgFileError(f"{path}: {where}.roles[{j}]: unknown unit '{r.get('unit')}'")
            try:
                role = Role(r.get("role"))
            except ValueError:
                raise OrgFileError(f"{path}: {where}.roles[{j}]: unknown role '{r.get('role')}'") from None
            cats = ",".join(r.get("categories") or [])
            m = session.exec(select(Membership).where(
                Membership.person_id == person.id, Membership.unit_id == unit.id, Membership.role == role.value)).first()
            m = m or Membership(person_id=person.id, unit_id=unit.id, role=role.value)
            m.categories = cats
            session.add(m)
            summary.roles += 1

    for i, c in enumerate(data.get("chats") or []):
        unit = repo.unit_by_code(str(c.get("unit", "")))
        if unit is None:
            raise OrgFileError(f"{path}: chats[{i}]: unknown unit '{c.get('unit')}'")
        bind_chat(session, int(c["chat_id"]), unit, ChatKind(c["kind"]), title=c.get("title"))
        summary.chats += 1
    session.flush()
    return summary


def bind_chat(session: Session, chat_id: int, unit: Unit, kind: ChatKind, *, title: str | None = None,
              by: int | None = None) -> ChatBinding:
    binding = session.exec(select(ChatBinding).where(ChatBinding.chat_id == chat_id)).first()
    binding = binding or ChatBinding(chat_id=chat_id, unit_id=unit.id, kind=kind.value)
    binding.unit_id, binding.kind, binding.active = unit.id, kind.value, True
    binding.title = title or binding.title
    binding.bound_by, binding.bound_at = by, utcnow()
    session.add(binding)
    session.flush()
    return binding


def bind_command(session: Session, chat_id: int, chat_title: str | None, actor_person_id: int | None,
                 args: list[str], sender_id: int) -> str:
    """/bind <unit-code> <kind>, from inside the chat, by an admin."""
    repo = Repo(session)
    if not repo.is_admin(actor_person_id):
        return texts.BIND_ONLY_ADMIN
    if len(args) != 2:
        return texts.BIND_USAGE
    code, kind_text = args
    unit = repo.unit_by_code(code)
    if unit is None:
        codes = "、".join(u.code for u in repo.units()[:20]) or "（无，请先 gridbot org import）"
        return texts.fmt(texts.BIND_UNKNOWN_UNIT, code=code, codes=codes)
    try:
        kind = ChatKind(kind_text)
    except ValueError:
        return texts.fmt(texts.BIND_BAD_KIND, kind=kind_text)
    if kind == ChatKind.RESIDENT_GROUP and unit.kind != UnitKind.GRID:
        return texts.fmt(texts.BIND_RESIDENT_NEEDS_GRID, code=code, kind=UNIT_KIND_LABELS[UnitKind(unit.kind)])
    bind_chat(session, chat_id, unit, kind, title=chat_title, by=sender_id)
    return texts.fmt(texts.BIND_DONE, unit=unit.name, kind=CHAT_KIND_LABELS[kind])
