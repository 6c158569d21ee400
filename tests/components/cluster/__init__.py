"""Tests of fabric_components.cluster."""
