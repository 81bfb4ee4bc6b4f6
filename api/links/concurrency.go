package links

import "context"

type serverConcurrencyKey struct{}

// WithServerConcurrency tells the panel how many requests of this call it
// may have in flight at once on the server (the per-server cap the caller
// enforces): a support check sends its independent requests at once when
// allowed. Without it a panel sends one request at a time.
func WithServerConcurrency(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, serverConcurrencyKey{}, n)
}

// ServerConcurrency returns the allowance set by WithServerConcurrency, at
// least 1.
func ServerConcurrency(ctx context.Context) int {
	if n, ok := ctx.Value(serverConcurrencyKey{}).(int); ok && n > 1 {
		return n
	}
	return 1
}
