"""scrypt at a test cost: the parameters travel in each backup, so a backup
taken with them opens like any other, in milliseconds instead of a second."""

from __future__ import annotations

import os

from backup.keys import KdfParams


def fast_params() -> KdfParams:
    return KdfParams(os.urandom(16), log2_n=10)
