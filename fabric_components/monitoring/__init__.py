"""Monitoring of the network's nodes (``fabric:monitoring``): the alert rules and
Grafana dashboards as data files, and the Prometheus Operator objects."""
