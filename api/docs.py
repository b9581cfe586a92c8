"""The API reference page, built from the OpenAPI schema that drf-spectacular generates.

No Swagger UI or Redoc: they need scripts from outside our origin, which the CSP
forbids. The page is plain HTML rendered by a template.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")
_cache: dict[str, dict[str, Any]] = {}


def generate_schema(request: HttpRequest | None = None) -> dict[str, Any]:
    generator = SchemaGenerator(patterns=None)
    return generator.get_schema(request=None, public=True)


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(component name or "", the schema with one level of $ref / allOf resolved)."""
    name = ""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = components.get(name, {})
    elif "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return name, schema


def _type_label(schema: dict[str, Any], components: dict[str, Any]) -> str:
    name, resolved = _resolve(schema, components)
    if "enum" in resolved:
        return " | ".join(str(value) for value in resolved["enum"] if value not in ("", None))
    if resolved.get("type") == "array":
        return f"array of {_type_label(resolved.get('items', {}), components)}"
    if name and resolved.get("type", "object") == "object":
        return name
    label = str(resolved.get("type", "object"))
    if resolved.get("format"):
        label += f" ({resolved['format']})"
    if "oneOf" in resolved:
        label = " | ".join(_type_label(option, components) for option in resolved["oneOf"])
    return label


def _fields(schema: dict[str, Any], components: dict[str, Any]) -> tuple[str, list[dict]]:
    name, resolved = _resolve(schema, components)
    if resolved.get("type") == "array":
        item_name, item = _resolve(resolved.get("items", {}), components)
        name, resolved = (item_name or name), item
    required = set(resolved.get("required", []))
    rows = []
    for field, spec in resolved.get("properties", {}).items():
        _n, field_schema = _resolve(spec, components)
        limits = []
        for key in ("maxLength", "minimum", "maximum", "pattern"):
            if key in field_schema:
                limits.append(f"{key}: {field_schema[key]}")
        rows.append(
            {
                "name": field,
                "type": _type_label(spec, components),
                "required": field in required,
                "read_only": bool(field_schema.get("readOnly") or spec.get("readOnly")),
                "nullable": bool(field_schema.get("nullable")),
                "description": field_schema.get("description", ""),
                "limits": ", ".join(limits),
            }
        )
    return name, rows


def _operation(path: str, method: str, op: dict[str, Any], components: dict) -> dict:
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    request_name, request_fields = _fields(body["schema"], components) if body else ("", [])
    responses = []
    for code, response in op.get("responses", {}).items():
        content = response.get("content", {}).get("application/json")
        name, fields = _fields(content["schema"], components) if content else ("", [])
        responses.append(
            {
                "status": code,
                "description": response.get("description", ""),
                "schema": name,
                "fields": fields,
            }
        )
    return {
        "id": op.get("operationId", f"{method}-{path}"),
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary", ""),
        "description": op.get("description", ""),
        "tags": op.get("tags", []),
        "parameters": [
            {
                "name": param["name"],
                "in": param["in"],
                "required": param.get("required", False),
                "type": _type_label(param.get("schema", {}), components),
                "description": param.get("description", ""),
            }
            for param in op.get("parameters", [])
        ],
        "request_schema": request_name,
        "request_fields": request_fields,
        "responses": responses,
        "auth": [next(iter(entry), "") for entry in op.get("security", []) if entry],
    }


def schema_as_docs(request: HttpRequest | None = None) -> dict[str, Any]:
    """Template context of the docs page; generated once per process and language."""
    language = get_language() or ""
    if language not in _cache:
        schema = generate_schema()
        components = schema.get("components", {}).get("schemas", {})
        groups: dict[str, list[dict]] = {}
        for path, item in schema.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    op = _operation(path, method, item[method], components)
                    groups.setdefault((op["tags"] or ["api"])[0], []).append(op)
        sections = []
        for tag, operations in sorted(groups.items()):
            # The viewset's docstring is every operation's description: show it once.
            shared = operations[0]["description"]
            if all(op["description"] == shared for op in operations):
                for op in operations:
                    op["description"] = ""
            sections.append((tag, {"description": shared, "operations": operations}))
        _cache[language] = {
            "info": schema.get("info", {}),
            "groups": sections,
            "security_schemes": schema.get("components", {}).get("securitySchemes", {}),
        }
    return _cache[language]
