"""``remove_orderer`` returns only once the orderer no longer lists the channel.
Fabric 2.5 answers ``osnadmin channel remove`` before it has deleted the ledger
and, until then, lists the channel with its former status (and refuses a join
with 409), which the real network rarely shows on a one-block ledger; the
answers below are those of the real osnadmin."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from fabric_ops.channel_ops import remove_orderer
from fabric_ops.executor import DEFAULT_TIMEOUT_SECONDS, AdminPaths, CommandFailed, CommandResult

LISTED = (
    'Status: 200\n{"name":"common","consensusRelation":"consenter","status":"%s","height":%d}\n'
)
NOT_LISTED = 'Status: 404\n{"error":"channel does not exist"}\n'


class Scripted:
    """Answers every osnadmin command with the next of ``answers`` (its stdout)."""

    paths = AdminPaths("/admin", "/tls-ca")

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.commands: list[str] = []

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, bytes] | None = None,
        outputs: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        signer_msp: Mapping[str, bytes] | None = None,
    ) -> CommandResult:
        self.commands.append(argv[2])
        return CommandResult(tuple(argv), 0, self.answers.pop(0), "")


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr("fabric_ops.polling.time.sleep", lambda seconds: None)


def test_waits_until_the_ledger_is_gone():
    executor = Scripted(
        [LISTED % ("active", 1), "Status: 204\n", LISTED % ("active", 0), NOT_LISTED]
    )
    remove_orderer(executor, "orderer0:9443", "example.com", "common")
    assert executor.commands == ["list", "remove", "list", "list"]
    assert executor.answers == []


def test_a_removal_under_way_is_waited_for():
    pending = 'Status: 409\n{"error":"cannot remove: channel pending removal"}\n'
    executor = Scripted([LISTED % ("active", 0), pending, NOT_LISTED])
    remove_orderer(executor, "orderer0:9443", "example.com", "common")
    assert executor.commands == ["list", "remove", "list"]


def test_a_failed_removal_is_an_error():
    executor = Scripted([LISTED % ("active", 1), "Status: 204\n", LISTED % ("failed", 0)])
    with pytest.raises(CommandFailed, match="common: not removed at orderer0:9443"):
        remove_orderer(executor, "orderer0:9443", "example.com", "common")


def test_an_absent_channel_needs_no_command():
    executor = Scripted([NOT_LISTED])
    remove_orderer(executor, "orderer0:9443", "example.com", "common")
    assert executor.commands == ["list"]
