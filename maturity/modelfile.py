"""Read and write a maturity model as YAML: pure functions, no database.

`parse` validates a whole file and returns a `ModelSpec`, or raises
`ModelFileError` listing its problems with their line and path (for example
``line 12: categories[0].cells[1].practices[2].key: ...``). `dump` writes a
spec back in the same format, so ``parse(dump(spec)) == spec``.

A hostile file (aliases that multiply, deep nesting, unknown tags, huge numbers)
is refused before its values are read, so any file up to the upload limit is read
or refused in well under a second and a few tens of megabytes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .checks import METRICS, threshold_problem
from .limits import (
    CATEGORY_SLUG_LENGTH,
    CHECK_KEY_LENGTH,
    CHECK_MESSAGE_LENGTH,
    KEY_LENGTH,
    KEY_PATTERN,
    LEVEL_NAME_LENGTH,
    LEVEL_VALUE_MAX,
    LEVEL_VALUE_MIN,
    MODEL_SLUG_LENGTH,
    NAME_LENGTH,
    VERSION_LENGTH,
)

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
KEY_RE = re.compile(KEY_PATTERN)

# Far above any real model (each bundled file has about 1,000 nodes, 7 deep), and low enough
# that any file within them is read in about half a second. 50,000 nodes also keep every
# list under 10,000 entries (a practice is at least 5 nodes), well within the database's
# `order` column (at most 32,767).
MAX_DEPTH = 40
MAX_NODES = 50_000
MAX_NUMBER_LENGTH = 40  # see _unfit
# What a person can act on; a page of errors stays small, whatever the file.
MAX_ERRORS = 50
MAX_ERROR_LENGTH = 500

_CORE = "tag:yaml.org,2002:"
# The only tags a list or mapping may carry; a scalar's tag is checked when it is read.
_COLLECTION_TAGS = {
    yaml.SequenceStartEvent: (None, "!", _CORE + "seq"),
    yaml.MappingStartEvent: (None, "!", _CORE + "map"),
}
# NUL, and lone surrogates (which only the pure-Python parser lets through): no database
# column stores them.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class PracticeSpec:
    key: str
    text: str
    help: str = ""
    active: bool = True


@dataclass(frozen=True)
class CellSpec:
    level: int
    summary: str
    advice: str = ""
    practices: tuple[PracticeSpec, ...] = ()


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    description: str = ""
    active: bool = True
    cells: tuple[CellSpec, ...] = ()


@dataclass(frozen=True)
class LevelSpec:
    value: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class CheckSpec:
    """A claim-versus-outcome rule (maturity/checks.py): `worse_than` is an answer option
    1..6 for ordinal metrics, a percentage 0..100 for the others."""

    key: str
    category: str
    level_at_least: int
    metric: str
    worse_than: float
    message: str


@dataclass(frozen=True)
class ModelSpec:
    slug: str
    version: str
    name: str
    description: str = ""
    levels: tuple[LevelSpec, ...] = ()
    categories: tuple[CategorySpec, ...] = ()
    checks: tuple[CheckSpec, ...] = ()

    @property
    def floor(self) -> int:
        return min(level.value for level in self.levels)

    def practice_count(self) -> int:
        return sum(len(cell.practices) for cat in self.categories for cell in cat.cells)


class ModelFileError(ValueError):
    """The file is refused whole; `errors` holds one readable line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class _Reader:
    """Walks the YAML node tree, collecting errors that name the line and path: the first
    MAX_ERRORS of them, each at most MAX_ERROR_LENGTH long, and how many there are."""

    errors: list[str] = field(default_factory=list)
    count: int = 0
    constructor: yaml.constructor.SafeConstructor = field(
        default_factory=yaml.constructor.SafeConstructor
    )

    def error(self, node: Node, path: str, message: str) -> None:
        self.count += 1
        if self.count <= MAX_ERRORS:
            line = f"line {node.start_mark.line + 1}: {path}: {message}"
            self.errors.append(_clipped_line(line))

    def summary(self) -> list[str]:
        """The errors kept, then how many more there were."""
        more = self.count - len(self.errors)
        return [*self.errors, f"and {more} more"] if more else self.errors

    def mapping(
        self, node: Node, path: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Node] | None:
        """The mapping's values by key; None (with errors) when it is not a usable mapping."""
        if not isinstance(node, MappingNode):
            self.error(node, path, "expected a mapping of fields")
            return None
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key in fields:
                self.error(key_node, path, f"field {key!r} appears twice")
            elif key not in required + optional:
                allowed = ", ".join(required + optional)
                self.error(key_node, path, f"unknown field {key!r} (allowed: {allowed})")
            else:
                fields[key] = value_node
        for name in required:
            if name not in fields:
                self.error(node, path, f"missing required field {name!r}")
        return fields

    def sequence(self, node: Node | None, path: str) -> list[Node]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, path, "expected a list")
            return []
        return list(node.value)

    def construct(self, node: Node, path: str) -> Any:
        """A scalar's value (a mapping or list stays a Node); _UNREADABLE, with an error,
        when it has an unknown tag, a text its tag does not fit, a number too long to
        read, or an impossible date."""
        if not isinstance(node, ScalarNode):
            return node
        problem = _unfit(node)
        if problem is None:
            try:
                return self.constructor.construct_object(node)
            except (yaml.YAMLError, ValueError) as exc:  # an unknown tag; 2026-13-45
                problem = getattr(exc, "problem", None) or str(exc)
        self.error(node, path, f"cannot read {_clipped(node.value)}: {problem}")
        return _UNREADABLE

    def scalar(self, node: Node | None, path: str, kind: type, default: Any = None) -> Any:
        if node is None:
            return default
        value = self.construct(node, path)
        if value is _UNREADABLE:
            return default
        # bool is a subclass of int: `value: yes` must not pass as a level number.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            shown = "a mapping or list" if isinstance(value, Node) else repr(value)
            hint = ' (put it in quotes, e.g. "1")' if kind is str and value is not None else ""
            self.error(node, path, f"expected {_KIND_NAMES[kind]}, got {shown}{hint}")
            return default
        return value

    def number(self, node: Node | None, path: str) -> float | None:
        """A whole or decimal number as a float (infinite when too large for one); None,
        with an error, for anything else."""
        if node is None:
            return None
        value = self.construct(node, path)
        if value is _UNREADABLE:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = "a mapping or list" if isinstance(value, Node) else _clipped(value)
            self.error(node, path, f"expected a number, got {shown}")
            return None
        try:
            number = float(value)
        except OverflowError:  # a whole number beyond any float is out of every range
            number = math.inf if value > 0 else -math.inf
        if math.isnan(number):
            self.error(node, path, "expected a number, got nan")
            return None
        return number

    def text(
        self,
        fields: dict[str, Node],
        name: str,
        path: str,
        required: bool = True,
        max_length: int | None = None,
    ) -> str:
        errors_before = self.count
        value = self.scalar(fields.get(name), f"{path}.{name}", str, "").strip()
        if required and name in fields and not value and self.count == errors_before:
            self.error(fields[name], f"{path}.{name}", "must not be empty")
        if max_length is not None and len(value) > max_length:
            self.error(
                fields[name],
                f"{path}.{name}",
                f"is {len(value)} characters long; at most {max_length}",
            )
        return value

    def pattern(
        self,
        fields: dict[str, Node],
        name: str,
        path: str,
        regex: re.Pattern[str],
        hint: str,
        max_length: int,
    ) -> str:
        value = self.text(fields, name, path, max_length=max_length)
        if value and not regex.match(value):
            self.error(fields[name], f"{path}.{name}", f"{value!r} is not valid: {hint}")
        return value


_KIND_NAMES = {str: "text", int: "a whole number", bool: "true or false"}


_UNREADABLE = object()

_NUMBER_TAGS = {_CORE + "int", _CORE + "float"}
# PyYAML builds these from the texts its own patterns match, and fails on any other text
# (`!!bool maybe`, `!!timestamp abc`) with an arbitrary exception.
_PATTERN_TAGS = {*_NUMBER_TAGS, _CORE + "bool", _CORE + "timestamp"}
_resolver = yaml.resolver.Resolver()


def _unfit(node: ScalarNode) -> str | None:
    """Why the scalar must not be built: a number too long (int() of thousands of digits,
    or YAML 1.1's base-60 `1:2:3...`, takes time that grows with the square of the
    length) or a text its explicit tag does not fit; None when it may be."""
    if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_LENGTH:
        return f"the number is longer than {MAX_NUMBER_LENGTH} characters"
    if (
        node.tag in _PATTERN_TAGS
        and _resolver.resolve(ScalarNode, node.value, (True, False)) != node.tag
    ):
        return f"it is not a {node.tag.replace(_CORE, '!!')}"
    return None


def _clipped(text: object, limit: int = 40) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _clipped_line(line: str) -> str:
    return line if len(line) <= MAX_ERROR_LENGTH else line[: MAX_ERROR_LENGTH - 3] + "..."


# libyaml's C parser and emitter where PyYAML was built with it: the same documents and
# line numbers, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def parse(text: str) -> ModelSpec:
    """Validate a model file and return its spec; raise ModelFileError on any problem."""
    try:
        _refuse_hostile(text)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "the file"
        raise ModelFileError([f"{where}: not valid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise ModelFileError([f"not valid YAML: {exc}"]) from None
    if root is None:
        raise ModelFileError(["the file is empty"])
    reader = _Reader()
    spec = _read_model(reader, root)
    if reader.count or spec is None:
        raise ModelFileError(reader.summary())
    return spec


def _refuse_hostile(text: str) -> None:
    """Raise ModelFileError at the first alias, tagged list or mapping, unstorable character,
    or node beyond MAX_DEPTH or MAX_NODES: one streaming pass over the parser's events,
    before any node tree is built. A model file needs none of them; a hostile one
    multiplies its work with aliases or exhausts the stack with nesting."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.NodeEvent):
            nodes += 1
            depth += isinstance(event, yaml.CollectionStartEvent)
            problem = _hostile_problem(event, depth, nodes)
            if problem:
                where = f"line {mark.line + 1}" if (mark := event.start_mark) else "the file"
                raise ModelFileError([f"{where}: {problem}"])


def _hostile_problem(event: yaml.NodeEvent, depth: int, nodes: int) -> str | None:
    """What is wrong with the event, the depth it reaches and the count of nodes so far."""
    if isinstance(event, yaml.AliasEvent):
        return f"an alias of {_clipped(event.anchor)} is not allowed; write the value out"
    tag = getattr(event, "tag", None)
    if isinstance(event, yaml.CollectionStartEvent) and tag not in _COLLECTION_TAGS[type(event)]:
        shown = _clipped(str(tag).replace(_CORE, "!!"))
        return f"the tag {shown} is not allowed on a list or mapping; leave it out"
    if isinstance(event, yaml.ScalarEvent) and _UNSTORABLE.search(event.value):
        return "a NUL character or a lone surrogate is not allowed in text"
    if depth > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} deep; a model file is far shallower"
    if nodes > MAX_NODES:
        return f"more than {MAX_NODES:,} values; a model file is far smaller"
    return None


def _read_model(r: _Reader, node: Node) -> ModelSpec | None:
    fields = r.mapping(
        node,
        "model",
        ("slug", "version", "name", "levels", "categories"),
        ("description", "checks"),
    )
    if fields is None:
        return None
    slug = r.pattern(
        fields, "slug", "model", SLUG_RE, "use letters, digits, hyphens", MODEL_SLUG_LENGTH
    )
    version = r.text(fields, "version", "model", max_length=VERSION_LENGTH)
    name = r.text(fields, "name", "model", max_length=NAME_LENGTH)
    description = r.text(fields, "description", "model", required=False)
    levels = _read_levels(r, fields.get("levels"))
    level_values = {level.value for level in levels}
    floor = min(level_values) if level_values else None
    categories = _read_categories(r, fields.get("categories"), level_values, floor)
    category_slugs = [category.slug for category in categories]
    checks = _read_checks(r, fields.get("checks"), category_slugs, level_values)
    return ModelSpec(
        slug, version, name, description, tuple(levels), tuple(categories), tuple(checks)
    )


def _read_levels(r: _Reader, node: Node | None) -> list[LevelSpec]:
    items = r.sequence(node, "levels")
    if node is not None and not items and isinstance(node, SequenceNode):
        r.error(node, "levels", "a model needs at least two levels")
    levels: list[LevelSpec] = []
    seen: dict[int, int] = {}
    for i, item in enumerate(items):
        path = f"levels[{i}]"
        fields = r.mapping(item, path, ("value", "name"), ("description",))
        if fields is None:
            continue
        value = r.scalar(fields.get("value"), f"{path}.value", int)
        if value is None:
            continue
        if not LEVEL_VALUE_MIN <= value <= LEVEL_VALUE_MAX:
            r.error(
                item,
                f"{path}.value",
                f"{value} is outside {LEVEL_VALUE_MIN}..{LEVEL_VALUE_MAX}",
            )
            continue
        if value in seen:
            r.error(
                item, f"{path}.value", f"level {value} appears twice (first at line {seen[value]})"
            )
            continue
        seen[value] = item.start_mark.line + 1
        levels.append(
            LevelSpec(
                value,
                r.text(fields, "name", path, max_length=LEVEL_NAME_LENGTH),
                r.text(fields, "description", path, False),
            )
        )
    if len(levels) == 1:
        r.error(node, "levels", "a model needs at least two levels")  # type: ignore[arg-type]
    return sorted(levels, key=lambda level: level.value)


def _read_categories(
    r: _Reader, node: Node | None, level_values: set[int], floor: int | None
) -> list[CategorySpec]:
    items = r.sequence(node, "categories")
    if node is not None and not items and isinstance(node, SequenceNode):
        r.error(node, "categories", "a model needs at least one category")
    categories: list[CategorySpec] = []
    slugs: dict[str, int] = {}
    keys: dict[str, int] = {}
    for i, item in enumerate(items):
        path = f"categories[{i}]"
        fields = r.mapping(item, path, ("slug", "name", "cells"), ("description", "active"))
        if fields is None:
            continue
        slug = r.pattern(
            fields, "slug", path, SLUG_RE, "use letters, digits, hyphens", CATEGORY_SLUG_LENGTH
        )
        if slug in slugs:
            r.error(
                item,
                f"{path}.slug",
                f"category {slug!r} appears twice (first at line {slugs[slug]})",
            )
        slugs.setdefault(slug, item.start_mark.line + 1)
        cells = _read_cells(r, fields, f"{path}.cells", level_values, floor, keys)
        categories.append(
            CategorySpec(
                slug=slug,
                name=r.text(fields, "name", path, max_length=NAME_LENGTH),
                description=r.text(fields, "description", path, required=False),
                active=r.scalar(fields.get("active"), f"{path}.active", bool, True),
                cells=tuple(cells),
            )
        )
    return categories


def _read_cells(
    r: _Reader,
    category_fields: dict[str, Node],
    path: str,
    level_values: set[int],
    floor: int | None,
    keys: dict[str, int],
) -> list[CellSpec]:
    node = category_fields.get("cells")
    cells: list[CellSpec] = []
    seen: set[int] = set()
    for i, item in enumerate(r.sequence(node, path)):
        cell_path = f"{path}[{i}]"
        fields = r.mapping(item, cell_path, ("level", "summary"), ("advice", "practices"))
        if fields is None:
            continue
        level = r.scalar(fields.get("level"), f"{cell_path}.level", int)
        if level is None:
            continue
        if level not in level_values:
            known = ", ".join(str(v) for v in sorted(level_values))
            r.error(
                item,
                f"{cell_path}.level",
                f"level {level} is not one of the model's levels ({known})",
            )
            continue
        if level in seen:
            r.error(item, f"{cell_path}.level", f"a second cell for level {level}")
            continue
        seen.add(level)
        practices = _read_practices(r, fields.get("practices"), f"{cell_path}.practices", keys)
        if level == floor and practices:
            r.error(
                item, f"{cell_path}.practices", f"level {level} is the floor: it holds no practices"
            )
        advice = r.text(fields, "advice", cell_path, required=False)
        if level != floor and not advice:
            r.error(
                item,
                f"{cell_path}.advice",
                "advice (the next step to reach this level) is required",
            )
        cells.append(
            CellSpec(level, r.text(fields, "summary", cell_path), advice, tuple(practices))
        )
    missing = sorted(level_values - seen)
    if node is not None and missing:
        r.error(node, path, f"no cell for level(s) {', '.join(map(str, missing))}")
    return sorted(cells, key=lambda cell: cell.level)


def _read_practices(
    r: _Reader, node: Node | None, path: str, keys: dict[str, int]
) -> list[PracticeSpec]:
    practices: list[PracticeSpec] = []
    for i, item in enumerate(r.sequence(node, path)):
        item_path = f"{path}[{i}]"
        fields = r.mapping(item, item_path, ("key", "text"), ("help", "active"))
        if fields is None:
            continue
        key = r.pattern(
            fields,
            "key",
            item_path,
            KEY_RE,
            "use lowercase letters, digits, hyphens, dots",
            KEY_LENGTH,
        )
        if key in keys:
            r.error(item, f"{item_path}.key", f"duplicate key {key!r} (first at line {keys[key]})")
        keys.setdefault(key, item.start_mark.line + 1)
        practices.append(
            PracticeSpec(
                key=key,
                text=r.text(fields, "text", item_path),
                help=r.text(fields, "help", item_path, required=False),
                active=r.scalar(fields.get("active"), f"{item_path}.active", bool, True),
            )
        )
    return practices


def _read_checks(
    r: _Reader, node: Node | None, category_slugs: list[str], level_values: set[int]
) -> list[CheckSpec]:
    checks: list[CheckSpec] = []
    keys: dict[str, int] = {}
    known_categories = set(category_slugs)
    for i, item in enumerate(r.sequence(node, "checks")):
        path = f"checks[{i}]"
        fields = r.mapping(
            item,
            path,
            ("key", "category", "level_at_least", "metric", "worse_than", "message"),
            (),
        )
        if fields is None:
            continue
        key = r.pattern(
            fields, "key", path, SLUG_RE, "use letters, digits, hyphens", CHECK_KEY_LENGTH
        )
        if key in keys:
            r.error(item, f"{path}.key", f"duplicate key {key!r} (first at line {keys[key]})")
        keys.setdefault(key, item.start_mark.line + 1)
        category = r.text(fields, "category", path, max_length=CATEGORY_SLUG_LENGTH)
        if category and known_categories and category not in known_categories:
            r.error(
                fields["category"],
                f"{path}.category",
                f"unknown category {category!r} (the model's: {', '.join(category_slugs)})",
            )
        level = r.scalar(fields.get("level_at_least"), f"{path}.level_at_least", int)
        if level is not None and level_values and level not in level_values:
            known = ", ".join(str(v) for v in sorted(level_values))
            r.error(
                fields["level_at_least"],
                f"{path}.level_at_least",
                f"level {level} is not one of the model's levels ({known})",
            )
        metric = r.text(fields, "metric", path)
        if metric and metric not in METRICS:
            r.error(
                fields["metric"],
                f"{path}.metric",
                f"unknown metric {metric!r} (one of: {', '.join(METRICS)})",
            )
        worse_than = r.number(fields.get("worse_than"), f"{path}.worse_than")
        if worse_than is not None and metric in METRICS:
            problem = threshold_problem(metric, worse_than)
            if problem:
                r.error(fields["worse_than"], f"{path}.worse_than", problem)
        message = r.text(fields, "message", path, max_length=CHECK_MESSAGE_LENGTH)
        if level is not None and worse_than is not None:
            checks.append(CheckSpec(key, category, level, metric, worse_than, message))
    return checks


def dump(spec: ModelSpec) -> str:
    """The spec as YAML in the format `parse` reads, leaving out optional fields at defaults."""
    document: dict[str, Any] = {
        "slug": spec.slug,
        "version": spec.version,
        "name": spec.name,
        "description": spec.description,
        "levels": [_level_dict(level) for level in spec.levels],
        "categories": [_category_dict(category) for category in spec.categories],
    }
    if spec.checks:  # a file without checks round-trips without the section
        document["checks"] = [_check_dict(check) for check in spec.checks]
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def _without_defaults(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in defaults or v != defaults[k]}


def _level_dict(level: LevelSpec) -> dict[str, Any]:
    values = {"value": level.value, "name": level.name, "description": level.description}
    return _without_defaults(values, {"description": ""})


def _category_dict(category: CategorySpec) -> dict[str, Any]:
    values = {
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "active": category.active,
        "cells": [_cell_dict(cell) for cell in category.cells],
    }
    return _without_defaults(values, {"description": "", "active": True})


def _cell_dict(cell: CellSpec) -> dict[str, Any]:
    values = {
        "level": cell.level,
        "summary": cell.summary,
        "advice": cell.advice,
        "practices": [_practice_dict(practice) for practice in cell.practices],
    }
    return _without_defaults(values, {"advice": ""})


def _practice_dict(practice: PracticeSpec) -> dict[str, Any]:
    values = {
        "key": practice.key,
        "text": practice.text,
        "help": practice.help,
        "active": practice.active,
    }
    return _without_defaults(values, {"help": "", "active": True})


def _check_dict(check: CheckSpec) -> dict[str, Any]:
    worse_than = check.worse_than
    return {
        "key": check.key,
        "category": check.category,
        "level_at_least": check.level_at_least,
        "metric": check.metric,
        # 4, not 4.0: the answer option as a person writes it
        "worse_than": int(worse_than) if worse_than == int(worse_than) else worse_than,
        "message": check.message,
    }


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Writes multi-line texts as literal blocks so exported files stay readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
