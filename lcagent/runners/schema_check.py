"""A small JSON Schema checker for the subset that constrained decoding produces and agents use.

It exists so tests and runners can tell whether a model's JSON fits a schema without adding
the ``jsonschema`` dependency. Unknown keywords are ignored (the check is permissive there).
"""

from __future__ import annotations

import json
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$", root: dict[str, Any] | None = None) -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``"$.field: reason"`` lines; empty if it fits.

    Local ``$ref``s (``#/$defs/Name``, as pydantic writes them) resolve against ``root``.
    """
    root = schema if root is None else root
    if isinstance(schema, dict) and "$ref" in schema:
        schema = _resolve(schema["$ref"], root)
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{path}: no value is allowed here"]
    errors: list[str] = []
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_is_type(value, name) for name in names):
            return [f"{path}: expected {' or '.join(names)}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: must be one of {schema['enum']!r}, got {value!r}")
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema.get("oneOf")
        if all(schema_errors(value, option, path, root) for option in options):
            errors.append(f"{path}: matches none of the allowed alternatives")
    for option in schema.get("allOf", []):
        errors.extend(schema_errors(value, option, path, root))
    if isinstance(value, dict):
        errors.extend(_object_errors(value, schema, path, root))
    elif isinstance(value, list):
        errors.extend(_array_errors(value, schema, path, root))
    elif isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than {schema['maxLength']} characters")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: above the maximum {schema['maximum']}")
    return errors


def json_errors(text: str, schema: dict[str, Any]) -> list[str]:
    """Like :func:`schema_errors` but starting from text, so unparsable JSON is one error."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return [f"not valid JSON ({error}): {text[:80]!r}"]
    return schema_errors(value, schema)


def _resolve(reference: str, root: dict[str, Any]) -> Any:
    if not reference.startswith("#/"):
        raise ValueError(f"only local $refs like '#/$defs/Name' are supported, got {reference!r}")
    node: Any = root
    for part in reference[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False  # bool is an int subclass in Python but not in JSON
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(name, (object,)))


def _object_errors(value: dict[str, Any], schema: dict[str, Any], path: str, root: dict[str, Any]) -> list[str]:
    errors = [f"{path}: missing required field {key!r}" for key in schema.get("required", []) if key not in value]
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            errors.extend(schema_errors(item, properties[key], f"{path}.{key}", root))
        elif extra is False:
            errors.append(f"{path}: unexpected field {key!r}")
        elif isinstance(extra, dict):
            errors.extend(schema_errors(item, extra, f"{path}.{key}", root))
    return errors


def _array_errors(value: list[Any], schema: dict[str, Any], path: str, root: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    if len(value) < schema.get("minItems", 0):
        errors.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(f"{path}: more than {schema['maxItems']} items")
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            errors.extend(schema_errors(item, items, f"{path}[{index}]", root))
    return errors
