//go:build tools

// Package tools lists the node commands of the local Kubernetes this module
// builds: kubelet and kube-proxy.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
