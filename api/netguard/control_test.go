package netguard

import (
	"errors"
	"testing"
)

// TestControlJudgesTheDialledAddress calls the dialer's hook on the
// address strings the dialer passes it; nothing is dialled.
func TestControlJudgesTheDialledAddress(t *testing.T) {
	for addr, refused := range map[string]bool{
		"127.0.0.1:2087":              true,
		"[::1]:2087":                  true,
		"[::ffff:127.0.0.1]:2087":     true,
		"169.254.169.254:80":          true,
		"[::ffff:169.254.169.254]:80": true,
		"[fe80::1%eth0]:2087":         true,
		"0.0.0.0:2087":                true,
		"[::]:2087":                   true,
		"not-an-address":              true,
		"10.0.0.1:2087":               false,
		"192.168.1.1:2087":            false,
		"203.0.113.5:2087":            false,
	} {
		err := Control(false)("tcp", addr, nil)
		var ae *AddressError
		if refused != errors.As(err, &ae) {
			t.Errorf("%s: %v, want refused=%v", addr, err, refused)
		}
	}
	if err := Control(true)("tcp4", "127.0.0.1:2087", nil); err != nil {
		t.Errorf("loopback with the flag: %v", err)
	}
	if err := Control(true)("tcp6", "[fe80::1]:2087", nil); err == nil {
		t.Error("the flag lifted the link-local refusal")
	}
}
