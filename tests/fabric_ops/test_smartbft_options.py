"""SmartBFT options rendered for configtxgen, read back from a decoded channel
config and summarised for preview; a change of them is one config update of
the Orderer group."""

from __future__ import annotations

import copy

from fabric_ops.channel_summary import config_summary
from fabric_ops.config_update import signature_needs, update_steps
from fabric_ops.smartbft_options import configtx_smartbft, live_smartbft, smartbft_summary
from network_spec.model import SmartBftOptions
from tests.fabric_ops.test_bft_config_update import bft_config

FABRIC_SAMPLE = {
    "RequestBatchMaxInterval": "200ms", "RequestForwardTimeout": "5s",
    "RequestComplainTimeout": "20s", "RequestAutoRemoveTimeout": "3m0s",
    "ViewChangeResendInterval": "5s", "ViewChangeTimeout": "20s",
    "LeaderHeartbeatTimeout": "1m0s", "CollectTimeout": "1s", "IncomingMessageBufferSize": 200,
    "RequestPoolSize": 100000, "LeaderHeartbeatCount": 10,
}
"""Fabric 3.1's sampleconfig/configtx.yaml ``SmartBFT`` section."""

DECODED = {
    "request_batch_max_interval": "100ms", "request_forward_timeout": "3s",
    "request_complain_timeout": "20s", "request_auto_remove_timeout": "3m0s",
    "view_change_resend_interval": "5s", "view_change_timeout": "20s",
    "leader_heartbeat_timeout": "1m0s", "leader_heartbeat_count": "10",
    "collect_timeout": "1s", "incoming_message_buffer_size": "200",
    "request_pool_size": "100000", "request_max_bytes": "65536", "speed_up_view_change": True,
}
"""configtxlator's JSON of such options: 64-bit integers as strings, false left out."""


def test_defaults_render_fabric_sample_options_in_their_order():
    """What the program rendered before the options could be set, key for key."""
    rendered = configtx_smartbft(SmartBftOptions())
    assert list(rendered.items()) == list(FABRIC_SAMPLE.items())


def test_a_set_request_size_and_flags_are_rendered():
    rendered = configtx_smartbft(SmartBftOptions(request_max_bytes=65536, sync_on_start=True))
    assert (rendered["RequestMaxBytes"], rendered["SyncOnStart"]) == (65536, True)
    assert "SpeedUpViewChange" not in rendered


def test_decoded_options_read_back_as_the_spec_wrote_them():
    written = SmartBftOptions(request_batch_max_interval="100ms", request_forward_timeout="3s",
                              request_max_bytes=65536, speed_up_view_change=True)
    assert live_smartbft(DECODED) == written
    empty = live_smartbft({})
    assert empty.request_pool_size == 0 and empty.request_batch_max_interval == ""
    assert empty.sync_on_start is False


def with_options(metadata: dict[str, object]) -> dict[str, object]:
    config = bft_config([0, 1, 2, 3])
    orderer = config["channel_group"]["groups"]["Orderer"]
    orderer["values"]["ConsensusType"]["value"]["metadata"] = metadata
    return config


def test_preview_shows_the_options_by_their_network_yaml_names():
    summary = config_summary(with_options(DECODED))["smartBFT"]
    assert summary["requestBatchMaxInterval"] == "100ms"
    assert summary["requestMaxBytes"] == 65536
    assert summary["speedUpViewChange"] is True
    assert summary["syncOnStart"] is False
    assert summary == smartbft_summary(live_smartbft(DECODED))


def test_an_option_change_is_one_update_signed_by_the_orderer_admins():
    live = with_options(DECODED)
    target = with_options({**copy.deepcopy(DECODED), "request_batch_max_interval": "50ms"})
    assert update_steps(live, target) == [target]
    assert [need.policy for need in signature_needs(live, target)] == [
        "/Channel/Orderer/Admins"]
