"""The admin certificates an org's MSPs list: none with NodeOUs (the OU says
who is an admin); without them the Admin's certificate and, after a renewal,
the one it replaced, both named by the org's channels through its
``AdminCertRotation`` before any MSP of the org changes: the MSPs' files take
the certificates from the rotation's outputs, so the admin toolbox's and the
nodes' Secrets wait for it."""

from __future__ import annotations

from typing import Any

import pulumi

from fabric_components.components.rollout import Gates
from fabric_components.crypto_material import AdminCerts, CaMaterial, IdentityMaterial
from fabric_components.providers.admin_cert_rotation import (
    AdminCertRotation,
    admin_cert_rotation_inputs,
    admin_certs,
)
from network_spec import OrgSpec


def org_admin_certs(
    org: OrgSpec, admin: IdentityMaterial, cas: CaMaterial, gates: Gates | None,
    parent: pulumi.Resource,
) -> AdminCerts:
    """``org``'s admin certificates; with ``gates`` (populate, renewal on) and
    channels of the org, through its ``<org>-admin-certs`` rotation."""
    if org.enable_node_ous or admin.previous_sign_cert is None:
        return AdminCerts(admin.sign_cert)
    certs = pulumi.Output.all(admin.sign_cert, admin.previous_sign_cert).apply(
        lambda v: admin_certs(v[0], v[1]))
    # The certificate the channels name now (the previous one), with its key:
    # a same-key renewal's (fabric:keyGenerations refuses such an Admin).
    signer: pulumi.Output[dict[str, Any]] = pulumi.Output.all(
        cas.ca_cert, admin.sign_cert, admin.previous_sign_cert, admin.sign_key,
    ).apply(lambda v: {"ca_cert": v[0], "sign_cert": v[2] or v[1], "sign_key": v[3]})
    props = None if gates is None else admin_cert_rotation_inputs(
        gates.spec, org, gates.addressing, gates.executors[org.name], certs,
        pulumi.Output.secret(signer))
    listed: pulumi.Output[Any] = certs
    if props is not None:
        rotation = AdminCertRotation(f"{org.k8s_name}-admin-certs", props,
                                     pulumi.ResourceOptions(parent=parent))
        listed = rotation.admin_certs
    return AdminCerts(listed.apply(lambda c: str(c[0])),
                      listed.apply(lambda c: str(c[1]) if len(c) > 1 else ""))
