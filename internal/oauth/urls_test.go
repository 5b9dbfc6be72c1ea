package oauth

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		allowHTTP bool
		wantErr   string // substring; empty means valid
	}{
		{name: "https", raw: "https://mcp.example.com/mcp"},
		{name: "https with port and query", raw: "https://mcp.example.com:8443/mcp?x=1"},
		{name: "http localhost", raw: "http://localhost:8000/mcp"},
		{name: "http localhost uppercase", raw: "http://LOCALHOST:8000/mcp"},
		{name: "http sub.localhost", raw: "http://mcp.localhost/mcp"},
		{name: "http 127.0.0.1", raw: "http://127.0.0.1:9000/realms/x"},
		{name: "http 127.5.6.7", raw: "http://127.5.6.7/"},
		{name: "http ipv6 loopback", raw: "http://[::1]:8080/mcp"},
		{name: "http private host refused", raw: "http://keycloak:8080/realms/x", wantErr: "only allowed for loopback"},
		{name: "http private IP refused", raw: "http://10.0.0.5/mcp", wantErr: "only allowed for loopback"},
		{name: "http localhost lookalike refused", raw: "http://localhost.example.com/mcp", wantErr: "loopback"},
		{name: "http private host with opt-in", raw: "http://keycloak:8080/realms/x", allowHTTP: true},
		{name: "relative", raw: "/mcp", wantErr: "not an absolute URL"},
		{name: "no host", raw: "https:///mcp", wantErr: "not an absolute URL"},
		{name: "ftp", raw: "ftp://example.com/x", wantErr: "only http and https"},
		{name: "fragment", raw: "https://example.com/mcp#frag", wantErr: "fragment"},
		{name: "empty fragment", raw: "https://example.com/mcp#", wantErr: "fragment"},
		{name: "user info", raw: "https://user:pw@example.com/mcp", wantErr: "user information"},
		{name: "garbage", raw: "https://exa mple.com/", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateURL(tt.raw, tt.allowHTTP)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateURL(%q) = %v, want nil", tt.raw, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ValidateURL(%q) = %v, want error containing %q", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func TestValidateURLUserInfoIsNotEchoed(t *testing.T) {
	// Every rule that can fire on a URL with user information must neither
	// echo it nor let it through.
	for _, raw := range []string{
		"https://user:s3cr3t@example.com/mcp",
		"https://user:s3cr3t@example.com/mcp#frag",
		"ftp://user:s3cr3t@example.com/x",
		"https://user:s3cr3t@exa mple.com/",
		"http://user:s3cr3t@keycloak:8080/x",
		"user:s3cr3t@example.com/mcp",
	} {
		for _, allow := range []bool{false, true} {
			err := ValidateURL(raw, allow)
			if err == nil || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("ValidateURL(%q, %v) = %v: must refuse without repeating the password", raw, allow, err)
			}
			if err := ValidateURLShape(raw); err == nil || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("ValidateURLShape(%q) = %v: must refuse without repeating the password", raw, err)
			}
		}
	}
	if err := ValidateURL("https://user@example.com/mcp", true); !errors.Is(err, ErrUserInfo) {
		t.Errorf("a user name alone is user information too: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://alice:s3cret@example.com/mcp?x=1": "https://[REDACTED]@example.com/mcp?x=1",
		"https://alice@example.com":                "https://[REDACTED]@example.com",
		"https://example.com/a@b":                  "https://example.com/a@b",
		"https://example.com/?u=a@b":               "https://example.com/?u=a@b",
		"//alice:pw@example.com/x":                 "//[REDACTED]@example.com/x",
		"alice:pw@example.com/x":                   "[REDACTED]@example.com/x",
		"https://a:b@c@example.com/":               "https://[REDACTED]@example.com/",
		"not a url":                                "not a url",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateURLInsecureIsTyped(t *testing.T) {
	if err := ValidateURL("http://example.com/", false); !errors.Is(err, ErrInsecureTransport) {
		t.Fatalf("want ErrInsecureTransport, got %v", err)
	}
}

func TestCheckRedirectURI(t *testing.T) {
	for _, tt := range []struct {
		uri      string
		insecure bool
		err      error
		note     bool
	}{
		{uri: "https://app.example.com/cb"},
		{uri: "http://127.0.0.1:8765/cb"},
		{uri: "http://[::1]:8765/cb"},
		{uri: "com.example.app:/oauth2redirect"},
		{uri: "http://localhost:8888/callback", note: true},
		{uri: "http://localhost:8888/*", err: ErrRedirectWildcard},
		{uri: "https://*.example.com/cb", err: ErrRedirectWildcard},
		{uri: "https://app.example.com/cb/*", err: ErrRedirectWildcard},
		{uri: "http://evil.example.com/cb", err: ErrRedirectInsecure},
		{uri: "http://keycloak:8080/cb", insecure: true},
		{uri: "https://app.example.com/cb?x=*"}, // a query is compared exactly, not a pattern
	} {
		note, err := CheckRedirectURI(tt.uri, tt.insecure)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("%s: err %v, want %v", tt.uri, err, tt.err)
		}
		if (note != "") != tt.note {
			t.Errorf("%s: note %q, want a note %v", tt.uri, note, tt.note)
		}
	}
}
