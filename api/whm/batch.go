package whm

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/applinks/applinks/api/links"
)

// Command is one call inside a batch.
type Command struct {
	Function string
	Args     url.Values
}

// Encode returns the command as batch takes it: "function?query", the query
// carrying api.version=1. The batch body URL-encodes this string once more.
func (c Command) Encode() string {
	q := url.Values{}
	for k, vs := range c.Args {
		q[k] = vs
	}
	q.Set("api.version", "1")
	return c.Function + "?" + q.Encode()
}

// CommandResult is the outcome of one command of a batch: Err is nil on
// success, a *PanelError when the panel refused that command.
type CommandResult struct {
	Function string
	Data     json.RawMessage
	Err      error
}

// Batch runs the commands in one WHM request. The error is non-nil only when
// the whole request failed (transport, authentication, a garbage answer);
// otherwise there is one CommandResult per command, in order. With
// abortOnError the panel stops at the first failure and the commands it did
// not run carry a *PanelError saying so.
func (c *Client) Batch(ctx context.Context, s links.ServerConn, cmds []Command, abortOnError bool) ([]CommandResult, error) {
	sc := &scrubber{}
	sc.add(s.APIToken)
	form := url.Values{"api.version": {"1"}}
	for _, cmd := range cmds {
		sc.addArgs(cmd.Args)
		form.Add("command", cmd.Encode())
	}
	if abortOnError {
		form.Set("abort_on_error", "1")
	} else {
		form.Set("abort_on_error", "0")
	}
	ci := callInfo{server: ServerName(s), function: FnBatch, scrub: sc}
	status, body, err := c.post(ctx, s, ci, FnBatch, form.Encode())
	if err != nil {
		return nil, err
	}
	return parseBatch(ci, status, body, cmds)
}

// parseBatch walks every sub-result of a batch answer. It never panics.
func parseBatch(ci callInfo, status int, body []byte, cmds []Command) ([]CommandResult, error) {
	res, err := parseAnswer(ci, status, body)
	var top map[string]json.RawMessage
	switch err.(type) {
	case nil:
	case *PanelError:
		// The top level says 0 when any command failed: the sub-results
		// still tell which. Without them the whole batch was refused.
		top, _ = decodeObject(ci, status, body)
		raw, ok := present(top, "data")
		if !ok {
			return nil, err
		}
		res = &Result{Data: raw}
	default:
		return nil, err
	}
	var d struct {
		Result []json.RawMessage `json:"result"`
	}
	if len(res.Data) == 0 || json.Unmarshal(res.Data, &d) != nil || d.Result == nil {
		if _, isPanel := err.(*PanelError); isPanel {
			return nil, err
		}
		return nil, ci.transport(KindMalformed, status, false, nil, "the batch answer has no data.result list")
	}
	if len(d.Result) > len(cmds) {
		return nil, ci.transport(KindMalformed, status, false, nil,
			"the batch answer has %d results for %d commands", len(d.Result), len(cmds))
	}
	out := make([]CommandResult, len(cmds))
	for i, cmd := range cmds {
		out[i].Function = cmd.Function
		sub := callInfo{server: ci.server, function: cmd.Function, scrub: ci.scrub}
		if i >= len(d.Result) {
			out[i].Err = &PanelError{Server: ci.server, Function: cmd.Function,
				Reason: "not run: the batch stopped at an earlier failure"}
			continue
		}
		obj, derr := decodeObject(sub, status, d.Result[i])
		if derr != nil {
			return nil, ci.transport(KindMalformed, status, false, nil, "result %d of the batch is not an object", i+1)
		}
		r, perr := parseTop(sub, status, obj)
		switch perr.(type) {
		case nil:
			out[i].Data = r.Data
		case *PanelError:
			out[i].Err = perr
		default:
			return nil, ci.transport(KindMalformed, status, false, nil,
				"result %d of the batch (%s) is not a WHM API 1 envelope", i+1, cmd.Function)
		}
	}
	return out, nil
}
