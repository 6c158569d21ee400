"""A real single-node Kubernetes on this machine (see cluster.py); the command
line is __main__.py."""

from tools.localcluster.cluster import LocalCluster

__all__ = ["LocalCluster"]
