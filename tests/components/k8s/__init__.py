"""Tests of fabric_components.k8s."""
