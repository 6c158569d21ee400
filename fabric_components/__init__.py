"""The Pulumi side of a Fabric network, one subpackage per concern:

- ``providers``: the dynamic providers (one typed resource each), the inputs
  they take, and the base resource of every Fabric operation;
- ``k8s``: builders of the Kubernetes objects of nodes, admin toolboxes and
  chaincode servers;
- ``cluster``: the Kubernetes provider, the optional AKS cluster and backup storage;
- ``backup``: backup and restore Jobs, and the material a backup carries;
- ``components``: the ComponentResources (orderer and peer orgs, channels,
  chaincodes) and the rollout order (orderers one at a time, then one peer
  per org at a time);
- ``network``: wires a whole network from its spec and the stack config;
- ``registration_gc``: Python's cyclic garbage collector, paused while the
  program registers its resources.

Imports point one way: network_spec/crypto -> fabric_nodes -> fabric_ops ->
providers -> k8s/cluster -> backup -> components -> network -> ``__main__.py``
(enforced by tests/test_layering.py). The modules named ``*_provider`` at this
package's top only keep old stacks readable (see their docstrings)."""
