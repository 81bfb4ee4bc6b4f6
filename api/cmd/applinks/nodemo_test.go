//go:build !demo

package main

import (
	"strings"
	"testing"
)

// TestReleaseBinaryRefusesTheDemo: a binary built without -tags demo holds
// no simulator, and says which binary has one.
func TestReleaseBinaryRefusesTheDemo(t *testing.T) {
	_, err := loadConfig(lookupIn(map[string]string{"APPLINKS_DEMO": "true", "APPLINKS_ALLOW_LOOPBACK_SERVERS": "true",
		"APPLINKS_ADDR": "127.0.0.1:8080"}))
	if err == nil || !strings.Contains(err.Error(), "-tags demo") || !strings.Contains(err.Error(), "bin/applinks-demo") {
		t.Fatalf("APPLINKS_DEMO=true in a release binary: %v", err)
	}
}
