package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// discoSite is an httptest server whose routes are set after it starts, so
// documents can name the server's own URL. Unrouted paths answer 404.
type discoSite struct {
	*httptest.Server
	mu       sync.Mutex
	routes   map[string]http.HandlerFunc
	requests []*http.Request
}

func newDiscoSite(t *testing.T, tls bool) *discoSite {
	t.Helper()
	s := &discoSite{routes: map[string]http.HandlerFunc{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Clone(r.Context()))
		route, ok := s.routes[r.Method+" "+r.URL.RequestURI()]
		if !ok {
			route, ok = s.routes[r.URL.RequestURI()]
		}
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		route(w, r)
	})
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

// route sets the handler for "PATH" or "METHOD PATH".
func (s *discoSite) route(key string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[key] = h
}

// paths lists "METHOD PATH" for every request received, in order.
func (s *discoSite) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.requests))
	for i, r := range s.requests {
		out[i] = r.Method + " " + r.URL.RequestURI()
	}
	return out
}

func (s *discoSite) client(t *testing.T) *Client {
	t.Helper()
	opts := Options{MaxResponseBytes: 64 << 10}
	if s.TLS != nil {
		opts.CACertPEM = serverCertPEM(s.Server)
	}
	return newTestClient(t, opts)
}

func serveJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func serveStatus(code int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

func serveHTML() http.HandlerFunc {
	return serveStatus(http.StatusOK, "text/html; charset=utf-8", "<!doctype html><html><body>app</body></html>")
}

func serveChallenge(code int, challenges ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for _, c := range challenges {
			w.Header().Add("WWW-Authenticate", c)
		}
		w.WriteHeader(code)
	}
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusFound) }
}

func prmDoc(resource string, servers ...string) string {
	quoted := make([]string, len(servers))
	for i, s := range servers {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf(`{"resource":%q,"authorization_servers":[%s],"scopes_supported":["mcp:tools"],"x_vendor":{"a":1}}`,
		resource, strings.Join(quoted, ","))
}

func asDoc(issuer string) string {
	return fmt.Sprintf(`{"issuer":%q,"authorization_endpoint":"%[1]s/auth","token_endpoint":"%[1]s/token",`+
		`"registration_endpoint":"%[1]s/register","code_challenge_methods_supported":["plain","S256"],"x_vendor":true}`, issuer)
}

func outcomes(attempts []Attempt) []string {
	out := make([]string, len(attempts))
	for i, a := range attempts {
		out[i] = fmt.Sprintf("%d %s", a.Status, a.Outcome)
	}
	return out
}

// attemptsOf returns the attempts a discovery error carries.
func attemptsOf(t *testing.T, err error) []Attempt {
	t.Helper()
	var de *DiscoveryError
	var me *MismatchError
	switch {
	case errors.As(err, &de):
		return de.Attempts
	case errors.As(err, &me):
		return me.Attempts
	}
	t.Fatalf("unexpected error type %T: %v", err, err)
	return nil
}
