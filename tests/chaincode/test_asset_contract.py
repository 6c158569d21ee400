"""The asset contract against an in-memory world state: its methods called
directly, and whole transactions dispatched by fabric-chaincode-python's
ContractChaincode the way the peer's messages are."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from asset_contract import AssetContract, AssetError
from fabric_chaincode_python.fabric_contract_api import (  # type: ignore[import-untyped]
    ContractChaincode,
    TransactionContext,
)

T = TypeVar("T")


@dataclass(frozen=True)
class KV:
    key: str
    value: bytes


class Results:
    """The shim's StateQueryIterator: async iteration, then aclose()."""

    def __init__(self, items: list[KV]) -> None:
        self.items = items
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[KV]:
        for item in self.items:
            yield item

    async def aclose(self) -> None:
        self.closed = True


class Stub:
    """The parts of the shim's ChaincodeStub the contract uses, over a dict;
    writes are visible at once (each call here is its own transaction)."""

    def __init__(self, function: str = "", *args: str) -> None:
        self.state: dict[str, bytes] = {}
        self.call = (function, list(args))
        self.ranges: list[Results] = []

    def get_function_and_parameters(self) -> tuple[str, list[str]]:
        return self.call

    async def get_state(self, key: str) -> bytes:
        return self.state.get(key, b"")

    async def put_state(self, key: str, value: bytes) -> None:
        assert isinstance(value, bytes) and value
        self.state[key] = value

    async def delete_state(self, key: str) -> None:
        self.state.pop(key, None)

    async def get_state_by_range(self, start: str, end: str) -> Results:
        keys = sorted(k for k in self.state if start <= k and (not end or k < end))
        results = Results([KV(k, self.state[k]) for k in keys])
        self.ranges.append(results)
        return results


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """On a loop of its own, never the thread's current one: asyncio.run would
    leave the main thread without one, which later tests (Pulumi's) rely on."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


@pytest.fixture
def stub() -> Stub:
    return Stub()


@pytest.fixture
def ctx(stub: Stub) -> TransactionContext:
    context = TransactionContext()
    context.set_stub(stub)
    return context


def test_asset_lifecycle(ctx: TransactionContext, stub: Stub):
    contract = AssetContract()
    assert run(contract.AssetExists(ctx, "asset1")) is False
    run(contract.CreateAsset(ctx, "asset1", "blue"))
    assert stub.state == {"asset1": b"blue"}
    assert run(contract.AssetExists(ctx, "asset1")) is True
    assert run(contract.ReadAsset(ctx, "asset1")) == "blue"
    run(contract.UpdateAsset(ctx, "asset1", "red"))
    assert run(contract.ReadAsset(ctx, "asset1")) == "red"
    run(contract.DeleteAsset(ctx, "asset1"))
    assert stub.state == {}
    assert run(contract.AssetExists(ctx, "asset1")) is False


def test_get_all_assets_reads_the_whole_key_range_and_closes_it(ctx: TransactionContext,
                                                                stub: Stub):
    contract = AssetContract()
    assert run(contract.GetAllAssets(ctx)) == {}
    for asset_id, value in (("b", "2"), ("a", "1"), ("c", "ü")):
        run(contract.CreateAsset(ctx, asset_id, value))
    assert list(run(contract.GetAllAssets(ctx)).items()) == [("a", "1"), ("b", "2"), ("c", "ü")]
    assert all(results.closed for results in stub.ranges)


def test_duplicate_create_is_an_error_and_keeps_the_asset(ctx: TransactionContext,
                                                          stub: Stub):
    contract = AssetContract()
    run(contract.CreateAsset(ctx, "asset1", "blue"))
    with pytest.raises(AssetError, match="the asset asset1 already exists"):
        run(contract.CreateAsset(ctx, "asset1", "red"))
    assert stub.state == {"asset1": b"blue"}


@pytest.mark.parametrize("transaction", ["ReadAsset", "UpdateAsset", "DeleteAsset"])
def test_missing_asset_is_an_error(ctx: TransactionContext, stub: Stub, transaction: str):
    method = getattr(AssetContract(), transaction)
    args = ["nope", "value"] if transaction == "UpdateAsset" else ["nope"]
    with pytest.raises(AssetError, match="the asset nope does not exist"):
        run(method(ctx, *args))
    assert stub.state == {}


def test_empty_ids_and_values_are_errors(ctx: TransactionContext, stub: Stub):
    contract = AssetContract()
    with pytest.raises(AssetError, match="asset ID must not be empty"):
        run(contract.CreateAsset(ctx, "", "blue"))
    with pytest.raises(AssetError, match="asset value must not be empty"):
        run(contract.CreateAsset(ctx, "asset1", ""))
    run(contract.CreateAsset(ctx, "asset1", "blue"))
    with pytest.raises(AssetError, match="asset value must not be empty"):
        run(contract.UpdateAsset(ctx, "asset1", ""))
    assert stub.state == {"asset1": b"blue"}


# --- Whole transactions through the contract API ------------------------------------------


@pytest.fixture(scope="module")
def chaincode() -> ContractChaincode:
    return ContractChaincode.new_chaincode(AssetContract())


def invoke(chaincode: ContractChaincode, state: dict[str, bytes], function: str,
           *args: str) -> Any:
    stub = Stub(function, *args)
    stub.state = state
    return run(chaincode.invoke(stub))


def test_the_six_transactions_are_registered(chaincode: ContractChaincode):
    """The metadata the system contract serves (what SDKs and tools read)."""
    metadata = json.loads(chaincode._metadata.to_json())
    transactions = {tx["name"]: tx for tx in metadata["contracts"]["AssetContract"]["transactions"]}
    reads = {"AssetExists", "GetAllAssets", "ReadAsset"}
    assert set(transactions) == reads | {"CreateAsset", "DeleteAsset", "UpdateAsset"}
    for name, transaction in transactions.items():
        assert ("evaluate" if name in reads else "submit") in transaction["tag"]
    # ctx is the injected context, not a transaction argument.
    assert len(transactions["CreateAsset"]["parameters"]) == 2
    assert transactions["GetAllAssets"].get("parameters", []) == []


def test_transactions_return_payloads_and_errors(chaincode: ContractChaincode):
    state: dict[str, bytes] = {}
    created = invoke(chaincode, state, "CreateAsset", "asset1", "blue")
    assert created.status == 200, created.message
    assert state == {"asset1": b"blue"}
    assert invoke(chaincode, state, "AssetContract:ReadAsset", "asset1").payload == b"blue"
    assert invoke(chaincode, state, "AssetExists", "asset1").payload == b"true"
    invoke(chaincode, state, "CreateAsset", "asset0", "green")
    assert json.loads(invoke(chaincode, state, "GetAllAssets").payload) == {
        "asset0": "green", "asset1": "blue"}

    duplicate = invoke(chaincode, state, "CreateAsset", "asset1", "red")
    assert (duplicate.status, duplicate.message) == (500, "the asset asset1 already exists")
    missing = invoke(chaincode, state, "DeleteAsset", "nope")
    assert (missing.status, missing.message) == (500, "the asset nope does not exist")
    short = invoke(chaincode, state, "UpdateAsset", "asset1")
    assert short.status == 500
    assert "incorrect number of params" in short.message
    assert state == {"asset0": b"green", "asset1": b"blue"}
