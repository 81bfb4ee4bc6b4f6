package netguard_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/netguard"
)

// TestCheckAddressRefusesLoopbackLinkLocalAndUnspecified decides on
// addresses only: nothing is dialled.
func TestCheckAddressRefusesLoopbackLinkLocalAndUnspecified(t *testing.T) {
	tests := []struct {
		addr    string
		class   string // "" = allowed without the flag
		allowed bool   // allowed with the loopback flag
	}{
		{"127.0.0.1", "loopback", true},
		{"127.8.9.10", "loopback", true},
		{"::1", "loopback", true},
		{"::ffff:127.0.0.1", "loopback", true},
		{"169.254.169.254", "link-local", false},
		{"::ffff:169.254.169.254", "link-local", false},
		{"169.254.0.1", "link-local", false},
		{"fe80::1", "link-local", false},
		{"fe80::1%eth0", "link-local", false},
		{"febf::1", "link-local", false},
		{"0.0.0.0", "unspecified", false},
		{"0.1.2.3", "unspecified", false},
		{"::", "unspecified", false},
		{"::ffff:0.0.0.0", "unspecified", false},
		{"10.0.0.1", "", true},
		{"172.16.5.4", "", true},
		{"192.168.1.1", "", true},
		{"fd12:3456::1", "", true},
		{"203.0.113.5", "", true},
		{"2001:db8::5", "", true},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.addr)
		t.Run(tt.addr, func(t *testing.T) {
			err := netguard.CheckAddress(ip, false)
			var ae *netguard.AddressError
			switch {
			case tt.class == "" && err != nil:
				t.Errorf("refused without the flag: %v", err)
			case tt.class != "" && (!errors.As(err, &ae) || ae.Class != tt.class):
				t.Errorf("without the flag: %v, want a %s refusal", err, tt.class)
			}
			err = netguard.CheckAddress(ip, true)
			if got := err == nil; got != tt.allowed {
				t.Errorf("with the flag: %v, want allowed=%v", err, tt.allowed)
			}
		})
	}
	err := netguard.CheckAddress(netip.MustParseAddr("::ffff:127.0.0.1"), false)
	if !strings.Contains(err.Error(), "127.0.0.1") || !strings.Contains(err.Error(), netguard.AllowLoopbackEnv) {
		t.Errorf("the loopback refusal should name the address and %s: %v", netguard.AllowLoopbackEnv, err)
	}
	err = netguard.CheckAddress(netip.MustParseAddr("169.254.169.254"), true)
	if !strings.Contains(err.Error(), "metadata") || strings.Contains(err.Error(), netguard.AllowLoopbackEnv) {
		t.Errorf("the link-local refusal should name the metadata service and offer no way around: %v", err)
	}
}
