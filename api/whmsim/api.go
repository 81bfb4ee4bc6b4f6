package whmsim

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Messages of the simulated panel, in cPanel's wording where the protocol
// page documents it.
const (
	msgNoUser      = "You do not have a user named “%s”."
	msgNoAccess    = "You do not have access to an account named “%s”."
	msgApostrophe  = "The parameter “label” may not contain single-quote characters (apos())."
	msgNeedURL     = "You must supply one of the following parameters: autologin_token_url, url"
	msgUnknownApp  = "Unknown app (“%s”) requested for this version (%d) of the API."
	msgRequired    = "The parameter “%s” is required."
	msgBadName     = "The parameter “%s” (“%s”) may contain only the characters a-z, 0-9, hyphen (-) and underscore (_), and may not begin with “group_”."
	msgBadOrder    = "The parameter “order” must be a whole number, not “%s”."
	msgBadPNG      = "The parameter “base64_png_image” is not a base64-encoded PNG image: %s"
	msgNoLink      = "The user “%s” has no integration link named “%s”."
	msgBadService  = "The service “%s” is not valid. Use one of: cpaneld, whostmgrd, webmaild."
	msgNestedBatch = "The “batch” function may not call “batch”."
	msgBadCommand  = "The command “%s” is not a valid function call."
)

// transientErrors are plausible panel failures the ErrorRate fault answers.
var transientErrors = []string{
	"The system failed to lock the file “/var/cpanel/integration/links/%s”: Resource temporarily unavailable",
	"Failed to write “/var/cpanel/integration/links/%s”: Disk quota exceeded",
	"The system could not load the user data for “%s” because another process holds it.",
}

// integrationFunctions exist from cPanel & WHM 11.54 on.
var integrationFunctions = map[string]bool{
	"create_integration_group": true, "remove_integration_group": true,
	"create_integration_link": true, "remove_integration_link": true,
	"list_integration_links": true, "list_integration_groups": true,
	"get_integration_link_user_config": true, "update_integration_link_token": true,
}

// isAppName tells whether v is a valid integration link app name or group
// id: letters, digits, "_" and "-". (A loop rather than a regular
// expression: it runs for every command of every batch.)
func isAppName(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i] | 0x20 // ASCII lower case
		if !('a' <= c && c <= 'z' || '0' <= v[i] && v[i] <= '9' || v[i] == '_' || v[i] == '-') {
			return false
		}
	}
	return v != ""
}

// caller is the authenticated WHM user of a request.
type caller struct {
	user string
	root bool
}

// meta is the metadata object of a WHM API 1 envelope.
type meta struct {
	Command string `json:"command"`
	Reason  string `json:"reason"`
	Result  int    `json:"result"`
	Version int    `json:"version"`
}

// envelope is a WHM API 1 answer.
type envelope struct {
	Metadata meta `json:"metadata"`
	Data     any  `json:"data,omitempty"`
}

// apiError is a refusal: the panel answers metadata.result=0.
type apiError struct {
	msg   string
	noXID bool // unknown functions carry no "API failure: (XID …)" prefix
}

func fail(format string, args ...any) *apiError { return &apiError{msg: fmt.Sprintf(format, args...)} }

// handler returns the HTTP handler of one simulated server.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/json-api/{fn}", s.serveAPI)
	mux.HandleFunc("GET /{cpsess}/login/", s.serveSessionLogin)
	mux.HandleFunc("GET /__sim/click", func(w http.ResponseWriter, r *http.Request) {
		done, ok := s.track(false)
		if !ok {
			http.Error(w, "server stopped", http.StatusServiceUnavailable)
			return
		}
		defer done()
		s.sim.click(w, r, s, r.URL.Query().Get("user"), r.URL.Query().Get("app"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeLoginPage(w, http.StatusOK)
	})
	return mux
}

// serveAPI answers /json-api/<fn>: faults first, then authentication, then
// the function. The simulated latency is the time the server takes to
// answer, its own work included: the work is done on arrival and the answer
// waits for the deadline. (A real server's work runs on its own machine; here
// it shares the CPUs with the service under test, and doing it first keeps
// it off the moment the answer is due.)
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	done, ok := s.track(true)
	if !ok {
		http.Error(w, "server stopped", http.StatusServiceUnavailable)
		return
	}
	defer done()
	f := s.Faults()
	deadline := s.answerDeadline(f)
	if fault := s.drawFault(f); fault != "" {
		if s.waitUntil(r, deadline) {
			s.answerFault(w, r, fault, f)
		}
		return
	}
	answer := func(status int, v any) {
		if s.waitUntil(r, deadline) {
			writeJSON(w, status, v)
		}
	}
	c, ok := s.authenticate(r)
	if !ok {
		// WHM refuses bad or missing credentials with HTTP 403 and an API 2
		// style body.
		answer(http.StatusForbidden, json.RawMessage(`{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}`))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	fn := r.PathValue("fn")
	// The arguments are strings over reused buffers: what a function keeps,
	// it copies (see keep).
	bufs := getBuffers()
	defer putBuffers(bufs)
	args, err := readForm(r, bufs, fn == "batch")
	if err != nil {
		answer(http.StatusBadRequest, map[string]any{"error": "The request body could not be read: " + err.Error()})
		return
	}
	if args.Get("api.version") != "1" {
		answer(http.StatusOK, s.serveAPI0(c, fn, args))
		return
	}
	var out []byte
	if fn == "batch" {
		out, err = s.batch(c, args, f, bufs)
	} else {
		env := s.run(c, fn, args, f)
		s.countCall(fn, env.Metadata.Result == 1)
		out, err = appendEnvelope(bufs.answer[:0], &env)
	}
	bufs.answer = out
	if !s.waitUntil(r, deadline) {
		return
	}
	if err != nil {
		// As writeJSON does when the encoder fails.
		writeBody(w, http.StatusOK, nil)
		return
	}
	writeBody(w, http.StatusOK, append(out, '\n'))
}

// waitUntil holds an answer until its deadline; false when the client gave
// up meanwhile. A server stopped meanwhile drops the connection.
func (s *Server) waitUntil(r *http.Request, deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		panic(http.ErrAbortHandler)
	}
}

// drawFault picks the injected fault of one request, if any: a canned
// answer, a timeout, an HTTP 500 or an HTML page.
func (s *Server) drawFault(f Faults) string {
	switch {
	case f.CannedStatus != 0 || f.CannedBody != "":
		return "canned"
	case s.chance(f.TimeoutRate):
		return "timeout"
	case s.chance(f.HTTP500Rate):
		return "http500"
	case s.chance(f.HTMLRate):
		return "html"
	}
	return ""
}

func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, fault string, f Faults) {
	s.countInjected(fault)
	switch fault {
	case "canned":
		status := f.CannedStatus
		if status == 0 {
			status = http.StatusOK
		}
		body := []byte(f.CannedBody)
		if ct := http.DetectContentType(body); strings.HasPrefix(ct, "text/plain") && json.Valid(body) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	case "timeout":
		select {
		case <-r.Context().Done():
		case <-s.done:
			// Drop the connection without an answer.
			panic(http.ErrAbortHandler)
		}
	case "http500":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>\n"))
	case "html":
		writeLoginPage(w, http.StatusOK)
	}
}

// authenticate checks "Authorization: whm USER:TOKEN" (keyword in any case)
// against root's token and the resellers' tokens.
func (s *Server) authenticate(r *http.Request) (caller, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "whm") {
		return caller{}, false
	}
	user, token, ok := strings.Cut(strings.TrimSpace(rest), ":")
	if !ok || user == "" || token == "" {
		return caller{}, false
	}
	if user == s.cfg.Username {
		return caller{user: user, root: true}, subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.Token)) == 1
	}
	want, known := s.cfg.Resellers[user]
	if !known {
		return caller{}, false
	}
	return caller{user: user}, subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}

// available tells whether this server's version offers the function.
func (s *Server) available(fn string) bool {
	switch {
	case integrationFunctions[fn]:
		return s.minor >= integrationLinksSince
	case fn == "get_current_profile":
		return s.minor >= serverProfilesSince
	}
	return lookup(fn) != nil || fn == "batch"
}

// run runs one function and returns its envelope; the caller counts it.
// serveAPI answers batches itself: here "batch" is a batch's command.
func (s *Server) run(c caller, fn string, args form, f Faults) envelope {
	var (
		data any
		err  *apiError
	)
	switch {
	case fn == "batch":
		err = fail(msgNestedBatch)
	case !s.available(fn):
		err = &apiError{msg: fmt.Sprintf(msgUnknownApp, fn, 1), noXID: true}
	default:
		data, err = lookup(fn)(s, c, args, f)
	}
	if err != nil {
		return s.failure(fn, err)
	}
	return envelope{Metadata: meta{Command: fn, Reason: "OK", Result: 1, Version: 1}, Data: data}
}

func (s *Server) failure(fn string, err *apiError) envelope {
	reason := err.msg
	if !err.noXID {
		reason = fmt.Sprintf("API failure: (XID %s) %s", s.randomID(6), err.msg)
	}
	return envelope{Metadata: meta{Command: fn, Reason: reason, Result: 0, Version: 1}}
}

// batch runs each "command" (itself "function?query", URL-encoded once
// more) in order and returns the answer (without its final newline) in
// bufs.answer. data.result[i] is the envelope of command i; the top level
// says 0 when any failed; abort_on_error=1 stops at the first failure.
//
// The commands are parsed as the form is read (see parseBatchBody), and the
// answer is written as they run, by hand (see appendEnvelope).
func (s *Server) batch(c caller, args form, f Faults, bufs *answerBuffers) ([]byte, error) {
	cmds := batchCommands(args, bufs)
	if len(cmds) == 0 {
		s.countCall("batch", false)
		env := s.failure("batch", fail(msgRequired, "command"))
		return appendEnvelope(bufs.answer[:0], &env)
	}
	abort := args.Get("abort_on_error") == "1"
	tally := &bufs.tally
	tally.reset()
	var (
		items        = bufs.items[:0]
		firstFailure string
		encodeErr    error
	)
	for k := range cmds {
		cmd := &cmds[k]
		var env envelope
		if cmd.good {
			env = s.run(c, cmd.fn, bufs.commandArgs[cmd.lo:cmd.hi:cmd.hi], f)
		} else {
			env = s.failure(cmd.fn, fail(msgBadCommand, cmd.text(bufs.body)))
		}
		tally.add(cmd.fn, env.Metadata.Result == 1)
		if len(items) > 0 {
			items = append(items, ',')
		}
		var err error
		if items, err = appendEnvelope(items, &env); err != nil && encodeErr == nil {
			encodeErr = err
		}
		if env.Metadata.Result == 0 {
			if firstFailure == "" {
				firstFailure = env.Metadata.Reason
			}
			if abort {
				break
			}
		}
	}
	bufs.items = items
	top := meta{Command: "batch", Reason: "OK", Result: 1, Version: 1}
	if firstFailure != "" {
		top.Result, top.Reason = 0, firstFailure
	}
	tally.add("batch", firstFailure == "")
	s.countCalls(tally)
	out := appendMeta(append(bufs.answer[:0], `{"metadata":`...), &top)
	out = append(out, `,"data":{"result":[`...)
	out = append(out, items...)
	return append(out, "]}}"...), encodeErr
}

// serveAPI0 answers a call without api.version=1 in the older API 0 shape.
func (s *Server) serveAPI0(c caller, fn string, _ form) any {
	s.countCall(fn+"@api0", true)
	switch fn {
	case "version":
		return map[string]any{"version": s.cfg.Version}
	case "applist":
		return map[string]any{"app": s.appList()}
	case "listaccts":
		return map[string]any{"acct": s.listAccts(c), "status": 1, "statusmsg": "Ok"}
	}
	return map[string]any{"status": 0, "statusmsg": fmt.Sprintf(msgUnknownApp, fn, 0)}
}

// function is the implementation of one WHM API 1 function.
type function func(s *Server, c caller, args form, f Faults) (any, *apiError)

// functionNames are the WHM API 1 functions the simulator offers ("batch"
// aside), whatever the version.
var functionNames = []string{
	"version", "applist", "get_current_profile", "listaccts", "create_user_session",
	"create_integration_group", "remove_integration_group", "create_integration_link",
	"remove_integration_link", "list_integration_links", "list_integration_groups",
	"get_integration_link_user_config", "update_integration_link_token",
}

// lookup returns the implementation of a function, or nil.
func lookup(fn string) function {
	switch fn {
	case "version":
		return func(s *Server, _ caller, _ form, _ Faults) (any, *apiError) {
			return map[string]any{"version": s.cfg.Version}, nil
		}
	case "applist":
		return func(s *Server, _ caller, _ form, _ Faults) (any, *apiError) {
			return map[string]any{"app": s.appList()}, nil
		}
	case "get_current_profile":
		return (*Server).getCurrentProfile
	case "listaccts":
		return func(s *Server, c caller, _ form, _ Faults) (any, *apiError) {
			return map[string]any{"acct": s.listAccts(c)}, nil
		}
	case "create_user_session":
		return (*Server).createUserSession
	case "create_integration_group":
		return (*Server).createGroup
	case "remove_integration_group":
		return (*Server).removeGroup
	case "create_integration_link":
		return (*Server).createLink
	case "remove_integration_link":
		return (*Server).removeLink
	case "list_integration_links":
		return (*Server).listLinks
	case "list_integration_groups":
		return (*Server).listGroups
	case "get_integration_link_user_config":
		return (*Server).userConfig
	case "update_integration_link_token":
		return (*Server).updateToken
	}
	return nil
}

// writeJSON writes v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// loginPage is what WHM shows instead of JSON when it wants a login.
const loginPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>WHM Login</title></head>
<body>
<div id="login-wrapper">
<h1>WHM</h1>
<form id="login_form" action="/login/" method="post">
<label for="user">Username</label> <input name="user" id="user" autofocus>
<label for="pass">Password</label> <input type="password" name="pass" id="pass">
<button type="submit">Log in</button>
</form>
</div>
</body>
</html>
`

func writeLoginPage(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(loginPage))
}
