package main

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// countingProxy forwards everything to Keycloak and counts the requests by
// kind, so each phase reports exactly what it sent.
type countingProxy struct {
	rp *httputil.ReverseProxy
	mu sync.Mutex
	n  map[string]int
}

func newCountingProxy(target *url.URL) *countingProxy {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	p := &countingProxy{n: map[string]int{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = r.In.Host },
		Transport: tr,
	}
	return p
}

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k := requestKind(r.Method, r.URL.Path)
	p.mu.Lock()
	p.n[k]++
	p.mu.Unlock()
	p.rp.ServeHTTP(w, r)
}

// requestKind names a request the way the benchmark reports it.
func requestKind(method, path string) string {
	switch {
	case strings.Contains(path, "/.well-known/"):
		return "discovery"
	case strings.Contains(path, "/clients-registrations/openid-connect"):
		rest := path[strings.Index(path, "/clients-registrations/openid-connect")+len("/clients-registrations/openid-connect"):]
		switch {
		case method == http.MethodPost && strings.Trim(rest, "/") == "":
			return "register"
		case method == http.MethodGet:
			return "read"
		case method == http.MethodPut:
			return "update"
		case method == http.MethodDelete:
			return "delete"
		}
	case strings.Contains(path, "/admin/") || strings.Contains(path, "/realms/master/"):
		return "admin"
	}
	return "other " + method
}

// take returns the counts since the last take and resets them.
func (p *countingProxy) take() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.n
	p.n = map[string]int{}
	return out
}

func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+itoa(m[k]))
	}
	return strings.Join(parts, " ")
}
