"""Build and test helpers: build-tools.sh builds the pinned tools; localkube runs a
local Kubernetes control plane from them with kwok's fake nodes, localcluster a
real single-node Kubernetes (containerd, kubelet, kube-proxy, CoreDNS, a volume
provisioner); control_plane, kube_pki, kube_processes and kube_api are what the
two share."""
