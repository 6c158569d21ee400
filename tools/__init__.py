"""Build and test helpers: build-tools.sh builds the pinned tools, localkube runs a
local Kubernetes control plane from them."""
