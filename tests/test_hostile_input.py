"""Hostile and mistaken input (stack files, waiver files, preview/export JSON, config values, --out): one line
naming the file, key or field and what is allowed, exit 2, no traceback, nothing written."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ai_security_baseline.components import config as config_module
from ai_security_baseline.components.config import ConfigError, parse_config, parse_region
from ai_security_baseline.controls import kit, vocabulary
from ai_security_baseline.controls.testing import res
from ai_security_baseline.controls.waivers import WaivableControls, split_config_waivers
from ai_security_baseline.verify import pipeline
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import StackError, run_stack, stack_config
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.waivers import WaiverError, load_waivers, parse_waivers

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
CATALOG = load_catalog()

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
WAIVER = {
    "control": "S3-03",
    "resource": "*-access-logs",
    "reason": "log delivery cannot write to SSE-KMS targets",
    "owner": "platform-security",
    "expires": "2099-06-30",
}


def project(tmp_path: Path, stack_file: str | bytes) -> Path:
    """A copy of the project with ``Pulumi.bad.yaml`` holding ``stack_file``."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (root / name).write_text((ROOT / name).read_text())
    path = root / "Pulumi.bad.yaml"
    if isinstance(stack_file, bytes):
        path.write_bytes(stack_file)
    else:
        path.write_text(stack_file)
    return root


def refused_stack(tmp_path: Path, stack_file: str | bytes) -> str:
    with pytest.raises(StackError) as error:
        stack_config("bad", project(tmp_path, stack_file))
    return str(error.value)


def refused_waivers(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "waivers.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(WaiverError) as error:
        load_waivers(path, CATALOG)
    return str(error.value)


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


# ---- YAML: stack files and waiver files share one bounded loader -------------------------------------------------


def test_stack_file_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    message = refused_stack(tmp_path, "config:\n  aws:region: eu-west-1\n" + BOMB)
    assert time.monotonic() - started < 1
    assert "Pulumi.bad.yaml" in message
    assert "alias *a (allowed: no YAML aliases)" in message


def test_waiver_file_alias_bomb_is_refused(tmp_path: Path) -> None:
    message = refused_waivers(tmp_path, "waivers: []\n" + BOMB)
    assert "waivers.yaml" in message
    assert "allowed: no YAML aliases" in message


def test_stack_file_duplicate_key_is_an_error_naming_it(tmp_path: Path) -> None:
    stack = "config:\n  aws:region: eu-west-1\n  baseline:protect: true\n  baseline:protect: false\n"
    assert "line 4: duplicate key 'baseline:protect'" in refused_stack(tmp_path, stack)


def test_waiver_file_duplicate_key_is_an_error_naming_it(tmp_path: Path) -> None:
    entry = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in WAIVER.items())
    message = refused_waivers(tmp_path, f"waivers:\n  - {entry.strip()}\n    resource: '*'\n")
    assert "duplicate key 'resource'" in message


def test_non_utf8_stack_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, b"config:\n  aws:region: eu-west-1\n  baseline:tags:\n    owner: caf\xe9\n")
    out = tmp_path / "out"
    assert main(["--project-dir", str(root), "preview", "--stack", "bad", "--out", str(out)]) == 2
    line = one_error_line(capsys)
    assert "Pulumi.bad.yaml: not UTF-8 text (byte 0xe9" in line
    assert not out.exists()


def test_non_utf8_waiver_file_names_the_file(tmp_path: Path) -> None:
    assert "waivers.yaml: not UTF-8 text" in refused_waivers(tmp_path, b"waivers: []\n# \xff\n")


def test_stack_file_nested_deeper_than_the_bound_is_refused(tmp_path: Path) -> None:
    stack = "config:\n  baseline:tags:\n    extra: " + "[" * 100 + "]" * 100 + "\n"
    assert "nested deeper than 64 levels" in refused_stack(tmp_path, stack)


def test_waiver_file_nested_deeper_than_the_bound_is_refused(tmp_path: Path) -> None:
    assert "nested deeper than 64 levels" in refused_waivers(tmp_path, "waivers: " + "[" * 100_000)


def test_stack_file_above_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    stack = "config:\n  aws:region: eu-west-1\n" + "# padding\n" * 110_000
    assert refused_stack(tmp_path, stack).endswith("larger than 1 MiB (allowed: at most 1 MiB)")


def test_waiver_file_above_the_size_cap_is_refused(tmp_path: Path) -> None:
    assert "larger than 1 MiB" in refused_waivers(tmp_path, "waivers: []\n" + "#" * (1 << 20))


def test_stack_file_dates_stay_text_for_the_config_to_judge(tmp_path: Path) -> None:
    root = project(tmp_path, "config:\n  baseline:tags:\n    extra:\n      since: 2026-01-01\n")
    assert stack_config("bad", root) == {"baseline:tags": {"extra": {"since": "2026-01-01"}}}


def test_integer_too_long_to_convert_is_an_error_not_a_crash(tmp_path: Path) -> None:
    assert "not valid YAML" in refused_stack(tmp_path, "config:\n  baseline:kms:\n    rotationDays: " + "9" * 5000)


# ---- preview/export JSON: capped read, bounded nesting, typed fields ---------------------------------------------


def test_preview_from_dev_zero_is_refused_at_the_size_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--no-checkov", "--preview", "/dev/zero", "--out", str(tmp_path / "out")]) == 2
    assert one_error_line(capsys) == "error: /dev/zero: larger than 256 MiB (allowed: at most 256 MiB)"


def test_preview_nested_too_deep_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["scan", "--no-checkov", "--preview", str(path), "--out", str(tmp_path / "out")]) == 2
    assert one_error_line(capsys).endswith("deep.json: nested deeper than 64 levels (allowed: at most 64)")


def _preview(change: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / "preview-minimal.json").read_text())
    document["steps"][0]["newState"].update(change)
    return document


WRONG_TYPES = [
    ("steps-not-a-list", {"steps": {"a": 1}}, "steps: must be a list, got an object"),
    ("inputs-a-string", _preview({"inputs": "abc"}), "steps[0].newState.inputs: must be an object, got a string"),
    ("urn-a-number", _preview({"urn": 7}), "steps[0].newState.urn: must be a string, got a number"),
    ("custom-a-string", _preview({"custom": "false"}), "steps[0].newState.custom: must be true or false"),
    ("dependencies-a-string", _preview({"dependencies": "x"}), "steps[0].newState.dependencies: must be a list"),
    ("dependency-a-number", _preview({"dependencies": [1]}), "steps[0].newState.dependencies[0]: must be a URN"),
    ("outputs-a-list", _preview({"outputs": []}), "steps[0].newState.outputs: must be an object, got a list"),
]


@pytest.mark.parametrize(("document", "field"), [(d, f) for _, d, f in WRONG_TYPES], ids=[i for i, _, _ in WRONG_TYPES])
def test_preview_field_of_the_wrong_type_is_one_line_naming_its_path(
    document: dict[str, Any], field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(document))
    assert main(["scan", "--no-checkov", "--preview", str(path), "--out", str(tmp_path / "out")]) == 2
    assert f"preview.json: {field}" in one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_stack_export_resources_not_a_list_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"deployment": {"resources": "all"}}))
    assert main(["scan", "--no-checkov", "--stack-export", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "export.json: deployment.resources: must be a list, got a string" in one_error_line(capsys)


# ---- config values AWS would reject --------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["eu-west-9", "us-east-7", "cn-south-1", "us-gov-north-1"])
def test_region_that_does_not_exist_is_refused_naming_aws_region(region: str) -> None:
    with pytest.raises(ConfigError, match=rf'^aws:region = "{region}": no such AWS region'):
        parse_region(region)


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1"])
def test_regions_of_the_commercial_govcloud_and_china_partitions_are_accepted(region: str) -> None:
    assert parse_region(region) == region


def config_error(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    return str(error.value)


def test_tag_value_with_characters_aws_refuses_names_the_key() -> None:
    message = config_error({"tags": {"extra": {"team": "ml<script>"}}})
    assert "baseline:tags.extra.team" in message
    assert "not a valid AWS tag value: characters '<>'" in message


def test_owner_tag_with_characters_aws_refuses_names_the_key() -> None:
    assert "baseline:tags.owner" in config_error({"tags": {"owner": "team;drop"}})


def test_tag_value_longer_than_256_characters_is_refused() -> None:
    assert "257 characters, AWS allows at most 256" in config_error({"tags": {"extra": {"team": "a" * 257}}})


def test_tag_key_longer_than_128_characters_is_refused() -> None:
    assert "129 characters, AWS allows at most 128" in config_error({"tags": {"extra": {"k" * 129: "v"}}})


def test_unicode_letters_and_spaces_are_valid_tag_text() -> None:
    cfg = parse_config({"tags": {"owner": "Équipe ML", "extra": {"coût-centre": "Zürich 42"}}})
    assert cfg.mandatory_tags()["coût-centre"] == "Zürich 42"


def test_more_than_50_tags_per_resource_counting_the_baselines_own_is_refused() -> None:
    allowed = 50 - (4 + config_module.MAX_RESOURCE_OWN_TAGS)
    assert parse_config({"tags": {"extra": {f"k{i}": "v" for i in range(allowed)}}})
    message = config_error({"tags": {"extra": {f"k{i}": "v" for i in range(allowed + 1)}}})
    assert f"baseline:tags.extra: {allowed + 1} tags" in message
    assert f"at most {allowed} extra tags" in message
    assert "at most 43 extra tags" in config_error(
        {"tags": {"aiActRisk": "high", "extra": {f"k{i}": "v" for i in range(allowed)}}}
    )


def test_managed_by_cannot_be_overridden_by_an_extra_tag() -> None:
    assert "set by the baseline" in config_error({"tags": {"extra": {"managed-by": "someone-else"}}})


def test_resource_own_tag_bound_covers_every_resource_of_the_stack(dev_graph: ResourceGraph) -> None:
    own = [len(r.inputs["tags"]) for r in dev_graph if isinstance(r.inputs.get("tags"), dict)]
    assert own
    assert max(own) <= config_module.MAX_RESOURCE_OWN_TAGS


def test_empty_environment_is_an_error_naming_the_key_not_the_string_null(tmp_path: Path) -> None:
    message = refused_stack(tmp_path, "config:\n  aws:region: eu-west-1\n  baseline:environment:\n")
    assert "config key baseline:environment is empty" in message


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"storage": {"abortMultipartDays": True}}, "baseline:storage.abortMultipartDays = true"),
        ({"storage": {"extraDataBuckets": False}}, "baseline:storage.extraDataBuckets = false"),
        ({"network": {"subnetPrefix": True}}, "baseline:network.subnetPrefix = true"),
    ],
)
def test_true_or_false_for_an_integer_is_an_error(raw: dict[str, Any], key: str) -> None:
    assert f"{key}: must be an integer, not true or false" in config_error(raw)


def test_misspelled_namespace_is_refused_suggesting_the_known_one() -> None:
    with pytest.raises(ConfigError) as error:
        run_stack("dev", overrides={"baseilne:protect": True})
    assert "baseilne:protect: unknown config namespace 'baseilne'" in str(error.value)
    assert "did you mean baseline:protect?" in str(error.value)


def test_huge_config_value_is_truncated_in_the_error() -> None:
    message = config_error({"prefix": "a" * 10_000_000})
    assert "baseline:prefix" in message
    assert "(10000002 characters)" in message
    assert len(message) < 600


# ---- waivers that match everything -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["*", "**", "urn:pulumi:*", "*::*", "?*", "urn:pulumi:*::ai-security-baseline::*", "*aws:*", "urn:pulumi:dev::*"],
)
def test_waiver_glob_matching_every_resource_is_refused(pattern: str) -> None:
    with pytest.raises(WaiverError, match=r"waivers\[0\]\.resource: .* matches every resource of a stack or project"):
        parse_waivers({"waivers": [{**WAIVER, "resource": pattern}]}, CATALOG)


@pytest.mark.parametrize(("key", "limit"), [("reason", 1000), ("owner", 200), ("resource", 1000)])
def test_waiver_text_longer_than_its_bound_is_refused_naming_the_field(key: str, limit: int) -> None:
    with pytest.raises(WaiverError, match=rf"waivers\[0\]\.{key}: {limit + 1} characters \(allowed: at most {limit}\)"):
        parse_waivers({"waivers": [{**WAIVER, key: "x" * (limit + 1)}]}, CATALOG)


def test_crossguard_refuses_a_match_all_waiver_too() -> None:
    known = WaivableControls(waivable={"S3-03": True}, checkov_controls={})
    live, refused = split_config_waivers([{**WAIVER, "resource": "*"}], known, date(2026, 1, 1))
    assert live == []
    assert "matches every resource" in refused[0].message


# ---- --out -----------------------------------------------------------------------------------------------------


def test_scan_out_that_is_an_existing_file_is_refused_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.txt"
    out.write_text("keep me\n")
    code = main(["scan", "--no-checkov", "--preview", str(DATA / "preview-minimal.json"), "--out", str(out)])
    assert code == 2
    assert (
        one_error_line(capsys) == f"error: --out {out}: is an existing file (allowed: a directory, created if missing)"
    )
    assert out.read_text() == "keep me\n"


@pytest.mark.parametrize("command", ["preview", "demo"])
def test_out_that_is_an_existing_file_is_refused_before_any_work(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "file"
    out.write_text("")
    assert main([command, "--out", str(out)]) == 2
    assert "is an existing file" in one_error_line(capsys)


def test_scan_out_that_cannot_be_created_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "reports"
    assert main(["scan", "--no-checkov", "--preview", str(DATA / "preview-minimal.json"), "--out", str(out)]) == 2
    assert one_error_line(capsys) == (
        f"error: --out {out}: {tmp_path / 'file'} is a file, not a directory (allowed: a directory, created if missing)"
    )


@pytest.mark.parametrize("command", ["preview", "scan"])
def test_empty_out_is_refused_not_taken_as_the_current_directory(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main([command, "--out", ""])
    assert exit_.value.code == 2
    assert "empty path" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_out_with_a_name_the_system_refuses_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / ("a" * 300)
    assert main(["scan", "--no-checkov", "--preview", str(DATA / "preview-minimal.json"), "--out", str(out)]) == 2
    assert "unusable path (File name too long" in one_error_line(capsys)


def test_out_that_is_a_link_loop_is_refused_before_scanning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert main(["scan", "--no-checkov", "--preview", str(DATA / "preview-minimal.json"), "--out", str(loop)]) == 2
    assert "is a link to nothing or a link loop" in one_error_line(capsys)


def test_preview_that_is_a_pipe_is_refused_instead_of_waiting_forever(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "preview.json"
    os.mkfifo(fifo)
    assert main(["scan", "--no-checkov", "--preview", str(fifo), "--out", str(tmp_path / "out")]) == 2
    assert one_error_line(capsys).endswith(
        "preview.json: is a pipe or socket (allowed: a regular file; save a pipe's output first)"
    )


# ---- resource properties of the wrong shape inside a well-formed preview ----------------------------------------


def reshaped_preview(tmp_path: Path, dev_graph: ResourceGraph, **changes: tuple[str, str, str, Any]) -> Path:
    """The dev stack's preview with, per change, the named resource's input replaced (type token, name, key, value)."""
    document = dev_graph.to_preview_json()
    for token, name, key, value in changes.values():
        steps = [s for s in document["steps"] if s["newState"]["type"] == token and s["urn"].endswith(f"::{name}")]
        assert steps, (token, name)
        for step in steps:
            step["newState"]["inputs"][key] = value
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    "change",
    [
        (vocabulary.BUCKET, "aisb-dev-raw", "tags", ["a"]),
        (vocabulary.SECURITY_GROUP, "endpoints-sg", "ingress", "all"),
        (vocabulary.BUCKET_POLICY, "aisb-dev-raw", "policy", "[" * 5000 + "]" * 5000),
    ],
    ids=["tags-a-list", "ingress-text", "policy-nested-5000-deep"],
)
def test_a_preview_property_of_an_unexpected_shape_is_one_line_naming_the_file_and_resource_exit_2(
    change: tuple[str, str, str, Any], tmp_path: Path, dev_graph: ResourceGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    preview = reshaped_preview(tmp_path, dev_graph, change=change)
    out = tmp_path / "out"
    assert main(["scan", "--no-checkov", "--preview", str(preview), "--out", str(out)]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"error: {preview}: urn:pulumi:")
    assert "a property has an unexpected type or shape" in line
    assert not out.exists()


def test_a_preview_property_of_an_unexpected_shape_is_refused_before_the_access_analysis_runs(
    tmp_path: Path, dev_graph: ResourceGraph, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules find the malformed property; the sweep and checkov never start on input that will be refused."""

    def not_reached(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the access analysis ran on a preview the rules refuse")

    monkeypatch.setattr(pipeline, "access_findings", not_reached)
    preview = reshaped_preview(
        tmp_path, dev_graph, change=(vocabulary.SECURITY_GROUP, "endpoints-sg", "ingress", "all")
    )
    assert main(["scan", "--no-checkov", "--preview", str(preview), "--out", str(tmp_path / "out")]) == 2
    assert "a property has an unexpected type or shape" in one_error_line(capsys)


def test_a_rule_reading_a_property_of_an_unexpected_shape_reports_error_not_a_traceback() -> None:
    """From a stack render (or the CrossGuard pack) the same input is an ``error`` outcome of the rule."""

    def reads_tags(resource: kit.Res) -> Iterator[tuple[str, kit.Verdict, str]]:
        yield "S3-01", resource.props["tags"].get("bucket-class") == "raw", "tags read"

    rule = kit.Rule("reads-tags", "reads a map", ("S3-01",), (vocabulary.BUCKET,), reads_tags)
    [outcome] = rule.evaluate([res(vocabulary.BUCKET, "aisb-dev-raw", tags=["a"])])
    assert (outcome.status, kit.SHAPE_MESSAGE in outcome.message) == ("error", True)


@pytest.mark.parametrize(("content", "expected"), [(None, "larger than 1 MiB"), (b"caf\xe9", "not UTF-8 text")])
def test_audit_outputs_file_is_read_capped_and_as_utf8(
    content: bytes | None, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path("/dev/zero") if content is None else tmp_path / "outputs.json"
    if content is not None:
        path.write_bytes(content)
    assert main(["audit", "--outputs", str(path), "--region", "eu-west-1", "--out", str(tmp_path / "out")]) == 2
    assert expected in one_error_line(capsys)


def test_preview_with_a_duplicate_urn_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document: dict[str, Any] = json.loads((DATA / "preview-minimal.json").read_text())
    document["steps"].append(document["steps"][0])
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(document))
    assert main(["scan", "--no-checkov", "--preview", str(path), "--out", str(tmp_path / "out")]) == 2
    assert one_error_line(capsys).startswith(f"error: {path}: duplicate URN urn:pulumi:")


def test_stack_file_config_key_that_is_not_text_is_refused(tmp_path: Path) -> None:
    assert "config key 1 is not text" in refused_stack(tmp_path, "config:\n  1: x\n")


def test_config_key_without_a_namespace_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"region: no config namespace, nothing reads it"):
        run_stack("dev", overrides={"region": "eu-west-1"})


def test_many_bad_list_entries_are_one_bounded_error() -> None:
    message = config_error({"kms": {"adminArns": ["a" * 300] * 1000}})
    assert message.startswith('invalid configuration: baseline:kms.adminArns.0 = "aaa')
    assert message.endswith("; and 990 more")
    assert len(message) < 5000


def test_validator_message_echoing_a_huge_value_is_truncated() -> None:
    message = config_error({"network": {"endpointServices": ["s" * 100_000]}})
    assert "unknown endpoint service(s)" in message
    assert "s" * 300 not in message
    assert len(message) < 1500


def test_audit_out_that_is_an_existing_file_is_refused_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs, out = tmp_path / "outputs.json", tmp_path / "file"
    outputs.write_text("{}")
    out.write_text("")
    args = ["audit", "--outputs", str(outputs), "--endpoint-url", "http://127.0.0.1:9", "--region", "eu-west-1"]
    assert main([*args, "--out", str(out)]) == 2
    assert "is an existing file" in one_error_line(capsys)


def test_iam_03_a_bucket_encrypted_with_another_stacks_key_is_an_access_error_not_a_refusal(
    tmp_path: Path, dev_graph: ResourceGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key from another stack is legitimate input; its policy is unknown, so the analysis cannot decide."""
    other_key = "arn:aws:kms:eu-west-1:999988887777:key/other-stack"
    rules = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": other_key}}]
    preview = reshaped_preview(tmp_path, dev_graph, change=(vocabulary.BUCKET_SSE, "aisb-dev-raw", "rules", rules))
    out = tmp_path / "out"
    assert main(["scan", "--no-checkov", "--preview", str(preview), "--out", str(out), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    findings = json.loads((out / "findings.json").read_text())["findings"]
    errors = {
        f["control"] for f in findings if f["status"] == "error" and "a key this stack does not define" in f["message"]
    }
    assert errors == {"IAM-03", "IAM-04"}
