"""Validation of Bot API requests against the machine-readable spec (``api.json``).

The spec format and the wire format are described in ``shared/telegram-bot-api/README.md``:
a request is a flat mapping of form fields whose values are raw strings for ``String`` and
JSON for everything else, plus multipart file parts.  :class:`SpecValidator` checks the method
and parameter names, required parameters, the type of every value down to nested objects, the
documented length limits (counted after HTML parsing where the spec says so) and the rules in
:mod:`bot.emulator.rules`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from . import rules
from .formatting import PARSE_MODES, UnsupportedParseModeError, format_text, is_parsed_mode
from .html import HtmlError

__all__ = ["FileUpload", "SpecValidator"]

_PRIMITIVES: Final = frozenset({"String", "Integer", "Float", "Boolean"})
_ARRAY: Final = "Array of "
_LIMIT_RE: Final = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_LITERAL_RE: Final = re.compile(r"(?:must be|always) \"?([a-z0-9_]+)\"?\s*$")
_REQUIRED_IF_RE: Final = re.compile(r"[Rr]equired if ([a-z_]+)(?: and ([a-z_]+))? (?:is|are|isn't)( not)? specified")
_INTEGER_RE: Final = re.compile(r"-?[0-9]+")
_NO_MATCH: Final = object()


# Telegram ignores parameters a method does not have. python-telegram-bot sends the default
# ``parse_mode`` (``Defaults``) with every message-like call, editMessageReplyMarkup included;
# that one extra is let through here, any other unknown parameter is still a violation.
TOLERATED_EXTRAS = frozenset({"parse_mode"})


@dataclass(frozen=True)
class FileUpload:
    """One file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class _Field:
    name: str
    types: tuple[str, ...]
    required: bool
    limit: tuple[int, int, str] | None  # (lo, hi, "characters" | "bytes")
    after_parsing: bool
    required_unless: tuple[str, ...] | None  # required when none of these is given
    required_with: str | None  # required when this one is given

    @classmethod
    def from_spec(cls, raw: Mapping[str, Any]) -> _Field:
        description: str = raw.get("description", "")
        limit = _LIMIT_RE.search(description)
        condition = _REQUIRED_IF_RE.search(description)
        unless = with_ = None
        if condition is not None:
            names = tuple(name for name in condition.group(1, 2) if name)
            if condition.group(3) or "isn't" in condition.group(0):
                unless = names
            else:
                with_ = names[0]
        return cls(
            name=raw["name"],
            types=tuple(raw["types"]),
            required=bool(raw.get("required")),
            limit=(int(limit[1]), int(limit[2]), limit[3]) if limit else None,
            after_parsing="after entit" in description,
            required_unless=unless,
            required_with=with_,
        )


class _Context:
    """Per-request state: the file parts and which of them were referenced."""

    def __init__(self, files: Mapping[str, FileUpload]) -> None:
        self.files = files
        self.used: set[str] = set()

    def fork(self) -> _Context:
        child = _Context(self.files)
        child.used = set(self.used)
        return child


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return repr(text if len(text) <= 40 else text[:37] + "...")


class SpecValidator:
    """Checks requests (and, for tests, response objects) against ``api.json``."""

    def __init__(self, spec_path: Path | str) -> None:
        data = json.loads(Path(spec_path).read_text(encoding="utf-8"))
        self.version: str = data.get("version", "")
        self._methods: dict[str, dict[str, _Field]] = {
            name: {f["name"]: _Field.from_spec(f) for f in method.get("fields", [])}
            for name, method in data["methods"].items()
        }
        self._fields: dict[str, dict[str, _Field]] = {
            name: {f["name"]: _Field.from_spec(f) for f in spec["fields"]}
            for name, spec in data["types"].items()
            if "fields" in spec
        }
        self._types: frozenset[str] = frozenset(data["types"])
        self._subtypes: dict[str, tuple[str, ...]] = {
            name: tuple(spec["subtypes"]) for name, spec in data["types"].items() if "subtypes" in spec
        }
        self._literals: dict[str, tuple[str, str]] = {}
        for name, spec in data["types"].items():
            first = (spec.get("fields") or [{}])[0]
            if spec.get("subtype_of") and first.get("name") in ("type", "source", "status"):
                literal = _LITERAL_RE.search(first.get("description", ""))
                if literal:
                    self._literals[name] = (first["name"], literal[1])

    # ----------------------------------------------------------------------------- queries

    def has_method(self, method: str) -> bool:
        """True if ``method`` (exact, case-sensitive name) is in the spec."""
        return method in self._methods

    def decode(self, method: str, params: Mapping[str, str]) -> dict[str, Any]:
        """Decode raw form values into Python values per the spec (raw string when unsure)."""
        fields = self._methods.get(method, {})
        decoded: dict[str, Any] = {}
        for name, raw in params.items():
            decoded[name] = raw
            for type_ in fields[name].types if name in fields else ():
                value = self._decode_raw(raw, type_)
                if value is not _NO_MATCH:
                    decoded[name] = value
                    break
        return decoded

    # -------------------------------------------------------------------------- validation

    def validate(
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, FileUpload] | None = None,
    ) -> list[str]:
        """Return the violations of one request (empty when it is valid)."""
        fields = self._methods.get(method)
        if fields is None:
            return [f"unknown method {method!r}"]
        files = files or {}
        ctx = _Context(files)
        errors: list[str] = []
        for name, raw in params.items():
            field = fields.get(name)
            if field is None and name in TOLERATED_EXTRAS:
                continue
            if field is None:
                errors.append(f"unknown parameter {name!r} for {method}")
            elif name in files:
                errors.append(f"parameter {name!r} is sent both as a form field and as a file")
            else:
                errors += self._check_field(field, raw, params, fields, name, ctx, raw=True)
        for name in files:
            field = fields.get(name)
            if field is not None and "InputFile" in field.types:
                ctx.used.add(name)
            elif field is not None:
                errors.append(f"parameter {name!r} of {method} can't be a file upload")
        given = set(params) | set(files)
        for field in fields.values():
            if field.name in given:
                continue
            if field.required:
                errors.append(f"parameter {field.name!r} is required")
            elif field.required_unless and not given.intersection(field.required_unless):
                others = " and ".join(field.required_unless)
                verb = "is" if len(field.required_unless) == 1 else "are"
                errors.append(f"parameter {field.name!r} is required when {others} {verb} not given")
            elif field.required_with and field.required_with in given:
                errors.append(f"parameter {field.name!r} is required when {field.required_with} is given")
        errors += [
            f"file part {name!r} is not referenced by any attach://{name}"
            for name in files
            if name not in ctx.used and name not in fields
        ]
        return list(dict.fromkeys(errors))

    def check_object(self, value: Any, type_name: str, path: str = "value") -> list[str]:
        """Check a JSON value (e.g. a response ``result``) against a type string of the spec."""
        return self._check_union(value, (type_name,), path, _Context({}), raw=False)

    # ---------------------------------------------------------------------------- internals

    def _check_field(
        self,
        field: _Field,
        value: Any,
        container: Mapping[str, Any],
        siblings: Mapping[str, _Field],
        path: str,
        ctx: _Context,
        *,
        raw: bool,
    ) -> list[str]:
        errors = self._check_union(value, field.types, path, ctx, raw=raw)
        if errors or field.types != ("String",) or not isinstance(value, str):
            return errors
        if field.name.endswith("parse_mode") and value and value.lower() not in PARSE_MODES:
            errors.append(f"unsupported parse_mode {value!r} in {path}")
        if field.limit is not None:
            errors += self._check_length(field, value, container, siblings, path)
        return errors

    @staticmethod
    def _check_length(
        field: _Field,
        value: str,
        container: Mapping[str, Any],
        siblings: Mapping[str, _Field],
        path: str,
    ) -> list[str]:
        lo, hi, unit = field.limit or (0, 0, "")
        parsed = False
        if unit == "bytes":
            count = len(value.encode("utf-8"))
        elif field.after_parsing:
            mode_name = f"{field.name}_parse_mode"
            mode = container.get(mode_name if mode_name in siblings else "parse_mode")
            parse_mode = mode if isinstance(mode, str) else None
            try:
                plain, _ = format_text(value, parse_mode)
            except HtmlError as exc:
                return [f"{exc} (in {path})"]
            except UnsupportedParseModeError:
                plain = value  # reported by the parse_mode field itself
            count, parsed = len(plain), is_parsed_mode(parse_mode)
        else:
            count = len(value)
        if lo <= count <= hi:
            return []
        return [rules.length_violation(field.name, path, count, (lo, hi), unit, parsed)]

    def _decode_raw(self, raw: str, type_: str) -> Any:
        """Decode one form value as ``type_``, or return ``_NO_MATCH``."""
        if type_ == "String":
            return raw
        if type_ == "InputFile":
            return raw if raw.startswith("attach://") else _NO_MATCH
        if type_ == "Integer":
            return int(raw) if _INTEGER_RE.fullmatch(raw) else _NO_MATCH
        if type_ == "Float":
            try:
                number = float(raw)
            except ValueError:
                return _NO_MATCH
            return number if math.isfinite(number) else _NO_MATCH
        if type_ == "Boolean":
            return {"true": True, "false": False}.get(raw, _NO_MATCH)
        try:
            return json.loads(raw)
        except ValueError:
            return _NO_MATCH

    def _shape_ok(self, value: Any, type_: str) -> bool:
        """Whether ``value`` has the right JSON kind for ``type_`` (ignoring its content)."""
        if type_.startswith(_ARRAY):
            return isinstance(value, list)
        if type_ in ("String", "InputFile"):
            return isinstance(value, str)
        if type_ == "Boolean":
            return isinstance(value, bool)
        if type_ == "Integer":
            return isinstance(value, int) and not isinstance(value, bool)
        if type_ == "Float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if type_ in self._subtypes:
            return any(self._shape_ok(value, sub) for sub in self._subtypes[type_])
        return isinstance(value, dict)

    def _check_union(self, value: Any, types: tuple[str, ...], path: str, ctx: _Context, *, raw: bool) -> list[str]:
        """Accept ``value`` if any alternative fits; else report the closest alternative."""
        attempts: list[list[str]] = []
        for type_ in types:
            candidate = self._decode_raw(value, type_) if raw else value
            if candidate is _NO_MATCH or not self._shape_ok(candidate, type_):
                continue
            trial = ctx.fork()
            errors = self._check_value(candidate, type_, path, trial)
            if not errors:
                ctx.used |= trial.used
                return []
            attempts.append(errors)
        if attempts:
            return min(attempts, key=len)
        return [f"{path}: expected {' or '.join(types)}, got {_short(value)}"]

    def _check_value(self, value: Any, type_: str, path: str, ctx: _Context) -> list[str]:
        """Check a value already known to have the right JSON kind for ``type_``."""
        if type_.startswith(_ARRAY):
            item_type = (type_.removeprefix(_ARRAY),)
            return [
                error
                for index, item in enumerate(value)
                for error in self._check_union(item, item_type, f"{path}[{index}]", ctx, raw=False)
            ]
        if type_ in ("String", "InputFile"):
            return self._check_attachment(value, type_, path, ctx)
        if type_ in _PRIMITIVES:
            return []
        if type_ in self._subtypes:
            return self._check_abstract(value, type_, path, ctx)
        if type_ not in self._types:
            return [f"{path}: type {type_!r} is not in the spec"]
        return self._check_object(value, type_, path, ctx)

    def _check_attachment(self, value: str, type_: str, path: str, ctx: _Context) -> list[str]:
        if not value.startswith("attach://"):
            return [] if type_ == "String" else [f"{path}: expected a file upload or attach://"]
        name = value.removeprefix("attach://")
        if name not in ctx.files:
            return [f"{path}: {value} names no file part of the request"]
        ctx.used.add(name)
        return []

    def _check_abstract(self, value: Any, type_: str, path: str, ctx: _Context) -> list[str]:
        candidates = tuple(sub for sub in self._subtypes[type_] if self._shape_ok(value, sub))
        if isinstance(value, dict):
            known = [(sub, self._literals[sub]) for sub in candidates if sub in self._literals]
            for sub, (key, literal) in known:
                if value.get(key) == literal:
                    return self._check_value(value, sub, path, ctx)
            if known and len(known) == len(candidates):
                key = known[0][1][0]
                allowed = ", ".join(literal for _, (_, literal) in known)
                got = _short(value[key]) if key in value else "nothing"
                return [f"{path}.{key}: {got} is not one of {allowed} ({type_})"]
        return self._check_union(value, candidates, path, ctx, raw=False)

    def _check_object(self, value: dict[str, Any], type_: str, path: str, ctx: _Context) -> list[str]:
        fields = self._fields.get(type_)
        if fields is None:  # a field-less type such as CallbackGame
            return []
        errors: list[str] = []
        for key, item in value.items():
            field = fields.get(key)
            if field is None:
                errors.append(f"{path}: unknown field {key!r} for {type_}")
            else:
                item_path = f"{path}.{key}"
                errors += self._check_field(field, item, value, fields, item_path, ctx, raw=False)
        errors += [
            f"{path}: missing required field {field.name!r} of {type_}"
            for field in fields.values()
            if field.required and field.name not in value
        ]
        literal = self._literals.get(type_)
        if literal is not None and literal[0] in value and value[literal[0]] != literal[1]:
            errors.append(f"{path}.{literal[0]}: must be {literal[1]!r} for {type_}")
        rule = rules.TYPE_RULES.get(type_)
        if rule is not None and not errors:
            errors += rule(value, path)
        return errors
