package oauth

import (
	"reflect"
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
	tests := []struct {
		name       string
		values     []string
		wantScheme []string // challenges still returned
	}{
		{"unterminated quoted string", []string{`Bearer realm="abc`}, nil},
		{"lone backslash", []string{`Bearer realm="abc\`}, nil},
		{"garbage instead of a scheme", []string{`"quoted" Bearer`}, nil},
		{"scheme glued to a quote", []string{`Bearer"x"`}, nil},
		{"missing comma between challenges", []string{`Bearer realm="a" Basic`}, nil},
		{"missing value", []string{`Bearer realm="a", scope=`}, nil},
		{"two words after a scheme", []string{`Bearer abc def`}, nil},
		{"good challenge kept before a bad one", []string{`Basic realm="ok", Bearer realm="bad`}, []string{"Basic"}},
		{"good header kept beside a bad one", []string{`Bearer resource_metadata="https://a/b"`, `Digest "`}, []string{"Bearer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWWWAuthenticate(tt.values)
			if err == nil {
				t.Fatalf("want an error, got %#v", got)
			}
			var schemes []string
			for _, c := range got {
				schemes = append(schemes, c.Scheme)
			}
			if !reflect.DeepEqual(schemes, tt.wantScheme) {
				t.Fatalf("challenges kept: %v, want %v", schemes, tt.wantScheme)
			}
		})
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
