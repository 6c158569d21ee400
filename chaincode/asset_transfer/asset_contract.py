# fabric-chaincode-python ships no type information, so its Contract base class
# is Any to mypy.
# mypy: allow-subclassing-any
"""The asset-transfer contract: assets are string values stored under their ID
in the chaincode's world state."""

from __future__ import annotations

from fabric_chaincode_python.fabric_contract_api import (  # type: ignore[import-untyped]
    Contract,
    TransactionContext,
)


class AssetError(Exception):
    """A transaction on a missing or duplicate asset; the client sees the message."""


async def _read(ctx: TransactionContext, asset_id: str) -> bytes:
    """The asset's stored value; empty when it does not exist (Fabric stores no
    empty values: writing one is how a key is deleted)."""
    if not asset_id:
        raise AssetError("the asset ID must not be empty")
    return bytes(await ctx.get_stub().get_state(asset_id))


async def _existing(ctx: TransactionContext, asset_id: str) -> bytes:
    value = await _read(ctx, asset_id)
    if not value:
        raise AssetError(f"the asset {asset_id} does not exist")
    return value


def _encoded(value: str) -> bytes:
    if not value:
        raise AssetError("the asset value must not be empty")
    return value.encode()


class AssetContract(Contract):
    """Transactions are the public methods, named as in Fabric's asset-transfer
    samples; ``ctx`` is annotated so the contract API passes the transaction
    context instead of reading it from the arguments."""

    Name = "AssetContract"

    def get_evaluate_transactions(self) -> list[str]:
        """The read-only transactions, marked "evaluate" in the metadata."""
        return ["ReadAsset", "AssetExists", "GetAllAssets"]

    async def CreateAsset(self, ctx: TransactionContext, asset_id: str, value: str) -> None:
        if await _read(ctx, asset_id):
            raise AssetError(f"the asset {asset_id} already exists")
        await ctx.get_stub().put_state(asset_id, _encoded(value))

    async def ReadAsset(self, ctx: TransactionContext, asset_id: str) -> str:
        return (await _existing(ctx, asset_id)).decode()

    async def UpdateAsset(self, ctx: TransactionContext, asset_id: str, value: str) -> None:
        await _existing(ctx, asset_id)
        await ctx.get_stub().put_state(asset_id, _encoded(value))

    async def DeleteAsset(self, ctx: TransactionContext, asset_id: str) -> None:
        await _existing(ctx, asset_id)
        await ctx.get_stub().delete_state(asset_id)

    async def AssetExists(self, ctx: TransactionContext, asset_id: str) -> bool:
        return bool(await _read(ctx, asset_id))

    async def GetAllAssets(self, ctx: TransactionContext) -> dict[str, str]:
        """Every asset by ID: the open key range ('', '') covers the whole
        namespace of this chaincode, which holds only assets."""
        assets: dict[str, str] = {}
        results = await ctx.get_stub().get_state_by_range("", "")
        try:
            async for result in results:
                assets[str(result.key)] = bytes(result.value).decode()
        finally:
            await results.aclose()
        return assets
