"""BFT channels: at least 4 consenters, channel capability V3_0, SmartBFT
options checked as Fabric would at run time."""

import pytest

from network_spec import SpecError, load_network
from network_spec.bft import bft_quorum, fault_tolerance
from network_spec.model import SmartBftOptions
from network_spec.smartbft_options import ALLOWED_KEYS

CRYPTO_CONFIG = """\
OrdererOrgs:
  - Name: OrdA
    Domain: a.example.com
    Template: {Count: 3}
  - Name: OrdB
    Domain: b.example.com
    Template: {Count: 2}
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    Template: {Count: 1}
"""


@pytest.fixture
def load(tmp_path):
    def load(network: str):
        (tmp_path / "crypto-config.yaml").write_text(CRYPTO_CONFIG)
        (tmp_path / "network.yaml").write_text(network)
        return load_network(tmp_path / "crypto-config.yaml", tmp_path / "network.yaml")

    return load


def test_bft_channel_takes_every_orderer_and_channel_capability_v3(load):
    (channel,) = load("channels: [{name: ch, orgs: [Org1], consensus: BFT}]\n").channels
    assert channel.consensus == "BFT"
    assert len(channel.consenters) == 5
    assert channel.settings.capabilities.channel == "V3_0"
    assert channel.settings.capabilities.application == "V2_0"


def test_raft_channel_keeps_channel_capability_v2(load):
    (channel,) = load("channels: [{name: ch, orgs: [Org1]}]\n").channels
    assert channel.settings.capabilities.channel == "V2_0"


def test_bft_channel_with_v3_written_out(load):
    (channel,) = load(
        "channels: [{name: ch, orgs: [Org1], consensus: BFT, capabilities: {channel: V3_0}}]\n"
    ).channels
    assert channel.settings.capabilities.channel == "V3_0"


@pytest.mark.parametrize(
    ("network", "message"),
    [
        (
            "channels: [{name: ch, orgs: [Org1], consensus: BFT, ordererOrgs: [OrdA]}]\n",
            "channels[0].consensus: a BFT channel needs at least 4 consenters (3f+1 tolerate f "
            "faulty ones); this one has 3 (orderer0.a.example.com, orderer1.a.example.com, "
            "orderer2.a.example.com), which tolerates none: add ordering nodes or use etcdraft",
        ),
        (
            "channels: [{name: ch, orgs: [Org1], consensus: BFT,"
            " consenters: [orderer0.a.example.com]}]\n",
            "channels[0].consenters: a BFT channel needs at least 4 consenters (3f+1 tolerate f "
            "faulty ones); this one has 1 (orderer0.a.example.com), which tolerates none: add "
            "ordering nodes or use etcdraft",
        ),
        (
            "channels: [{name: ch, orgs: [Org1], consensus: BFT, capabilities: {channel: V2_0}}]\n",
            "channels[0].capabilities.channel: a BFT channel needs channel capability V3_0, "
            "got 'V2_0'",
        ),
    ],
    ids=["three-consenters", "one-consenter", "channel-capability-v2"],
)
def test_bad_bft_channel(load, tmp_path, network, message):
    with pytest.raises(SpecError) as error:
        load(network)
    assert str(error.value) == f"{tmp_path / 'network.yaml'}: {message}"


@pytest.mark.parametrize(
    ("consenters", "tolerated", "quorum"),
    [(1, 0, 1), (3, 0, 2), (4, 1, 3), (5, 1, 4), (6, 1, 4), (7, 2, 5), (10, 3, 7)],
)
def test_fault_tolerance_and_quorum(consenters, tolerated, quorum):
    assert fault_tolerance(consenters) == tolerated
    assert bft_quorum(consenters) == quorum


def test_smartbft_options_default_to_fabric_samples(load):
    (channel,) = load("channels: [{name: ch, orgs: [Org1], consensus: BFT}]\n").channels
    assert channel.settings.smartbft == SmartBftOptions()
    assert channel.settings.smartbft.request_batch_max_interval == "200ms"
    assert channel.settings.smartbft.request_pool_size == 100_000


def test_smartbft_options_are_read_and_normalised(load):
    (channel,) = load(
        "channels:\n"
        "  - name: ch\n"
        "    orgs: [Org1]\n"
        "    consensus: BFT\n"
        "    smartBFT:\n"
        "      requestBatchMaxInterval: 0.1s\n"
        "      requestForwardTimeout: 3s\n"
        "      requestComplainTimeout: 30s\n"
        "      requestAutoRemoveTimeout: 180s\n"
        "      viewChangeResendInterval: 2s\n"
        "      viewChangeTimeout: 1m30s\n"
        "      leaderHeartbeatTimeout: 45s\n"
        "      leaderHeartbeatCount: 5\n"
        "      collectTimeout: 1500ms\n"
        "      incomingMessageBufferSize: 500\n"
        "      requestPoolSize: 2000\n"
        "      requestMaxBytes: 64 KB\n"
        "      syncOnStart: true\n"
        "      speedUpViewChange: true\n"
        "      leaderRotation: false\n"
    ).channels
    assert channel.settings.smartbft == SmartBftOptions(
        request_batch_max_interval="100ms", request_forward_timeout="3s",
        request_complain_timeout="30s", request_auto_remove_timeout="3m0s",
        view_change_resend_interval="2s", view_change_timeout="1m30s",
        leader_heartbeat_timeout="45s", leader_heartbeat_count=5, collect_timeout="1.5s",
        incoming_message_buffer_size=500, request_pool_size=2000, request_max_bytes=65536,
        sync_on_start=True, speed_up_view_change=True,
    )


BFT = "channels: [{name: ch, orgs: [Org1], consensus: BFT, "


@pytest.mark.parametrize(
    ("network", "message"),
    [
        (BFT + "smartBFT: {requestForwardTimeout: soon}}]\n",
         "channels[0].smartBFT.requestForwardTimeout: 'soon' is not a duration; write e.g. 2s, "
         "500ms or 1m30s"),
        (BFT + "smartBFT: {collectTimeout: 0s}}]\n",
         "channels[0].smartBFT.collectTimeout: '0s' must be a positive whole number of "
         "milliseconds"),
        (BFT + "smartBFT: {requestPoolSize: 0}}]\n",
         "channels[0].smartBFT.requestPoolSize: must be from 1 to 4294967295, got 0"),
        (BFT + "smartBFT: {leaderHeartbeatCount: '10'}}]\n",
         "channels[0].smartBFT.leaderHeartbeatCount: expected an integer, got a string ('10')"),
        (BFT + "smartBFT: {syncOnStart: yes please}}]\n",
         "channels[0].smartBFT.syncOnStart: expected a boolean (true or false), got a string "
         "('yes please')"),
        (BFT + "smartBFT: {requestForwardTimeout: 30s}}]\n",
         "channels[0].smartBFT.requestForwardTimeout: requestForwardTimeout (30s) must not "
         "exceed requestComplainTimeout (20s)"),
        (BFT + "smartBFT: {requestAutoRemoveTimeout: 10s}}]\n",
         "channels[0].smartBFT.requestAutoRemoveTimeout: requestComplainTimeout (20s) must not "
         "exceed requestAutoRemoveTimeout (10s)"),
        (BFT + "smartBFT: {viewChangeResendInterval: 1m}}]\n",
         "channels[0].smartBFT.viewChangeResendInterval: viewChangeResendInterval (1m0s) must "
         "not exceed viewChangeTimeout (20s)"),
        (BFT + "batchSize: {absoluteMaxBytes: 1 MB}, smartBFT: {requestMaxBytes: 2 MB}}]\n",
         "channels[0].smartBFT.requestMaxBytes: a request (2097152 bytes) must fit in a batch: "
         "at most batchSize.absoluteMaxBytes (1048576)"),
        (BFT + "batchSize: {absoluteMaxBytes: 4 KB, preferredMaxBytes: 1 KB}}]\n",
         "channels[0].batchSize: a BFT channel's absoluteMaxBytes must be at least 10240 bytes "
         "(SmartBFT's request size), got 4096"),
        (BFT + "smartBFT: {leaderRotation: true}}]\n",
         "channels[0].smartBFT.leaderRotation: Fabric 3.1's orderers refuse a BFT channel "
         "config with leader rotation on; leave it false"),
        (BFT + "smartBFT: {decisionsPerLeader: 3}}]\n",
         "channels[0].smartBFT.decisionsPerLeader: cannot be set: it applies only with leader "
         "rotation, which Fabric 3.1's orderers refuse (leaderRotation must stay false)"),
        (BFT + "smartBFT: {requestBatchMaxCount: 50}}]\n",
         "channels[0].smartBFT.requestBatchMaxCount: cannot be set: Fabric 3 takes a BFT "
         "batch's request count from the channel's batchSize.maxMessageCount: set that instead"),
        (BFT + "smartBFT: {requestTimeout: 5s}}]\n",
         "channels[0].smartBFT: unknown key 'requestTimeout' (did you mean "
         "'requestForwardTimeout'?); allowed keys: " + ", ".join(ALLOWED_KEYS)),
        ("channels: [{name: ch, orgs: [Org1], smartBFT: {collectTimeout: 2s}}]\n",
         "channels[0].smartBFT: SmartBFT options apply to BFT channels only (consensus: BFT)"),
    ],
    ids=["not-a-duration", "zero-duration", "zero-count", "count-as-text", "not-a-boolean",
         "forward-over-complain", "complain-over-auto-remove", "resend-over-view-change",
         "request-over-batch", "batch-under-request-size", "leader-rotation",
         "decisions-per-leader", "batch-count", "unknown-key", "raft-channel"],
)
def test_bad_smartbft_options(load, tmp_path, network, message):
    with pytest.raises(SpecError) as error:
        load(network)
    assert str(error.value) == f"{tmp_path / 'network.yaml'}: {message}"
