package provisioning

import (
	"context"
	"fmt"
	"time"

	"github.com/applinks/applinks/api/links"
)

// request sends the panel call of a batch in up to tries tries (its request
// built in each try: retries are rare, and only the mode's own is built).
func (w *worker) request(ctx context.Context, creds []links.AccountCreds, m mode, tries int) ([]links.AccountResult, error) {
	res, err := retry(ctx, w, modeCalls[m], tries, func(ctx context.Context) ([]links.AccountResult, error) {
		return w.call(ctx, creds, m)
	})
	return res, answered(len(res), len(creds), err)
}

// checkSupport asks the panel for its support of links, in up to tries
// tries.
func (w *worker) checkSupport(ctx context.Context, tries int) (links.Support, error) {
	return retry(ctx, w, "check_support", tries, func(ctx context.Context) (links.Support, error) {
		return w.panel.CheckSupport(ctx, w.srv.Conn)
	})
}

// creds are what a request of mode m sends for a location: with its link
// token unsealed, unless it is a removal.
func (w *worker) creds(st links.LinkState, m mode) (links.AccountCreds, error) {
	c := links.AccountCreds{Username: st.Username, SubscriberUniqueID: st.SubscriberUniqueID}
	if m == modeRemove {
		return c, nil
	}
	c.ServiceID = *st.ServiceID
	var err error
	c.Token, err = w.e.store.OpenLinkToken(c.ServiceID, st.TokenSealed)
	return c, err
}

// call makes one try of the panel call of a batch.
func (w *worker) call(ctx context.Context, creds []links.AccountCreds, m mode) ([]links.AccountResult, error) {
	switch m {
	case modeRemove:
		req := w.app.Remove
		for _, c := range creds {
			req.Usernames = append(req.Usernames, c.Username)
		}
		return w.panel.RemoveLinks(ctx, w.srv.Conn, req)
	case modeTokens:
		req := links.TokenRequest{Apps: w.app.Apps()}
		for _, c := range creds {
			req.Accounts = append(req.Accounts, links.AccountToken{Username: c.Username, Token: c.Token})
		}
		return w.panel.UpdateLinkTokens(ctx, w.srv.Conn, req)
	}
	req := w.app.Push
	req.Accounts = creds
	return w.panel.PushLinks(ctx, w.srv.Conn, req)
}

// modeCalls names the panel call of each sending mode (for the metrics).
var modeCalls = map[mode]string{modePush: "push_links", modeRemove: "remove_links", modeTokens: "update_link_tokens"}

// answered checks that a panel answered for every account it was asked
// about.
func answered(got, want int, err error) error {
	if err == nil && got != want {
		err = fmt.Errorf("the panel answered for %d accounts instead of %d", got, want)
	}
	return err
}

// retry calls fn, each try timed by name
// (applinks_whm_call_duration_seconds), trying transport failures again
// with backoff, up to tries tries in all.
func retry[T any](ctx context.Context, w *worker, name string, tries int, fn func(context.Context) (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		start := time.Now()
		v, err := fn(ctx)
		w.e.metrics.observe(name, start, err)
		if err == nil || !links.IsTemporary(err) || attempt >= tries {
			return v, err
		}
		t := time.NewTimer(links.Backoff(w.e.cfg.RetryBase, time.Minute, attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return v, err
		case <-t.C:
		}
	}
}

// notSent is the result of an account whose request failed as a whole
// while the server did not take such requests: no answer about it.
type notSent struct{ error }

// blame answers for each account of a request that failed as a whole with
// err: the request broke on some of its accounts, or the server does not
// take such requests now. The server takes them when a control request
// (see control) is answered, or else, when it answers a support check, one
// of the batch's accounts sent again alone (one try each, in the batch's
// slot) is answered. Then, if the server still answers a support check
// after the lone requests, an account whose lone request failed as a whole
// is refused: an account that breaks its requests fails alone (terminal
// after MaxAttempts). Otherwise (an outage, refused credentials, a panel
// failing every such request) none was sent: the rows are left as they
// were (no attempt counted: that fails no account for good), the pass walks
// again, and abortAfter such requests in a row give the server up.
func (w *worker) blame(ctx context.Context, creds []links.AccountCreds, m mode, err error) []links.AccountResult {
	res := make([]links.AccountResult, len(creds))
	takes := w.control(ctx, m)
	if !takes && !w.answers(ctx) {
		return w.unsent(res, err)
	}
	broke, failed := []error{err}, false // each account's lone request's failure
	if len(creds) > 1 {
		broke = make([]error, len(creds))
		for i := range creds {
			if w.stopped(ctx) { // given up meanwhile: the rest is not sent
				res[i].Err = notSent{err}
				continue
			}
			var one []links.AccountResult
			if one, broke[i] = w.request(ctx, creds[i:i+1], m, 1); broke[i] == nil {
				res[i], takes = one[0], true
			}
			failed = failed || broke[i] != nil
		}
	}
	if !takes {
		return w.unsent(res, err)
	}
	if failed && !w.answers(ctx) { // the server stopped answering meanwhile
		w.noteRequest(err)
		for i, b := range broke {
			if b != nil {
				res[i].Err = notSent{b}
			}
		}
		return res
	}
	w.noteRequest(nil)
	for i, b := range broke {
		if b != nil {
			res[i].Err = fmt.Errorf("its request fails on this account alone (the same request for other accounts is answered): %w", b)
		}
	}
	return res
}

// unsent answers that no account was sent, and counts a request failed in
// a row.
func (w *worker) unsent(res []links.AccountResult, err error) []links.AccountResult {
	w.noteRequest(err)
	for i := range res {
		res[i] = links.AccountResult{Err: notSent{err}}
	}
	return res
}

// control makes a request of mode m, in one try, for an account the panel
// confirmed at its desired state (pushed, emptied or given its token again,
// unchanged: idempotent), and tells whether it was answered (false when the
// server has no such account among the first page).
func (w *worker) control(ctx context.Context, m mode) bool {
	page, err := w.e.store.LinkStatePage(ctx, w.app.Walk(w.id, links.SelectConfirmed), "", pageSize)
	if err != nil {
		return false
	}
	for _, st := range page {
		if (st.Desired == "") != (m == modeRemove) {
			continue
		}
		if c, err := w.creds(st, m); err == nil {
			_, err = w.request(ctx, []links.AccountCreds{c}, m, 1)
			return err == nil
		}
	}
	return false
}

// answers reports whether the server answers a support check (one try).
func (w *worker) answers(ctx context.Context) bool {
	_, err := w.checkSupport(ctx, 1)
	return err == nil
}

// noteRequest counts the whole requests failed in a row; abortAfter of them
// give the server up for now. An answered request breaks the row, also
// one answered after the last of them while a push pass waits for its
// requests: the server answers again, so it is not given up (the pass,
// cut short, walks again). A verify's read pass stays given up: its
// counts would miss what the cut walk did not read.
func (w *worker) noteRequest(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		if w.streak >= abortAfter && !w.reading {
			w.gaveUp = nil
		}
		w.streak = 0
		return
	}
	if w.streak++; w.streak >= abortAfter && w.gaveUp == nil {
		w.gaveUp = fmt.Errorf("%d requests in a row failed (%w)", abortAfter, err)
	}
}
