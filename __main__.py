"""A Hyperledger Fabric network on Kubernetes from crypto-config.yaml and
network.yaml: read the stack config, load the spec, register the network."""

import pulumi

from fabric_components import registration_gc
from fabric_components.card_channels import check_card_channels
from fabric_components.network import check_compatible, crypto_source, deploy_network
from fabric_components.org_stack import org_stack_spec
from fabric_components.stack_config import load_stack_config
from fabric_nodes.local_network import load_manifest
from network_spec import SpecError
from network_spec.load import load_network

try:
    config = load_stack_config(pulumi.get_stack(), pulumi.Config("fabric").get)
    spec = load_network(config.crypto_config, config.network)
    check_compatible(spec, config, config.network, f"Pulumi.{pulumi.get_stack()}.yaml")
    spec = org_stack_spec(spec, config, f"Pulumi.{pulumi.get_stack()}.yaml")
    check_card_channels(spec, config, f"Pulumi.{pulumi.get_stack()}.yaml")
    crypto = crypto_source(spec, config)
    local = (load_manifest(config.local_network, f"Pulumi.{pulumi.get_stack()}.yaml", spec,
                           config.crypto_dir)
             if config.local_network else None)
except SpecError as error:
    # Bad input stops the program before any resource is registered, with one
    # message naming the file and the field, and no traceback.
    raise pulumi.RunError(str(error)) from None

registration_gc.pause_for_program()
for key, value in deploy_network(spec, config, crypto, pulumi.get_stack(), local).items():
    pulumi.export(key, value)
