"""The JSON Schema export agrees with the validator on the sample archive and catches typos."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import run_cli
from tsgen.config import load_config
from tsgen.archive.jsonschema import json_schema
from tsgen.archive.load import iter_files, read_document

REPO = Path(__file__).resolve().parents[1]


def _as_json(meta: dict) -> dict:
    # editors see YAML timestamps as text; so does the schema
    return json.loads(json.dumps(meta, default=str, ensure_ascii=False))


@pytest.mark.parametrize("kind", ["ticket", "kb"])
def test_every_sample_document_matches_the_schema(kind: str) -> None:
    config = load_config(REPO)
    validator = jsonschema.Draft202012Validator(json_schema(kind, config))
    checked = 0
    for path, file_kind in iter_files(REPO):
        if file_kind != kind:
            continue
        raw, problems = read_document(REPO, path, kind)
        assert raw is not None, problems
        errors = [e.message for e in validator.iter_errors(_as_json(raw.meta))]
        assert errors == [], path
        checked += 1
    assert checked >= 10


def test_schema_flags_an_unknown_key_and_a_wrong_enum() -> None:
    validator = jsonschema.Draft202012Validator(json_schema("ticket", load_config(REPO)))
    doc = {"id": "TS202310270001", "title": "x", "type": "故障", "priority": "P9", "prioirty": "P1",
           "created": "2023-10-27 10:00", "status": "已解决"}
    messages = sorted(e.message for e in validator.iter_errors(doc))
    assert any("'P9' is not one of" in m for m in messages)
    assert any("'prioirty' was unexpected" in m for m in messages)


def test_schema_command_prints_json() -> None:
    result = run_cli(["schema", "kb", "--root", str(REPO)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["required"] == ["id", "title"]


def test_the_committed_field_reference_is_current() -> None:
    """docs/fields.md is `tsgen schema --format markdown`; regenerate it after changing schema.py."""
    from pathlib import Path

    from conftest import run_cli

    result = run_cli(["schema", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    committed = (Path(__file__).resolve().parents[1] / "docs" / "fields.md").read_text(encoding="utf-8")
    assert result.stdout == committed, "docs/fields.md is stale: run `tsgen schema --format markdown > docs/fields.md`"
    for key in ("`satisfaction` | 客户满意度", "`applies_to` | 适用场景", "| `awaiting-customer` | 需客户配合 |"):
        assert key in committed
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "(docs/fields.md)" in readme
