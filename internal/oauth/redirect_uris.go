package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrRedirectWildcard: a redirect URI with "*" in its host or path. OAuth
// compares redirect URIs exactly (RFC 9700 section 4.1.3, OAuth 2.1); a
// server that treats "*" as a pattern lets an attacker choose where codes
// go.
var ErrRedirectWildcard = errors.New("wildcards are not allowed in redirect URIs (RFC 9700 section 4.1.3: exact matching)")

// ErrRedirectInsecure: a plain http redirect URI to a host that is not a
// loopback address. Authorization codes would cross the network in clear
// (RFC 9700 section 4.1, OAuth 2.1: only loopback redirects may use http).
var ErrRedirectInsecure = errors.New("plain http redirect URIs are allowed only to loopback addresses (RFC 9700 section 4.1, OAuth 2.1)")

// CheckRedirectURI applies the security rules for redirect URIs beyond
// their syntax: no wildcard in host or path; https, or http only to a
// loopback host unless allowInsecureHTTP. It returns a note (not an error)
// for http://localhost, where RFC 8252 sections 7.3 and 8.3 recommend the
// loopback IP literal (127.0.0.1 or [::1]) for native clients. Other
// schemes (private-use schemes of native apps) pass.
func CheckRedirectURI(raw string, allowInsecureHTTP bool) (note string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if strings.Contains(u.Host, "*") || strings.Contains(u.Path, "*") || strings.Contains(u.Opaque, "*") {
		return "", fmt.Errorf("%q: %w", raw, ErrRedirectWildcard)
	}
	if !strings.EqualFold(u.Scheme, "http") {
		return "", nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if !IsLoopbackHost(host) {
		if allowInsecureHTTP {
			return "", nil
		}
		return "", fmt.Errorf("%q: %w", raw, ErrRedirectInsecure)
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		port := ""
		if p := u.Port(); p != "" {
			port = ":" + p
		}
		return fmt.Sprintf("%q uses the name localhost: RFC 8252 sections 7.3 and 8.3 recommend the loopback IP literal "+
			"for native clients (http://127.0.0.1%s%s), since the name can resolve elsewhere or be blocked by firewalls; "+
			"some servers accept any port only for the IP literal", raw, port, u.EscapedPath()), nil
	}
	return "", nil
}
