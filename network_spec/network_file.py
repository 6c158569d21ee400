"""network.yaml: the channels, the chaincodes and the peers' state database.

Org names refer to crypto-config.yaml's ``Name``s; nodes are written as their
common name (``peer0.org1.example.com``) or hostname (``peer0``). Keys are
camelCase; unknown keys are errors. The format::

    stateDatabase: goleveldb       # or CouchDB (a sidecar per peer); default goleveldb

    channels:
      - name: mychannel            # Fabric rule: [a-z][a-z0-9.-]*, at most 249 characters
        orgs: [Org1, Org2]         # required, non-empty: the peer orgs that are members
        ordererOrgs: [Orderer]     # optional; default: every orderer org
        consenters:                # optional; default: every node of ordererOrgs
          - orderer0.example.com   #   common names or hostnames of their nodes
        anchorPeers:               # optional, per member org; default: its first peer
          Org1: [peer0]            #   hostnames or common names of that org's peers
        consensus: etcdraft        # default; or BFT (Fabric 3, 4+ consenters, channel V3_0)
        batchTimeout: 2s           # optional; default 2s (Go duration: 500ms, 1m30s)
        batchSize:                 # optional; defaults shown
          maxMessageCount: 10
          absoluteMaxBytes: 99 MB  #   bytes, or with B, KB, MB, GB (powers of 1024)
          preferredMaxBytes: 512 KB
        capabilities:              # optional; defaults shown
          channel: V2_0            #   V2_0, or V3_0 (Fabric 3; the default of BFT)
          orderer: V2_0
          application: V2_0        #   V2_0 or V2_5
        acls:                      # optional: resource -> policy path; others: peer defaults
          qscc/GetChainInfo: /Channel/Application/Writers
        smartBFT:                  # BFT channels only, optional: SmartBFT options (camelCase
          requestBatchMaxInterval: 200ms   # of configtx.yaml's SmartBFT; docs/configuration.md)

    chaincodes:
      - name: basic                # Fabric rule: letters and digits joined by '-' or '_'
        version: "1.0"             # a string: quote numbers
        label: basic_1.0           # optional package label; default <name>_<version>
        image: example.com/basic-cc:1.0   # required: the CCaaS chaincode server image
        orgs: [Org1, Org2]         # required: the peer orgs that run it (each on >= 1 channel)
        policy: "OR('Org1MSP.member','Org2MSP.member')"  # optional, for all its channels
        initRequired: false        # optional; default false
        channels:                  # required, non-empty
          - mychannel              #   shorthand for {name: mychannel}
          - name: other
            orgs: [Org1]           #   optional; default: its orgs that are channel members
            policy: "AND('Org1MSP.peer')"   # optional override of the policy above

Endorsement policies use Fabric's signature policy syntax (AND, OR, OutOf with
quoted ``'MSPID.role'`` principals; roles member, peer, admin, client, orderer);
every MSP ID must be a member of the channel it applies to. Without a policy, a
chaincode's policy on a channel is ``OR('<MSP>.member', ...)`` over the orgs that
run it there: any one of them can endorse (not Fabric's MAJORITY default, which
would make every extra member org a required endorser).

The orgs that run a chaincode on a channel are the ones that approve its
definition; the channel's LifecycleEndorsement policy (MAJORITY Endorsement)
needs a majority of the channel's orgs to approve before the definition can be
committed, so a chaincode must run in a majority of each of its channels' orgs.

Every channel setting can change on a running network: the next ``pulumi up``
applies it as a channel config update, and so are changes of a channel's orgs,
consenters and anchor peers.
"""

from __future__ import annotations

from dataclasses import dataclass

from network_spec.chaincodes import read_chaincodes
from network_spec.channels import read_channels
from network_spec.fields import Field
from network_spec.model import ChaincodeSpec, ChannelSpec
from network_spec.org_refs import OrgDirectory
from network_spec.yaml_file import read_yaml

TOP_KEYS = ("stateDatabase", "channels", "chaincodes")
STATE_DATABASES = ("goleveldb", "CouchDB")


@dataclass(frozen=True)
class NetworkFile:
    state_database: str
    channels: tuple[ChannelSpec, ...]
    chaincodes: tuple[ChaincodeSpec, ...]


def load_network_file(file: str, directory: OrgDirectory) -> NetworkFile:
    top = Field.root(file, read_yaml(file)).record(TOP_KEYS)
    state_database = top.choice("stateDatabase", STATE_DATABASES, "goleveldb")
    channels = read_channels(top.items("channels"), directory)
    chaincodes = read_chaincodes(top.items("chaincodes"), channels, directory)
    return NetworkFile(state_database, channels, chaincodes)
