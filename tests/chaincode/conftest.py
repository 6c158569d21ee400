"""The sample chaincode is a flat directory (its image runs ``python main.py``
from it), so its modules import each other by plain name; the tests import
them the same way."""

from __future__ import annotations

import sys
from pathlib import Path

ASSET_TRANSFER = Path(__file__).resolve().parents[2] / "chaincode" / "asset_transfer"

sys.path.insert(0, str(ASSET_TRANSFER))
