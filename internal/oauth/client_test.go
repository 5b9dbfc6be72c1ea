package oauth

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestClient(t *testing.T, opts Options) *Client {
	t.Helper()
	c, err := NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func TestClientSendsPolicyHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()

	c := newTestClient(t, Options{UserAgent: "terraform-provider-mcp/test", Headers: map[string]string{"X-Gateway": "g1"}})
	_, err := c.do(context.Background(), request{method: http.MethodPost, url: srv.URL, bearer: "tok", body: []byte(`{}`), mcpProtocol: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"User-Agent":           "terraform-provider-mcp/test",
		"X-Gateway":            "g1",
		"Authorization":        "Bearer tok",
		"Content-Type":         "application/json",
		"Accept":               "application/json",
		"Mcp-Protocol-Version": MCPProtocolVersion,
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
}

func TestClientOmitsMCPHeaderForOAuthRequests(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	if _, err := newTestClient(t, Options{}).do(context.Background(), request{method: http.MethodGet, url: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if got.Get("MCP-Protocol-Version") != "" || got.Get("Authorization") != "" {
		t.Fatalf("unexpected headers: %v", got)
	}
}

func TestClientCapsResponseBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("a", 2048)))
	}))
	defer srv.Close()

	_, err := newTestClient(t, Options{MaxResponseBytes: 1024}).do(context.Background(), request{method: http.MethodGet, url: srv.URL})
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("want ErrResponseTooLarge, got %v", err)
	}
	resp, err := newTestClient(t, Options{MaxResponseBytes: 2048}).do(context.Background(), request{method: http.MethodGet, url: srv.URL})
	if err != nil || len(resp.Body) != 2048 {
		t.Fatalf("a body exactly at the cap must pass: %v", err)
	}
}

func TestClientOversizedErrorPagesAreAnswers(t *testing.T) {
	for _, tt := range []struct {
		name        string
		status      int
		contentType string
	}{
		{"404 page", http.StatusNotFound, "text/plain"},
		{"502 page", http.StatusBadGateway, "application/json"},
		{"HTML 200 of a single-page app", http.StatusOK, "text/html; charset=utf-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(strings.Repeat("x", 4096)))
			}))
			defer srv.Close()
			resp, err := newTestClient(t, Options{MaxResponseBytes: 1024}).do(context.Background(), request{method: http.MethodGet, url: srv.URL})
			if err != nil {
				t.Fatalf("an oversized %s must come back as an answer, got %v", tt.name, err)
			}
			if resp.Status != tt.status || !resp.Truncated || len(resp.Body) != 1024 {
				t.Fatalf("status %d truncated %v len %d", resp.Status, resp.Truncated, len(resp.Body))
			}
		})
	}
}

// redirectChain serves /r/N redirecting to /r/N-1 and /r/0 answering 200.
func redirectChain() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/r/%d", &n); err != nil || n == 0 {
			_, _ = w.Write([]byte(`{"ok":true}`))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
	}))
}

func TestClientRedirectLimit(t *testing.T) {
	srv := redirectChain()
	defer srv.Close()
	c := newTestClient(t, Options{MaxRedirects: 3})

	resp, err := c.do(context.Background(), request{method: http.MethodGet, url: srv.URL + "/r/3"})
	if err != nil || resp.Status != 200 || !strings.HasSuffix(resp.URL, "/r/0") {
		t.Fatalf("3 redirects must be followed: resp=%+v err=%v", resp, err)
	}
	_, err = c.do(context.Background(), request{method: http.MethodGet, url: srv.URL + "/r/4"})
	if !errors.Is(err, ErrRedirectRefused) {
		t.Fatalf("a 4th redirect must be refused, got %v", err)
	}
}

func TestClientDoesNotRetryRefusedRedirects(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "http://internal.example.com/x", http.StatusFound)
	}))
	defer srv.Close()
	_, err := newTestClient(t, Options{Retries: 3}).do(context.Background(), request{method: http.MethodGet, url: srv.URL})
	if !errors.Is(err, ErrRedirectRefused) || !errors.Is(err, ErrInsecureTransport) {
		t.Fatalf("a redirect to plain http on a non-loopback host must be refused, got %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("refused redirect was retried: %d requests", hits.Load())
	}
}

func TestClientRefusesHTTPSDowngrade(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{}`)) }))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/doc", http.StatusFound)
	}))
	defer secure.Close()

	c := newTestClient(t, Options{CACertPEM: serverCertPEM(secure)})
	_, err := c.do(context.Background(), request{method: http.MethodGet, url: secure.URL + "/start"})
	if !errors.Is(err, ErrRedirectRefused) || !strings.Contains(err.Error(), "downgrades https to http") {
		t.Fatalf("want downgrade refusal, got %v", err)
	}
}

func TestClientDoesNotFollowRedirectsForWrites(t *testing.T) {
	var targetHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/target" {
			targetHits.Add(1)
			return
		}
		http.Redirect(w, r, "/target", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	resp, err := newTestClient(t, Options{}).do(context.Background(), request{method: http.MethodPost, url: srv.URL + "/register", body: []byte(`{}`)})
	if err != nil || resp.Status != http.StatusTemporaryRedirect || targetHits.Load() != 0 {
		t.Fatalf("POST must not follow redirects: resp=%+v err=%v hits=%d", resp, err, targetHits.Load())
	}
}

func TestClientRetriesOnlyIdempotentRequests(t *testing.T) {
	for _, tt := range []struct {
		method   string
		status   int
		wantHits int32
	}{
		{http.MethodGet, http.StatusServiceUnavailable, 3},
		{http.MethodGet, http.StatusGatewayTimeout, 3},
		{http.MethodGet, http.StatusTooManyRequests, 3},
		{http.MethodGet, http.StatusBadGateway, 1}, // discovery treats 502 as "not here"
		{http.MethodGet, http.StatusNotFound, 1},
		{http.MethodPost, http.StatusServiceUnavailable, 1},
		{http.MethodPut, http.StatusServiceUnavailable, 1},
		{http.MethodDelete, http.StatusServiceUnavailable, 1},
	} {
		t.Run(fmt.Sprintf("%s %d", tt.method, tt.status), func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				hits.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			c := newTestClient(t, Options{Retries: 2})
			c.retrying.RetryWaitMin, c.retrying.RetryWaitMax = time.Millisecond, time.Millisecond
			resp, err := c.do(context.Background(), request{method: tt.method, url: srv.URL})
			if err != nil {
				t.Fatalf("the last response must be returned, got error %v", err)
			}
			if resp.Status != tt.status {
				t.Fatalf("status %d, want %d", resp.Status, tt.status)
			}
			if hits.Load() != tt.wantHits {
				t.Fatalf("%d requests, want %d", hits.Load(), tt.wantHits)
			}
		})
	}
}

func TestClientRetrySucceedsAfterTransientFailure(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	c := newTestClient(t, Options{Retries: 1})
	c.retrying.RetryWaitMin, c.retrying.RetryWaitMax = time.Millisecond, time.Millisecond
	resp, err := c.do(context.Background(), request{method: http.MethodGet, url: srv.URL})
	if err != nil || resp.Status != 200 || string(resp.Body) != `{"ok":true}` {
		t.Fatalf("resp=%+v err=%v", resp, err)
	}
}

func TestClientRefusesInsecureURLBeforeSending(t *testing.T) {
	_, err := newTestClient(t, Options{}).do(context.Background(), request{method: http.MethodGet, url: "http://example.com/"})
	if !errors.Is(err, ErrInsecureTransport) {
		t.Fatalf("want ErrInsecureTransport, got %v", err)
	}
}

func TestClientTLSSettings(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{}`)) }))
	defer srv.Close()
	ctx := context.Background()

	if _, err := newTestClient(t, Options{}).do(ctx, request{method: http.MethodGet, url: srv.URL}); err == nil {
		t.Fatal("an unknown CA must fail verification")
	}
	if _, err := newTestClient(t, Options{CACertPEM: serverCertPEM(srv)}).do(ctx, request{method: http.MethodGet, url: srv.URL}); err != nil {
		t.Fatalf("trusted CA: %v", err)
	}
	if _, err := newTestClient(t, Options{InsecureSkipTLSVerify: true}).do(ctx, request{method: http.MethodGet, url: srv.URL}); err != nil {
		t.Fatalf("insecure skip verify: %v", err)
	}
	if _, err := NewClient(Options{CACertPEM: "not a certificate"}); err == nil {
		t.Fatal("invalid PEM must be rejected")
	}
}

func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	_, err := newTestClient(t, Options{Timeout: 50 * time.Millisecond}).do(context.Background(), request{method: http.MethodPost, url: srv.URL, body: []byte(`{}`)})
	if err == nil {
		t.Fatal("a request past the timeout must fail")
	}
}

type recordingLogger struct {
	mu        sync.Mutex
	exchanges []Exchange
}

func (l *recordingLogger) LogExchange(_ context.Context, ex Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.exchanges = append(l.exchanges, ex)
}

func TestClientLogsRedactedExchanges(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"client_id":"c1","client_secret":"server-secret","registration_access_token":"rat-secret"}`))
	}))
	defer srv.Close()
	logger := &recordingLogger{}
	c := newTestClient(t, Options{Logger: logger, Headers: map[string]string{"X-Api-Key": "gateway-key-secret"}})
	_, err := c.do(context.Background(), request{method: http.MethodPost, url: srv.URL, bearer: "iat-secret", body: []byte(`{"client_name":"x","client_secret":"sent-secret"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(logger.exchanges) != 1 {
		t.Fatalf("want 1 exchange logged, got %d", len(logger.exchanges))
	}
	logged := fmt.Sprintf("%+v", logger.exchanges[0])
	for _, secret := range []string{"server-secret", "rat-secret", "iat-secret", "sent-secret", "gateway-key-secret"} {
		if strings.Contains(logged, secret) {
			t.Errorf("log holds secret %q: %s", secret, logged)
		}
	}
	if !strings.Contains(logged, `"client_id":"c1"`) || logger.exchanges[0].Status != 200 {
		t.Errorf("log lost the non-secret content: %s", logged)
	}
}

func TestClientHeadersOnlyDoesNotWaitForStream(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-release // an endless event stream
	}))
	defer srv.Close()
	defer close(release)
	resp, err := newTestClient(t, Options{Timeout: 5 * time.Second}).do(context.Background(), request{method: http.MethodPost, url: srv.URL, body: []byte(`{}`), headersOnly: true})
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("resp=%+v err=%v", resp, err)
	}
}

func TestLooksLikeHTML(t *testing.T) {
	for _, tt := range []struct {
		ct, body string
		want     bool
	}{
		{"text/html; charset=utf-8", "anything", true},
		{"", "  <!DOCTYPE html><html>", true},
		{"application/octet-stream", "<html><body>", true},
		{"application/json", `{"issuer":"x"}`, false},
	} {
		resp := &response{Header: http.Header{"Content-Type": {tt.ct}}, Body: []byte(tt.body)}
		if got := looksLikeHTML(resp); got != tt.want {
			t.Errorf("looksLikeHTML(%q, %q) = %v", tt.ct, tt.body, got)
		}
	}
}

func serverCertPEM(srv *httptest.Server) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
}

func TestClientExtraHeadersStayWithTheirHosts(t *testing.T) {
	type seen struct {
		mu  sync.Mutex
		key string
	}
	record := func(s *seen) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.key = r.Header.Get("X-Api-Key")
			s.mu.Unlock()
			_, _ = w.Write([]byte(`{}`))
		}
	}
	// "localhost" and "127.0.0.1" are two hosts of one machine.
	var other seen
	otherSrv := httptest.NewServer(record(&other))
	defer otherSrv.Close()
	otherURL := strings.Replace(otherSrv.URL, "127.0.0.1", "localhost", 1)
	var first seen
	firstSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, otherURL+"/doc", http.StatusFound)
			return
		}
		record(&first)(w, r)
	}))
	defer firstSrv.Close()
	headers := map[string]string{"X-Api-Key": "gateway-key"}
	ctx := context.Background()

	tests := []struct {
		name      string
		hosts     []string
		url       string
		wantFirst string
		wantOther string
	}{
		{"no host list: sent to the host asked", nil, firstSrv.URL + "/doc", "gateway-key", ""},
		{"no host list: any host asked directly", nil, otherURL + "/doc", "", "gateway-key"},
		{"no host list: dropped on a redirect to another host", nil, firstSrv.URL + "/redirect", "", ""},
		{"host list: sent to a listed host", []string{"127.0.0.1"}, firstSrv.URL + "/doc", "gateway-key", ""},
		{"host list: not sent to an unlisted host", []string{"127.0.0.1"}, otherURL + "/doc", "", ""},
		{"host list: follows a redirect to a listed host", []string{"127.0.0.1", "LOCALHOST"}, firstSrv.URL + "/redirect", "", "gateway-key"},
		{"wildcard does not match the bare domain", []string{"*.localhost"}, otherURL + "/doc", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first.key, other.key = "", ""
			c := newTestClient(t, Options{Headers: headers, HeaderHosts: tt.hosts})
			if _, err := c.do(ctx, request{method: http.MethodGet, url: tt.url}); err != nil {
				t.Fatal(err)
			}
			if first.key != tt.wantFirst || other.key != tt.wantOther {
				t.Fatalf("first host got %q (want %q), other host got %q (want %q)", first.key, tt.wantFirst, other.key, tt.wantOther)
			}
		})
	}
}

func TestHeadersAllowed(t *testing.T) {
	c := newTestClient(t, Options{HeaderHosts: []string{"gw.example.com", "*.corp.example"}})
	for host, want := range map[string]bool{
		"gw.example.com":      true,
		"GW.Example.com.":     true,
		"api.corp.example":    true,
		"a.b.corp.example":    true,
		"corp.example":        false,
		"evilcorp.example":    false,
		"gw.example.com.evil": false,
	} {
		if got := c.headersAllowed(host, true); got != want {
			t.Errorf("headersAllowed(%q) = %v, want %v", host, got, want)
		}
	}
}
