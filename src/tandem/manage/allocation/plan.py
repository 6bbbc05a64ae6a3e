"""Read and check an allocation plan: TOML or JSON, every error naming the file and field path.

The shape is :class:`~.schemas.PlanIn`; on top of the per-field bounds this checks what
spans fields: unique people and projects, current assignments naming a project of the plan,
``min_staff ≤ max_staff``, one demand per skill, FTE in steps of 0.1, at most 50 skills.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tandem.errors import InputError
from tandem.manage.allocation.schemas import (
    MAX_SKILLS,
    STEPS_PER_FTE,
    PlanIn,
    ProjectIn,
)

MAX_PLAN_BYTES = 8 * 1024 * 1024
SUFFIXES = (".toml", ".json")


def _where(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(plan)"


def _invalid(error: ValidationError, source: str | None) -> InputError:
    first = error.errors()[0]
    return InputError(first["msg"], path=source, field=_where(first["loc"]))


def steps(fte: float) -> int:
    """FTE as whole steps of 0.1 (the value is checked to be on a step)."""
    return round(fte * STEPS_PER_FTE)


def _on_step(value: float) -> bool:
    return math.isclose(value * STEPS_PER_FTE, round(value * STEPS_PER_FTE), abs_tol=1e-6)


def check_plan(plan: PlanIn, source: str | None = None) -> PlanIn:
    """The cross-field rules of a plan (raises :class:`InputError` naming the field)."""

    def fail(message: str, field: str) -> InputError:
        return InputError(message, path=source, field=field)

    projects = {p.name for p in plan.projects}
    if len(projects) != len(plan.projects):
        dup = _first_duplicate([p.name for p in plan.projects])
        raise fail(f"project {dup!r} appears twice", "projects")
    refs = [p.ref for p in plan.people]
    if len(set(refs)) != len(refs):
        raise fail(f"person {_first_duplicate(refs)!r} appears twice", "people")
    skills: set[str] = set()
    for i, person in enumerate(plan.people):
        skills.update(person.skills)
        if not _on_step(person.capacity):
            raise fail("give FTE in steps of 0.1", f"people[{i}].capacity")
        seen: set[str] = set()
        for j, current in enumerate(person.current):
            field = f"people[{i}].current[{j}]"
            if current.project not in projects:
                raise fail(f"no project named {current.project!r} in the plan", field + ".project")
            if current.project in seen:
                raise fail(f"project {current.project!r} is listed twice", field + ".project")
            seen.add(current.project)
            if not _on_step(current.fte):
                raise fail("give FTE in steps of 0.1", field + ".fte")
    for k, project in enumerate(plan.projects):
        _check_project(project, f"projects[{k}]", fail)
        skills.update(d.skill for d in project.demand)
    if len(skills) > MAX_SKILLS:
        raise fail(f"{len(skills)} skills; at most {MAX_SKILLS}", "skills")
    return plan


def _check_project(project: ProjectIn, field: str, fail: Any) -> None:
    if project.max_staff is not None and project.min_staff > project.max_staff:
        raise fail(
            f"min_staff {project.min_staff} is above max_staff {project.max_staff}",
            field + ".min_staff",
        )
    names = [d.skill for d in project.demand]
    if len(set(names)) != len(names):
        raise fail(f"skill {_first_duplicate(names)!r} is demanded twice", field + ".demand")
    for n, demand in enumerate(project.demand):
        if not _on_step(demand.fte):
            raise fail("give FTE in steps of 0.1", f"{field}.demand[{n}].fte")


def _first_duplicate(values: Sequence[str]) -> str:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return ""


def parse_plan(data: Any, source: str | None = None) -> PlanIn:
    """A plan from parsed TOML or JSON data."""
    if not isinstance(data, dict):
        raise InputError("a plan is an object with settings, people and projects", path=source)
    try:
        plan = PlanIn.model_validate(data)
    except ValidationError as error:
        raise _invalid(error, source) from None
    return check_plan(plan, source)


def decode(text: str, *, kind: str, source: str | None = None) -> Any:
    """Parse TOML or JSON text (``kind``: ``toml`` or ``json``); a syntax error names its line."""
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(error.msg, path=source, line=error.lineno) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(error), path=source) from None


def kind_of(name: str) -> str:
    """``toml`` or ``json`` from a file name (other suffixes are refused)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"give a .toml or .json plan, not {suffix or 'no suffix'!r}", path=name)
    return suffix[1:]


def read_text(path: Path) -> str:
    """A plan file's text, bounded in size."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=path) from None
    if size > MAX_PLAN_BYTES:
        raise InputError(f"{size:,} bytes; a plan has at most {MAX_PLAN_BYTES:,}", path=path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read as UTF-8 text: {error}", path=path) from None


def load_plan(path: Path) -> PlanIn:
    """Read, parse and check a plan file (``.toml`` or ``.json``)."""
    kind = kind_of(path.name)
    return parse_plan(decode(read_text(path), kind=kind, source=str(path)), str(path))


def load_projects(path: Path) -> list[ProjectIn]:
    """Projects to add in a what-if: a file with a ``projects`` list (same fields as a plan's)."""
    data = decode(read_text(path), kind=kind_of(path.name), source=str(path))
    if not isinstance(data, dict) or not isinstance(data.get("projects"), list):
        raise InputError("give a list of projects", path=path, field="projects")
    plan = parse_plan({"people": [], "projects": data["projects"]}, str(path))
    return list(plan.projects)
