package testenv

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RequestClass is what a fault rule of FaultProxy applies to.
type RequestClass string

// Request classes: discovery is any GET under /.well-known/; the others are
// every other request by method, except Keycloak's admin REST API and token
// endpoints, which are never faulted.
const (
	ClassDiscovery RequestClass = "discovery"
	ClassPOST      RequestClass = "POST"
	ClassGET       RequestClass = "GET"
	ClassPUT       RequestClass = "PUT"
	ClassDELETE    RequestClass = "DELETE"
)

// FaultKind is one way FaultProxy breaks an exchange.
type FaultKind string

// Fault kinds.
const (
	// Fault503 answers 503 Service Unavailable (Retry-After: 1) without
	// forwarding: the server never sees the request.
	Fault503 FaultKind = "503"
	// FaultReset forwards the request, lets the server act, then closes the
	// client's connection without an answer: the client sees a reset or EOF.
	FaultReset FaultKind = "reset"
	// FaultDelay forwards the request, lets the server act, and holds the
	// answer back for FaultProxyOptions.Delay (set it beyond the client's
	// request timeout).
	FaultDelay FaultKind = "delay"
	// FaultTruncate forwards the request and answers the server's status
	// with a JSON body cut in half (Content-Length matches what is sent).
	FaultTruncate FaultKind = "truncated-json"
	// FaultHTML answers a discovery request with 200 and an HTML page
	// (a captive portal, a misrouted proxy) without forwarding.
	FaultHTML FaultKind = "html-200"
)

// FaultRule injects Kind into a share Rate (0..1) of the requests of Class.
type FaultRule struct {
	Class RequestClass
	Kind  FaultKind
	Rate  float64
}

// FaultEvent records one injected fault.
type FaultEvent struct {
	Class  RequestClass
	Kind   FaultKind
	Method string
	Path   string
	// Forwarded says whether the server received the request.
	Forwarded bool
	// Status is the server's status when forwarded.
	Status int
}

// FaultProxyOptions configure StartFaultProxy.
type FaultProxyOptions struct {
	// Target is the base URL of the real server; it must be a loopback
	// address.
	Target string
	// Seed makes the decisions reproducible: whether a request is faulted
	// depends only on the seed and how many requests of its class came
	// before (concurrent requests may take each other's turn); faults are
	// spread evenly at the rule's rate.
	Seed int64
	// Delay is how long FaultDelay holds an answer back (default 45 s).
	Delay time.Duration
	// MaxRequests bounds the requests the proxy serves; beyond it every
	// request is answered 429 so that a runaway loop ends (default 20000).
	MaxRequests int
}

// FaultProxy is an HTTP reverse proxy on 127.0.0.1 in front of a real server
// that injects faults by rule. Server URLs in answers (the issuer, the
// registration client URI) are rewritten to the proxy's, so that every
// later request of a client goes through it too. It records every secret
// value the server sent (client_secret, registration_access_token, in any
// answer, faulted or not) so that tests can search output for them.
type FaultProxy struct {
	URL string

	opts   FaultProxyOptions
	target *url.URL
	srv    *http.Server
	ln     net.Listener
	client *http.Client

	mu    sync.Mutex
	rules []FaultRule
	seen  map[string]int // method + " " + path -> requests so far
	// classSeen counts the requests of each class: the n-th request of a
	// class is faulted or not by the seed alone, so a run faults the same
	// number of requests of a phase whatever order they come in.
	classSeen map[RequestClass]int
	requests  int
	events    []FaultEvent
	secrets   map[string]bool
}

// StartFaultProxy starts a proxy for opts.Target on a free loopback port.
func StartFaultProxy(opts FaultProxyOptions) (*FaultProxy, error) {
	target, err := url.Parse(strings.TrimRight(opts.Target, "/"))
	if err != nil {
		return nil, fmt.Errorf("fault proxy target: %w", err)
	}
	if !isLoopbackHost(target.Hostname()) {
		return nil, fmt.Errorf("fault proxy target %s is not a loopback address", opts.Target)
	}
	if opts.Delay == 0 {
		opts.Delay = 45 * time.Second
	}
	if opts.MaxRequests == 0 {
		opts.MaxRequests = 20000
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &FaultProxy{
		URL:       "http://" + ln.Addr().String(),
		opts:      opts,
		target:    target,
		ln:        ln,
		seen:      map[string]int{},
		classSeen: map[RequestClass]int{},
		secrets:   map[string]bool{},
		client: &http.Client{
			Timeout: 2 * time.Minute,
			// Redirects go back to the client, rewritten.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16},
		},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Close stops the proxy; answers held back by FaultDelay are dropped.
func (p *FaultProxy) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil {
		return p.srv.Close()
	}
	return nil
}

// SetRules replaces the fault rules (nil: forward everything untouched).
func (p *FaultProxy) SetRules(rules ...FaultRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = rules
}

// Events returns the faults injected so far.
func (p *FaultProxy) Events() []FaultEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]FaultEvent(nil), p.events...)
}

// RequestCounts returns how many requests each "METHOD path" received.
func (p *FaultProxy) RequestCounts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.seen))
	for k, v := range p.seen {
		out[k] = v
	}
	return out
}

// Secrets returns every secret value the server sent through the proxy.
func (p *FaultProxy) Secrets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.secrets))
	for s := range p.secrets {
		out = append(out, s)
	}
	return out
}

// AddSecret records a secret the test knows (an Initial Access Token).
func (p *FaultProxy) AddSecret(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s != "" {
		p.secrets[s] = true
	}
}

func classOf(r *http.Request) RequestClass {
	if strings.Contains(r.URL.Path, "/.well-known/") {
		return ClassDiscovery
	}
	return RequestClass(r.Method)
}

// exempt reports requests outside the classes faults apply to: Keycloak's
// admin REST API and token endpoints (an admin tool's traffic, not the
// registration protocol's).
func exempt(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/admin/") || strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token")
}

// decide returns the fault for this request, or "".
func (p *FaultProxy) decide(r *http.Request) (FaultKind, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if p.requests > p.opts.MaxRequests {
		return "", false
	}
	key := r.Method + " " + r.URL.Path
	p.seen[key]++
	class := classOf(r)
	n := p.classSeen[class]
	p.classSeen[class] = n + 1
	if exempt(r) {
		return "", true
	}
	for i, rule := range p.rules {
		if rule.Class != class || rule.Rate <= 0 {
			continue
		}
		if rule.Kind == FaultHTML && class != ClassDiscovery {
			continue
		}
		// Faults are spread evenly at the rate (the n-th request of the
		// class is faulted when n*rate crosses an integer), shifted by a
		// phase drawn from the seed, the rule and the class: a run of k
		// requests sees rate*k faults, give or take one.
		h := sha256.New()
		_ = binary.Write(h, binary.BigEndian, p.opts.Seed)
		_ = binary.Write(h, binary.BigEndian, int64(i))
		_, _ = io.WriteString(h, string(class))
		phase := float64(binary.BigEndian.Uint64(h.Sum(nil)[:8])>>11) / float64(1<<53)
		if math.Floor(float64(n+1)*rule.Rate+phase) > math.Floor(float64(n)*rule.Rate+phase) {
			return rule.Kind, true
		}
	}
	return "", true
}

func (p *FaultProxy) record(e FaultEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
}

func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, ok := p.decide(r)
	if !ok {
		http.Error(w, "fault proxy: request budget exhausted", http.StatusTooManyRequests)
		return
	}
	ev := FaultEvent{Class: classOf(r), Kind: kind, Method: r.Method, Path: r.URL.Path}
	switch kind {
	case Fault503:
		p.record(ev)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Service Unavailable (injected)", http.StatusServiceUnavailable)
		return
	case FaultHTML:
		p.record(ev)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body><p>Injected HTML page.</p></body></html>")
		return
	}

	status, header, body, err := p.forward(r)
	if err != nil {
		http.Error(w, "fault proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	ev.Forwarded, ev.Status = true, status
	switch kind {
	case FaultReset:
		p.record(ev)
		hijackAndClose(w)
		return
	case FaultDelay:
		p.record(ev)
		select {
		case <-time.After(p.opts.Delay):
		case <-r.Context().Done():
			return
		}
	case FaultTruncate:
		if status/100 == 2 && len(body) > 1 && json.Valid(body) {
			p.record(ev)
			body = body[:len(body)/2]
		}
	}
	for k, vs := range header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// forward sends the request to the target and returns the answer with the
// target's base URL rewritten to the proxy's.
func (p *FaultProxy) forward(r *http.Request) (int, http.Header, []byte, error) {
	in, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	u := *p.target
	u.Path = r.URL.Path
	u.RawPath = r.URL.RawPath
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, u.String(), bytes.NewReader(in))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range r.Header {
		if k == "Connection" || k == "Keep-Alive" || k == "Accept-Encoding" {
			continue
		}
		out.Header[k] = vs
	}
	resp, err := p.client.Do(out)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	p.collectSecrets(body)
	base := p.target.Scheme + "://" + p.target.Host
	body = bytes.ReplaceAll(body, []byte(base), []byte(p.URL))
	header := resp.Header.Clone()
	header.Del("Content-Length")
	header.Del("Connection")
	header.Del("Transfer-Encoding")
	if loc := header.Get("Location"); loc != "" {
		header.Set("Location", strings.ReplaceAll(loc, base, p.URL))
	}
	return resp.StatusCode, header, body, nil
}

// collectSecrets records the values of secret members of a JSON answer.
func (p *FaultProxy) collectSecrets(body []byte) {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range []string{"client_secret", "registration_access_token", "access_token", "refresh_token", "id_token"} {
		if s, ok := doc[k].(string); ok && s != "" {
			p.secrets[s] = true
		}
	}
}

// hijackAndClose drops the client's connection without an answer; with
// SO_LINGER 0 the client sees a reset.
func hijackAndClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(errors.New("fault proxy: connection cannot be hijacked"))
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
