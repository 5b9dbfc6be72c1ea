package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseWWWAuthenticate(f *testing.F) {
	for _, seed := range []string{
		`Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"`,
		`Basic realm="x", Bearer realm="mcp", resource_metadata="https://a/b", scope="read write"`,
		`Bearer error_description="the \"token\", it expired", realm="a\\b"`,
		`Negotiate dXNlcjpwYXNz==, Bearer realm="r"`,
		` , Basic, ,Bearer  realm = "r" ,  , error = invalid_token ,`,
		`Bearer resource_metadata=https://a.example/x, scope=x`,
		`Bearer realm="abc`,
		`Bearer realm="abc\`,
		`Bearer abc def`,
		`Basic abc=`,
		`Foo bar baz, Bearer resource_metadata="https://x/prm"`,
		`Bearer resource_metadata="https://x/prm" scope="a"`,
		`Bearer resource_metadata="https://x/prm", scope=`,
		`Bearer realm="r"junk "x, y", scope="a b", resource_metadata=u`,
		`Negotiate abc==, realm="x", Bearer scope="s"`,
		`Bearer error="insufficient_scope", scope="a b", Bearer resource_metadata="u"`,
		"Bearer resource_metadata=\"http://localhost:1/\xff\"",
		`Bearer"x", =, "\"`,
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		challenges, _ := ParseWWWAuthenticate([]string{header})
		for _, c := range challenges {
			if c.Scheme == "" {
				t.Fatalf("empty scheme from %q", header)
			}
			for _, ch := range []byte(c.Scheme) {
				if !isTokenChar(ch) {
					t.Fatalf("scheme %q is not a token", c.Scheme)
				}
			}
			if c.Token68 != "" && len(c.Params) > 0 {
				t.Fatalf("a challenge has either a token68 or parameters: %+v", c)
			}
			for k := range c.Params {
				if k != strings.ToLower(k) || k == "" {
					t.Fatalf("parameter name %q must be lower-case and non-empty", k)
				}
			}
		}
		// A Bearer challenge is found exactly when one was parsed, and its
		// resource_metadata is the first one any Bearer challenge carries.
		hasBearer, firstRM := false, ""
		for _, c := range challenges {
			if strings.EqualFold(c.Scheme, "Bearer") {
				hasBearer = true
				if firstRM == "" {
					firstRM = c.Params["resource_metadata"]
				}
			}
		}
		b, ok := FindBearerChallenge(challenges)
		if ok != hasBearer || b.ResourceMetadata != firstRM {
			t.Fatalf("FindBearerChallenge = %+v, %v; parsed %+v", b, ok, challenges)
		}
		// The Bearer challenge found does not depend on what other schemes' challenges come first.
		withOther, _ := ParseWWWAuthenticate([]string{`Basic realm="other"`, header})
		if b2, ok2 := FindBearerChallenge(withOther); ok2 != ok || b2 != b {
			t.Fatalf("a Basic challenge before %q changed the Bearer challenge: %+v, %v; want %+v, %v", header, b2, ok2, b, ok)
		}
		// Splitting a header at a challenge boundary into two values gives the same challenges.
		again, _ := ParseWWWAuthenticate([]string{header, ""})
		if len(again) != len(challenges) {
			t.Fatalf("an empty extra header value changed the result for %q", header)
		}
	})
}

func FuzzDecodeResourceMetadata(f *testing.F) {
	for _, seed := range []string{
		`{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as.example.com"],"scopes_supported":["a"]}`,
		`{"resource":"r","scopes_supported":"a b","authorization_servers":"https://as","dpop_bound_access_tokens_required":"true"}`,
		`{"resource":"r","authorization_servers":null,"x":{"y":[1,2]}}`,
		`{"resource":42}`,
		"\xef\xbb\xbf{\"resource\":\"r\"}",
		`{"resource":"r","resource_name":7,"bearer_methods_supported":[1]}`,
		`{"authorization_servers":["x"]}`,
		`[1,2]`,
		`<html>`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := DecodeResourceMetadata(body)
		checkDecodeResult(t, body, err, m.Raw)
		if err == nil && strings.TrimSpace(m.Resource) == "" {
			t.Fatalf("accepted a document without a resource: %q", body)
		}
	})
}

func FuzzDecodeServerMetadata(f *testing.F) {
	for _, seed := range []string{
		`{"issuer":"https://as.example.com","authorization_endpoint":"https://as.example.com/a","code_challenge_methods_supported":["S256"]}`,
		`{"issuer":"i","scopes_supported":"openid profile","client_id_metadata_document_supported":"TRUE","response_types_supported":"code id_token"}`,
		`{"issuer":"i","grant_types_supported":[null]}`,
		`{"issuer":null}`,
		`{"issuer":"i","acr_values_supported":[0,1],"token_endpoint":"t"}`,
		"\xef\xbb\xbf {\"issuer\":\"i\"}",
		`{"token_endpoint":"x"}`,
		`"issuer"`,
		`{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := DecodeServerMetadata(body)
		checkDecodeResult(t, body, err, m.Raw)
		if err == nil && strings.TrimSpace(m.Issuer) == "" {
			t.Fatalf("accepted a document without an issuer: %q", body)
		}
	})
}

// checkDecodeResult holds for both decoders: an error is one of the
// documented kinds, and a success keeps the document as Raw.
func checkDecodeResult(t *testing.T, body []byte, err error, raw json.RawMessage) {
	t.Helper()
	if err != nil {
		var fe *FieldTypeError
		if !errors.Is(err, ErrNotJSONObject) && !errors.Is(err, ErrMissingRequiredField) && !errors.As(err, &fe) {
			t.Fatalf("undocumented error kind %T: %v", err, err)
		}
		if fe != nil && !utf8.ValidString(fe.Error()) && utf8.Valid(body) {
			t.Fatalf("error message is not valid UTF-8: %q", fe.Error())
		}
		return
	}
	// Raw is the body without surrounding whitespace and a leading byte-order mark.
	want := bytes.TrimSpace(body)
	if bytes.HasPrefix(want, []byte("\xef\xbb\xbf")) {
		want = bytes.TrimSpace(want[3:])
	}
	if !bytes.Equal(raw, want) {
		t.Fatalf("Raw %q differs from the body %q", raw, body)
	}
	if !json.Valid(raw) {
		t.Fatalf("accepted invalid JSON %q", body)
	}
}

// FuzzClientMetadataDocument feeds arbitrary URLs and bodies to the CIMD
// checks and the canonical encoder: they never panic, canonical JSON is a
// fixed point, and a document whose client_id differs from the URL is
// always refused.
func FuzzClientMetadataDocument(f *testing.F) {
	for _, seed := range [][2]string{
		{"https://client.example.com/client.json", `{"client_id":"https://client.example.com/client.json","client_name":"a","redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"}`},
		{"https://c.example/a/%2e%2E/b?x#y", `{"client_id":1,"jwks":{"keys":[{"d":"x"}]},"redirect_uris":"x"}`},
		{"http://u:p@h/", `{"b":{"z":1,"a":[1.0e3,"<>"]},"a":null}`},
		{"", `[]`},
		{"https://h/p", "\ufeff{\"client_id\":\"https://h/p\"}"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, rawURL, body string) {
		for _, p := range CheckClientIDURL(rawURL) {
			if p.Rule == "" || p.Source == "" {
				t.Fatalf("problem without a rule or source: %+v", p)
			}
		}
		if canon, err := CanonicalJSON([]byte(body)); err == nil {
			again, err := CanonicalJSON(canon)
			if err != nil || !bytes.Equal(again, canon) {
				t.Fatalf("canonical JSON is not a fixed point: %s -> %s (%v)", canon, again, err)
			}
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &fields) != nil || fields == nil {
			return
		}
		problems := CheckClientMetadataDocument(rawURL, fields)
		var id string
		if json.Unmarshal(fields["client_id"], &id) == nil && id != rawURL && len(CIMDErrors(problems)) == 0 {
			t.Fatalf("client_id %q differs from %q but no error was found", id, rawURL)
		}
	})
}
