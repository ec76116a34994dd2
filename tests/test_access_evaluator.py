"""The IAM evaluator, one test per decision rule it implements (docs/access.md).

Every test builds small literal policies and asserts the exact Decision (outcome and deciding statements).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ai_security_baseline.verify.iam.evaluator import (
    GET_CALLER_IDENTITY,
    Decision,
    PolicyEvaluationError,
    PolicySet,
    Request,
    evaluate,
)

ACCOUNT = "111122223333"
PARTNER_ACCOUNT = "444455556666"
TRAINER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-model-trainer"
TRAINER = f"arn:aws:sts::{ACCOUNT}:assumed-role/aisb-dev-model-trainer/job-1"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
PARTNER = f"arn:aws:sts::{PARTNER_ACCOUNT}:assumed-role/partner-reader/s1"
CURATED = "arn:aws:s3:::aisb-dev-curated"
OBJECT = f"{CURATED}/features/part-0.parquet"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0c7f6a0e-1111-2222-3333-444455556666"

ALLOW = Decision("Allow", ("identity[0]:ReadCurated",))
IMPLICIT = Decision("ImplicitDeny")
READ_CURATED = {"Sid": "ReadCurated", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{CURATED}/*"}


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def request(
    principal: str = TRAINER,
    action: str = "s3:GetObject",
    resource: str = OBJECT,
    context: dict[str, Any] | None = None,
) -> Request:
    return Request(principal, principal.split(":")[4], action, resource, context or {})


def policies(*identity: dict[str, Any], **others: Any) -> PolicySet:
    return PolicySet(identity=identity, resource_account=others.pop("resource_account", ACCOUNT), **others)


def read_if(condition: dict[str, Any]) -> dict[str, Any]:
    """The ReadCurated identity policy, restricted by one Condition block."""
    return doc({**READ_CURATED, "Condition": condition})


# --- 1. decision order -----------------------------------------------------------------------------------


def test_explicit_deny_in_the_resource_policy_wins_over_identity_and_resource_allows() -> None:
    bucket_policy = doc(
        {"Sid": "TrainerReads", "Effect": "Allow", "Principal": {"AWS": TRAINER_ROLE}, "Action": "s3:GetObject"},
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [CURATED, f"{CURATED}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    decision = evaluate(
        request(context={"aws:SecureTransport": False}), policies(doc(READ_CURATED), resource=bucket_policy)
    )
    assert decision == Decision("ExplicitDeny", ("resource:DenyInsecureTransport",))


def test_explicit_deny_in_the_permissions_boundary_wins_over_identity_allow() -> None:
    admin = doc({"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"})
    boundary = doc(
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "DenyTrailTampering", "Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"},
    )
    decision = evaluate(request(action="cloudtrail:StopLogging", resource="*"), policies(admin, boundary=boundary))
    assert decision == Decision("ExplicitDeny", ("boundary:DenyTrailTampering",))


def test_every_matching_deny_is_reported_in_source_order() -> None:
    deny_all = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    decision = evaluate(
        request(action="s3:DeleteObject"),
        policies(
            doc({**deny_all, "Sid": "NoDeletes"}),
            scps=[[doc({**deny_all, "Sid": "OrgNoDeletes"})]],
            resource=doc({**deny_all, "Sid": "BucketNoDeletes", "Principal": "*"}),
        ),
    )
    assert decision == Decision(
        "ExplicitDeny", ("identity[0]:NoDeletes", "scp[0][0]:OrgNoDeletes", "resource:BucketNoDeletes")
    )


def test_resource_policy_deny_applies_only_to_the_principals_it_names() -> None:
    bucket_policy = doc(
        {"Sid": "DenyPartner", "Effect": "Deny", "Principal": {"AWS": PARTNER_ACCOUNT}, "Action": "s3:*"}
    )
    assert evaluate(request(), policies(doc(READ_CURATED), resource=bucket_policy)) == ALLOW


def test_every_scp_level_must_allow() -> None:
    root = doc({"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"})
    ou = doc({"Sid": "OnlySageMaker", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"})
    assert evaluate(request(), policies(doc(READ_CURATED), scps=[[root], [ou]])) == IMPLICIT


def test_every_rcp_level_must_allow() -> None:
    full = doc({"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    ou = doc({"Sid": "OnlyKms", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"})
    assert evaluate(request(), policies(doc(READ_CURATED), rcps=[[full], [ou]])) == IMPLICIT


def test_every_vpce_policy_must_allow() -> None:
    endpoint = doc(
        {"Sid": "OnlyModels", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::m/*"}
    )
    assert evaluate(request(), policies(doc(READ_CURATED), vpce=[endpoint])) == IMPLICIT


def test_same_account_resource_policy_grant_allows_without_identity_policy() -> None:
    bucket_policy = doc({"Sid": "AliceReads", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject"})
    assert evaluate(request(ALICE), policies(resource=bucket_policy)) == Decision("Allow", ("resource:AliceReads",))


def test_same_account_identity_allow_alone_allows() -> None:
    assert evaluate(request(), policies(doc(READ_CURATED))) == ALLOW


def test_same_account_identity_allow_is_capped_by_the_boundary() -> None:
    boundary = doc({"Sid": "OnlySageMaker", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"})
    assert evaluate(request(), policies(doc(READ_CURATED), boundary=boundary)) == IMPLICIT


def test_same_account_identity_allow_is_capped_by_the_session_policy() -> None:
    session = doc({"Sid": "OnlyModels", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::m/*"})
    assert evaluate(request(), policies(doc(READ_CURATED), session=session)) == IMPLICIT


def test_same_account_identity_path_allow_names_identity_boundary_and_session_statements() -> None:
    boundary = doc({"Sid": "DataPlane", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    session = doc({"Sid": "JobScope", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{CURATED}/*"})
    decision = evaluate(request(), policies(doc(READ_CURATED), boundary=boundary, session=session))
    assert decision == Decision("Allow", ("identity[0]:ReadCurated", "boundary:DataPlane", "session:JobScope"))


PARTNER_GRANT = doc(
    {"Sid": "PartnerReads", "Effect": "Allow", "Principal": {"AWS": PARTNER_ACCOUNT}, "Action": "s3:GetObject"}
)


def test_cross_account_resource_grant_without_identity_allow_is_implicit_deny() -> None:
    assert evaluate(request(PARTNER), policies(resource=PARTNER_GRANT)) == IMPLICIT


def test_cross_account_identity_allow_without_resource_grant_is_implicit_deny() -> None:
    assert evaluate(request(PARTNER), policies(doc(READ_CURATED))) == IMPLICIT


def test_cross_account_needs_resource_grant_to_its_account_and_identity_allow() -> None:
    decision = evaluate(request(PARTNER), policies(doc(READ_CURATED), resource=PARTNER_GRANT))
    assert decision == Decision("Allow", ("identity[0]:ReadCurated", "resource:PartnerReads"))


USE_KEY = doc({"Sid": "UseDataKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})
ENABLE_IAM = {
    "Sid": "EnableIamPolicies",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def test_kms_key_policy_is_required_even_in_the_same_account() -> None:
    key_policy = doc({"Sid": "AdminsOnly", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*"})
    decision = evaluate(
        request(action="kms:Decrypt", resource=KEY), policies(USE_KEY, resource=key_policy, resource_kind="kms")
    )
    assert decision == IMPLICIT


def test_kms_account_root_grant_delegates_to_the_identity_path() -> None:
    decision = evaluate(
        request(action="kms:Decrypt", resource=KEY), policies(USE_KEY, resource=doc(ENABLE_IAM), resource_kind="kms")
    )
    assert decision == Decision("Allow", ("identity[0]:UseDataKey", "resource:EnableIamPolicies"))


def test_kms_account_root_grant_without_identity_allow_is_implicit_deny() -> None:
    decision = evaluate(
        request(action="kms:Decrypt", resource=KEY), policies(resource=doc(ENABLE_IAM), resource_kind="kms")
    )
    assert decision == IMPLICIT


def test_trust_policy_is_required_for_assume_role_even_in_the_same_account() -> None:
    target = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-break-glass"
    may_assume = doc({"Sid": "AssumeBreakGlass", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": target})
    trust = doc({"Sid": "OnlyAlice", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"})
    decision = evaluate(
        request(action="sts:AssumeRole", resource=target), policies(may_assume, resource=trust, resource_kind="trust")
    )
    assert decision == IMPLICIT


def test_trust_policy_naming_the_caller_allows_assume_role_without_identity_policy() -> None:
    target = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-break-glass"
    trust = doc({"Sid": "AliceAssumes", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"})
    decision = evaluate(
        request(ALICE, action="sts:AssumeRole", resource=target), policies(resource=trust, resource_kind="trust")
    )
    assert decision == Decision("Allow", ("resource:AliceAssumes",))


def test_missing_key_policy_raises_instead_of_deciding() -> None:
    with pytest.raises(PolicyEvaluationError, match="key policy or trust policy"):
        evaluate(request(action="kms:Decrypt", resource=KEY), policies(USE_KEY, resource_kind="kms"))


# --- 2. resource-policy grants vs boundary ---------------------------------------------------------------

BOUNDARY_SAGEMAKER_ONLY = doc({"Sid": "OnlySageMaker", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"})
SESSION_MODELS_ONLY = doc({"Sid": "OnlyModels", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::m/*"})


def grant_to(principal: object) -> dict[str, Any]:
    return doc({"Sid": "Grant", "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject"})


def test_resource_grant_to_a_user_arn_is_not_capped_by_the_boundary() -> None:
    decision = evaluate(request(ALICE), policies(boundary=BOUNDARY_SAGEMAKER_ONLY, resource=grant_to({"AWS": ALICE})))
    assert decision == Decision("Allow", ("resource:Grant",))


def test_resource_grant_to_anyone_is_not_capped_by_the_boundary() -> None:
    decision = evaluate(request(), policies(boundary=BOUNDARY_SAGEMAKER_ONLY, resource=grant_to("*")))
    assert decision == Decision("Allow", ("resource:Grant",))


def test_resource_grant_to_a_session_arn_is_capped_by_neither_boundary_nor_session_policy() -> None:
    """Pinned nuance: the IAM User Guide (single-account evaluation, session policies) says permissions granted
    directly to a session ARN are not limited by an implicit deny in a boundary or session policy."""
    decision = evaluate(
        request(),
        policies(boundary=BOUNDARY_SAGEMAKER_ONLY, session=SESSION_MODELS_ONLY, resource=grant_to({"AWS": TRAINER})),
    )
    assert decision == Decision("Allow", ("resource:Grant",))


def test_resource_grant_to_a_role_arn_is_capped_by_the_boundary() -> None:
    decision = evaluate(request(), policies(boundary=BOUNDARY_SAGEMAKER_ONLY, resource=grant_to({"AWS": TRAINER_ROLE})))
    assert decision == IMPLICIT


def test_resource_grant_to_a_role_arn_is_capped_by_the_session_policy() -> None:
    decision = evaluate(request(), policies(session=SESSION_MODELS_ONLY, resource=grant_to({"AWS": TRAINER_ROLE})))
    assert decision == IMPLICIT


def test_resource_grant_to_a_role_arn_within_the_boundary_allows_and_names_the_boundary() -> None:
    boundary = doc({"Sid": "DataPlane", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    decision = evaluate(request(), policies(boundary=boundary, resource=grant_to({"AWS": TRAINER_ROLE})))
    assert decision == Decision("Allow", ("boundary:DataPlane", "resource:Grant"))


EXEMPT_TRAINER = {
    "Sid": "DenyOthers",
    "Effect": "Deny",
    "NotPrincipal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", TRAINER_ROLE, TRAINER]},
    "Action": "s3:*",
}


def test_deny_with_not_principal_exempts_a_session_whose_account_role_and_session_are_listed() -> None:
    assert evaluate(request(), policies(doc(READ_CURATED), resource=doc(EXEMPT_TRAINER))) == ALLOW


def test_deny_with_not_principal_listing_only_the_role_still_denies_its_session() -> None:
    only_role = {**EXEMPT_TRAINER, "NotPrincipal": {"AWS": TRAINER_ROLE}}
    decision = evaluate(request(), policies(doc(READ_CURATED), resource=doc(only_role)))
    assert decision == Decision("ExplicitDeny", ("resource:DenyOthers",))


def test_deny_with_not_principal_always_applies_to_a_principal_with_a_boundary() -> None:
    boundary = doc({"Sid": "DataPlane", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    decision = evaluate(request(), policies(doc(READ_CURATED), boundary=boundary, resource=doc(EXEMPT_TRAINER)))
    assert decision == Decision("ExplicitDeny", ("resource:DenyOthers",))


def test_session_principal_matches_its_role_arn_whatever_the_role_path() -> None:
    role_with_path = f"arn:aws:iam::{ACCOUNT}:role/ml/aisb-dev-model-trainer"
    decision = evaluate(request(), policies(resource=grant_to({"AWS": role_with_path})))
    assert decision == Decision("Allow", ("resource:Grant",))


def test_service_principal_is_allowed_by_a_resource_grant_to_the_service() -> None:
    logging_grant = doc(
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
        }
    )
    service_request = Request("logging.s3.amazonaws.com", "", "s3:PutObject", OBJECT, {})
    assert evaluate(service_request, policies(resource=logging_grant)) == Decision(
        "Allow", ("resource:S3ServerAccessLogs",)
    )


# --- 3. matching -----------------------------------------------------------------------------------------


def test_action_matching_is_case_insensitive() -> None:
    shouting = doc({**READ_CURATED, "Action": "S3:GETOBJ*"})
    assert evaluate(request(), policies(shouting)) == ALLOW


def test_not_action_matching_is_case_insensitive() -> None:
    deny_but_reads = {"Sid": "OnlyReads", "Effect": "Deny", "NotAction": "S3:GETOBJECT", "Resource": "*"}
    assert evaluate(request(), policies(doc(READ_CURATED, deny_but_reads))) == ALLOW


def test_resource_matching_is_case_sensitive() -> None:
    assert (
        evaluate(request(resource=OBJECT.upper().replace("ARN:AWS:S3", "arn:aws:s3")), policies(doc(READ_CURATED)))
        == IMPLICIT
    )


def test_not_resource_in_a_deny_denies_everything_outside_the_listed_resources() -> None:
    fence = {"Sid": "OnlyCurated", "Effect": "Deny", "Action": "s3:*", "NotResource": [CURATED, f"{CURATED}/*"]}
    admin = {"Sid": "S3Admin", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    outside = evaluate(request(resource="arn:aws:s3:::aisb-dev-raw/x"), policies(doc(admin, fence)))
    inside = evaluate(request(), policies(doc(admin, fence)))
    assert (outside, inside) == (
        Decision("ExplicitDeny", ("identity[0]:OnlyCurated",)),
        Decision("Allow", ("identity[0]:S3Admin",)),
    )


def test_question_mark_glob_matches_exactly_one_character() -> None:
    part = doc({**READ_CURATED, "Resource": f"{CURATED}/features/part-?.parquet"})
    assert evaluate(request(resource=f"{CURATED}/features/part-10.parquet"), policies(part)) == IMPLICIT


def test_regex_metacharacters_in_resource_are_literal() -> None:
    regexy = doc({**READ_CURATED, "Resource": "arn:aws:s3:::a.b/(x)+[0-9]"})
    assert evaluate(request(resource="arn:aws:s3:::aXb/xx5"), policies(regexy)) == IMPLICIT


@settings(max_examples=300, deadline=None)
@given(st.text("ab*?.+()[]^$|\\{}/:", max_size=8), st.text("ab.+()[]^$|\\{}/:*?", max_size=8))
def test_resource_glob_matches_like_a_reference_regex_translation(pattern: str, resource: str) -> None:
    assume("${" not in pattern)
    reference = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    expected = ALLOW if re.fullmatch(reference, resource, re.DOTALL) else IMPLICIT
    assert evaluate(request(resource=resource), policies(doc({**READ_CURATED, "Resource": pattern}))) == expected


def test_aws_username_variable_in_resource_scopes_to_the_caller() -> None:
    home = doc({**READ_CURATED, "Resource": f"{CURATED}/home/${{aws:username}}/*"})
    own = evaluate(request(ALICE, resource=f"{CURATED}/home/alice/notes"), policies(home))
    other = evaluate(request(ALICE, resource=f"{CURATED}/home/bob/notes"), policies(home))
    assert (own, other) == (ALLOW, IMPLICIT)


def test_missing_variable_matches_nothing() -> None:
    home = doc({**READ_CURATED, "Resource": f"{CURATED}/home/${{aws:username}}/*"})
    assert evaluate(request(resource=f"{CURATED}/home/${{aws:username}}/x"), policies(home)) == IMPLICIT


def test_missing_variable_in_a_condition_value_matches_nothing() -> None:
    own_prefix = read_if({"StringEquals": {"s3:prefix": "home/${aws:username}"}})
    assert evaluate(request(context={"s3:prefix": "home/"}), policies(own_prefix)) == IMPLICIT


def test_variable_default_applies_when_the_key_is_absent() -> None:
    shared = doc({**READ_CURATED, "Resource": f"{CURATED}/home/${{aws:username, 'shared'}}/*"})
    assert evaluate(request(resource=f"{CURATED}/home/shared/x"), policies(shared)) == ALLOW


def test_star_question_and_dollar_variables_are_literal_characters() -> None:
    literal = doc({**READ_CURATED, "Resource": f"{CURATED}/${{*}}${{?}}${{$}}"})
    exact = evaluate(request(resource=f"{CURATED}/*?$"), policies(literal))
    glob_like = evaluate(request(resource=f"{CURATED}/ab$"), policies(literal))
    assert (exact, glob_like) == (ALLOW, IMPLICIT)


def test_principal_account_variable_in_string_condition_value() -> None:
    own_account = read_if({"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}})
    mine = evaluate(request(context={"aws:ResourceAccount": ACCOUNT}), policies(own_account))
    theirs = evaluate(request(context={"aws:ResourceAccount": PARTNER_ACCOUNT}), policies(own_account))
    assert (mine, theirs) == (ALLOW, IMPLICIT)


def test_variable_in_arn_condition_value() -> None:
    from_own_roles = read_if({"ArnLike": {"aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:role/*"}})
    decision = evaluate(
        request(context={"aws:SourceArn": f"arn:aws:iam::{PARTNER_ACCOUNT}:role/x"}), policies(from_own_roles)
    )
    assert decision == IMPLICIT


def test_policy_without_version_is_2008_and_treats_variables_as_literal_text() -> None:
    unversioned = {"Statement": [{**READ_CURATED, "Resource": f"{CURATED}/${{aws:username}}/*"}]}
    assert evaluate(request(ALICE, resource=f"{CURATED}/alice/x"), policies(unversioned)) == IMPLICIT


def test_version_2008_treats_variables_as_literal_text() -> None:
    old = doc({**READ_CURATED, "Resource": f"{CURATED}/home/${{aws:username}}/*"}, version="2008-10-17")
    assert evaluate(request(ALICE, resource=f"{CURATED}/home/${{aws:username}}/x"), policies(old)) == ALLOW


# --- 4. conditions ---------------------------------------------------------------------------------------


def test_conditions_and_across_operators_and_keys() -> None:
    both = read_if(
        {"Bool": {"aws:SecureTransport": True}, "StringEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceVpc": "vpc-1"}}
    )
    one_key_wrong = {"aws:SecureTransport": True, "aws:SourceVpce": "vpce-1", "aws:SourceVpc": "vpc-2"}
    assert evaluate(request(context=one_key_wrong), policies(both)) == IMPLICIT


def test_positive_operator_ors_its_values() -> None:
    either = read_if({"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}})
    assert evaluate(request(context={"aws:SourceVpce": "vpce-2"}), policies(either)) == ALLOW


def test_negated_operator_nors_its_values() -> None:
    neither = read_if({"StringNotEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}})
    assert evaluate(request(context={"aws:SourceVpce": "vpce-2"}), policies(neither)) == IMPLICIT


def test_condition_key_names_are_case_insensitive() -> None:
    vpce = read_if({"StringEquals": {"AWS:SOURCEVPCE": "vpce-1"}})
    assert evaluate(request(context={"aws:sourceVpce": "vpce-1"}), policies(vpce)) == ALLOW


def test_positive_operator_on_an_absent_key_is_false() -> None:
    vpce = read_if({"StringEquals": {"aws:SourceVpce": "vpce-1"}})
    assert evaluate(request(), policies(vpce)) == IMPLICIT


def test_negated_operator_on_an_absent_key_is_true() -> None:
    not_vpce = read_if({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})
    assert evaluate(request(), policies(not_vpce)) == ALLOW


DENY_UNENCRYPTED_PUT = {
    "Sid": "DenyWrongEncryption",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:PutObject",
    "Resource": f"{CURATED}/*",
    "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}},
}
WRITE_CURATED = doc({"Sid": "WriteCurated", "Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{CURATED}/*"})


def test_deny_with_string_not_equals_if_exists_fires_when_key_absent() -> None:
    decision = evaluate(request(action="s3:PutObject"), policies(WRITE_CURATED, resource=doc(DENY_UNENCRYPTED_PUT)))
    assert decision == Decision("ExplicitDeny", ("resource:DenyWrongEncryption",))


def test_if_exists_compares_a_present_key_normally() -> None:
    kms_put = request(action="s3:PutObject", context={"s3:x-amz-server-side-encryption": "aws:kms"})
    decision = evaluate(kms_put, policies(WRITE_CURATED, resource=doc(DENY_UNENCRYPTED_PUT)))
    assert decision == Decision("Allow", ("identity[0]:WriteCurated",))


def test_for_any_value_on_an_absent_key_is_false() -> None:
    tagged = read_if({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})
    assert evaluate(request(), policies(tagged)) == IMPLICIT


def test_for_all_values_on_an_absent_key_is_true() -> None:
    only_team_tags = read_if({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})
    assert evaluate(request(), policies(only_team_tags)) == ALLOW


def test_null_false_guard_stops_for_all_values_matching_an_absent_key() -> None:
    guarded = read_if({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "Null": {"aws:TagKeys": "false"}})
    assert evaluate(request(), policies(guarded)) == IMPLICIT


def test_for_all_values_requires_every_context_value_to_match() -> None:
    only_team_tags = read_if({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})
    assert evaluate(request(context={"aws:TagKeys": ["team", "owner"]}), policies(only_team_tags)) == IMPLICIT


def test_for_any_value_needs_one_context_value_to_match() -> None:
    tagged = read_if({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})
    assert evaluate(request(context={"aws:TagKeys": ["owner", "team"]}), policies(tagged)) == ALLOW


def test_null_true_matches_only_an_absent_key() -> None:
    no_vpce = read_if({"Null": {"aws:SourceVpce": True}})
    absent = evaluate(request(), policies(no_vpce))
    present = evaluate(request(context={"aws:SourceVpce": "vpce-1"}), policies(no_vpce))
    assert (absent, present) == (ALLOW, IMPLICIT)


def test_string_equals_ignore_case_ignores_case() -> None:
    team = read_if({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "ML"}})
    assert evaluate(request(context={"aws:PrincipalTag/team": "ml"}), policies(team)) == ALLOW


def test_string_equals_treats_star_literally_and_string_like_globs() -> None:
    equals = read_if({"StringEquals": {"s3:prefix": "home/*"}})
    like = read_if({"StringLike": {"s3:prefix": "home/*"}})
    ctx = {"s3:prefix": "home/alice"}
    assert (evaluate(request(context=ctx), policies(equals)), evaluate(request(context=ctx), policies(like))) == (
        IMPLICIT,
        ALLOW,
    )


def test_numeric_less_than_denies_old_tls_versions() -> None:
    deny_old_tls = {
        "Sid": "DenyOldTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
    }
    bucket = policies(doc(READ_CURATED), resource=doc(deny_old_tls))
    old = evaluate(request(context={"s3:TlsVersion": "1.1"}), bucket)
    new = evaluate(request(context={"s3:TlsVersion": "1.3"}), bucket)
    assert (old, new) == (Decision("ExplicitDeny", ("resource:DenyOldTls",)), ALLOW)


def test_date_operators_accept_iso_8601_and_epoch_seconds() -> None:
    before_2027 = read_if({"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}})
    iso = evaluate(request(context={"aws:CurrentTime": "2026-12-31T23:59:59Z"}), policies(before_2027))
    epoch = evaluate(
        request(context={"aws:EpochTime": 1798761600}),
        policies(read_if({"DateGreaterThanEquals": {"aws:EpochTime": "2027-01-01"}})),
    )
    assert (iso, epoch) == (ALLOW, ALLOW)


def test_bool_accepts_json_booleans_and_strings() -> None:
    tls_only = read_if({"Bool": {"aws:SecureTransport": True}})
    assert evaluate(request(context={"aws:SecureTransport": "true"}), policies(tls_only)) == ALLOW


def test_binary_equals_compares_base64_values() -> None:
    blob = read_if({"BinaryEquals": {"aws:RequestTag/blob": "aGVsbG8="}})
    assert evaluate(request(context={"aws:RequestTag/blob": "aGVsbG8="}), policies(blob)) == ALLOW


def test_ip_address_matches_an_ipv4_cidr() -> None:
    office = read_if({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    assert evaluate(request(context={"aws:SourceIp": "203.0.113.7"}), policies(office)) == ALLOW


def test_ip_address_matches_an_ipv6_cidr() -> None:
    office = read_if({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}})
    assert evaluate(request(context={"aws:SourceIp": "2001:db8::1"}), policies(office)) == ALLOW


def test_not_ip_address_is_true_only_outside_every_range() -> None:
    outside = read_if({"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}})
    assert evaluate(request(context={"aws:SourceIp": "2001:db8::1"}), policies(outside)) == IMPLICIT


def test_arn_like_globs_each_segment_separately() -> None:
    queue = read_if({"ArnLike": {"aws:SourceArn": f"arn:aws:sqs:*:{ACCOUNT}:jobs"}})
    spanning = {"aws:SourceArn": f"arn:aws:sqs:eu-west-1:{PARTNER_ACCOUNT}:{ACCOUNT}:jobs"}
    assert evaluate(request(context=spanning), policies(queue)) == IMPLICIT


def test_arn_equals_is_equivalent_to_arn_like() -> None:
    any_region = read_if({"ArnEquals": {"aws:SourceArn": f"arn:aws:sqs:*:{ACCOUNT}:jobs"}})
    source = {"aws:SourceArn": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"}
    assert evaluate(request(context=source), policies(any_region)) == ALLOW


def test_json_booleans_and_numbers_are_valid_string_condition_values() -> None:
    typed = read_if({"StringEquals": {"aws:PrincipalTag/level": 5, "aws:PrincipalTag/approved": True}})
    ctx = {"aws:PrincipalTag/level": "5", "aws:PrincipalTag/approved": "true"}
    assert evaluate(request(context=ctx), policies(typed)) == ALLOW


def test_single_values_and_one_element_lists_are_equivalent_everywhere() -> None:
    listed = {
        "Sid": "Grant",
        "Effect": "Allow",
        "Principal": {"AWS": [TRAINER_ROLE]},
        "Action": ["s3:GetObject"],
        "Resource": [f"{CURATED}/*"],
        "Condition": {"StringEquals": {"aws:SourceVpce": ["vpce-1"]}},
    }
    single = {
        **listed,
        "Principal": {"AWS": TRAINER_ROLE},
        "Action": "s3:GetObject",
        "Resource": f"{CURATED}/*",
        "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
    }
    ctx = {"aws:SourceVpce": "vpce-1"}
    decisions = {evaluate(request(context=ctx), policies(resource=doc(s))) for s in (listed, single)}
    assert decisions == {Decision("Allow", ("resource:Grant",))}


def test_session_principal_arn_is_derived_as_its_role_arn() -> None:
    trainer_only = read_if({"ArnEquals": {"aws:PrincipalArn": TRAINER_ROLE}})
    assert evaluate(request(), policies(trainer_only)) == ALLOW


# --- 5. fail closed --------------------------------------------------------------------------------------


def test_unknown_condition_operator_raises_naming_operator_and_sid() -> None:
    typo = read_if({"StringEqual": {"aws:SourceVpce": "vpce-1"}})
    with pytest.raises(PolicyEvaluationError, match=r"identity\[0\] statement 'ReadCurated'.*'StringEqual'"):
        evaluate(request(), policies(typo))


def test_unknown_statement_element_raises() -> None:
    typo = {"Sid": "ReadCurated", "Effect": "Allow", "Action": "s3:GetObject", "Resources": "*"}
    with pytest.raises(PolicyEvaluationError, match=r"'ReadCurated'.*unknown statement element 'Resources'"):
        evaluate(request(), policies(doc(typo)))


def test_unknown_policy_element_raises() -> None:
    with pytest.raises(PolicyEvaluationError, match="unknown policy element 'Statements'"):
        evaluate(request(), policies({"Version": "2012-10-17", "Statements": [READ_CURATED]}))


def test_action_together_with_not_action_raises() -> None:
    both = {**READ_CURATED, "NotAction": "s3:PutObject"}
    with pytest.raises(PolicyEvaluationError, match="Action and NotAction"):
        evaluate(request(), policies(doc(both)))


def test_bad_effect_raises() -> None:
    with pytest.raises(PolicyEvaluationError, match="bad Effect 'allow'"):
        evaluate(request(), policies(doc({**READ_CURATED, "Effect": "allow"})))


def test_unsupported_version_raises() -> None:
    with pytest.raises(PolicyEvaluationError, match="unsupported Version '2012-10-18'"):
        evaluate(request(), policies(doc(READ_CURATED, version="2012-10-18")))


def test_malformed_condition_value_raises() -> None:
    with pytest.raises(PolicyEvaluationError, match="'high' is not a number"):
        evaluate(request(), policies(read_if({"NumericLessThan": {"s3:TlsVersion": "high"}})))


def test_principal_in_an_identity_policy_raises() -> None:
    with pytest.raises(PolicyEvaluationError, match="forbidden elsewhere"):
        evaluate(request(), policies(doc({**READ_CURATED, "Principal": "*"})))


def test_wildcard_inside_a_principal_arn_raises() -> None:
    with pytest.raises(PolicyEvaluationError, match="wildcards are not allowed"):
        evaluate(request(), policies(resource=grant_to({"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"})))


def test_unparseable_context_value_raises() -> None:
    with pytest.raises(PolicyEvaluationError, match="context value 'not-an-ip'"):
        evaluate(
            request(context={"aws:SourceIp": "not-an-ip"}),
            policies(read_if({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        )


# --- 6. return value and known nuances -------------------------------------------------------------------


def test_allow_names_the_gate_and_path_statements_qualified_by_source() -> None:
    scp = doc({"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"})
    endpoint = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{CURATED}/*"})
    decision = evaluate(request(), policies(doc(READ_CURATED), scps=[[scp]], vpce=[endpoint]))
    assert decision == Decision("Allow", ("identity[0]:ReadCurated", "scp[0][0]:FullAWSAccess", "vpce[0]:#0"))


def test_get_caller_identity_is_allowed_even_when_explicitly_denied() -> None:
    deny_all = doc({"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"})
    decision = evaluate(request(action="sts:GetCallerIdentity", resource="*"), policies(deny_all))
    assert decision == Decision("Allow", (GET_CALLER_IDENTITY,))


# --- property: explicit deny always wins -----------------------------------------------------------------

DENY_PLACES = ["identity[0]", "boundary", "session", "scp[0][0]", "vpce[0]", "resource"]


@settings(max_examples=150, deadline=None)
@given(
    place=st.sampled_from(DENY_PLACES),
    principal=st.sampled_from([TRAINER, ALICE, PARTNER]),
    allows=st.fixed_dictionaries({p: st.booleans() for p in DENY_PLACES}),
    resource_principal=st.sampled_from(["*", {"AWS": TRAINER_ROLE}, {"AWS": PARTNER_ACCOUNT}, {"AWS": ALICE}]),
)
def test_explicit_deny_always_wins_whatever_allows_exist(
    place: str, principal: str, allows: dict[str, bool], resource_principal: object
) -> None:
    def statements(where: str) -> list[dict[str, Any]]:
        based = {"Principal": resource_principal} if where in ("vpce[0]", "resource") else {}
        allow = {"Sid": "Allow", "Effect": "Allow", "Action": "s3:*", "Resource": "*", **based}
        deny = {"Sid": "Deny", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}
        deny |= {"Principal": "*"} if based else {}
        return [allow] * allows[where] + [deny] * (where == place)

    built = PolicySet(
        resource_account=ACCOUNT,
        identity=[doc(*statements("identity[0]"))],
        boundary=doc(*statements("boundary")),
        session=doc(*statements("session")),
        scps=[[doc(*statements("scp[0][0]"))]],
        vpce=[doc(*statements("vpce[0]"))],
        resource=doc(*statements("resource")),
    )
    assert evaluate(request(principal), built) == Decision("ExplicitDeny", (f"{place}:Deny",))


# ---- object tags (DET-03): s3:ExistingObjectTag/<key>, s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys --------

SCAN_TAG = "s3:ExistingObjectTag/GuardDutyMalwareScanStatus"
READ_GATE = {
    "Sid": "DenyReadsUnlessScannedClean",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": f"{CURATED}/*",
    "Condition": {"StringNotEquals": {SCAN_TAG: "NO_THREATS_FOUND"}},
}
UPLOAD = {"Sid": "Upload", "Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{CURATED}/*"}


def gated_read(tags: dict[str, Any]) -> Decision:
    """GetObject of an object carrying ``tags`` (as S3 puts them in the context), under the read gate."""
    return evaluate(request(context=tags), policies(doc(READ_CURATED), resource=doc(READ_GATE), resource_kind="s3"))


def tagged_upload(condition: dict[str, Any], tags: dict[str, Any]) -> Decision:
    """PutObject sending ``tags`` (their context keys), allowed by an identity policy under ``condition``."""
    return evaluate(request(action="s3:PutObject", context=tags), policies(doc({**UPLOAD, "Condition": condition})))


def test_existing_object_tag_with_the_clean_value_escapes_a_string_not_equals_deny() -> None:
    assert gated_read({SCAN_TAG: "NO_THREATS_FOUND"}) == ALLOW


def test_existing_object_tag_absent_makes_string_not_equals_true_so_an_untagged_object_is_denied() -> None:
    assert gated_read({}) == Decision("ExplicitDeny", ("resource:DenyReadsUnlessScannedClean",))


def test_existing_object_tag_with_another_value_makes_string_not_equals_true() -> None:
    assert gated_read({SCAN_TAG: "THREATS_FOUND"}).outcome == "ExplicitDeny"


def test_existing_object_tag_of_another_key_leaves_the_scan_tag_absent() -> None:
    assert gated_read({"s3:ExistingObjectTag/project": "NO_THREATS_FOUND"}).outcome == "ExplicitDeny"


def test_existing_object_tag_key_names_compare_case_insensitively_like_every_condition_key() -> None:
    assert gated_read({SCAN_TAG.lower(): "NO_THREATS_FOUND"}) == ALLOW


def test_existing_object_tag_values_compare_case_sensitively_under_string_not_equals() -> None:
    assert gated_read({SCAN_TAG: "no_threats_found"}).outcome == "ExplicitDeny"


def test_request_object_tag_absent_never_matches_string_equals() -> None:
    condition = {"StringEquals": {"s3:RequestObjectTag/project": "ml"}}
    assert tagged_upload(condition, {}) == IMPLICIT


def test_request_object_tag_present_with_the_value_matches_string_equals() -> None:
    condition = {"StringEquals": {"s3:RequestObjectTag/project": "ml"}}
    assert tagged_upload(condition, {"s3:RequestObjectTag/project": "ml"}).outcome == "Allow"


def test_request_object_tag_absent_matches_string_not_equals() -> None:
    condition = {"StringNotEquals": {"s3:RequestObjectTag/GuardDutyMalwareScanStatus": "NO_THREATS_FOUND"}}
    assert tagged_upload(condition, {}).outcome == "Allow"


def test_request_object_tag_keys_for_any_value_matches_when_one_key_is_listed() -> None:
    condition = {"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": ["GuardDutyMalwareScanStatus"]}}
    tags = {"s3:RequestObjectTagKeys": ["project", "GuardDutyMalwareScanStatus"]}
    assert tagged_upload(condition, tags).outcome == "Allow"


def test_request_object_tag_keys_for_any_value_is_false_when_no_tags_are_sent() -> None:
    condition = {"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": ["GuardDutyMalwareScanStatus"]}}
    assert tagged_upload(condition, {}) == IMPLICIT


def test_request_object_tag_keys_for_any_value_is_false_when_no_key_is_listed() -> None:
    condition = {"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": ["GuardDutyMalwareScanStatus"]}}
    assert tagged_upload(condition, {"s3:RequestObjectTagKeys": ["project"]}) == IMPLICIT


def test_request_object_tag_keys_for_any_value_ignore_case_matches_a_key_in_another_case() -> None:
    condition = {"ForAnyValue:StringEqualsIgnoreCase": {"s3:RequestObjectTagKeys": ["GuardDutyMalwareScanStatus"]}}
    tags = {"s3:RequestObjectTagKeys": ["guarddutymalwarescanstatus"]}
    assert tagged_upload(condition, tags).outcome == "Allow"


def test_request_object_tag_keys_for_all_values_is_true_when_no_tags_are_sent() -> None:
    condition = {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["project"]}}
    assert tagged_upload(condition, {}).outcome == "Allow"


def test_request_object_tag_keys_for_all_values_is_false_when_one_key_is_not_listed() -> None:
    condition = {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["project"]}}
    tags = {"s3:RequestObjectTagKeys": ["project", "GuardDutyMalwareScanStatus"]}
    assert tagged_upload(condition, tags) == IMPLICIT


def test_a_policy_text_that_cannot_be_parsed_fails_every_evaluation_not_only_the_first() -> None:
    """Policy texts are parsed once and reused; a failed parse is never reused as a policy."""
    bad = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}'
    for _ in range(2):
        with pytest.raises(PolicyEvaluationError, match="Resource or NotResource is required"):
            evaluate(request(), PolicySet(identity=(bad,), resource_account=ACCOUNT))


def test_the_same_policy_text_decides_alike_under_each_context_it_meets() -> None:
    """A parsed text (and its compiled patterns) shared across requests still reads each request's own context."""
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Sid": "ReadCurated", "Effect": "Allow", "Action": "s3:Get*",'
        f' "Resource": "{CURATED}/*", "Condition": {{"Bool": {{"aws:SecureTransport": "true"}}}}}}]}}'
    )
    decided = [
        evaluate(request(context={"aws:SecureTransport": tls}), PolicySet(identity=(text,), resource_account=ACCOUNT))
        for tls in (True, False, True)
    ]
    assert decided == [ALLOW, IMPLICIT, ALLOW]
