"""Backup and restore on Kubernetes: the Jobs, their scripts, and the sealed
network material a backup carries besides the node volumes."""
