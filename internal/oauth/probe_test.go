package oauth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// mcpMethodServer answers POST /mcp by JSON-RPC method, recording each
// request's method and Mcp-Session-Id.
type mcpMethodServer struct {
	mu    sync.Mutex
	calls []string // "method session"
}

func (m *mcpMethodServer) handler(t *testing.T, answer func(w http.ResponseWriter, method string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var msg struct {
			Method string `json:"method"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Errorf("probe body is not JSON: %q", body)
		}
		if r.Header.Get("Mcp-Method") != msg.Method {
			t.Errorf("Mcp-Method %q for %s", r.Header.Get("Mcp-Method"), msg.Method)
		}
		m.mu.Lock()
		m.calls = append(m.calls, strings.TrimSpace(msg.Method+" "+r.Header.Get("Mcp-Session-Id")))
		m.mu.Unlock()
		answer(w, msg.Method)
	}
}

// A server that lets initialize through and challenges only later requests
// (step-up authorization) is probed further in the session initialize
// opened; the challenge's scope is taken from there, from a 401 or a 403.
func TestProbeStepUp(t *testing.T) {
	for _, tt := range []struct {
		name      string
		status    int
		challenge string
	}{
		{"401 on tools/list", http.StatusUnauthorized, `Bearer scope="mcp:basic", resource_metadata="%s"`},
		{"403 insufficient_scope on tools/list", http.StatusForbidden, `Bearer error="insufficient_scope", scope="mcp:basic", resource_metadata="%s"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newDiscoSite(t, false)
			var m mcpMethodServer
			deleted := ""
			s.route("DELETE /mcp", func(w http.ResponseWriter, r *http.Request) { deleted = r.Header.Get("Mcp-Session-Id") })
			s.route("POST /mcp", m.handler(t, func(w http.ResponseWriter, method string) {
				switch method {
				case "initialize":
					w.Header().Set("Mcp-Session-Id", "sess-1")
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
				case "notifications/initialized":
					w.WriteHeader(http.StatusAccepted)
				default:
					w.Header().Set("WWW-Authenticate", strings.Replace(tt.challenge, "%s", s.URL+"/.well-known/oauth-protected-resource/mcp", 1))
					w.WriteHeader(tt.status)
				}
			}))
			s.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(s.URL+"/mcp", "https://as.example.com")))
			res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Challenge == nil || res.Challenge.Scope != "mcp:basic" {
				t.Fatalf("challenge %+v, want scope mcp:basic", res.Challenge)
			}
			if want := []string{"initialize", "notifications/initialized sess-1", "tools/list sess-1"}; !reflect.DeepEqual(m.calls, want) {
				t.Errorf("calls %q, want %q", m.calls, want)
			}
			if deleted != "sess-1" {
				t.Errorf("the probe's session was not ended (DELETE with %q)", deleted)
			}
			if got, want := outcomes(res.Attempts), []string{"200 not_here", "202 not_here", tt.name[:3] + " found", "200 found"}; !reflect.DeepEqual(got, want) {
				t.Errorf("attempts %q, want %q\n%s", got, want, FormatAttempts(res.Attempts))
			}
			if !strings.Contains(res.Attempts[0].Detail, "lets it through") {
				t.Errorf("first attempt should say initialize got through: %s", res.Attempts[0].Detail)
			}
		})
	}
}

// A stateless server refusing initialize (400, or a JSON-RPC "method not
// found" with 404) is asked tools/list.
func TestProbeStatelessServer(t *testing.T) {
	for _, refusal := range []int{http.StatusBadRequest, http.StatusNotFound} {
		t.Run(http.StatusText(refusal), func(t *testing.T) { testProbeStatelessServer(t, refusal) })
	}
}

func testProbeStatelessServer(t *testing.T, refusal int) {
	s := newDiscoSite(t, false)
	var m mcpMethodServer
	s.route("POST /mcp", m.handler(t, func(w http.ResponseWriter, method string) {
		if method == "initialize" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(refusal)
			_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}`))
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer scope="mcp:read"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	s.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(s.URL+"/mcp")))
	res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Challenge == nil || res.Challenge.Scope != "mcp:read" || !reflect.DeepEqual(m.calls, []string{"initialize", "tools/list"}) {
		t.Fatalf("challenge %+v, calls %q", res.Challenge, m.calls)
	}
}

// A server without authorization answers everything: no challenge, and
// discovery goes on to the well-known URLs.
func TestProbeOpenServer(t *testing.T) {
	s := newDiscoSite(t, false)
	var m mcpMethodServer
	s.route("POST /mcp", m.handler(t, func(w http.ResponseWriter, _ string) { w.WriteHeader(http.StatusOK) }))
	s.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(s.URL+"/mcp")))
	res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Challenge != nil || !reflect.DeepEqual(m.calls, []string{"initialize", "tools/list"}) {
		t.Fatalf("challenge %+v, calls %q", res.Challenge, m.calls)
	}
}

// An MCP URL with a trailing slash answered by a same-origin 307 or 308:
// the initialize is re-sent as a POST to the target, whose challenge and
// resource then count.
func TestProbeFollowsSameOriginRedirect(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			s := newDiscoSite(t, false)
			s.route("POST /mcp/", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Location", "/mcp")
				w.WriteHeader(code)
			})
			var m mcpMethodServer
			s.route("POST /mcp", m.handler(t, func(w http.ResponseWriter, _ string) {
				w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+s.URL+`/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`)
				w.WriteHeader(http.StatusUnauthorized)
			}))
			s.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(s.URL+"/mcp")))
			res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp/"})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.calls, []string{"initialize"}) || res.Challenge == nil || res.Challenge.Scope != "mcp:tools" {
				t.Fatalf("calls %q, challenge %+v", m.calls, res.Challenge)
			}
			if got, want := outcomes(res.Attempts), []string{statusCode(code) + " not_here", "401 found", "200 found"}; !reflect.DeepEqual(got, want) {
				t.Errorf("attempts %q, want %q\n%s", got, want, FormatAttempts(res.Attempts))
			}
			if res.Metadata.Resource != s.URL+"/mcp" {
				t.Errorf("resource %q", res.Metadata.Resource)
			}
		})
	}
}

func statusCode(code int) string { return strings.SplitN(statusText(code), " ", 2)[0] }

// Redirects to another origin are not followed, and loops are bounded.
func TestProbeRedirectLimits(t *testing.T) {
	other := newDiscoSite(t, false)
	s := newDiscoSite(t, false)
	s.route("POST /away", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", other.URL+"/mcp")
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	s.route("POST /loop", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/loop")
		w.WriteHeader(http.StatusPermanentRedirect)
	})
	c := s.client(t)

	_, err := c.DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/away"})
	attempts := attemptsOf(t, err)
	if !strings.Contains(attempts[0].Detail, "another origin") || len(other.paths()) != 0 {
		t.Fatalf("cross-origin redirect: %s / %q", FormatAttempts(attempts), other.paths())
	}

	_, err = c.DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/loop"})
	attempts = attemptsOf(t, err)
	posts := 0
	for _, p := range s.paths() {
		if p == "POST /loop" {
			posts++
		}
	}
	if posts != DefaultMaxRedirects+1 || !strings.Contains(FormatAttempts(attempts), "stopped after") {
		t.Fatalf("loop: %d POSTs\n%s", posts, FormatAttempts(attempts))
	}
}
