package whm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Result is the successful answer of one WHM API 1 function.
type Result struct {
	Command string          // metadata.command
	Reason  string          // metadata.reason, usually "OK"
	Data    json.RawMessage // the data object; may be empty or null
}

// callInfo names a call for error messages and holds its secrets.
type callInfo struct {
	server   string
	addr     string // host:port, for messages about the connection
	function string
	scrub    *scrubber
}

func (ci callInfo) transport(kind ErrorKind, status int, temporary bool, cause error, format string, args ...any) *TransportError {
	return &TransportError{
		Server:    ci.server,
		Function:  ci.function,
		Kind:      kind,
		Status:    status,
		Message:   ci.scrub.scrub(fmt.Sprintf(format, args...)),
		Err:       cause,
		temporary: temporary,
	}
}

// who names the answering server for messages: its host and port.
func (ci callInfo) who() string {
	if ci.addr == "" {
		return "the server"
	}
	return ci.addr
}

// panel builds the PanelError of a refused call. The function is the one we
// called, not metadata.command, so that batch results map back reliably.
func (ci callInfo) panel(reason string) *PanelError {
	msg, xid := splitReason(ci.scrub.scrub(reason))
	if msg == "" {
		msg = "the panel refused the call without giving a reason"
	}
	return &PanelError{Server: ci.server, Function: ci.function, Reason: msg, XID: xid}
}

// metadata is the metadata object of a WHM API 1 envelope.
type metadata struct {
	Command string  `json:"command"`
	Reason  string  `json:"reason"`
	Result  flexInt `json:"result"`
	Version flexInt `json:"version"`
}

// parseAnswer turns one HTTP answer into the function's Result or a typed
// error: *PanelError when the panel refused, *TransportError for anything that
// is not a WHM API 1 answer. It never panics, whatever the body.
func parseAnswer(ci callInfo, status int, body []byte) (*Result, error) {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		detail := authDetail(body)
		return nil, ci.transport(KindAuth, status, false, nil,
			"%s: authentication failed%s: check the username and API token, and that the token may call this function", ci.httpStatus(status), detail)
	case status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests:
		return nil, ci.transport(KindHTTPStatus, status, true, nil, "%s", ci.httpStatus(status))
	case status >= 300 && status < 400:
		return nil, ci.transport(KindHTTPStatus, status, false, nil,
			"%s, a redirect, which is not followed: check the host name, port and https setting", ci.httpStatus(status))
	case status < 200 || status >= 300:
		return nil, ci.transport(KindHTTPStatus, status, false, nil, "%s", ci.httpStatus(status))
	}
	top, err := decodeObject(ci, status, body)
	if err != nil {
		return nil, err
	}
	return parseTop(ci, status, top)
}

// httpStatus names an HTTP status and who answered it, as in
// "HTTP 403 (Forbidden) from cp1.example.com:2087". A status that is not a
// WHM answer is reported without its body, which could hold anything (a
// proxy's error page, a login form).
func (ci callInfo) httpStatus(status int) string {
	return "HTTP " + strconv.Itoa(status) + statusText(status) + " from " + ci.who()
}

// decodeObject decodes a body that must be one JSON object.
func decodeObject(ci callInfo, status int, body []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(body), []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, ci.transport(KindNotJSON, status, true, nil, "%s sent an empty answer", ci.who())
	}
	if trimmed[0] != '{' {
		if trimmed[0] == '[' || trimmed[0] == '"' || json.Valid(trimmed) {
			return nil, ci.transport(KindMalformed, status, false, nil, "the answer is JSON but not a WHM API 1 object")
		}
		return nil, ci.transport(KindNotJSON, status, true, nil,
			"%s sent %s instead of JSON (a login page or a proxy error?)", ci.who(), describeText(trimmed))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) && syn.Offset >= int64(len(trimmed)) {
			return nil, ci.transport(KindNotJSON, status, true, err, "the answer was cut off")
		}
		return nil, ci.transport(KindMalformed, status, false, err, "the answer is not valid JSON")
	}
	return top, nil
}

// parseTop interprets a decoded top-level object.
func parseTop(ci callInfo, status int, top map[string]json.RawMessage) (*Result, error) {
	if raw, ok := present(top, "metadata"); ok {
		var md metadata
		if err := json.Unmarshal(raw, &md); err != nil {
			return nil, ci.transport(KindMalformed, status, false, err, "the answer's metadata is not a WHM API 1 metadata object")
		}
		data, _ := present(top, "data")
		switch md.Result {
		case 1:
			return &Result{Command: md.Command, Reason: md.Reason, Data: data}, nil
		case 0:
			return nil, ci.panel(md.Reason)
		default:
			return nil, ci.transport(KindMalformed, status, false, nil, "the answer's metadata.result is %d, neither 1 nor 0", int64(md.Result))
		}
	}
	if raw, ok := present(top, "cpanelresult"); ok {
		var cr struct {
			Error string `json:"error"`
			Data  struct {
				Reason string `json:"reason"`
			} `json:"data"`
		}
		_ = json.Unmarshal(raw, &cr)
		msg := firstNonEmpty(cr.Error, cr.Data.Reason)
		if msg == "" {
			return nil, ci.transport(KindMalformed, status, false, nil,
				"the server answered in the cPanel API 2 shape instead of WHM API 1 (is api.version=1 honoured?)")
		}
		if isAuthText(msg) {
			return nil, ci.transport(KindAuth, status, false, nil, "authentication failed: %s", clip(msg))
		}
		return nil, ci.transport(KindRefused, status, false, nil, "the server refused the call: %s", clip(msg))
	}
	if raw, ok := present(top, "statusmsg"); ok {
		var msg string
		_ = json.Unmarshal(raw, &msg)
		if isAuthText(msg) {
			return nil, ci.transport(KindAuth, status, false, nil, "authentication failed: %s", clip(msg))
		}
		return nil, ci.transport(KindMalformed, status, false, nil, "the server answered in the WHM API 0 shape: %s", clip(msg))
	}
	if raw, ok := present(top, "error"); ok {
		var msg string
		if json.Unmarshal(raw, &msg) != nil {
			msg = string(raw)
		}
		if isAuthText(msg) {
			return nil, ci.transport(KindAuth, status, false, nil, "authentication failed: %s", clip(msg))
		}
		return nil, ci.transport(KindRefused, status, false, nil, "the server answered with an error: %s", clip(msg))
	}
	return nil, ci.transport(KindMalformed, status, false, nil, "the answer has no metadata: not a WHM API 1 answer")
}

// present returns a member of a JSON object unless it is absent or null.
func present(obj map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	raw, ok := obj[key]
	if !ok {
		return nil, false
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
		return nil, false
	}
	return raw, true
}

// authDetail extracts the panel's own words from a 401/403 body, if any.
func authDetail(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(body), &top) != nil {
		return ""
	}
	var msg string
	if raw, ok := present(top, "cpanelresult"); ok {
		var cr struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(raw, &cr)
		msg = cr.Error
	} else if raw, ok := present(top, "statusmsg"); ok {
		_ = json.Unmarshal(raw, &msg)
	} else if raw, ok := present(top, "error"); ok {
		_ = json.Unmarshal(raw, &msg)
	} else if raw, ok := present(top, "metadata"); ok {
		var md metadata
		_ = json.Unmarshal(raw, &md)
		msg, _ = splitReason(md.Reason)
	}
	if msg == "" {
		return ""
	}
	return " (" + clip(msg) + ")"
}

// isAuthText tells whether a panel message means the credentials were refused.
func isAuthText(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "access denied") || strings.Contains(m, "permission denied") ||
		strings.Contains(m, "authentication") || strings.Contains(m, "unauthorized") ||
		strings.Contains(m, "login required") || strings.Contains(m, "invalid token")
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return " (" + t + ")"
	}
	return ""
}

// describeText names what a non-JSON body looks like, for the error
// message, without quoting it: the body is not a WHM answer and could hold
// anything (a proxy's page, a login form, data from elsewhere).
func describeText(b []byte) string {
	lower := strings.ToLower(string(b[:min(len(b), 512)]))
	switch {
	case strings.Contains(lower, "<html") || strings.Contains(lower, "<!doctype"):
		if strings.Contains(lower, "login") {
			return "an HTML login page"
		}
		return "an HTML page"
	case !utf8.Valid(b[:min(len(b), 512)]):
		return fmt.Sprintf("%d bytes of binary data", len(b))
	}
	return fmt.Sprintf("%d bytes of text", len(b))
}

// clip shortens panel text for messages.
func clip(s string) string {
	const max = 300
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// flexInt decodes an integer that cPanel may send as a number, a string or a
// boolean.
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = 0
		return nil
	case string(b) == "true":
		*f = 1
		return nil
	case string(b) == "false":
		*f = 0
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*f = 0
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fl, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil {
				return fmt.Errorf("not an integer: %q", s)
			}
			n = int64(fl)
		}
		*f = flexInt(n)
		return nil
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*f = flexInt(n) // the usual case, without a second decode
		return nil
	}
	var fl float64
	if err := json.Unmarshal(b, &fl); err != nil {
		return err
	}
	*f = flexInt(int64(fl))
	return nil
}

// flexString decodes a value that cPanel may send as a string or a number.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '{' || b[0] == '[':
		return fmt.Errorf("not a scalar")
	default:
		*f = flexString(b)
	}
	return nil
}
