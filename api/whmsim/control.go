package whmsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
)

// ServerInfo is one server as the control endpoints describe it.
type ServerInfo struct {
	Name     string `json:"name"`
	Module   string `json:"module"`
	URL      string `json:"url"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Version  string `json:"version"`
	Profile  string `json:"profile"`
	Accounts int    `json:"accounts"`
	Faults   Faults `json:"faults"`
	Stats    Stats  `json:"stats"`
}

// AccountState is one account with its links and groups (never tokens).
type AccountState struct {
	Account
	Links  []Link  `json:"links"`
	Groups []Group `json:"groups"`
}

// Info describes the server for the control endpoints.
func (s *Server) Info() ServerInfo {
	s.mu.Lock()
	n := len(s.order)
	s.mu.Unlock()
	return ServerInfo{
		Name: s.Name(), Module: s.Module(), URL: s.URL(), Host: s.host, Port: s.port,
		Username: s.cfg.Username, Version: s.cfg.Version, Profile: s.cfg.Profile,
		Accounts: n, Faults: s.Faults(), Stats: s.Stats(),
	}
}

// State returns every account with its links and groups.
func (s *Server) State() []AccountState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AccountState, 0, len(s.order))
	for _, u := range s.order {
		a := s.accounts[u]
		out = append(out, AccountState{Account: a.Account, Links: a.sortedLinks(), Groups: a.sortedGroups()})
	}
	return out
}

// ControlHandler returns the inspection, fault, page and click endpoints:
//
//	GET    /__sim/                                  HTML index of servers and accounts
//	GET    /__sim/servers                           JSON: every server with faults and stats
//	GET    /__sim/servers/{name}                    JSON: one server
//	GET    /__sim/servers/{name}/accounts           JSON: accounts with links and groups
//	POST   /__sim/servers/{name}/accounts           add an account (JSON Account)
//	GET    /__sim/servers/{name}/accounts/{user}    HTML page of the account's links
//	DELETE /__sim/servers/{name}/accounts/{user}/links/{app}
//	                                                delete a link, as someone in the panel would (drift)
//	GET    /__sim/servers/{name}/faults             JSON: the faults in force
//	POST   /__sim/servers/{name}/faults             merge the JSON fields given into the faults
//	DELETE /__sim/servers/{name}/faults             clear every fault
//	POST   /__sim/servers/{name}/reset-stats        zero the counters
//	GET    /__sim/click?server=&user=&app=          the cPanel click (autologin POST, then 302)
func (s *Sim) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /__sim/{$}", s.serveIndex)
	mux.HandleFunc("GET /__sim", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/__sim/", http.StatusFound)
	})
	mux.HandleFunc("GET /__sim/servers", func(w http.ResponseWriter, r *http.Request) {
		out := []ServerInfo{}
		for _, srv := range s.Servers() {
			out = append(out, srv.Info())
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /__sim/servers/{name}", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		writeJSON(w, http.StatusOK, srv.Info())
	}))
	mux.HandleFunc("GET /__sim/servers/{name}/accounts", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		writeJSON(w, http.StatusOK, srv.State())
	}))
	mux.HandleFunc("POST /__sim/servers/{name}/accounts", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		var a Account
		if err := decodeBody(r, &a); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := srv.AddAccount(a); err != nil {
			writeError(w, http.StatusConflict, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, srv.State())
	}))
	mux.HandleFunc("GET /__sim/servers/{name}/accounts/{user}", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		base := "/__sim/click?" + url.Values{"server": {srv.Name()}}.Encode() + "&"
		srv.writeAccountPage(w, r.PathValue("user"), base)
	}))
	mux.HandleFunc("DELETE /__sim/servers/{name}/accounts/{user}/links/{app}", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		if err := srv.RemoveLink(r.PathValue("user"), r.PathValue("app")); err != nil {
			writeError(w, http.StatusNotFound, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, srv.State())
	}))
	mux.HandleFunc("GET /__sim/servers/{name}/faults", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		writeJSON(w, http.StatusOK, srv.Faults())
	}))
	mux.HandleFunc("POST /__sim/servers/{name}/faults", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		f := srv.Faults()
		if err := decodeBody(r, &f); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := srv.SetFaults(f); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, srv.Faults())
	}))
	mux.HandleFunc("DELETE /__sim/servers/{name}/faults", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		if err := srv.SetFaults(Faults{}); err != nil {
			writeError(w, http.StatusConflict, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, srv.Faults())
	}))
	mux.HandleFunc("POST /__sim/servers/{name}/reset-stats", s.withServer(func(w http.ResponseWriter, r *http.Request, srv *Server) {
		srv.ResetStats()
		writeJSON(w, http.StatusOK, srv.Stats())
	}))
	mux.HandleFunc("GET /__sim/click", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		srv := s.lookup(q.Get("server"))
		if srv == nil {
			writePage(w, http.StatusNotFound, "No such server", "The simulator has no server "+q.Get("server")+".")
			return
		}
		s.click(w, r, srv, q.Get("user"), q.Get("app"))
	})
	return mux
}

// withServer resolves {name} or answers 404.
func (s *Sim) withServer(h func(http.ResponseWriter, *http.Request, *Server)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		srv := s.lookup(r.PathValue("name"))
		if srv == nil {
			writeError(w, http.StatusNotFound, "no server named "+r.PathValue("name"))
			return
		}
		h(w, r, srv)
	}
}

func (s *Sim) serveIndex(w http.ResponseWriter, _ *http.Request) {
	var servers []indexServer
	for _, srv := range s.Servers() {
		is := indexServer{Name: srv.Name(), URL: srv.URL(), Version: srv.cfg.Version, Profile: srv.cfg.Profile,
			Module: srv.Module(), Refusing: srv.Faults().Refuse}
		for _, a := range srv.State() {
			is.Accounts = append(is.Accounts, indexAccount{Account: a.Account, Links: len(a.Links),
				Href: "/__sim/servers/" + url.PathEscape(srv.Name()) + "/accounts/" + url.PathEscape(a.User)})
		}
		servers = append(servers, is)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = indexTmpl.Execute(w, servers)
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	return dec.Decode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"message": msg}})
}
