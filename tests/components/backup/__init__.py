"""Tests of fabric_components.backup."""
