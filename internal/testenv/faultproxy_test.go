package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// backend answers like an authorization server and counts what reached it.
func faultBackend(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "/.well-known/") {
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL + "/realms/x"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{
			"client_id": "c1", "client_secret": "S3CR3T-value", "registration_access_token": "RAT-value-123",
			"registration_client_uri": srv.URL + "/reg/c1",
		})
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestFaultProxyKinds(t *testing.T) {
	t.Parallel()
	backend, hits := faultBackend(t)
	p, err := StartFaultProxy(FaultProxyOptions{Target: backend.URL, Seed: 1, Delay: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
		t.Fatalf("proxy listens on %s, want loopback", p.URL)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(path string) (*http.Response, string, error) {
		resp, err := client.Get(p.URL + path)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b), nil
	}

	// No rule: forwarded, server URLs rewritten, secrets recorded.
	resp, body, err := get("/reg/c1")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("plain request: %v %v", resp, err)
	}
	if !strings.Contains(body, p.URL+"/reg/c1") || strings.Contains(body, backend.URL) {
		t.Errorf("server URL not rewritten: %s", body)
	}
	if got := strings.Join(p.Secrets(), " "); !strings.Contains(got, "S3CR3T-value") || !strings.Contains(got, "RAT-value-123") {
		t.Errorf("secrets recorded: %q", got)
	}

	for _, tt := range []struct {
		kind      FaultKind
		class     RequestClass
		path      string
		forwarded bool
		check     func(*http.Response, string, error) string
	}{
		{Fault503, ClassGET, "/reg/c1", false, func(r *http.Response, _ string, err error) string {
			if err != nil || r.StatusCode != 503 {
				return "want 503"
			}
			return ""
		}},
		{FaultReset, ClassGET, "/reg/c1", true, func(_ *http.Response, _ string, err error) string {
			if err == nil {
				return "want a connection error"
			}
			return ""
		}},
		{FaultDelay, ClassGET, "/reg/c1", true, func(_ *http.Response, _ string, err error) string {
			if err == nil || !strings.Contains(err.Error(), "Timeout") {
				return "want a client timeout"
			}
			return ""
		}},
		{FaultTruncate, ClassGET, "/reg/c1", true, func(r *http.Response, b string, err error) string {
			if err != nil || r.StatusCode != 200 || json.Valid([]byte(b)) || len(b) == 0 {
				return "want 200 with cut JSON"
			}
			return ""
		}},
		{FaultHTML, ClassDiscovery, "/.well-known/openid-configuration", false, func(r *http.Response, b string, err error) string {
			if err != nil || r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(b, "<html>") {
				return "want an HTML 200"
			}
			return ""
		}},
	} {
		p.SetRules(FaultRule{Class: tt.class, Kind: tt.kind, Rate: 1})
		before := hits.Load()
		r, b, err := get(tt.path)
		if msg := tt.check(r, b, err); msg != "" {
			t.Errorf("%s: %s (got %v, %v, %q)", tt.kind, msg, r, err, b)
		}
		if got := hits.Load() > before; got != tt.forwarded {
			t.Errorf("%s: forwarded = %v, want %v", tt.kind, got, tt.forwarded)
		}
	}
	p.SetRules()
	if n := len(p.Events()); n != 5 {
		t.Errorf("%d events recorded, want 5", n)
	}
}

func TestFaultProxyRateIsSeeded(t *testing.T) {
	t.Parallel()
	backend, _ := faultBackend(t)
	decisions := func(seed int64) (string, int) {
		p, err := StartFaultProxy(FaultProxyOptions{Target: backend.URL, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		p.SetRules(FaultRule{Class: ClassGET, Kind: Fault503, Rate: 0.2})
		var b strings.Builder
		faulted := 0
		for i := 0; i < 200; i++ {
			resp, err := http.Get(p.URL + "/reg/c1")
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode == 503 {
				faulted++
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String(), faulted
	}
	a, na := decisions(7)
	b, _ := decisions(7)
	c, _ := decisions(8)
	if a != b {
		t.Error("the same seed gave different decisions")
	}
	if a == c {
		t.Error("another seed gave the same decisions")
	}
	if na < 39 || na > 41 {
		t.Errorf("%d of 200 faulted at rate 0.2", na)
	}
}

func TestFaultProxyRefusesNonLoopbackTarget(t *testing.T) {
	t.Parallel()
	if _, err := StartFaultProxy(FaultProxyOptions{Target: "http://example.com"}); err == nil {
		t.Error("a non-loopback target was accepted")
	}
}
