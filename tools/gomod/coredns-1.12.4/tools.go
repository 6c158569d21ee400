//go:build tools

// Package tools lists the command this module builds: coredns (the main
// package is the module's root).
package tools

import _ "github.com/coredns/coredns"
