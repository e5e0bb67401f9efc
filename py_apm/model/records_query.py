"""OData query options over the record store: `$select`, `$filter`, `$top`.

`$filter` takes `eq`, `ne`, `and`, `or`, parentheses, `contains(attr, 'text')` and
`startswith(attr, 'text')` on plain attributes; strings compare without case, as Dataverse does.
Anything else is NOT_EMULATED (501), malformed text INVALID_ARGUMENT (400).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .errors import ApmError, invalid

NOT_EMULATED = 501
MAX_QUERY = 10_000

#: Activity entities: their primary key is `activityid`.
ACTIVITY_ENTITIES = frozenset(
    {
        "activitypointer",
        "appointment",
        "campaignactivity",
        "campaignresponse",
        "email",
        "fax",
        "letter",
        "phonecall",
        "recurringappointmentmaster",
        "serviceappointment",
        "socialactivity",
        "task",
        "msdyn_ocliveworkitem",
    }
)

Predicate = Callable[[Mapping[str, Any]], bool]


def primary_key(entity: str) -> str:
    """The primary key attribute of an entity."""
    return "activityid" if entity in ACTIVITY_ENTITIES else f"{entity}id"


@dataclass(frozen=True)
class Query:
    """Parsed query options."""

    select: tuple[str, ...] | None = None
    where: Predicate | None = None
    top: int | None = None
    ignored: tuple[str, ...] = ()


def not_emulated(method: str, detail: str) -> ApmError:
    return ApmError(NOT_EMULATED, f"{method}: {detail} is not emulated by py-apm")


def _split(text: str) -> list[str]:
    """`a=1&b='x&y'` -> parts, an `&` inside quotes kept."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == "&" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p]


def parse_query(text: str, method: str, argument: str = "queryParameters") -> Query:
    """`?$select=a,b&$filter=...&$top=5` (leading `?` optional)."""
    if len(text) > MAX_QUERY:
        raise invalid(method, f"{argument} is longer than {MAX_QUERY:,} characters")
    select: tuple[str, ...] | None = None
    where: Predicate | None = None
    top: int | None = None
    ignored: list[str] = []
    for part in _split(text.strip().lstrip("?")):
        key, sep, value = part.partition("=")
        key = unquote(key).strip()
        value = unquote(value.replace("+", " ")) if sep else ""
        if key == "$select":
            select = tuple(a.strip() for a in value.split(",") if a.strip())
        elif key == "$filter":
            where = parse_filter(value, method)
        elif key == "$top":
            if not value.strip().isdigit() or int(value) < 1:
                raise invalid(method, f"{argument}: $top must be a positive whole number")
            top = int(value)
        elif key in ("$expand", "$orderby"):
            ignored.append(key)
        else:
            raise not_emulated(method, f"the query option '{key[:40]}'")
    return Query(select, where, top, tuple(ignored))


_TOKEN = re.compile(r"\s*(\(|\)|,|'(?:[^']|'')*'|[^\s(),']+)")


def _tokens(text: str, method: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            rest = text[position:].lstrip()
            if rest.startswith("'"):
                raise invalid(method, f"$filter: unterminated string {rest[:40]}")
            raise invalid(method, f"$filter: unreadable text at '{rest[:20]}'")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _literal(token: str, method: str) -> Any:
    if token.startswith("'"):
        if len(token) < 2 or not token.endswith("'"):
            raise invalid(method, f"$filter: unterminated string {token[:40]}")
        return token[1:-1].replace("''", "'")
    lowered = token.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return float(token) if any(c in token for c in ".eE") else int(token)
    except ValueError:
        return token  # a bare GUID


def _text(value: Any) -> str:
    return str(value).strip().strip("{}").casefold()


def _equal(value: Any, literal: Any) -> bool:
    if literal is None:
        return value is None or value == ""
    if isinstance(literal, bool) or isinstance(value, bool):
        return bool(value == literal)
    if isinstance(literal, (int, float)):
        try:
            return float(value) == float(literal)
        except (TypeError, ValueError):
            return False
    return value is not None and _text(value) == _text(literal)


class _Parser:
    def __init__(self, tokens: list[str], method: str) -> None:
        self.tokens = tokens
        self.index = 0
        self.method = method

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise invalid(self.method, "$filter ends too early")
        self.index += 1
        return token

    def expect(self, token: str) -> None:
        got = self.take()
        if got != token:
            raise invalid(self.method, f"$filter: expected '{token}', got '{got[:40]}'")

    def expression(self) -> Predicate:
        left = self.term()
        while (self.peek() or "").lower() == "or":
            self.take()
            right = self.term()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def term(self) -> Predicate:
        left = self.factor()
        while (self.peek() or "").lower() == "and":
            self.take()
            right = self.factor()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def factor(self) -> Predicate:
        token = self.take()
        if token == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        lowered = token.lower()
        if lowered in ("contains", "startswith"):
            self.expect("(")
            attribute = self.take()
            self.expect(",")
            text = _literal(self.take(), self.method)
            self.expect(")")
            if not isinstance(text, str):
                raise invalid(self.method, f"$filter: {lowered}() needs a string")
            needle = text.casefold()
            if lowered == "contains":
                return lambda r: needle in str(r.get(attribute) or "").casefold()
            return lambda r: str(r.get(attribute) or "").casefold().startswith(needle)
        if self.peek() == "(" or token in (")", ","):
            raise not_emulated(self.method, f"the $filter function or token '{token[:40]}'")
        if lowered == "not":
            raise not_emulated(self.method, "the $filter operator 'not'")
        operator = self.take().lower()
        if operator not in ("eq", "ne"):
            raise not_emulated(self.method, f"the $filter operator '{operator[:40]}'")
        literal = _literal(self.take(), self.method)
        if operator == "eq":
            return lambda r: _equal(r.get(token), literal)
        return lambda r: not _equal(r.get(token), literal)


def parse_filter(text: str, method: str) -> Predicate:
    """A predicate over a record's attributes."""
    tokens = _tokens(text, method)
    if not tokens:
        raise invalid(method, "$filter is empty")
    parser = _Parser(tokens, method)
    predicate = parser.expression()
    if parser.peek() is not None:
        raise invalid(method, f"$filter: unexpected '{parser.peek()}'")
    return predicate


def shaped(
    entity: str, record_id: str, attributes: Mapping[str, Any], select: tuple[str, ...] | None
) -> dict[str, Any]:
    """A record as the Web API returns it: `$select` applied, its primary key always included."""
    key = primary_key(entity)
    if select is None:
        result = dict(attributes)
    else:
        result = {name: attributes.get(name) for name in select}
    result[key] = record_id
    return result


def search(
    entity: str, table: Mapping[str, Mapping[str, Any]], query: Query
) -> list[dict[str, Any]]:
    """The records of one entity that match, shaped, in store order, at most `$top`."""
    key = primary_key(entity)
    found: list[dict[str, Any]] = []
    for record_id, attributes in table.items():
        row = {**attributes, key: record_id}
        if query.where is None or query.where(row):
            found.append(shaped(entity, record_id, attributes, query.select))
            if query.top is not None and len(found) >= query.top:
                break
    return found
