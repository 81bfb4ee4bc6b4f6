package whm

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/applinks/applinks/api/links"
)

// Command is one call inside a batch.
type Command struct {
	Function string
	Args     url.Values
	// shared hold more arguments that many commands of a batch have in
	// common, encoded once for all of them (see SharedArgs).
	shared []*SharedArgs
}

// SharedArgs are arguments common to many commands of a batch (a link's
// label, order and URLs, the same for every account), encoded for the batch
// body once instead of once per command.
type SharedArgs struct {
	values  url.Values
	encoded string // "%26key%3Dvalue..." as appendArgs writes it
}

// NewSharedArgs encodes arguments for WithShared.
func NewSharedArgs(v url.Values) *SharedArgs {
	var b strings.Builder
	appendArgs(&b, v)
	return &SharedArgs{values: v, encoded: b.String()}
}

// valuePiece is a piece of an argument's value, escaped as the batch body
// takes it: the pieces of a command are written in order, so a value can be
// split at any byte. It carries no secret.
func valuePiece(s string) *SharedArgs {
	var b strings.Builder
	escapeTwice(&b, s)
	return &SharedArgs{encoded: b.String()}
}

// sharedArgsCache keeps the shared arguments of the links pushed lately:
// every push request of a run sends the same links.
type sharedArgsCache struct {
	m sync.Map // IntegrationLink -> *SharedArgs
	n atomic.Int64
}

// maxCachedLinks bounds the cache; past it, it starts again empty.
const maxCachedLinks = 512

// get returns the encoded shared arguments of the link.
func (c *sharedArgsCache) get(l IntegrationLink) *SharedArgs {
	if sh, ok := c.m.Load(l); ok {
		return sh.(*SharedArgs)
	}
	sh := NewSharedArgs(l.sharedArgs())
	if l.urlOpen {
		sh.encoded += "%26url%3D" + valuePiece(l.URL).encoded
	}
	if c.n.Add(1) > maxCachedLinks {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(l, sh)
	return sh
}

// WithShared returns the command with the shared arguments added to its own.
func (c Command) WithShared(sh ...*SharedArgs) Command {
	c.shared = append(c.shared[:len(c.shared):len(c.shared)], sh...)
	return c
}

// appendBatchParam appends "command=" and the command as batch takes it
// ("function?query", the query carrying api.version=1), URL-encoded once
// more, in one pass over the arguments: the batch body of a push carries
// about 150 commands, and building url.Values for each, then encoding twice,
// was the largest cost of a push in the profiles.
func (c Command) appendBatchParam(b *strings.Builder) {
	b.WriteString("command=")
	escapeTwice(b, c.Function)
	b.WriteString("%3Fapi.version%3D1")
	for _, sh := range c.shared {
		b.WriteString(sh.encoded)
	}
	appendArgs(b, c.Args)
}

// appendArgs writes "&key=value" for every argument but api.version, in key
// order, URL-encoded twice.
func appendArgs(b *strings.Builder, args url.Values) {
	var buf [16]string
	keys := buf[:0]
	for k := range args {
		if k != "api.version" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range args[k] {
			b.WriteString("%26")
			escapeTwice(b, k)
			b.WriteString("%3D")
			escapeTwice(b, v)
		}
	}
}

// escapeTwice writes url.QueryEscape(url.QueryEscape(s)) without the
// intermediate string: unreserved bytes stay, a space becomes "+" and then
// "%2B", any other byte becomes "%XY" and then "%25XY".
func escapeTwice(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			continue
		}
		b.WriteString(s[start:i])
		start = i + 1
		if c == ' ' {
			b.WriteString("%2B")
			continue
		}
		b.WriteString("%25")
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	b.WriteString(s[start:])
}

// escapedTwiceLen is the length escapeTwice writes for s.
func escapedTwiceLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isUnreserved(c):
		case c == ' ':
			n += 2
		default:
			n += 4
		}
	}
	return n
}

// isUnreserved reports the bytes url.QueryEscape leaves as they are.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// encodeBatch returns the form body of a batch request.
func encodeBatch(cmds []Command, abortOnError bool) string {
	// Sized exactly: the body of a push is about 70 kB, and growing a
	// builder to it allocates twice that.
	size := batchSize(cmds)
	var b strings.Builder
	b.Grow(size)
	b.WriteString("abort_on_error=")
	if abortOnError {
		b.WriteByte('1')
	} else {
		b.WriteByte('0')
	}
	b.WriteString("&api.version=1")
	for _, cmd := range cmds {
		b.WriteByte('&')
		cmd.appendBatchParam(&b)
	}
	return b.String()
}

// batchSize is the length of encodeBatch's body.
func batchSize(cmds []Command) int {
	size := len("abort_on_error=0&api.version=1")
	for _, cmd := range cmds {
		size += len("&command=") + escapedTwiceLen(cmd.Function) + len("%3Fapi.version%3D1")
		for _, sh := range cmd.shared {
			size += len(sh.encoded)
		}
		for k, vs := range cmd.Args {
			if k != "api.version" {
				for _, v := range vs {
					size += len("%26") + escapedTwiceLen(k) + len("%3D") + escapedTwiceLen(v)
				}
			}
		}
	}
	return size
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
	return c.sendBatch(ctx, s, cmds, encodeBatch(cmds, abortOnError))
}

// sendBatch is Batch with the commands' body already encoded.
func (c *Client) sendBatch(ctx context.Context, s links.ServerConn, cmds []Command, form string) ([]CommandResult, error) {
	ci := callInfo{server: ServerName(s), addr: serverAddr(s), function: FnBatch, scrub: batchScrubber(s.APIToken, cmds)}
	// A sub-result takes about 100 bytes.
	status, body, err := c.post(ctx, s, ci, FnBatch, form, 128*len(cmds))
	if err != nil {
		return nil, err
	}
	return parseBatch(ci, status, body, cmds)
}

// batchScrubber knows the secrets of a batch: the server's token and the
// secret arguments of its commands (each shared set once), gathered when a
// message first needs scrubbing.
func batchScrubber(token string, cmds []Command) *scrubber {
	return &scrubber{fill: func(sc *scrubber) {
		sc.add(token)
		shared := map[*SharedArgs]bool{}
		for _, cmd := range cmds {
			sc.addArgs(cmd.Args)
			for _, sh := range cmd.shared {
				if !shared[sh] {
					shared[sh] = true
					sc.addArgs(sh.values)
				}
			}
		}
	}}
}

// parseBatch walks every sub-result of a batch answer. It never panics.
func parseBatch(ci callInfo, status int, body []byte, cmds []Command) ([]CommandResult, error) {
	if out, ok := parseBatchFast(ci, status, body, cmds); ok {
		return out, nil
	}
	return parseBatchGeneral(ci, status, body, cmds)
}

// parseBatchGeneral is parseBatch for any answer: it explains every way an
// answer can be wrong.
func parseBatchGeneral(ci callInfo, status int, body []byte, cmds []Command) ([]CommandResult, error) {
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
		sub := callInfo{server: ci.server, addr: ci.addr, function: cmd.Function, scrub: ci.scrub}
		if i >= len(d.Result) {
			out[i].Err = notRun(ci.server, cmd.Function)
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

func notRun(server, function string) *PanelError {
	return &PanelError{Server: server, Function: function, Reason: "not run: the batch stopped at an earlier failure"}
}

// parseBatchFast reads a well-formed answer (HTTP 200, a WHM API 1
// envelope whose every sub-result has metadata.result 0 or 1) in one pass
// (scanBatch). It reports false for anything else, which the general parser
// then explains; both give the same results for the answers this one
// accepts (FuzzParseBatchFastAgrees).
func parseBatchFast(ci callInfo, status int, body []byte, cmds []Command) ([]CommandResult, bool) {
	if status != 200 || len(body) == 0 || body[0] != '{' {
		return nil, false
	}
	items, ok := scanBatch(body, len(cmds))
	if !ok || len(items) > len(cmds) {
		return nil, false
	}
	out := make([]CommandResult, len(cmds))
	for i, cmd := range cmds {
		out[i].Function = cmd.Function
		switch {
		case i >= len(items):
			out[i].Err = notRun(ci.server, cmd.Function)
		case items[i].result == 1:
			out[i].Data = items[i].data
		default:
			sub := callInfo{server: ci.server, addr: ci.addr, function: cmd.Function, scrub: ci.scrub}
			out[i].Err = sub.panel(reasonOf(items[i].reason))
		}
	}
	return out, true
}
