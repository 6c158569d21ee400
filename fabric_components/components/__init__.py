"""The ComponentResources (``fabric:index:<Name>``): orderer and peer orgs, channels
and chaincodes, and the chain that rolls their nodes one at a time."""
