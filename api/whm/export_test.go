package whm

import "net"

// WithResolver returns opts with host names resolved through r, for tests
// that must not send a DNS query off the host.
func WithResolver(opts Options, r *net.Resolver) Options {
	opts.resolver = r
	return opts
}
