package store

import (
	"fmt"
	"math"
	"testing"
)

// The link tokens already sealed open only with the additional data they
// were sealed with: linkTokenAAD must keep its format exactly.
func TestLinkTokenAADKeepsItsFormat(t *testing.T) {
	for _, id := range []int64{0, 1, 9, 10, 12345, -7, math.MaxInt64, math.MinInt64} {
		if got, want := linkTokenAAD(id), fmt.Sprintf("service:%d:link_token", id); got != want {
			t.Errorf("linkTokenAAD(%d) = %q, want %q", id, got, want)
		}
	}
}
