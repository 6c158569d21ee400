"""Channel settings in network.yaml, normalised to the form a channel config keeps."""

from network_spec import load_network
from network_spec.channel_settings import go_duration
from network_spec.model import BatchSize, Capabilities, ChannelSettings

CRYPTO_CONFIG = """\
OrdererOrgs:
  - {Name: Orderer, Domain: example.com, Specs: [{Hostname: orderer0}]}
PeerOrgs:
  - {Name: Org1, Domain: org1.example.com, Template: {Count: 1}}
"""


def test_settings_are_normalised(tmp_path):
    (tmp_path / "crypto-config.yaml").write_text(CRYPTO_CONFIG)
    (tmp_path / "network.yaml").write_text(
        "channels:\n"
        "  - name: tuned\n"
        "    orgs: [Org1]\n"
        "    batchTimeout: 1500ms\n"
        "    batchSize: {maxMessageCount: 50, absoluteMaxBytes: 10 MB, preferredMaxBytes: 4096}\n"
        "    capabilities: {application: V2_5}\n"
        "    acls: {qscc/GetChainInfo: /Channel/Application/Writers,"
        " event/Block: /Channel/Application/Readers}\n"
        "  - {name: plain, orgs: [Org1]}\n"
    )
    tuned, plain = load_network(tmp_path / "crypto-config.yaml",
                                tmp_path / "network.yaml").channels
    assert tuned.settings == ChannelSettings(
        batch_timeout="1.5s",
        batch_size=BatchSize(50, 10 * 1024 * 1024, 4096),
        capabilities=Capabilities(application="V2_5"),
        acls=(("event/Block", "/Channel/Application/Readers"),
              ("qscc/GetChainInfo", "/Channel/Application/Writers")),
    )
    assert plain.settings == ChannelSettings()
    assert plain.settings.batch_size.absolute_max_bytes == 99 * 1024 * 1024


def test_durations_print_as_go_does():
    assert [go_duration(ms) for ms in (1, 999, 1000, 2050, 60_000, 90_500, 3_600_000)] == [
        "1ms", "999ms", "1s", "2.05s", "1m0s", "1m30.5s", "1h0m0s"]
