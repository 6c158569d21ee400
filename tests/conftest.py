"""Fixtures shared by several test packages."""

from tests.azurite import azurite

__all__ = ["azurite"]
