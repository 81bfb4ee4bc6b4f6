package links

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxSSOSources bounds a server's list of SSO source addresses.
const MaxSSOSources = 50

// NormalizeSSOSources checks and normalises a server's SSO source addresses:
// each entry is one IPv4 or IPv6 address or a CIDR range. The stored form is
// what staff read back:
//
//   - a single address stays a bare address in its canonical form
//     ("10.0.0.5", "2001:db8::1"), and a /32 or /128 range becomes one;
//   - a range is written from its first address ("10.0.0.5/24" becomes
//     "10.0.0.0/24"), which is what it matches anyway;
//   - an IPv4-mapped IPv6 address ("::ffff:10.0.0.5") becomes IPv4;
//   - surrounding spaces and blank entries are dropped, duplicates kept once,
//     in the order given.
//
// A bad entry is an invalid-input error naming field[i] (i counts the
// entries as given, from 0); zones ("fe80::1%eth0") are refused. The result
// is never nil, so an empty list clears.
func NormalizeSSOSources(field string, in []string) ([]string, error) {
	out := []string{}
	for i, raw := range in {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		p, err := parseSource(entry)
		if err != nil {
			return nil, FieldError(fmtIndex(field, i), "%q is not an IP address or CIDR range: %s", truncateText(entry, 64), err.Error())
		}
		s := sourceText(p)
		if slices.Contains(out, s) {
			continue
		}
		if len(out) == MaxSSOSources {
			return nil, FieldError(field, "At most %d SSO source addresses: use CIDR ranges (e.g. 203.0.113.0/24) to cover many servers.", MaxSSOSources)
		}
		out = append(out, s)
	}
	return out, nil
}

func fmtIndex(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

type sourceErr string

func (e sourceErr) Error() string { return string(e) }

// parseSource reads one entry as a prefix: a bare address is a prefix of
// its full length.
func parseSource(entry string) (netip.Prefix, error) {
	if !strings.Contains(entry, "/") {
		a, err := netip.ParseAddr(entry)
		if err != nil {
			return netip.Prefix{}, sourceErr("write one address (203.0.113.7, 2001:db8::7) or range (203.0.113.0/24) per entry")
		}
		if a.Zone() != "" {
			return netip.Prefix{}, sourceErr("an address with a zone (%...) cannot be a source")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(entry)
	if err != nil {
		return netip.Prefix{}, sourceErr("a range is an address, a slash and a prefix length, e.g. 203.0.113.0/24 or 2001:db8::/48")
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, sourceErr("write an IPv4 range in IPv4 form, e.g. 203.0.113.0/24")
	}
	return p.Masked(), nil
}

// sourceText is the stored form of a prefix: a bare address for a single
// address, the masked CIDR otherwise.
func sourceText(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// SSOSourceAllowed reports whether a click from ip passes a server's list of
// SSO source addresses (normalised by NormalizeSSOSources). An empty list
// allows any source; a set list allows only the addresses it covers, so an
// address that cannot be read is refused. IPv4-mapped IPv6 addresses match
// as IPv4.
func SSOSourceAllowed(list []string, ip string) bool {
	if len(list) == 0 {
		return true
	}
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, entry := range list {
		if p, err := parseSource(entry); err == nil && p.Contains(a) {
			return true
		}
	}
	return false
}

// SSOSourceSeen is one source address of recent cPanel clicks on a server.
type SSOSourceSeen struct {
	IP      string    `json:"ip"`
	Clicks  int64     `json:"clicks"`
	Refused int64     `json:"refused"`
	LastAt  time.Time `json:"last_at"`
	// Allowed tells whether the server's current list lets this address in
	// (always true while the list is empty).
	Allowed bool `json:"allowed"`
}
