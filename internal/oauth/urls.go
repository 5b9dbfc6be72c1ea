package oauth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrInsecureTransport is wrapped by URL checks that refuse plain http to a
// host that is not a loopback address.
var ErrInsecureTransport = errors.New("plain http is only allowed for loopback hosts")

// ValidateURL checks that raw is an absolute http or https URL without a
// fragment, and that plain http is used only for loopback hosts unless
// allowInsecureHTTP is set. It is the rule applied to every URL the package
// fetches, exported so configuration can be checked before any request.
func ValidateURL(raw string, allowInsecureHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a valid URL: %w", raw, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL: it needs a scheme and a host, for example https://mcp.example.com/mcp", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !allowInsecureHTTP && !IsLoopbackHost(u.Hostname()) {
			return fmt.Errorf("%q: %w; use https, or opt in to plain http for this host (allow_insecure_http)", raw, ErrInsecureTransport)
		}
	default:
		return fmt.Errorf("%q has scheme %q: only http and https are supported", raw, u.Scheme)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q has a fragment (#...): OAuth URLs must not contain one", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q carries user information: put credentials in provider settings, not in URLs", redactUserInfo(u))
	}
	return nil
}

// IsLoopbackHost reports whether host (without port) names the local machine:
// "localhost", a name under ".localhost", 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func redactUserInfo(u *url.URL) string {
	c := *u
	c.User = url.User("REDACTED")
	return c.String()
}
