"""Upper bounds of the counts a file can ask for. Each is far above any real
network (and above the sizes the program is benchmarked at: 100 orgs of 10
peers, an org of 500); beyond them the program would exhaust the machine's
memory or run for hours before the cluster saw anything, so the count is
refused with its bound instead."""

MAX_TEMPLATE_COUNT = 1000
"""Template nodes of one org."""
MAX_USERS = 1000
"""``Users.Count`` of one org: each is a certificate, a key and a Secret."""
MAX_NODES = 5000
"""Nodes of the whole network, each a Deployment, a Service, a volume and a key."""
MAX_UINT32 = 2**32 - 1
"""Fabric keeps batch sizes as uint32."""
