"""The admin certificates an org's MSPs list: none with NodeOUs (the OU says
who is an admin); without them the Admin's certificate and, after a renewal,
the one it replaced, both named by the org's channels through its
``AdminCertRotation`` before any MSP of the org changes: the MSPs' files take
the certificates from the rotation's outputs, so the admin toolbox's and the
nodes' Secrets wait for it."""

from __future__ import annotations

import pulumi

from fabric_components.components.rollout import Gates
from fabric_components.crypto_material import AdminCerts, CaMaterial, IdentityMaterial
from fabric_components.providers.admin_cert_rotation import (
    AdminCertRotation,
    admin_cert_rotation_inputs,
)
from network_spec import OrgSpec


def org_admin_certs(
    org: OrgSpec, admin: IdentityMaterial, cas: CaMaterial, gates: Gates | None,
    after: pulumi.Input[list[pulumi.Resource]], parent: pulumi.Resource,
) -> AdminCerts:
    """``org``'s admin certificates; with ``gates`` (populate, renewal of
    generated material) and channels of the org, through its
    ``<org>-admin-certs`` rotation, which runs ``after`` the node before the
    org's first in the rollout (an up that renews every certificate at once
    rolls the orderers first: the rotation submits to them once they serve
    again)."""
    if gates is None:
        return AdminCerts(admin.sign_cert)
    signer = pulumi.Output.all(cas.ca_cert, admin.sign_key).apply(
        lambda v: {"ca_cert": v[0], "sign_key": v[1]})
    props = admin_cert_rotation_inputs(gates.spec, org, gates.addressing,
                                       gates.executors[org.name], admin.sign_cert,
                                       pulumi.Output.secret(signer))
    if props is None:
        return AdminCerts(admin.sign_cert)
    rotation = AdminCertRotation(f"{org.k8s_name}-admin-certs", props,
                                 pulumi.ResourceOptions(parent=parent, depends_on=after))
    listed = rotation.admin_certs
    return AdminCerts(listed.apply(lambda c: str(c[0])),
                      listed.apply(lambda c: str(c[1]) if len(c) > 1 else ""))
