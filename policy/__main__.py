"""The project's policy pack: `pulumi preview --policy-pack policy`. Every rule
is mandatory but the advisory ones (``Rule.mandatory``); the checks themselves
live in ``rules.py``."""

import sys
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root
from policy.rules import (
    EXPIRY_RULE,
    RULES,
    STACK_RULES,
    Rule,
    StackRule,
    certificates_expiring,
    horizon_of,
    plain,
)


def as_policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        for violation in rule.check(args.resource_type, plain(args.props)):
            report(f"{args.name}: {violation}", None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=(EnforcementLevel.MANDATORY if rule.mandatory
                           else EnforcementLevel.ADVISORY),
        validate=validate,
    )


def as_stack_policy(rule: StackRule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = [(r.resource_type, plain(r.props)) for r in args.resources]
        for violation in rule.check(resources):
            report(violation, None)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=validate,
    )


def expiry_policy() -> StackValidationPolicy:
    """Mandatory by default; ``--policy-pack-config`` may set its
    ``enforcementLevel`` (e.g. advisory) and its ``horizon`` (e.g. ``14d``)."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = [(r.resource_type, plain(r.props)) for r in args.resources]
        for violation in certificates_expiring(resources, horizon_of(args.get_config())):
            report(violation, None)

    return StackValidationPolicy(
        name=EXPIRY_RULE.name,
        description=EXPIRY_RULE.description,
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=validate,
        config_schema=PolicyConfigSchema(properties={
            "horizon": {"type": "string", "description": "e.g. 14d, 12h or 30m"},
        }),
    )


PolicyPack(name="fabric-network", policies=[
    *(as_policy(rule) for rule in RULES),
    *(as_stack_policy(rule) for rule in STACK_RULES),
    expiry_policy(),
])
