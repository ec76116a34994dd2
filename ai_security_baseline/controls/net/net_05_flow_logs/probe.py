"""NET-05 live probe: an ALL flow log into the encrypted, retained group via a role only this account assumes."""

from __future__ import annotations

from ai_security_baseline.controls.net.net_05_flow_logs.rule import MIN_RETENTION_DAYS
from ai_security_baseline.controls.vocabulary import FLOW_LOG_SERVICE
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.identity import service_trust
from ai_security_baseline.verify.checkers.audit.log import live_retention_waiver, log_group
from ai_security_baseline.verify.checkers.audit.network import vpc_subject


@check("NET-05", vpc_subject)
def flow_logs(ctx: AuditContext, vpc_id: str) -> Verdict:
    group_name = str(ctx.output("flowLogGroupName"))
    logs_key = str(ctx.output("logsKeyArn"))
    flows = ctx.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    matching = [
        f
        for f in flows
        if f.get("TrafficType") == "ALL"
        and (f.get("LogGroupName") == group_name or f.get("LogDestination", "").endswith(f":log-group:{group_name}"))
    ]
    if not matching:
        return Verdict(False, f"no ALL-traffic flow log of {vpc_id} into {group_name}", {"flowLogs": flows})
    flow = matching[0]
    group = log_group(ctx.client("logs"), group_name)
    if group is None:
        return Verdict(False, f"flow log group {group_name} does not exist", {})
    problems = []
    if group.get("kmsKeyId") != logs_key:
        problems.append(f"log group key {group.get('kmsKeyId')} (expected {logs_key})")
    waiver = live_retention_waiver(ctx, group)
    if int(group.get("retentionInDays") or 0) < MIN_RETENTION_DAYS and not waiver:
        problems.append(f"retention {group.get('retentionInDays')} < {MIN_RETENTION_DAYS}")
    role_arn = flow.get("DeliverLogsPermissionArn", "")
    ours, foreign = service_trust(
        ctx,
        role_arn,
        FLOW_LOG_SERVICE,
        lambda account: f"arn:aws:ec2:{ctx.region}:{account}:vpc-flow-log/{flow['FlowLogId']}",
    )
    if ours != "Allow" or foreign == "Allow":
        problems.append(f"delivery role trust: this account {ours}, another account {foreign}")
    return Verdict(
        not problems,
        "; ".join(problems)
        or f"flow log {flow['FlowLogId']} ALL -> {group_name} (KMS, "
        f"{group.get('retentionInDays')} days, conditioned role)",
        {"flowLogId": flow["FlowLogId"]},
        status="waived" if waiver and not problems else None,
        waiver=(waiver or "") if not problems else "",
    )
