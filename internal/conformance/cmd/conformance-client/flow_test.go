package main

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseBearerChallenge(t *testing.T) {
	got := parseBearerChallenge([]string{
		`Basic realm="x"`,
		`Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="http://h/.well-known/oauth-protected-resource/mcp", error_description="say \"more\""`,
	})
	want := map[string]string{
		"error":             "insufficient_scope",
		"scope":             "mcp:read mcp:write",
		"resource_metadata": "http://h/.well-known/oauth-protected-resource/mcp",
		"error_description": `say "more"`,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if got := parseBearerChallenge([]string{`bearer error=invalid_token,scope=a`}); got["error"] != "invalid_token" || got["scope"] != "a" {
		t.Errorf("token68-style values: %v", got)
	}
	if got := parseBearerChallenge([]string{`BearerX error="x"`}); len(got) != 0 {
		t.Errorf("another scheme parsed as Bearer: %v", got)
	}
}

func TestCheckIss(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name      string
		query     string
		supported *bool
		wantErr   string
	}{
		{"matching iss", "iss=https%3A%2F%2Fas.example", &yes, ""},
		{"absent, not advertised", "", &no, ""},
		{"absent, unknown", "", nil, ""},
		{"absent though advertised", "", &yes, "lacks iss"},
		{"wrong iss", "iss=https%3A%2F%2Fevil.example", &yes, "is not the issuer"},
		{"unadvertised but wrong", "iss=https%3A%2F%2Fevil.example", &no, "is not the issuer"},
		{"no normalization", "iss=https%3A%2F%2Fas.example%2F", &yes, "is not the issuer"},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.query)
		err := checkIss(q, &discovery{Issuer: "https://as.example", IssSupported: c.supported})
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.wantErr)
		}
	}
}

func TestUnionScope(t *testing.T) {
	if got := unionScope("a b", "b c"); got != "a b c" {
		t.Errorf("got %q", got)
	}
	if got := unionScope("", "x"); got != "x" {
		t.Errorf("got %q", got)
	}
}

func TestPickAuthMethod(t *testing.T) {
	cases := []struct {
		secret    bool
		supported []string
		want      string
	}{
		{false, []string{"client_secret_basic"}, "none"},
		{true, nil, "client_secret_basic"},
		{true, []string{"client_secret_post"}, "client_secret_post"},
		{true, []string{"client_secret_post", "client_secret_basic"}, "client_secret_basic"},
	}
	for _, c := range cases {
		if got := pickAuthMethod(c.secret, c.supported); got != c.want {
			t.Errorf("pickAuthMethod(%v, %v) = %q, want %q", c.secret, c.supported, got, c.want)
		}
	}
}
