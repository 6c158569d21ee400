"""A consortium of stacks: each org keeps its own keys, publishes a public card,
and signs channel config updates proposed by others in a shared folder. No
Pulumi here; Fabric commands run through the ``Executor`` of the signing org."""
