//go:build tools

// Package tools lists the command this module builds: local-path-provisioner
// (the main package is the module's root).
package tools

import _ "github.com/rancher/local-path-provisioner"
