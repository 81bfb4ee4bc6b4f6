// Package netguard refuses outgoing connections to addresses a remote
// server never has and that would reach this host or its cloud environment
// instead: loopback (unless allowed, for a simulator on this host),
// link-local (the metadata endpoint at 169.254.169.254) and unspecified
// addresses. Its Control hook runs in a net.Dialer after DNS, on the address
// actually dialled, so a host name cannot route around it. The WHM client and
// the webhook sender both dial through it.
package netguard

import (
	"fmt"
	"net/netip"
	"syscall"
)

// AllowLoopbackEnv is the setting that lifts the loopback refusal; messages
// name it so that whoever runs a local simulator knows what to set.
const AllowLoopbackEnv = "APPLINKS_ALLOW_LOOPBACK_SERVERS"

// AddressError is a connection the guard refused to open: the server's
// address, after DNS, is one a WHM server never has and that would reach
// this host or its cloud environment instead (loopback services, the
// metadata endpoint at 169.254.169.254). It is never temporary: the same
// address is refused again.
type AddressError struct {
	Addr   netip.Addr // the refused address, IPv4-mapped forms unmapped
	Class  string     // "loopback", "link-local" or "unspecified"
	Reason string     // why, and what to do about it
}

// Error implements the error interface.
func (e *AddressError) Error() string {
	if !e.Addr.IsValid() {
		return e.Reason
	}
	article := "a"
	if e.Class == "unspecified" {
		article = "an"
	}
	return fmt.Sprintf("%s is %s %s address, which %s", e.Addr, article, e.Class, e.Reason)
}

// thisNetwork is 0.0.0.0/8: 0.0.0.0 reaches the local host on Linux, and no
// other address in it is a valid destination.
var thisNetwork = netip.MustParsePrefix("0.0.0.0/8")

// CheckAddress reports whether a client may connect to ip: it refuses
// loopback addresses unless allowLoopback is set, and link-local and
// unspecified addresses always. IPv4-mapped IPv6 addresses are judged as the
// IPv4 address they carry. Private ranges (10/8, 172.16/12, 192.168/16,
// fc00::/7) are allowed: real fleets live there.
func CheckAddress(ip netip.Addr, allowLoopback bool) error {
	ip = ip.Unmap().WithZone("")
	switch {
	case !ip.IsValid():
		return &AddressError{Addr: ip, Class: "invalid", Reason: "no valid IP address"}
	case ip.IsUnspecified() || thisNetwork.Contains(ip):
		return &AddressError{Addr: ip, Class: "unspecified", Reason: "designates this host, not a WHM server"}
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return &AddressError{Addr: ip, Class: "link-local",
			Reason: "reaches this host's network segment and the cloud metadata service (169.254.0.0/16, fe80::/10), never a WHM server"}
	case ip.IsLoopback() && !allowLoopback:
		return &AddressError{Addr: ip, Class: "loopback",
			Reason: "reaches this host itself; set " + AllowLoopbackEnv + "=true only to use a simulator on this host"}
	}
	return nil
}

// Control returns the net.Dialer Control hook that applies CheckAddress to
// every connection. It runs after DNS, on the address actually dialled, so a
// host name that resolves to a refused address is refused as well, and so is
// each address a name resolves to.
func Control(allowLoopback bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &AddressError{Class: "invalid", Reason: fmt.Sprintf("the dialled address %q is not an IP address and port", address)}
		}
		return CheckAddress(ap.Addr(), allowLoopback)
	}
}
