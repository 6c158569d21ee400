"""The local cluster waits for the NetworkPolicy controller's netfilter queue
before it queues the pods' connections to it: /proc/net/netfilter/nfnetlink_queue
lists a queue once a process listens on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.localcluster import network_policies

# As the kernel lists queues: number, listener's port id, queued, copy mode,
# copy range, queue drops, user drops, last id, 1.
LISTED = ("  100   8371     0 2   128     0     0        0  1\n"
          "    7    512     0 2 65531     0     0        0  1\n")


@pytest.mark.parametrize(("listing", "queue", "bound"), [
    (LISTED, 100, True),
    (LISTED, 7, True),
    (LISTED, 10, False),
    ("", 100, False),
])
def test_a_queue_is_bound_when_the_kernel_lists_it(tmp_path: Path, monkeypatch, listing: str,
                                                    queue: int, bound: bool):
    queues = tmp_path / "nfnetlink_queue"
    queues.write_text(listing)
    monkeypatch.setattr(network_policies, "QUEUES", queues)
    assert network_policies.queue_bound(queue) is bound


def test_no_queue_file_means_nothing_is_bound(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(network_policies, "QUEUES", tmp_path / "missing")
    assert not network_policies.queue_bound()
