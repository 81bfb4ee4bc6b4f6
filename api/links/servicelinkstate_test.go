package links

import "testing"

func TestLinkStateOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    LinkStateFacts
		want string
	}{
		{"confirmed", LinkStateFacts{Desired: "a:1", HasRow: true, ConfirmedFP: "a:1"}, LinkUpToDate},
		{"no row yet", LinkStateFacts{Desired: "a:1"}, LinkPending},
		{"no row, nothing wanted", LinkStateFacts{}, LinkNone},
		{"cleaned", LinkStateFacts{HasRow: true}, LinkNone},
		{"to clean", LinkStateFacts{HasRow: true, ConfirmedFP: "a:1"}, LinkPending},
		{"rotated", LinkStateFacts{Desired: "a:2", HasRow: true, ConfirmedFP: "a:1"}, LinkPending},
		{"repair", LinkStateFacts{Desired: "a:1", HasRow: true, ConfirmedFP: ConfirmedRepair}, LinkPending},
		{"terminal", LinkStateFacts{Desired: "a:1", HasRow: true, FailedFP: "a:1", LastError: "refused"}, LinkFailed},
		{"failed at an older state", LinkStateFacts{Desired: "b:1", HasRow: true, FailedFP: "a:1"}, LinkPending},
		{"deactivated server", LinkStateFacts{HasRow: true, ConfirmedFP: "a:1", Hold: "deactivated"}, LinkHeld},
		{"unsupported server, never pushed", LinkStateFacts{Hold: "unsupported"}, LinkNone},
		{"held, nothing to do", LinkStateFacts{HasRow: true, Hold: "deactivated"}, LinkNone},
	} {
		if got := LinkStateOf(tc.f).State; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
