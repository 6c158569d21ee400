"""What a network's nodes are, as plain data: their Kubernetes and DNS names, their
Fabric settings (the CORE_* / ORDERER_* environment and file paths), how they are
addressed, the manifest of a local network and the connection profiles clients load.

No Pulumi here: the operations (``fabric_ops``), the local network harness
(``localnet``) and the Pulumi components all render from these same functions, so
a real peer or orderer started by the harness proves what the containers get."""
