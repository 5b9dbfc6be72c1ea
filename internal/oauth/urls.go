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

// ErrUserInfo is wrapped by URL checks that refuse a URL carrying user
// information (user:password@). OAuth URLs never need it, and it would put
// a credential wherever the URL is shown.
var ErrUserInfo = errors.New("the URL carries user information (user:password@); credentials do not belong in URLs")

// ValidateURL checks that raw is an absolute http or https URL without user
// information or a fragment, and that plain http is used only for loopback
// hosts unless allowInsecureHTTP is set. It is the rule applied to every URL
// the package fetches, exported so configuration can be checked before any
// request. Its errors never repeat user information (see RedactURL).
func ValidateURL(raw string, allowInsecureHTTP bool) error {
	u, err := checkURLShape(raw)
	if err != nil {
		return err
	}
	if strings.EqualFold(u.Scheme, "http") && !allowInsecureHTTP && !IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q: %w", RedactURL(raw), ErrInsecureTransport)
	}
	return nil
}

// ValidateURLShape applies every rule of ValidateURL except the transport
// one, for checks made before the transport policy is known.
func ValidateURLShape(raw string) error {
	_, err := checkURLShape(raw)
	return err
}

func checkURLShape(raw string) (*url.URL, error) {
	shown := RedactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL as given: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%q is not a valid URL: %w", shown, err)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q: %w", shown, ErrUserInfo)
	}
	if !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL: it needs a scheme and a host, for example https://mcp.example.com/mcp", shown)
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return nil, fmt.Errorf("%q has scheme %q: only http and https are supported", shown, u.Scheme)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("%q has a fragment (#...): OAuth URLs must not contain one", shown)
	}
	return u, nil
}

// RedactURL returns raw with any user information replaced by REDACTED, so
// the URL can be shown in a message. It works on strings that do not parse.
func RedactURL(raw string) string {
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + len("://")
	} else if strings.HasPrefix(raw, "//") {
		start = len("//")
	}
	authority := raw[start:]
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	return raw[:start] + Redacted + raw[start+at:]
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
