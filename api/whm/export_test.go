package whm

import "net"

// WithResolver returns opts with host names resolved through r, for tests
// that must not send a DNS query off the host.
func WithResolver(opts Options, r *net.Resolver) Options {
	opts.resolver = r
	return opts
}

// Client returns the WHM client the panel uses, for tests that call it
// beside the panel.
func (p *panel) Client() *Client { return p.client }
