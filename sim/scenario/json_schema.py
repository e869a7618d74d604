"""The JSON Schema of the scenario format, for editors (``escsim schema``).

It is the pydantic models' schema with two changes that make it describe files as users write
them:

- ``variant`` is left out: the loader sets it from ``--variant``; a file may not;
- a file with ``extends:`` is a patch on another scenario (docs/scenario-format.md#extends-
  building-on-another-scenario): nothing is required of it, and its id-keyed lists may be
  written as mappings of partial items. For such a file the schema checks the names of its
  top-level fields and the plain values (id, title, dates), and leaves the rest to
  ``escsim validate``, which checks the merged result.
"""

from __future__ import annotations

import json
from typing import Any

from sim.scenario.loader import LOADER_FIELDS
from sim.scenario.schema import Scenario

# Top-level fields whose value in a child file has the same form as in a whole scenario.
_PLAIN_FIELDS = ("id", "title", "summary", "extends", "start", "end")


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    doc = Scenario.model_json_schema()
    properties = {k: v for k, v in doc.pop("properties").items() if k not in LOADER_FIELDS}
    required = [k for k in doc.pop("required", []) if k not in LOADER_FIELDS]
    doc.pop("additionalProperties", None)
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "escsim scenario"
    doc["type"] = "object"
    # every name is known at the top; what a value must be depends on whether the file extends
    doc["properties"] = {k: {"description": v.get("description", "")} if "description" in v
                         else {} for k, v in properties.items()}
    doc["additionalProperties"] = False
    doc["if"] = {"required": ["extends"]}
    doc["then"] = {"properties": {k: properties[k] for k in _PLAIN_FIELDS if k in properties}}
    doc["else"] = {"properties": properties, "required": required}
    return doc


def scenario_json_schema_text() -> str:
    """The schema as indented JSON with sorted keys."""
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True)
