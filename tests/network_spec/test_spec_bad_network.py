"""Every kind of bad network.yaml gives one exact message."""

import pytest

from network_spec import SpecError, load_network
from network_spec.channel_settings import ACL_RESOURCES
from network_spec.image_refs import IMAGE_RULE

CRYPTO_CONFIG = """\
OrdererOrgs:
  - Name: Orderer
    Domain: example.com
    Specs: [{Hostname: orderer0}, {Hostname: orderer1}]
  - Name: Orderer2
    Domain: orderer2.example.com
    Specs: [{Hostname: orderer0}]
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    Template: {Count: 2}
  - Name: Org2
    Domain: org2.example.com
    Template: {Count: 1}
  - Name: Org3
    Domain: org3.example.com
    Template: {Count: 1}
"""
PEERS_ONLY_CRYPTO_CONFIG = """\
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    Template: {Count: 1}
"""

PEER_ORGS = "the peer orgs are Org1, Org2, Org3"
ORDERER_ORGS = "the orderer orgs are Orderer, Orderer2"
CHANNEL_KEYS = (
    "name, orgs, ordererOrgs, consenters, anchorPeers, consensus, batchTimeout, batchSize, "
    "capabilities, acls, smartBFT"
)
CHAINCODE_KEYS = "name, version, label, image, orgs, policy, initRequired, channels"
ROLES = "member, peer, admin, client, orderer"

CH = "channels:\n  - {name: mychannel, orgs: [Org1, Org2]}\n"
"""One good channel, for chaincode cases."""


THREE_ORGS = "channels:\n  - {name: three, orgs: [Org1, Org2, Org3]}\n"
MAJORITY = (
    "but its definition can only be committed once a majority of the channel's orgs "
    "({needed}: the LifecycleEndorsement policy, MAJORITY Endorsement) approved it; run it in "
    "at least {needed} of {orgs}"
)


def chaincode(fields: str, channels: str = CH) -> str:
    """``channels`` plus one chaincode with ``fields`` (flow-mapping body)."""
    return f"{channels}chaincodes:\n  - {{{fields}}}\n"


def cc(extra: str = "", *, cc_channels: str = "[mychannel]", orgs: str = "[Org1, Org2]") -> str:
    """A good chaincode, plus ``extra`` flow-mapping fields."""
    fields = f"name: basic, version: '1.0', image: img, orgs: {orgs}, channels: {cc_channels}"
    return chaincode(f"{fields}, {extra}" if extra else fields)


CASES = [
    # --- top level and types
    (
        "unknown-top-key",
        "channel: []\n",
        "unknown key 'channel' (did you mean 'channels'?); allowed keys: stateDatabase, "
        "channels, chaincodes",
    ),
    (
        "state-database-unknown",
        "stateDatabase: couchdb\n",
        "stateDatabase: must be one of goleveldb, CouchDB, got 'couchdb'",
    ),
    (
        "state-database-not-a-string",
        "stateDatabase: [CouchDB]\n",
        "stateDatabase: expected a string, got a list",
    ),
    (
        "channels-not-a-list",
        "channels: mychannel\n",
        "channels: expected a list, got a string ('mychannel')",
    ),
    (
        "channel-not-a-mapping",
        "channels: [mychannel]\n",
        f"channels[0]: expected a mapping with keys {CHANNEL_KEYS}, got a string ('mychannel')",
    ),
    (
        "channel-unknown-key",
        "channels:\n  - {name: mychannel, orgs: [Org1], members: [Org2]}\n",
        f"channels[0]: unknown key 'members'; allowed keys: {CHANNEL_KEYS}",
    ),
    (
        "channel-orgs-a-string",
        "channels:\n  - {name: mychannel, orgs: Org1}\n",
        "channels[0].orgs: expected a list, got a string ('Org1')",
    ),
    (
        "channel-org-a-number",
        "channels:\n  - {name: mychannel, orgs: [1]}\n",
        'channels[0].orgs[0]: expected a string, got an integer (1); put it in quotes: "1"',
    ),
    # --- channels: required fields, names, duplicates
    (
        "channel-missing-name",
        "channels:\n  - {orgs: [Org1]}\n",
        "channels[0]: missing required key 'name'",
    ),
    (
        "channel-missing-orgs",
        "channels:\n  - {name: mychannel}\n",
        "channels[0]: missing required key 'orgs'",
    ),
    (
        "channel-name-uppercase",
        "channels:\n  - {name: MyChannel, orgs: [Org1]}\n",
        "channels[0].name: invalid channel name 'MyChannel': Fabric channel names start with a "
        "lowercase letter, contain only lowercase letters, digits, '.' and '-', and are at "
        "most 249 characters",
    ),
    (
        "channel-name-starts-with-digit",
        "channels:\n  - {name: 1channel, orgs: [Org1]}\n",
        "channels[0].name: invalid channel name '1channel': Fabric channel names start with a "
        "lowercase letter, contain only lowercase letters, digits, '.' and '-', and are at "
        "most 249 characters",
    ),
    (
        "channel-name-too-long",
        f"channels:\n  - {{name: {'c' * 250}, orgs: [Org1]}}\n",
        f"channels[0].name: invalid channel name '{'c' * 250}': Fabric channel names start "
        "with a lowercase letter, contain only lowercase letters, digits, '.' and '-', and "
        "are at most 249 characters",
    ),
    (
        "duplicate-channel",
        "channels:\n  - {name: mychannel, orgs: [Org1]}\n  - {name: mychannel, orgs: [Org2]}\n",
        "channels[1].name: channel name 'mychannel' is already used at channels[0].name",
    ),
    # --- channels: orgs
    (
        "channel-orgs-empty",
        "channels:\n  - {name: mychannel, orgs: []}\n",
        "channels[0].orgs: must list at least one peer org: the members of the channel",
    ),
    (
        "channel-unknown-org",
        "channels:\n  - {name: a, orgs: [Org1]}\n  - {name: b, orgs: [Org9]}\n",
        f"channels[1].orgs[0]: unknown org 'Org9'; {PEER_ORGS}",
    ),
    (
        "channel-member-is-orderer-org",
        "channels:\n  - {name: mychannel, orgs: [Org1, Orderer]}\n",
        f"channels[0].orgs[1]: 'Orderer' is an orderer org, not a peer org; {PEER_ORGS}",
    ),
    (
        "channel-duplicate-org",
        "channels:\n  - {name: mychannel, orgs: [Org1, Org1]}\n",
        "channels[0].orgs[1]: org 'Org1' is already listed at channels[0].orgs[0]",
    ),
    (
        "orderer-orgs-peer-org",
        "channels:\n  - {name: mychannel, orgs: [Org1], ordererOrgs: [Org2]}\n",
        f"channels[0].ordererOrgs[0]: 'Org2' is a peer org, not an orderer org; {ORDERER_ORGS}",
    ),
    (
        "orderer-orgs-unknown",
        "channels:\n  - {name: mychannel, orgs: [Org1], ordererOrgs: [Ord]}\n",
        f"channels[0].ordererOrgs[0]: unknown org 'Ord'; {ORDERER_ORGS}",
    ),
    (
        "orderer-orgs-empty",
        "channels:\n  - {name: mychannel, orgs: [Org1], ordererOrgs: []}\n",
        "channels[0].ordererOrgs: must list at least one orderer org, or be left out to use "
        "every orderer org",
    ),
    # --- channels: consenters
    (
        "consenter-of-other-orderer-org",
        "channels:\n  - name: mychannel\n    orgs: [Org1]\n    ordererOrgs: [Orderer]\n"
        "    consenters: [orderer0.orderer2.example.com]\n",
        "channels[0].consenters[0]: 'orderer0.orderer2.example.com' is a node of orderer org "
        "'Orderer2', which is not among the channel's ordererOrgs (Orderer)",
    ),
    (
        "consenter-unknown",
        "channels:\n  - name: mychannel\n    orgs: [Org1]\n    ordererOrgs: [Orderer]\n"
        "    consenters: [peer0.org1.example.com]\n",
        "channels[0].consenters[0]: 'peer0.org1.example.com' is not an ordering node of the "
        "channel's orderer orgs; their nodes are orderer0.example.com, orderer1.example.com",
    ),
    (
        "consenter-ambiguous-hostname",
        "channels:\n  - {name: mychannel, orgs: [Org1], consenters: [orderer0]}\n",
        "channels[0].consenters[0]: hostname 'orderer0' matches several ordering nodes "
        "(orderer0.example.com, orderer0.orderer2.example.com); write the common name",
    ),
    (
        "consenter-twice",
        "channels:\n  - name: mychannel\n    orgs: [Org1]\n    ordererOrgs: [Orderer]\n"
        "    consenters: [orderer1, orderer1.example.com]\n",
        "channels[0].consenters[1]: consenter 'orderer1.example.com' is already listed at "
        "channels[0].consenters[0]",
    ),
    (
        "consenters-empty",
        "channels:\n  - {name: mychannel, orgs: [Org1], consenters: []}\n",
        "channels[0].consenters: must list at least one ordering node, or be left out to use "
        "every node of the channel's orderer orgs",
    ),
    (
        "consensus-unknown",
        "channels:\n  - {name: mychannel, orgs: [Org1], consensus: raft}\n",
        "channels[0].consensus: must be one of etcdraft, BFT, got 'raft'",
    ),
    # --- channels: settings
    (
        "batch-timeout-not-a-duration",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchTimeout: soon}\n",
        "channels[0].batchTimeout: 'soon' is not a duration; write e.g. 2s, 500ms or 1m30s",
    ),
    (
        "batch-timeout-a-number",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchTimeout: 2}\n",
        'channels[0].batchTimeout: expected a string, got an integer (2); put it in quotes: "2"',
    ),
    (
        "batch-timeout-sub-millisecond",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchTimeout: 0.5ms}\n",
        "channels[0].batchTimeout: '0.5ms' must be a positive whole number of milliseconds",
    ),
    (
        "batch-size-unknown-key",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchSize: {maxMessages: 5}}\n",
        "channels[0].batchSize: unknown key 'maxMessages' (did you mean 'maxMessageCount'?); "
        "allowed keys: maxMessageCount, absoluteMaxBytes, preferredMaxBytes",
    ),
    (
        "batch-size-zero-messages",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchSize: {maxMessageCount: 0}}\n",
        "channels[0].batchSize: maxMessageCount must be from 1 to 4294967295, got 0",
    ),
    (
        "batch-size-messages-beyond-uint32",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchSize: {maxMessageCount: "
        f"{2**32}}}}}\n",
        f"channels[0].batchSize: maxMessageCount must be from 1 to 4294967295, got {2**32}",
    ),
    (
        "batch-size-bad-bytes",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchSize: {absoluteMaxBytes: 9 MiB}}\n",
        "channels[0].batchSize.absoluteMaxBytes: '9 MiB' is not a size; write bytes or e.g. "
        "512 KB, 99 MB",
    ),
    (
        "batch-size-too-big",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchSize: {absoluteMaxBytes: 4 GB}}\n",
        "channels[0].batchSize.absoluteMaxBytes: must be between 1 byte and 4 GB, got "
        "4294967296 bytes",
    ),
    (
        "batch-size-preferred-over-absolute",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchSize: {absoluteMaxBytes: 1 MB, "
        "preferredMaxBytes: 2 MB}}\n",
        "channels[0].batchSize: preferredMaxBytes (2097152) must not exceed absoluteMaxBytes "
        "(1048576)",
    ),
    (
        "capability-unknown-level",
        "channels:\n  - {name: mychannel, orgs: [Org1], capabilities: {app: V2_5}}\n",
        "channels[0].capabilities: unknown key 'app'; allowed keys: channel, orderer, "
        "application",
    ),
    (
        "capability-unknown-value",
        "channels:\n  - {name: mychannel, orgs: [Org1], capabilities: {application: V1_4}}\n",
        "channels[0].capabilities.application: must be one of V2_0, V2_5, got 'V1_4'",
    ),
    (
        "acl-unknown-resource",
        "channels:\n  - {name: mychannel, orgs: [Org1], acls: {qscc/GetInfo: /Channel/Readers}}\n",
        "channels[0].acls.qscc/GetInfo: unknown ACL resource 'qscc/GetInfo'; Fabric 2.5's are "
        + ", ".join(ACL_RESOURCES),
    ),
    (
        "acl-not-a-policy-path",
        "channels:\n  - {name: mychannel, orgs: [Org1], acls: {qscc/GetChainInfo: Writers}}\n",
        "channels[0].acls.qscc/GetChainInfo: 'Writers' is not a policy path; write e.g. "
        "/Channel/Application/Writers",
    ),
    (
        "acl-policy-path-with-trailing-newline",
        "channels:\n  - {name: mychannel, orgs: [Org1], "
        "acls: {qscc/GetChainInfo: \"/Channel/Readers\\n\"}}\n",
        "channels[0].acls.qscc/GetChainInfo: '/Channel/Readers\\n' is not a policy path; "
        "write e.g. /Channel/Application/Writers",
    ),
    (
        "batch-size-with-unicode-digits",
        "channels:\n  - {name: mychannel, orgs: [Org1], batchSize: {absoluteMaxBytes: "
        + "\u0669\u0669 MB}}\n",
        "channels[0].batchSize.absoluteMaxBytes: '\u0669\u0669 MB' is not a size; write bytes "
        "or e.g. 512 KB, 99 MB",
    ),
    (
        "channel-name-with-trailing-newline",
        'channels:\n  - {name: "mychannel\\n", orgs: [Org1]}\n',
        "channels[0].name: invalid channel name 'mychannel\\n': Fabric channel names start "
        "with a lowercase letter, contain only lowercase letters, digits, '.' and '-', and are "
        "at most 249 characters",
    ),
    # --- channels: anchor peers
    (
        "anchor-not-a-peer-of-org",
        "channels:\n  - {name: mychannel, orgs: [Org1], anchorPeers: {Org1: [peer5]}}\n",
        "channels[0].anchorPeers.Org1[0]: 'peer5' is not a peer of org 'Org1'; its peers are "
        "peer0.org1.example.com, peer1.org1.example.com",
    ),
    (
        "anchor-peer-of-another-org",
        "channels:\n  - name: mychannel\n    orgs: [Org1, Org2]\n"
        "    anchorPeers: {Org1: [peer0.org2.example.com]}\n",
        "channels[0].anchorPeers.Org1[0]: 'peer0.org2.example.com' is not a peer of org 'Org1'; "
        "its peers are peer0.org1.example.com, peer1.org1.example.com",
    ),
    (
        "anchor-org-not-a-member",
        "channels:\n  - {name: mychannel, orgs: [Org1, Org2], anchorPeers: {Org3: [peer0]}}\n",
        "channels[0].anchorPeers.Org3: 'Org3' is not a member of channel 'mychannel'; its "
        "members are Org1, Org2",
    ),
    (
        "anchor-org-unknown",
        "channels:\n  - {name: mychannel, orgs: [Org1], anchorPeers: {Org9: [peer0]}}\n",
        f"channels[0].anchorPeers.Org9: unknown org 'Org9'; {PEER_ORGS}",
    ),
    (
        "anchor-peers-a-list",
        "channels:\n  - {name: mychannel, orgs: [Org1], anchorPeers: [peer0]}\n",
        "channels[0].anchorPeers: expected a mapping, got a list",
    ),
    (
        "anchor-peers-of-org-a-string",
        "channels:\n  - {name: mychannel, orgs: [Org1], anchorPeers: {Org1: peer0}}\n",
        "channels[0].anchorPeers.Org1: expected a list, got a string ('peer0')",
    ),
    (
        "anchor-peers-of-org-empty",
        "channels:\n  - {name: mychannel, orgs: [Org1], anchorPeers: {Org1: []}}\n",
        "channels[0].anchorPeers.Org1: must list at least one peer of 'Org1', or leave 'Org1' "
        "out to use its first peer",
    ),
    (
        "anchor-peer-twice",
        "channels:\n  - name: mychannel\n    orgs: [Org1]\n"
        "    anchorPeers: {Org1: [peer1, peer1.org1.example.com]}\n",
        "channels[0].anchorPeers.Org1[1]: anchor peer 'peer1.org1.example.com' is already "
        "listed at channels[0].anchorPeers.Org1[0]",
    ),
    # --- chaincodes: shape and required fields
    (
        "chaincodes-a-mapping",
        CH + "chaincodes: {basic: {}}\n",
        "chaincodes: expected a list, got a mapping",
    ),
    (
        "chaincode-unknown-key",
        cc("sequence: 1"),
        f"chaincodes[0]: unknown key 'sequence'; allowed keys: {CHAINCODE_KEYS}",
    ),
    (
        "chaincode-unknown-key-close-match",
        cc("initrequired: true"),
        "chaincodes[0]: unknown key 'initrequired' (did you mean 'initRequired'?); allowed "
        f"keys: {CHAINCODE_KEYS}",
    ),
    *[
        (
            f"chaincode-missing-{key}",
            chaincode(
                ", ".join(
                    f"{k}: {v}"
                    for k, v in [
                        ("name", "basic"),
                        ("version", "'1.0'"),
                        ("image", "img"),
                        ("orgs", "[Org1]"),
                        ("channels", "[mychannel]"),
                    ]
                    if k != key
                )
            ),
            f"chaincodes[0]: missing required key '{key}'",
        )
        for key in ("name", "version", "image", "orgs", "channels")
    ],
    # --- chaincodes: names, versions, labels, image
    (
        "version-a-float",
        chaincode("name: basic, version: 1.0, image: img, orgs: [Org1], channels: [mychannel]"),
        'chaincodes[0].version: expected a string, got a number (1.0); put it in quotes: "1.0"',
    ),
    (
        "version-an-integer",
        chaincode("name: basic, version: 2, image: img, orgs: [Org1], channels: [mychannel]"),
        'chaincodes[0].version: expected a string, got an integer (2); put it in quotes: "2"',
    ),
    (
        "version-with-space",
        chaincode("name: basic, version: 1.0 beta, image: i, orgs: [Org1], channels: [mychannel]"),
        "chaincodes[0].version: invalid chaincode version '1.0 beta': Fabric chaincode "
        "versions consist only of letters, digits, '_', '-', '+' and '.'",
    ),
    (
        "name-with-dot",
        chaincode("name: my.cc, version: '1', image: i, orgs: [Org1], channels: [mychannel]"),
        "chaincodes[0].name: invalid chaincode name 'my.cc': Fabric chaincode names consist "
        "of letters and digits, optionally joined by single '-' or '_'",
    ),
    (
        "name-starts-with-dash",
        chaincode("name: -cc, version: '1', image: i, orgs: [Org1], channels: [mychannel]"),
        "chaincodes[0].name: invalid chaincode name '-cc': Fabric chaincode names consist "
        "of letters and digits, optionally joined by single '-' or '_'",
    ),
    (
        "name-of-system-chaincode",
        chaincode("name: lscc, version: '1', image: i, orgs: [Org1], channels: [mychannel]"),
        "chaincodes[0].name: chaincode name 'lscc' is the name of a Fabric system chaincode",
    ),
    (
        "label-bad",
        cc("label: _basic"),
        "chaincodes[0].label: invalid chaincode label '_basic': Fabric package labels start "
        "with a letter or digit and contain only letters, digits, '_', '.', '+' and '-'",
    ),
    (
        "image-with-space",
        cc().replace("image: img", "image: 'my image'"),
        f"chaincodes[0].image: container image 'my image' is not {IMAGE_RULE}",
    ),
    (
        "image-with-uppercase-path",
        cc().replace("image: img", "image: example.com/Asset-CC:1.0"),
        f"chaincodes[0].image: container image 'example.com/Asset-CC:1.0' is not {IMAGE_RULE}",
    ),
    (
        "image-with-empty-tag",
        cc().replace("image: img", "image: 'example.com/asset-cc:'"),
        f"chaincodes[0].image: container image 'example.com/asset-cc:' is not {IMAGE_RULE}",
    ),
    (
        "duplicate-chaincode",
        cc() + "  - {name: basic, version: '2', image: i, orgs: [Org1], channels: [mychannel]}\n",
        "chaincodes[1].name: chaincode name 'basic' is already used at chaincodes[0].name",
    ),
    (
        "duplicate-label",
        cc() + "  - {name: other, label: basic_1.0, version: '2', image: i, orgs: [Org1], "
        "channels: [mychannel]}\n",
        "chaincodes[1].label: chaincode label 'basic_1.0' is already used by chaincode "
        "'basic' (chaincodes[0])",
    ),
    (
        "init-required-a-string",
        cc("initRequired: 'no'"),
        "chaincodes[0].initRequired: expected a boolean (true or false), got a string ('no')",
    ),
    # --- chaincodes: orgs and channels
    (
        "chaincode-orgs-empty",
        cc(orgs="[]"),
        "chaincodes[0].orgs: must list at least one peer org: the orgs that run the chaincode",
    ),
    (
        "chaincode-unknown-org",
        cc(orgs="[Org1, Org9]"),
        f"chaincodes[0].orgs[1]: unknown org 'Org9'; {PEER_ORGS}",
    ),
    (
        "chaincode-orderer-org",
        cc(orgs="[Orderer2]"),
        f"chaincodes[0].orgs[0]: 'Orderer2' is an orderer org, not a peer org; {PEER_ORGS}",
    ),
    (
        "chaincode-channels-empty",
        cc(cc_channels="[]"),
        "chaincodes[0].channels: must list at least one channel",
    ),
    (
        "chaincode-unknown-channel",
        cc(cc_channels="[otherchannel]"),
        "chaincodes[0].channels[0]: unknown channel 'otherchannel'; the channels are: mychannel",
    ),
    (
        "chaincode-channel-without-channels",
        chaincode(
            "name: basic, version: '1', image: i, orgs: [Org1, Org2], channels: [mychannel]",
            channels="",
        ),
        "chaincodes[0].channels[0]: unknown channel 'mychannel'; the channels are: none",
    ),
    (
        "chaincode-unknown-channel-in-mapping",
        cc(cc_channels="[{name: other}]"),
        "chaincodes[0].channels[0].name: unknown channel 'other'; the channels are: mychannel",
    ),
    (
        "chaincode-channel-a-number",
        cc(cc_channels="[7]"),
        "chaincodes[0].channels[0]: expected a channel name or a mapping with keys name, orgs, "
        "policy, got an integer (7)",
    ),
    (
        "chaincode-channel-unknown-key",
        cc(cc_channels="[{name: mychannel, sequence: 2}]"),
        "chaincodes[0].channels[0]: unknown key 'sequence'; allowed keys: name, orgs, policy",
    ),
    (
        "chaincode-channel-twice",
        cc(cc_channels="[mychannel, {name: mychannel}]"),
        "chaincodes[0].channels[1].name: channel 'mychannel' is already listed at "
        "chaincodes[0].channels[0]",
    ),
    (
        "chaincode-channel-org-does-not-run-it",
        cc(orgs="[Org1]", cc_channels="[{name: mychannel, orgs: [Org1, Org2]}]"),
        "chaincodes[0].channels[0].orgs[1]: 'Org2' does not run chaincode 'basic'; its orgs "
        "are Org1",
    ),
    (
        "chaincode-channel-org-not-a-member",
        cc(orgs="[Org1, Org3]", cc_channels="[{name: mychannel, orgs: [Org3]}]"),
        "chaincodes[0].channels[0].orgs[0]: 'Org3' is not a member of channel 'mychannel'; "
        "its members are Org1, Org2",
    ),
    (
        "chaincode-channel-orgs-empty",
        cc(cc_channels="[{name: mychannel, orgs: []}]"),
        "chaincodes[0].channels[0].orgs: must list at least one org, or be left out to use "
        "the chaincode's orgs that are members of the channel",
    ),
    (
        "chaincode-no-org-on-channel",
        cc(orgs="[Org3]"),
        "chaincodes[0].channels[0]: none of the orgs of chaincode 'basic' (Org3) is a member "
        "of channel 'mychannel' (Org1, Org2)",
    ),
    (
        "chaincode-org-on-none-of-its-channels",
        cc(orgs="[Org1, Org3]"),
        "chaincodes[0].orgs[1]: 'Org3' runs chaincode 'basic' on none of its channels "
        "(mychannel): make it a member of one of them, or remove it here",
    ),
    (
        "chaincode-org-left-out-of-every-channel",
        cc(cc_channels="[{name: mychannel, orgs: [Org1]}]"),
        "chaincodes[0].orgs[1]: 'Org2' runs chaincode 'basic' on none of its channels "
        "(mychannel): make it a member of one of them, or remove it here",
    ),
    # --- endorsement policies
    (
        "policy-not-a-string",
        cc("policy: [OR]"),
        "chaincodes[0].policy: expected a string, got a list",
    ),
    (
        "policy-unbalanced",
        cc("policy: \"OR('Org1MSP.member'\""),
        "chaincodes[0].policy: invalid endorsement policy: unbalanced parentheses",
    ),
    (
        "policy-unbalanced-close",
        cc("policy: \"OR('Org1MSP.member'))\""),
        "chaincodes[0].policy: invalid endorsement policy: unbalanced parentheses",
    ),
    (
        "policy-unknown-gate",
        cc("policy: \"NOT('Org1MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: unknown gate 'NOT'; use AND, OR "
        "or OutOf",
    ),
    (
        "policy-bad-role",
        cc("policy: \"OR('Org1MSP.boss')\""),
        "chaincodes[0].policy: invalid endorsement policy: principal 'Org1MSP.boss' must be "
        f"'MSPID.role' with role {ROLES}",
    ),
    (
        "policy-unquoted-principal",
        cc("policy: 'OR(Org1MSP.member)'"),
        "chaincodes[0].policy: invalid endorsement policy: unquoted principal Org1MSP.member "
        "at position 4; write 'Org1MSP.member'",
    ),
    (
        "policy-bare-principal",
        cc("policy: \"'Org1MSP.member'\""),
        "chaincodes[0].policy: invalid endorsement policy: must start with a gate: AND, OR "
        "or OutOf",
    ),
    (
        "policy-unexpected-character",
        cc("policy: \"OR('Org1MSP.member'; 'Org2MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: unexpected character ';' at position 20",
    ),
    (
        "policy-unterminated-quote",
        cc('policy: "OR(\'Org1MSP.member)"'),
        "chaincodes[0].policy: invalid endorsement policy: unterminated quote at position 4",
    ),
    (
        "policy-missing-comma",
        cc("policy: \"OR('Org1MSP.member' 'Org2MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: expected ',' or ')' at position 21",
    ),
    (
        "policy-trailing-text",
        cc("policy: \"OR('Org1MSP.member') AND('Org2MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: unexpected text after the policy "
        "at position 22",
    ),
    (
        "policy-outof-count-too-big",
        cc("policy: \"OutOf(3, 'Org1MSP.member', 'Org2MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: OutOf(3, ...) has 2 sub-policies; "
        "its count must be from 1 to 2",
    ),
    (
        "policy-outof-without-count",
        cc("policy: \"OutOf('Org1MSP.member', 'Org2MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: expected a count as the first "
        "argument of OutOf at position 7",
    ),
    (
        "policy-empty-gate",
        cc("policy: 'OR()'"),
        "chaincodes[0].policy: invalid endorsement policy: expected a gate or a quoted "
        "principal at position 4",
    ),
    (
        "policy-outof-count-in-unicode-digits",
        cc("policy: \"OutOf(\u0661, 'Org1MSP.member', 'Org2MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: unexpected character '\u0661' at "
        "position 7",
    ),
    # --- chaincodes: the channel's LifecycleEndorsement policy (MAJORITY)
    (
        "chaincode-run-by-a-minority-of-the-channel",
        chaincode("name: basic, version: '1', image: i, orgs: [Org1], channels: [three]",
                  channels=THREE_ORGS),
        "chaincodes[0].channels[0]: chaincode 'basic' would run on channel 'three' in 1 of its "
        f"3 orgs (Org1), {MAJORITY.format(needed=2, orgs='Org1, Org2, Org3')}",
    ),
    (
        "chaincode-channel-orgs-a-minority",
        chaincode("name: basic, version: '1', image: i, orgs: [Org2], "
                  "channels: [{name: three, orgs: [Org2]}]", channels=THREE_ORGS),
        "chaincodes[0].channels[0].orgs: chaincode 'basic' would run on channel 'three' in 1 of "
        f"its 3 orgs (Org2), {MAJORITY.format(needed=2, orgs='Org1, Org2, Org3')}",
    ),
    (
        "chaincode-run-by-half-of-the-channel",
        chaincode("name: basic, version: '1', image: i, orgs: [Org1], channels: [mychannel]"),
        "chaincodes[0].channels[0]: chaincode 'basic' would run on channel 'mychannel' in 1 of "
        f"its 2 orgs (Org1), {MAJORITY.format(needed=2, orgs='Org1, Org2')}",
    ),
    # --- chaincodes: Kubernetes names of their servers
    (
        "chaincode-names-differ-only-in-case",
        chaincode("name: Basic, version: '1', image: i, orgs: [Org1, Org2], "
                  "channels: [mychannel]}\n  - {name: basic, version: '1', image: i, "
                  "orgs: [Org1, Org2], channels: [mychannel]"),
        "chaincodes[1].name: chaincode name 'basic' (its server for org 'Org1') gives the "
        "Deployment name 'basic-org1', already the name of the server of chaincode 'Basic' for "
        "org 'Org1'",
    ),
    (
        "chaincode-names-differ-only-in-underscore",
        chaincode("name: my_cc, version: '1', image: i, orgs: [Org1, Org2], "
                  "channels: [mychannel]}\n  - {name: my-cc, version: '1', image: i, "
                  "orgs: [Org1, Org2], channels: [mychannel]"),
        "chaincodes[1].name: chaincode name 'my-cc' (its server for org 'Org1') gives the "
        "Deployment name 'my-cc-org1', already the name of the server of chaincode 'my_cc' for "
        "org 'Org1'",
    ),
    (
        "chaincode-named-like-a-peer",
        chaincode("name: peer1, version: '1', image: i, orgs: [Org1], channels: [mychannel]"),
        "chaincodes[0].name: chaincode name 'peer1' (its server for org 'Org1') gives the "
        "Deployment name 'peer1-org1', already the name of node peer1.org1.example.com",
    ),
    (
        "chaincode-service-name-starts-with-a-digit",
        chaincode("name: 1cc, version: '1', image: i, orgs: [Org1], channels: [mychannel]"),
        "chaincodes[0].name: chaincode name '1cc' (its server for org 'Org1') gives the "
        "Service name '1cc-org1' (8 characters), which must be a DNS-1123 label: lowercase "
        "letters, digits and '-', starting and ending with a letter or digit, at most 63 "
        "characters, starting with a letter (a Service name)",
    ),
    (
        "chaincode-server-name-too-long",
        chaincode(f"name: {'c' * 59}, version: '1', image: i, orgs: [Org1], "
                  "channels: [mychannel]"),
        f"chaincodes[0].name: chaincode name '{'c' * 59}' (its server for org 'Org1') gives "
        f"the Deployment name '{'c' * 59}-org1' (64 characters), which must be a DNS-1123 "
        "label: lowercase letters, digits and '-', starting and ending with a letter or digit, "
        "at most 63 characters",
    ),
    (
        "policy-msp-not-in-channel",
        cc("policy: \"OR('Org3MSP.member')\""),
        "chaincodes[0].policy: invalid endorsement policy: MSP ID 'Org3MSP' is not a member "
        "of channel 'mychannel'; its members' MSP IDs are Org1MSP, Org2MSP",
    ),
    (
        "policy-orderer-msp",
        cc("policy: \"OR('OrdererMSP.orderer')\""),
        "chaincodes[0].policy: invalid endorsement policy: MSP ID 'OrdererMSP' is not a member "
        "of channel 'mychannel'; its members' MSP IDs are Org1MSP, Org2MSP",
    ),
    (
        "default-policy-msp-not-in-second-channel",
        chaincode(
            "name: basic, version: '1', image: i, orgs: [Org1, Org2], channels: [a, b], "
            "policy: \"AND('Org1MSP.peer', 'Org2MSP.peer')\"",
            channels="channels:\n  - {name: a, orgs: [Org1, Org2]}\n  - {name: b, orgs: [Org1]}\n",
        ),
        "chaincodes[0].policy: invalid endorsement policy: MSP ID 'Org2MSP' is not a member "
        "of channel 'b'; its members' MSP IDs are Org1MSP",
    ),
    *(
        (
            f"policy-needs-an-org-that-does-not-run-it-{i}",
            chaincode(f"name: basic, version: '1', image: i, orgs: [Org1, Org2], "
                      f"channels: [three], policy: \"{policy}\"", channels=THREE_ORGS),
            "chaincodes[0].policy: endorsement policy cannot be met on channel 'three': only "
            "the orgs that run the chaincode there (Org1MSP, Org2MSP) endorse, and the policy "
            "also needs Org3MSP; run the chaincode in that org too, or change the policy",
        )
        for i, policy in enumerate((
            "AND('Org1MSP.peer', 'Org3MSP.peer')",
            "OutOf(2, 'Org1MSP.peer', 'Org3MSP.peer')",
            "OR(AND('Org1MSP.peer', 'Org3MSP.peer'), AND('Org2MSP.peer', 'Org3MSP.member'))",
        ))
    ),
    (
        "channel-policy-override-needs-an-org-that-does-not-run-it",
        chaincode(
            "name: basic, version: '1', image: i, orgs: [Org1, Org2, Org3], channels: "
            "[{name: three, orgs: [Org1, Org2], policy: \"OutOf(3, 'Org1MSP.peer', "
            "'Org2MSP.peer', 'Org3MSP.peer')\"}, {name: two, orgs: [Org3]}]",
            channels=f"{THREE_ORGS}  - {{name: two, orgs: [Org3]}}\n",
        ),
        "chaincodes[0].channels[0].policy: endorsement policy cannot be met on channel "
        "'three': only the orgs that run the chaincode there (Org1MSP, Org2MSP) endorse, and "
        "the policy also needs Org3MSP; run the chaincode in that org too, or change the policy",
    ),
    *(
        (
            f"batch-timeout-beyond-go-{i}",
            f"channels:\n  - {{name: mychannel, orgs: [Org1], batchTimeout: {timeout}}}\n",
            f"channels[0].batchTimeout: '{timeout}' is longer than Go's longest duration, "
            "2562047h47m16.854s: Fabric could not read it",
        )
        for i, timeout in enumerate(("2562048h", f"{10**30}ms"))
    ),
    (
        "channel-policy-override-bad",
        cc(cc_channels="[{name: mychannel, policy: \"AND('Org1MSP.peer',)\"}]"),
        "chaincodes[0].channels[0].policy: invalid endorsement policy: expected a gate or a "
        "quoted principal at position 20",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_network(tmp_path, text, message):
    network = tmp_path / "network.yaml"
    network.write_text(text)
    (tmp_path / "crypto-config.yaml").write_text(CRYPTO_CONFIG)
    with pytest.raises(SpecError) as error:
        load_network(tmp_path / "crypto-config.yaml", network)
    assert str(error.value) == f"{network}: {message}"
    assert error.value.file == str(network)


def test_channel_without_orderer_org(tmp_path):
    (tmp_path / "crypto-config.yaml").write_text(PEERS_ONLY_CRYPTO_CONFIG)
    network = tmp_path / "network.yaml"
    network.write_text("channels:\n  - {name: mychannel, orgs: [Org1]}\n")
    with pytest.raises(SpecError) as error:
        load_network(tmp_path / "crypto-config.yaml", network)
    assert str(error.value) == (
        f"{network}: channels[0]: no orderer org available: the crypto config has no OrdererOrgs"
    )


def test_error_names_the_path_of_the_field(tmp_path):
    (tmp_path / "crypto-config.yaml").write_text(CRYPTO_CONFIG)
    network = tmp_path / "network.yaml"
    network.write_text("channels:\n  - {name: a, orgs: [Org1]}\n  - {name: b, orgs: [Org9]}\n")
    with pytest.raises(SpecError) as error:
        load_network(tmp_path / "crypto-config.yaml", str(network))
    assert (error.value.file, error.value.path) == (str(network), "channels[1].orgs[0]")
    assert error.value.message == f"unknown org 'Org9'; {PEER_ORGS}"
