// Pins the Pulumi Kubernetes provider for the project's tools script.
// The provider module has no tags of its own; the only version the Go module
// proxy serves is the pseudo-version of commit f47bc2d6f199 (v4.25.0 plus a CI-only
// commit). tools/build-tools.sh stamps the binary and its schema as 4.34.2, the
// version the Python SDK in requirements.txt asks the engine for.
module fabric-on-pulumi/tools/kubernetes-provider

go 1.26

require (
	github.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20260115033456-f47bc2d6f199
	// The provider's go.mod replaces sdk/v4 with ../sdk of the same commit,
	// which is the v4.25.0 release.
	github.com/pulumi/pulumi-kubernetes/sdk/v4 v4.25.0
)
