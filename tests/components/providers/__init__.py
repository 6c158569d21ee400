"""Tests of fabric_components.providers."""
