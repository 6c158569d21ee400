"""The kubeconfig of an AKS cluster with Entra ID and no local accounts. AKS
hands out one whose users run ``kubelogin get-token --login devicecode``: an
interactive sign-in that no ``pulumi up`` in CI (nor the dynamic providers'
exec calls) can answer. Rewritten to ``--login azurecli``, kubelogin takes the
token of the Azure CLI's signed-in identity (``az login``, or ``azure/login``
with OIDC in the workflow)."""

from __future__ import annotations

from typing import Any

import yaml

KUBELOGIN = "kubelogin"


def _option(args: list[str], name: str) -> str | None:
    if name in args and args.index(name) + 1 < len(args):
        return args[args.index(name) + 1]
    return None


def azure_cli_kubeconfig(kubeconfig: str) -> str:
    """``kubeconfig`` with every kubelogin user signing in through the Azure
    CLI; users of other kinds are left as they are. Raises ValueError on a
    kubelogin user without the ``--server-id`` it needs."""
    config: dict[str, Any] = yaml.safe_load(kubeconfig)
    for entry in config.get("users") or []:
        exec_ = (entry.get("user") or {}).get("exec")
        if not exec_ or exec_.get("command") != KUBELOGIN:
            continue
        args = [str(a) for a in exec_.get("args") or []]
        server_id = _option(args, "--server-id")
        if server_id is None:
            raise ValueError(f"kubeconfig user {entry.get('name')!r}: kubelogin without "
                             "--server-id")
        rewritten = ["get-token", "--login", "azurecli", "--server-id", server_id]
        environment = _option(args, "--environment")
        if environment is not None:
            rewritten += ["--environment", environment]
        exec_["args"] = rewritten
    return yaml.safe_dump(config, sort_keys=False)
