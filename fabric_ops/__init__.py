"""Fabric operations as data and commands: what the dynamic providers run, shared
by the in-cluster (exec into an org's admin toolbox) and local executors. No
Pulumi imports; the same command lines and output parsing run everywhere."""
