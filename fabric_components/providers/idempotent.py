"""The shape of every Fabric operation provider that can drift: ``act`` makes
the operation so (querying first), ``is_done`` says whether it still is.

Contract: ``diff`` never contacts the network and works with unknown inputs in
preview; ``create``/``update`` act; ``read`` (``pulumi refresh``) reports
drift as ``done: False``, which the next ``diff`` turns into an update that
acts again. Providers are pickled into the engine's provider process, so they
import what they need inside each method and always return every output."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult


def executor_of(props: dict[str, Any]) -> Any:
    """The executor an operation's ``executor`` input describes."""
    from fabric_ops.executor_config import executor_from_config

    return executor_from_config(props["executor"])


def changed_keys(olds: dict[str, Any], news: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    return [k for k in keys if olds.get(k) != news.get(k)]


class IdempotentOperation(ResourceProvider):
    """An idempotent operation: ``act`` makes it so, ``is_done`` says if it is."""

    replace_keys: tuple[str, ...] = ()
    update_keys: tuple[str, ...] = ()

    def act(self, props: dict[str, Any]) -> None:
        raise NotImplementedError

    def is_done(self, props: dict[str, Any]) -> bool:
        raise NotImplementedError

    def identity(self, props: dict[str, Any]) -> str:
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> CreateResult:
        self.act(props)
        return CreateResult(id_=self.identity(props), outs={**props, "done": True})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self.act(news)
        return UpdateResult(outs={**news, "done": True})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = changed_keys(olds, news, self.replace_keys)
        updates = changed_keys(olds, news, self.update_keys)
        return DiffResult(
            changes=bool(replaces or updates or olds.get("done") is False),
            replaces=replaces,
            delete_before_replace=True,
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs={**props, "done": self.is_done(props)})
