//go:build tools

// Package tools lists the Pulumi command this module builds.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
