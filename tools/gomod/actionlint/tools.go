//go:build tools

// Package tools lists the commands this module builds.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
