package whmsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Faults are the misbehaviours a simulated server shows. The zero value is a
// healthy server. Rates are fractions in [0, 1] drawn from the server's
// seeded random stream.
type Faults struct {
	// Latency is the time every API request takes to answer, the server's
	// work included (done on arrival); Jitter adds a uniform extra delay in
	// [0, Jitter]. A batch is one request and waits once.
	Latency time.Duration
	Jitter  time.Duration
	// ErrorRate is the fraction of account calls (those taking a user:
	// the integration functions and create_user_session, batch sub-commands
	// included) answered with metadata.result=0 and a plausible panel error.
	ErrorRate float64
	// TimeoutRate is the fraction of API requests that hang until the client
	// gives up (or the server stops).
	TimeoutRate float64
	// HTTP500Rate is the fraction of API requests answered HTTP 500.
	HTTP500Rate float64
	// HTMLRate is the fraction of API requests answered with an HTML login
	// page and HTTP 200, as a confused proxy or an expired session does.
	HTMLRate float64
	// Refuse closes the listener: connections are refused until cleared.
	Refuse bool
	// RefuseAccounts are accounts every call refuses with "You do not have
	// access to an account named …".
	RefuseAccounts []string
	// CannedStatus and CannedBody, when either is set, answer every API
	// request with exactly this status and body (after Latency), to imitate
	// any odd answer. CannedStatus defaults to 200.
	CannedStatus int
	CannedBody   string
}

func (f Faults) clone() Faults {
	f.RefuseAccounts = slices.Clone(f.RefuseAccounts)
	return f
}

func (f Faults) validate() error {
	for name, r := range map[string]float64{
		"error_rate": f.ErrorRate, "timeout_rate": f.TimeoutRate,
		"http500_rate": f.HTTP500Rate, "html_rate": f.HTMLRate,
	} {
		if r < 0 || r > 1 {
			return fmt.Errorf("%s must be between 0 and 1, not %v", name, r)
		}
	}
	if f.Latency < 0 || f.Jitter < 0 {
		return errors.New("latency and jitter must not be negative")
	}
	if f.CannedStatus != 0 && (f.CannedStatus < 100 || f.CannedStatus > 599) {
		return fmt.Errorf("canned_status %d is not an HTTP status", f.CannedStatus)
	}
	return nil
}

// faultsJSON is the JSON form of Faults: durations as Go duration strings.
type faultsJSON struct {
	Latency        *jsonDuration `json:"latency,omitempty"`
	Jitter         *jsonDuration `json:"jitter,omitempty"`
	ErrorRate      *float64      `json:"error_rate,omitempty"`
	TimeoutRate    *float64      `json:"timeout_rate,omitempty"`
	HTTP500Rate    *float64      `json:"http500_rate,omitempty"`
	HTMLRate       *float64      `json:"html_rate,omitempty"`
	Refuse         *bool         `json:"refuse,omitempty"`
	RefuseAccounts *[]string     `json:"refuse_accounts,omitempty"`
	CannedStatus   *int          `json:"canned_status,omitempty"`
	CannedBody     *string       `json:"canned_body,omitempty"`
}

// MarshalJSON writes every field, durations as strings such as "50ms".
func (f Faults) MarshalJSON() ([]byte, error) {
	lat, jit := jsonDuration(f.Latency), jsonDuration(f.Jitter)
	accts := f.RefuseAccounts
	if accts == nil {
		accts = []string{}
	}
	return json.Marshal(struct {
		Latency        jsonDuration `json:"latency"`
		Jitter         jsonDuration `json:"jitter"`
		ErrorRate      float64      `json:"error_rate"`
		TimeoutRate    float64      `json:"timeout_rate"`
		HTTP500Rate    float64      `json:"http500_rate"`
		HTMLRate       float64      `json:"html_rate"`
		Refuse         bool         `json:"refuse"`
		RefuseAccounts []string     `json:"refuse_accounts"`
		CannedStatus   int          `json:"canned_status"`
		CannedBody     string       `json:"canned_body"`
	}{lat, jit, f.ErrorRate, f.TimeoutRate, f.HTTP500Rate, f.HTMLRate, f.Refuse, accts, f.CannedStatus, f.CannedBody})
}

// UnmarshalJSON sets the fields present in the JSON and keeps the others, so
// that decoding into the current faults merges. Durations are strings ("50ms")
// or numbers of milliseconds.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	if j.Latency != nil {
		f.Latency = time.Duration(*j.Latency)
	}
	if j.Jitter != nil {
		f.Jitter = time.Duration(*j.Jitter)
	}
	if j.ErrorRate != nil {
		f.ErrorRate = *j.ErrorRate
	}
	if j.TimeoutRate != nil {
		f.TimeoutRate = *j.TimeoutRate
	}
	if j.HTTP500Rate != nil {
		f.HTTP500Rate = *j.HTTP500Rate
	}
	if j.HTMLRate != nil {
		f.HTMLRate = *j.HTMLRate
	}
	if j.Refuse != nil {
		f.Refuse = *j.Refuse
	}
	if j.RefuseAccounts != nil {
		f.RefuseAccounts = slices.Clone(*j.RefuseAccounts)
	}
	if j.CannedStatus != nil {
		f.CannedStatus = *j.CannedStatus
	}
	if j.CannedBody != nil {
		f.CannedBody = *j.CannedBody
	}
	return nil
}

// jsonDuration is a time.Duration written as "50ms" and read from such a
// string or from a number of milliseconds.
type jsonDuration time.Duration

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*d = 0
			return nil
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = jsonDuration(v)
		return nil
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("a duration must be a string such as \"50ms\" or a number of milliseconds")
	}
	*d = jsonDuration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}
