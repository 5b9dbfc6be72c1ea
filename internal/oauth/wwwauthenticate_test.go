package oauth

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWWWAuthenticate(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   []Challenge
	}{
		{
			name:   "single Bearer challenge",
			values: []string{`Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"`},
			want: []Challenge{{Scheme: "Bearer", Params: map[string]string{
				"resource_metadata": "https://mcp.example.com/.well-known/oauth-protected-resource"}}},
		},
		{
			name:   "several challenges in one header",
			values: []string{`Basic realm="x", Bearer realm="mcp", resource_metadata="https://a/b", scope="read write"`},
			want: []Challenge{
				{Scheme: "Basic", Params: map[string]string{"realm": "x"}},
				{Scheme: "Bearer", Params: map[string]string{"realm": "mcp", "resource_metadata": "https://a/b", "scope": "read write"}},
			},
		},
		{
			name:   "challenges across headers",
			values: []string{`Basic realm="x"`, `Bearer error="invalid_token"`},
			want: []Challenge{
				{Scheme: "Basic", Params: map[string]string{"realm": "x"}},
				{Scheme: "Bearer", Params: map[string]string{"error": "invalid_token"}},
			},
		},
		{
			name:   "quoted strings with escaped quotes and commas",
			values: []string{`Bearer error_description="the \"token\", it expired", realm="a\\b"`},
			want: []Challenge{{Scheme: "Bearer", Params: map[string]string{
				"error_description": `the "token", it expired`, "realm": `a\b`}}},
		},
		{
			name:   "names are case-insensitive and lower-cased",
			values: []string{`bEaReR Resource_Metadata="https://a/m", SCOPE=read`},
			want:   []Challenge{{Scheme: "bEaReR", Params: map[string]string{"resource_metadata": "https://a/m", "scope": "read"}}},
		},
		{
			name:   "token68 then another challenge",
			values: []string{`Negotiate dXNlcjpwYXNz==, Bearer realm="r"`},
			want: []Challenge{
				{Scheme: "Negotiate", Token68: "dXNlcjpwYXNz==", Params: map[string]string{}},
				{Scheme: "Bearer", Params: map[string]string{"realm": "r"}},
			},
		},
		{
			name:   "token68 ending in one equals sign",
			values: []string{`Basic abc=`},
			want:   []Challenge{{Scheme: "Basic", Token68: "abc=", Params: map[string]string{}}},
		},
		{
			name:   "bare schemes, empty list elements and whitespace around equals",
			values: []string{` , Basic, ,Bearer  realm = "r" ,  , error = invalid_token ,`},
			want: []Challenge{
				{Scheme: "Basic", Params: map[string]string{}},
				{Scheme: "Bearer", Params: map[string]string{"realm": "r", "error": "invalid_token"}},
			},
		},
		{
			name:   "unquoted URL value is accepted",
			values: []string{`Bearer resource_metadata=https://a.example/.well-known/oauth-protected-resource/mcp, scope=x`},
			want: []Challenge{{Scheme: "Bearer", Params: map[string]string{
				"resource_metadata": "https://a.example/.well-known/oauth-protected-resource/mcp", "scope": "x"}}},
		},
		{
			name:   "a repeated parameter keeps the first value",
			values: []string{`Bearer scope="a", scope="b"`},
			want:   []Challenge{{Scheme: "Bearer", Params: map[string]string{"scope": "a"}}},
		},
		{
			name:   "empty header",
			values: []string{"", "   "},
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWWWAuthenticate(tt.values)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseWWWAuthenticateMalformed(t *testing.T) {
	type params = map[string]string
	tests := []struct {
		name   string
		values []string
		want   []Challenge // what is still returned beside the error
	}{
		{"unterminated quoted string", []string{`Bearer realm="abc`}, []Challenge{{Scheme: "Bearer", Params: params{}}}},
		{"lone backslash", []string{`Bearer realm="abc\`}, []Challenge{{Scheme: "Bearer", Params: params{}}}},
		{"garbage instead of a scheme", []string{`"quoted" Bearer`}, nil},
		{"garbage instead of a scheme, then a challenge", []string{`"a, b" x, Bearer realm="r"`},
			[]Challenge{{Scheme: "Bearer", Params: params{"realm": "r"}}}},
		{"scheme glued to a quote", []string{`Bearer"x"`}, []Challenge{{Scheme: "Bearer", Params: params{}}}},
		{"missing comma before a bare scheme", []string{`Bearer realm="a" Basic`},
			[]Challenge{{Scheme: "Bearer", Params: params{"realm": "a"}}}},
		{"missing value at the end is empty", []string{`Bearer realm="a", scope=`},
			[]Challenge{{Scheme: "Bearer", Params: params{"realm": "a", "scope": ""}}}},
		{"missing value before a comma is empty", []string{`Bearer scope=, resource_metadata="https://x/prm"`},
			[]Challenge{{Scheme: "Bearer", Params: params{"scope": "", "resource_metadata": "https://x/prm"}}}},
		{"two words after a scheme", []string{`Bearer abc def`}, []Challenge{{Scheme: "Bearer", Params: params{}}}},
		{"good challenge kept before a bad one", []string{`Basic realm="ok", Bearer realm="bad`},
			[]Challenge{{Scheme: "Basic", Params: params{"realm": "ok"}}, {Scheme: "Bearer", Params: params{}}}},
		{"good header kept beside a bad one", []string{`Bearer resource_metadata="https://a/b"`, `Digest "`},
			[]Challenge{{Scheme: "Bearer", Params: params{"resource_metadata": "https://a/b"}}, {Scheme: "Digest", Params: params{}}}},
		// One malformed part must not hide the Bearer challenge or the rest of its parameters.
		{"a bad challenge before the Bearer one", []string{`Foo bar baz, Bearer resource_metadata="https://x/prm"`},
			[]Challenge{{Scheme: "Foo", Params: params{}}, {Scheme: "Bearer", Params: params{"resource_metadata": "https://x/prm"}}}},
		{"parameters separated by whitespace", []string{`Bearer resource_metadata="https://x/prm" scope="a"`},
			[]Challenge{{Scheme: "Bearer", Params: params{"resource_metadata": "https://x/prm", "scope": "a"}}}},
		{"resynchronised at the next comma outside quotes", []string{`Bearer realm="r"junk "x, y", scope="a b", resource_metadata=u`},
			[]Challenge{{Scheme: "Bearer", Params: params{"realm": "r", "scope": "a b", "resource_metadata": "u"}}}},
		{"words where parameters belong, then parameters", []string{`Bearer abc def, resource_metadata="https://x/prm"`},
			[]Challenge{{Scheme: "Bearer", Params: params{"resource_metadata": "https://x/prm"}}}},
		{"a parameter outside any challenge is dropped", []string{`Negotiate abc==, realm="x", Bearer scope="s"`},
			[]Challenge{{Scheme: "Negotiate", Token68: "abc==", Params: params{}}, {Scheme: "Bearer", Params: params{"scope": "s"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWWWAuthenticate(tt.values)
			if err == nil {
				t.Fatalf("want an error, got %#v", got)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseWWWAuthenticateErrorQuotesAShortHeader(t *testing.T) {
	long := `Bearer realm="` + strings.Repeat("x", 5000)
	_, err := ParseWWWAuthenticate([]string{long})
	if err == nil || len(err.Error()) > 400 {
		t.Fatalf("want a short error, got %d bytes: %.100v", len(err.Error()), err)
	}
}

func TestFindBearerChallenge(t *testing.T) {
	challenges, err := ParseWWWAuthenticate([]string{
		`Basic realm="x"`,
		`Bearer realm="first", error="invalid_token"`,
		`bearer realm="second", resource_metadata="https://r/m", scope="a b", error="insufficient_scope", error_description="need b"`,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := FindBearerChallenge(challenges)
	want := BearerChallenge{Realm: "second", ResourceMetadata: "https://r/m", Scope: "a b", Error: "insufficient_scope", ErrorDescription: "need b"}
	if !ok || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, ok, want)
	}

	got, ok = FindBearerChallenge(challenges[:2])
	if !ok || got.Realm != "first" {
		t.Fatalf("without resource_metadata the first Bearer challenge wins, got %+v", got)
	}
	if _, ok := FindBearerChallenge(challenges[:1]); ok {
		t.Fatal("a Basic challenge is not a Bearer challenge")
	}
}

func TestFindBearerChallengeMergesChallenges(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   BearerChallenge
	}{
		{
			name:   "scope and error from the first challenge, resource_metadata from the second",
			values: []string{`Bearer error="insufficient_scope", scope="a b", error_description="need b", Bearer resource_metadata="u"`},
			want:   BearerChallenge{ResourceMetadata: "u", Scope: "a b", Error: "insufficient_scope", ErrorDescription: "need b"},
		},
		{
			name:   "across header values",
			values: []string{`Bearer realm="r", scope="a"`, `Bearer resource_metadata="u", error="invalid_token"`},
			want:   BearerChallenge{Realm: "r", ResourceMetadata: "u", Scope: "a", Error: "invalid_token"},
		},
		{
			name:   "the resource_metadata challenge's own values win",
			values: []string{`Bearer scope="x", error="invalid_request", Bearer resource_metadata="u", scope="y"`},
			want:   BearerChallenge{ResourceMetadata: "u", Scope: "y", Error: "invalid_request"},
		},
		{
			name:   "error_description stays with its error",
			values: []string{`Bearer error_description="orphan", Bearer error="invalid_token", error_description="expired", Bearer resource_metadata="u"`},
			want:   BearerChallenge{ResourceMetadata: "u", Error: "invalid_token", ErrorDescription: "expired"},
		},
		{
			name:   "other schemes are not merged in",
			values: []string{`DPoP scope="dpop", error="use_dpop_nonce", Bearer resource_metadata="u"`},
			want:   BearerChallenge{ResourceMetadata: "u"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			challenges, err := ParseWWWAuthenticate(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := FindBearerChallenge(challenges)
			if !ok || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, ok, tt.want)
			}
		})
	}
}
