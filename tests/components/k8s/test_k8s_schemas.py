"""Every Kubernetes object the program registers, for both samples, validated
offline against the Kubernetes OpenAPI schemas in strict mode (unknown fields
are errors), for the oldest and newest supported Kubernetes versions."""

from __future__ import annotations

import kubernetes_validate
import pytest

from tests.components.program import run_sample

VERSIONS = ["1.30", kubernetes_validate.latest_version()]


@pytest.mark.parametrize("sample", ["simple", "scaled"])
def test_every_object_validates_strictly(sample):
    mocks, _ = run_sample(sample)
    objects = [r for r in mocks.resources if r.typ.startswith("kubernetes:")]
    assert len(objects) > 10
    failures = []
    for version in VERSIONS:
        for r in objects:
            try:
                kubernetes_validate.validate(r.manifest, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                failures.append(f"{version} {r.typ} {r.name}: {error.message} at "
                                f"{'.'.join(str(p) for p in error.path)}")
    assert failures == []
