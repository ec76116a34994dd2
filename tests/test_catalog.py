"""The control catalog loads into typed data and a malformed catalog is refused naming the control and field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ai_security_baseline.controls import registry
from ai_security_baseline.verify.findings.catalog import CatalogError, load_catalog, parse_catalog

RAW: dict[str, Any] = registry.catalog_document()


def broken(control_index: int, **changes: Any) -> dict[str, Any]:
    """The shipped catalog with one control's fields changed (a value of ``None`` deletes the field)."""
    raw = copy.deepcopy(RAW)
    for key, value in changes.items():
        if value is None:
            del raw["controls"][control_index][key]
        else:
            raw["controls"][control_index][key] = value
    return raw


def test_catalog_loads_all_69_controls_in_file_order() -> None:
    catalog = load_catalog()
    assert len(catalog.controls) == 69  # AI-01..04 included
    assert catalog.ids()[0] == RAW["controls"][0]["id"]
    assert catalog.get("S3-01").waivable is False


def test_catalog_groups_controls_by_area_in_catalog_order() -> None:
    areas = load_catalog().by_area()
    assert list(areas) == ["KMS", "NET", "EP", "S3", "IAM", "LOG", "DET", "ACC", "AI", "GOV"]
    assert [c.id for c in areas["KMS"]] == [f"KMS-0{i}" for i in range(1, 8)]


def test_catalog_maps_a_checkov_id_to_every_control_listing_it() -> None:
    mapping = load_catalog().checkov_to_controls()
    assert [c.id for c in mapping["CKV_AWS_338"]] == ["NET-05", "LOG-07"]
    assert [c.id for c in mapping["CKV_AWS_7"]] == ["KMS-02"]


def test_catalog_get_refuses_an_unknown_id() -> None:
    with pytest.raises(KeyError, match="ZZ-99"):
        load_catalog().get("ZZ-99")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(broken(1, severity="urgent"), "controls[1] (KMS-02).severity: must be one of critical", id="sev"),
        pytest.param(broken(1, owner="me"), "controls[1] (KMS-02).owner: unknown key", id="unknown-key"),
        pytest.param(broken(1, rationale=None), "controls[1] (KMS-02).rationale: missing", id="missing"),
        pytest.param(broken(1, waivable="no"), "controls[1] (KMS-02).waivable: must be true or false", id="bool"),
        pytest.param(broken(1, id="KMS-01"), "controls[1] (KMS-01).id: duplicate", id="duplicate"),
        pytest.param(broken(1, area="S3"), "controls[1] (KMS-02).area: must be the id's prefix", id="area"),
        pytest.param(
            broken(1, evidence=["lint"]), "controls[1] (KMS-02).evidence: must list one or more of rule", id="ev"
        ),
        pytest.param(broken(1, evidence=[]), "controls[1] (KMS-02).evidence: must list one or more of rule", id="ev0"),
        pytest.param(
            broken(1, frameworks={"cis": [], "fsbp": [], "checkov": ["AWS_7"]}),
            "controls[1] (KMS-02).frameworks.checkov: 'AWS_7' is not a checkov id",
            id="checkov-id",
        ),
        pytest.param({**RAW, "version": 2}, "version: must be 1", id="version"),
    ],
)
def test_catalog_malformed_field_is_refused_naming_control_and_field(raw: dict[str, Any], expected: str) -> None:
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw, "controls")
    assert str(error.value).startswith("controls: ")
    assert expected in str(error.value)


def test_catalog_unit_whose_metadata_is_not_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "s3_99_example"
    folder.mkdir()
    (folder / "control.json").write_text("{not json")
    with pytest.raises(registry.UnitError, match=r"s3_99_example/control\.json: cannot read the control metadata"):
        registry.read_unit("S3", folder)


def test_catalog_unit_whose_metadata_names_another_id_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "s3_99_example"
    folder.mkdir()
    (folder / "control.json").write_text('{"id": "S3-98"}')
    with pytest.raises(registry.UnitError, match=r"id must be 'S3-99', the folder's id"):
        registry.read_unit("S3", folder)
