"""Pulumi components for a Fabric network and the pure functions they render from.

Modules that import Pulumi: the components and the dynamic providers. Modules that
do not (``naming``, ``node_settings``, ``connection_profile``) are shared with the
local network harness, so a real peer or orderer proves what the containers get."""
