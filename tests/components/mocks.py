"""Runs the program under Pulumi mocks and collects every registered resource.

Dynamic resources are not created by the mock engine, so the mocks call the
real provider's ``create`` (unpickled exactly as the engine would), which makes
the crypto material in the collected objects real."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import dill
import pulumi

MOCK_BLOCK = base64.b64encode(b"mock genesis block").decode()
MOCK_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n"
MOCK_EXEC_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: []
users:
- name: clusterUser_fabric-test-rg_fabric-test-aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id,
             6dae42f8-4368-4678-94ff-3960e28e3630, --client-id,
             80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id,
             00000000-0000-0000-0000-0000000000aa, --login, devicecode]
"""
"""What AKS returns with ``format=exec`` for a cluster with Entra ID."""
MOCK_CLIENT = {"clientId": "00000000-0000-0000-0000-0000000000c1",
               "objectId": "00000000-0000-0000-0000-0000000000d1",
               "subscriptionId": "00000000-0000-0000-0000-0000000000e1",
               "tenantId": "00000000-0000-0000-0000-0000000000aa"}
MOCK_ACCOUNT_KEY = "bW9jayBzdG9yYWdlIGFjY291bnQga2V5"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
DYNAMIC = "pulumi-python:dynamic/fabric:"
"""The prefix of every dynamic resource type the program registers."""


def is_dynamic(typ: str) -> bool:
    return typ.startswith("pulumi-python:dynamic")


def plain(value: Any) -> Any:
    """Unwrap secrets and turn integral floats (the wire format) back into ints."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270":
            return plain(value["value"])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def without_secret_values(value: Any) -> Any:
    """The plain part of registered inputs: every secret replaced by None."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return None
        return {k: without_secret_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_secret_values(v) for v in value]
    return value


def has_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get(SECRET_SIG) is not None or any(has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(has_secret(v) for v in value)
    return False


@dataclass
class Registered:
    typ: str
    name: str
    inputs: dict[str, Any]
    """As sent to the engine (secrets still wrapped)."""
    outputs: dict[str, Any]
    parent: str
    provider: str = ""
    """For dynamic resources, the provider class name."""

    @property
    def manifest(self) -> dict[str, Any]:
        return plain(self.inputs)


CRYPTO_PROVIDERS = ("fabric_components.providers.crypto",
                    "fabric_components.providers.tls_certificate",
                    "fabric_components.providers.scraper_identity")
"""Providers that only generate material: the mocks run their create."""


@dataclass
class RecordingMocks(pulumi.runtime.Mocks):
    resources: list[Registered] = field(default_factory=list)
    previous_outputs: dict[str, Any] = field(default_factory=dict)
    """The outputs of the stack's last update, as the stack reads them back
    (none: a new stack)."""
    failed_reads: list[str] = field(default_factory=list)
    """Reasons the next reads of the stack's outputs fail with, one per read."""
    other_stacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Other stacks' outputs by ``<org>/<project>/<stack>``; any other name
    reads ``previous_outputs``."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        outputs = dict(inputs)
        resource_id = f"{args.name}-id"
        provider_name = ""
        if is_dynamic(args.typ):
            provider = dill.loads(base64.b64decode(plain(inputs.pop("__provider"))))
            inputs = {k: v for k, v in inputs.items() if k != "__provider"}
            provider_name = type(provider).__name__
            if type(provider).__module__ in CRYPTO_PROVIDERS:
                result = provider.create(plain(inputs))
                outputs, resource_id = dict(result.outs), result.id
            else:
                # Fabric operations need a network: they are tested against the
                # real local network; under mocks they only echo their inputs.
                outputs = {**inputs, "block": MOCK_BLOCK, "block_sha256": "0" * 64}
        elif args.typ.startswith("azure-native:"):
            # A resource's name is its explicit name input, else auto-named.
            explicit = {"azure-native:storage:BlobContainer": "containerName"}.get(args.typ)
            outputs.setdefault("name", inputs.get(explicit or "", args.name))
        self.resources.append(
            Registered(args.typ, args.name, inputs, outputs, getattr(args, "parent", "") or "",
                       provider_name)
        )
        return resource_id, outputs

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        self.calls.append((args.token, dict(args.args)))
        if args.token == "pulumi:pulumi:readStackOutputs":
            if self.failed_reads:
                return {}, [("", self.failed_reads.pop(0))]
            name = args.args["name"]
            return {"name": name, "outputs": self.other_stacks.get(name, self.previous_outputs)}
        if args.token == "azure-native:containerservice:listManagedClusterUserCredentials":
            text = MOCK_EXEC_KUBECONFIG if args.args.get("format") == "exec" else MOCK_KUBECONFIG
            kubeconfig = base64.b64encode(text.encode()).decode()
            return {"kubeconfigs": [{"name": "clusterUser", "value": kubeconfig}]}
        if args.token == "azure-native:authorization:getClientConfig":
            return MOCK_CLIENT
        if args.token == "azure-native:storage:listStorageAccountKeys":
            return {"keys": [{"keyName": "key1", "permissions": "FULL", "value": MOCK_ACCOUNT_KEY}]}
        return {}

    def by_provider(self, provider: str) -> list[Registered]:
        return [r for r in self.resources if r.provider == provider]

    def of_type(self, typ: str) -> list[Registered]:
        return [r for r in self.resources if r.typ == typ]

    def named(self, typ: str, name: str) -> Registered:
        matches = [r for r in self.resources if r.typ == typ and r.name == name]
        assert len(matches) == 1, f"{typ} {name}: {len(matches)} registered"
        return matches[0]
