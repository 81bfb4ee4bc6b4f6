package links

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func testAttempt(attempts int, failedFP string) Attempt {
	svc := int64(40)
	st := LinkState{ServerID: 2, Username: "acme", ServiceID: &svc, ConfirmedFP: "old:1", FailedFP: failedFP,
		Attempts: attempts, CredVersion: 3}
	return Attempt{State: st, Desired: "app:3", Server: "cp1"}
}

func TestConfirmed(t *testing.T) {
	u := testAttempt(2, "").Confirmed()
	if !u.Done || u.ConfirmedFP != "app:3" || u.ReadFP != "old:1" || u.ServiceID != 40 || u.CredVersion != 3 || u.Delete {
		t.Errorf("a confirmed push: %+v", u)
	}
	a := testAttempt(0, "")
	a.Desired, a.State.ServiceID = "", nil
	if u := a.Confirmed(); !u.Done || u.ConfirmedFP != "" || !u.Delete || u.ServiceID != 0 {
		t.Errorf("a confirmed removal of a location no service owns is dropped: %+v", u)
	}
}

func TestRefusedBacksOffThenIsTerminal(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	p := RetryPolicy{Base: time.Second, MaxAttempts: 4}
	u := testAttempt(1, "").Refused(errors.New("bad token SECRET"), "SECRET", p, now)
	if u.Attempts != 2 || u.Failed || u.FailedFP != "" || u.ConfirmedFP != "old:1" {
		t.Errorf("second refusal: %+v", u)
	}
	if u.NextAttemptAt == nil || !u.NextAttemptAt.Equal(now.Add(2*time.Second)) {
		t.Errorf("second refusal waits 2s, got %v", u.NextAttemptAt)
	}
	if strings.Contains(u.LastError, "SECRET") || strings.Contains(u.Entry.Message, "SECRET") {
		t.Errorf("the token leaked: %q / %q", u.LastError, u.Entry.Message)
	}
	if u.Entry.Level != LevelWarning || *u.Entry.ServerID != 2 || *u.Entry.ServiceID != 40 ||
		!strings.Contains(u.Entry.Message, "acme on server cp1 was refused, will retry in 2s (attempt 2 of 4)") {
		t.Errorf("entry: %+v %q", u.Entry, u.Entry.Message)
	}
	u = testAttempt(3, "").Refused(errors.New("no such user."), "", p, now)
	if !u.Failed || u.FailedFP != "app:3" || u.NextAttemptAt != nil ||
		!strings.HasSuffix(u.Entry.Message, "was refused: no such user (gave up after 4 attempts).") {
		t.Errorf("fourth refusal is terminal: %+v %q", u, u.Entry.Message)
	}
	u = testAttempt(4, "other:1").Refused(errors.New("no"), "", p, now)
	if u.Attempts != 1 || u.Failed {
		t.Errorf("terminal at another desired state counts anew: %+v", u)
	}
}

// A removal (nothing desired) refused MaxAttempts times is terminal too,
// under a mark of its own: the empty string means "not failed".
func TestARefusedRemovalIsTerminal(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	p := RetryPolicy{Base: time.Second, MaxAttempts: 4}
	a := testAttempt(3, "")
	a.Desired = ""
	u := a.Refused(errors.New("no"), "", p, now)
	if !u.Failed || u.FailedFP != FailedRemoval || u.NextAttemptAt != nil {
		t.Fatalf("fourth refused removal: %+v", u)
	}
	if OutOfDate("", u.ConfirmedFP, u.FailedFP) || !Terminal("", u.FailedFP) {
		t.Error("a terminal removal is still out of date")
	}
	if !OutOfDate("app:3", u.ConfirmedFP, u.FailedFP) {
		t.Error("a terminal removal is not tried again once links are desired")
	}
}

func TestRepair(t *testing.T) {
	n := LogEntry{Message: "differs"}
	u := testAttempt(2, "").Repair(&n)
	if !strings.HasPrefix(u.ConfirmedFP, ConfirmedRepair) || u.ReadFP != "old:1" || u.Attempts != 2 || u.Entry != &n || u.Done || u.Failed {
		t.Errorf("repair: %+v", u)
	}
}

func TestDrifted(t *testing.T) {
	app := DesiredApp(true, nil, "https://billing.example.com", "billing", "Billing & Support")
	a := testAttempt(0, "")
	if diffs := a.Drifted(app, AccountLinks{}); len(diffs) == 0 || diffs[0] != "group billing missing" {
		t.Errorf("nothing on the panel: %v", diffs)
	}
	a.Desired = ""
	if diffs := a.Drifted(app, AccountLinks{}); diffs != nil {
		t.Errorf("nothing wanted, nothing there: %v", diffs)
	}
}

func TestDesiredAt(t *testing.T) {
	app := App{Enabled: true, FP: "app"}
	st := testAttempt(0, "").State
	st.ServiceServerID, st.ServiceUsername, st.ServiceStatus = 2, "acme", ServiceActive
	if got := app.DesiredAt(st); got != "app:3" {
		t.Errorf("DesiredAt = %q", got)
	}
	st.ServiceUsername = "renamed"
	if got := app.DesiredAt(st); got != "" {
		t.Errorf("renamed away: DesiredAt = %q", got)
	}
}

// A request that failed as a whole is a Warning naming the account, with
// the secrets sent scrubbed; the location's row is not touched (no update).
func TestARequestThatFailedWholeIsNotARefusal(t *testing.T) {
	e := testAttempt(3, "").NotSent(errors.New("dial tcp: connection refused (token TOK1)"), "TOK1", "")
	if e.Level != LevelWarning || *e.ServiceID != 40 || strings.Contains(e.Message, "TOK1") ||
		e.Message != "Account acme on server cp1 was not updated, will retry in the next pass: dial tcp: connection refused (token [REDACTED])" {
		t.Errorf("entry: %+v %q", e, e.Message)
	}
}
