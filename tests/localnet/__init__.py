"""Fabric tier: real peer and orderer processes started by ``localnet``."""
