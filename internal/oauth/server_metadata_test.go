package oauth

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestServerMetadataWellKnownURLs(t *testing.T) {
	withPath := []ServerMetadataCandidate{
		{"http://localhost:9000/.well-known/oauth-authorization-server/realms/mcp-oauth", SourceOAuth},
		{"http://localhost:9000/.well-known/openid-configuration/realms/mcp-oauth", SourceOIDC},
		{"http://localhost:9000/realms/mcp-oauth/.well-known/openid-configuration", SourceOIDC},
		{"http://localhost:9000/realms/mcp-oauth/.well-known/oauth-authorization-server", SourceOAuth},
	}
	noPath := []ServerMetadataCandidate{
		{"https://as.example.com/.well-known/oauth-authorization-server", SourceOAuth},
		{"https://as.example.com/.well-known/openid-configuration", SourceOIDC},
	}
	tests := []struct {
		issuer string
		want   []ServerMetadataCandidate
	}{
		{"http://localhost:9000/realms/mcp-oauth", withPath},
		{"http://localhost:9000/realms/mcp-oauth/", withPath},
		{"https://as.example.com", noPath},
		{"https://as.example.com/", noPath},
	}
	for _, tt := range tests {
		got, err := ServerMetadataWellKnownURLs(tt.issuer)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %v %v\nwant %v", tt.issuer, got, err, tt.want)
		}
	}
}

func TestDecodeServerMetadata(t *testing.T) {
	body := `{
		"issuer": "https://as.example.com",
		"authorization_endpoint": "https://as.example.com/authorize",
		"token_endpoint": "https://as.example.com/token",
		"registration_endpoint": "https://as.example.com/register",
		"jwks_uri": "https://as.example.com/jwks",
		"userinfo_endpoint": "https://as.example.com/userinfo",
		"scopes_supported": "openid profile",
		"response_types_supported": ["code", "code id_token"],
		"grant_types_supported": ["authorization_code", "refresh_token"],
		"token_endpoint_auth_methods_supported": "none",
		"code_challenge_methods_supported": ["plain", "S256"],
		"client_id_metadata_document_supported": true,
		"require_pushed_authorization_requests": "false",
		"mtls_endpoint_aliases": {"token_endpoint": "https://mtls.as.example.com/token"}
	}`
	m, err := DecodeServerMetadata([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if m.Issuer != "https://as.example.com" || m.RegistrationEndpoint != "https://as.example.com/register" ||
		m.UserinfoEndpoint != "https://as.example.com/userinfo" || !m.ClientIDMetadataDocumentSupported || m.RequirePushedAuthorizationRequests {
		t.Fatalf("decoded %+v", m)
	}
	if !reflect.DeepEqual(m.ScopesSupported, []string{"openid", "profile"}) ||
		!reflect.DeepEqual(m.ResponseTypesSupported, []string{"code", "code id_token"}) ||
		!reflect.DeepEqual(m.TokenEndpointAuthMethodsSupported, []string{"none"}) {
		t.Fatalf("lists %q %q %q", m.ScopesSupported, m.ResponseTypesSupported, m.TokenEndpointAuthMethodsSupported)
	}
	if !m.SupportsPKCES256() {
		t.Error("S256 is listed")
	}
	if !strings.Contains(string(m.Raw), "mtls_endpoint_aliases") {
		t.Error("Raw must keep fields without a typed home")
	}

	for _, tt := range []struct {
		body string
		want error
	}{
		{`{"token_endpoint":"https://as/token"}`, ErrMissingRequiredField},
		{`{"issuer":null}`, ErrMissingRequiredField},
		{`<html>`, ErrNotJSONObject},
		{`"https://as"`, ErrNotJSONObject},
	} {
		if _, err := DecodeServerMetadata([]byte(tt.body)); !errors.Is(err, tt.want) {
			t.Errorf("%s: want %v, got %v", tt.body, tt.want, err)
		}
	}
	var fe *FieldTypeError
	if _, err := DecodeServerMetadata([]byte(`{"issuer":"x","code_challenge_methods_supported":{"S256":true}}`)); !errors.As(err, &fe) ||
		fe.Field != "code_challenge_methods_supported" {
		t.Errorf("want a FieldTypeError, got %v", err)
	}
	if (AuthorizationServerMetadata{CodeChallengeMethodsSupported: []string{"plain", "s256"}}).SupportsPKCES256() {
		t.Error("method names are case-sensitive")
	}
}

func TestDiscoverServerMetadata(t *testing.T) {
	const (
		oauthInserted = "/.well-known/oauth-authorization-server/realms/mcp"
		oidcInserted  = "/.well-known/openid-configuration/realms/mcp"
		oidcAppended  = "/realms/mcp/.well-known/openid-configuration"
		oauthAppended = "/realms/mcp/.well-known/oauth-authorization-server"
	)
	tests := []struct {
		name         string
		issuerPath   string // appended to the server URL
		setup        func(s *discoSite, issuer string)
		match        IssuerMatch
		wantURL      string
		wantSource   string
		wantOutcomes []string
		wantErr      func(t *testing.T, err error)
	}{
		{
			name: "RFC 8414 insertion first", issuerPath: "/realms/mcp",
			setup: func(s *discoSite, issuer string) {
				s.route(oauthInserted, serveJSON(asDoc(issuer)))
				s.route(oidcAppended, serveJSON(asDoc(issuer)))
			},
			wantURL: oauthInserted, wantSource: SourceOAuth, wantOutcomes: []string{"200 found"},
		},
		{
			name: "Keycloak before 26.4: only the OIDC appended form", issuerPath: "/realms/mcp",
			setup: func(s *discoSite, issuer string) {
				s.route(oidcAppended, serveJSON(asDoc(issuer)))
			},
			wantURL: oidcAppended, wantSource: SourceOIDC, wantOutcomes: []string{"404 not_here", "404 not_here", "200 found"},
		},
		{
			name: "the appended RFC 8414 form comes last", issuerPath: "/realms/mcp",
			setup: func(s *discoSite, issuer string) {
				s.route(oidcInserted, serveHTML())
				s.route(oidcAppended, serveStatus(502, "", ""))
				s.route(oauthAppended, serveJSON(asDoc(issuer)))
			},
			wantURL: oauthAppended, wantSource: SourceOAuth,
			wantOutcomes: []string{"404 not_here", "200 not_here", "502 not_here", "200 found"},
		},
		{
			name: "a trailing slash on the issuer is stripped before inserting", issuerPath: "/realms/mcp/",
			setup: func(s *discoSite, issuer string) {
				s.route(oidcInserted, serveJSON(asDoc(issuer)))
			},
			wantURL: oidcInserted, wantSource: SourceOIDC, wantOutcomes: []string{"404 not_here", "200 found"},
		},
		{
			name: "an issuer without a path has two URLs", issuerPath: "",
			setup:        func(s *discoSite, issuer string) {},
			wantOutcomes: []string{"404 not_here", "404 not_here"},
			wantErr: func(t *testing.T, err error) {
				var de *DiscoveryError
				if !errors.As(err, &de) || !strings.Contains(err.Error(), "no authorization server metadata") {
					t.Fatalf("want a DiscoveryError, got %v", err)
				}
			},
		},
		{
			name: "a wrong issuer is skipped and the next URL wins", issuerPath: "/realms/mcp",
			setup: func(s *discoSite, issuer string) {
				s.route(oauthInserted, serveJSON(asDoc("https://other.example.com")))
				s.route(oidcInserted, serveJSON(asDoc(issuer)))
			},
			wantURL: oidcInserted, wantSource: SourceOIDC, wantOutcomes: []string{"200 rejected", "200 found"},
		},
		{
			name: "a trailing-slash issuer is a mismatch by default", issuerPath: "",
			setup: func(s *discoSite, issuer string) {
				s.route("/.well-known/openid-configuration", serveJSON(asDoc(issuer+"/")))
			},
			wantOutcomes: []string{"404 not_here", "200 rejected"},
			wantErr: func(t *testing.T, err error) {
				var me *MismatchError
				if !errors.As(err, &me) || me.Field != "issuer" || me.RelaxedMode != string(IssuerMatchAllowTrailingSlash) {
					t.Fatalf("want an issuer MismatchError naming the relaxing setting, got %v", err)
				}
				if !strings.Contains(err.Error(), me.Expected+`"`) || !strings.Contains(err.Error(), me.Got) || !strings.Contains(err.Error(), "allow_trailing_slash") {
					t.Errorf("message: %s", err)
				}
			},
		},
		{
			name: "allow_trailing_slash accepts it", issuerPath: "",
			setup: func(s *discoSite, issuer string) {
				s.route("/.well-known/openid-configuration", serveJSON(asDoc(issuer+"/")))
			},
			match:   IssuerMatchAllowTrailingSlash,
			wantURL: "/.well-known/openid-configuration", wantSource: SourceOIDC, wantOutcomes: []string{"404 not_here", "200 found"},
		},
		{
			name: "allow_trailing_slash accepts nothing else", issuerPath: "/realms/mcp",
			setup: func(s *discoSite, issuer string) {
				s.route(oidcAppended, serveJSON(asDoc(issuer+"//")))
			},
			match:        IssuerMatchAllowTrailingSlash,
			wantOutcomes: []string{"404 not_here", "404 not_here", "200 rejected", "404 not_here"},
			wantErr: func(t *testing.T, err error) {
				var me *MismatchError
				if !errors.As(err, &me) || me.RelaxedMode != "" {
					t.Fatalf("want a MismatchError without a relaxing setting, got %v", err)
				}
			},
		},
		{
			name: "a 503 stops discovery", issuerPath: "/realms/mcp",
			setup: func(s *discoSite, issuer string) {
				s.route(oauthInserted, serveStatus(503, "", ""))
				s.route(oidcInserted, serveJSON(asDoc(issuer)))
			},
			wantOutcomes: []string{"503 failed"},
			wantErr: func(t *testing.T, err error) {
				var de *DiscoveryError
				if !errors.As(err, &de) || de.Err == nil {
					t.Fatalf("want a DiscoveryError with a cause, got %v", err)
				}
			},
		},
		{
			name: "JSON without issuer and a field MCP relies on of the wrong type mean try the next", issuerPath: "/realms/mcp",
			setup: func(s *discoSite, issuer string) {
				s.route(oauthInserted, serveJSON(`{"error":"not_found"}`))
				s.route(oidcInserted, serveJSON(`{"issuer":"`+issuer+`","token_endpoint":7}`))
				s.route(oidcAppended, serveJSON(asDoc(issuer)))
			},
			wantURL: oidcAppended, wantSource: SourceOIDC, wantOutcomes: []string{"200 rejected", "200 rejected", "200 found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newDiscoSite(t, false)
			issuer := s.URL + tt.issuerPath
			tt.setup(s, issuer)
			res, err := s.client(t).DiscoverServerMetadata(context.Background(), ServerMetadataRequest{Issuer: issuer, Match: tt.match})
			var attempts []Attempt
			if err == nil {
				attempts = res.Attempts
			} else {
				attempts = attemptsOf(t, err)
			}
			if !reflect.DeepEqual(outcomes(attempts), tt.wantOutcomes) {
				t.Errorf("attempts %q, want %q\n%s", outcomes(attempts), tt.wantOutcomes, FormatAttempts(attempts))
			}
			if tt.wantURL == "" {
				if err == nil {
					t.Fatalf("want an error, found %s", res.MetadataURL)
				}
				tt.wantErr(t, err)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if res.MetadataURL != s.URL+tt.wantURL || res.Source != tt.wantSource {
				t.Errorf("found at %s (%s), want %s (%s)", res.MetadataURL, res.Source, s.URL+tt.wantURL, tt.wantSource)
			}
			for _, r := range s.requests {
				if r.Header.Get("MCP-Protocol-Version") != "" {
					t.Errorf("%s is not an MCP server request but carried MCP-Protocol-Version", r.URL)
				}
			}
		})
	}
}

func TestDiscoverServerMetadataBadInput(t *testing.T) {
	c := newTestClient(t, Options{})
	for _, req := range []ServerMetadataRequest{
		{Issuer: ""},
		{Issuer: "/realms/x"},
		{Issuer: "ftp://as.example.com"},
		{Issuer: "http://keycloak:8080/realms/x"},
		{Issuer: "https://as.example.com", Match: "loose"},
		{Issuer: "https://as.example.com/realms/x?tenant=a"},
		{Issuer: "https://as.example.com?"},
		{Issuer: "https://as.example.com/#x"},
	} {
		if _, err := c.DiscoverServerMetadata(context.Background(), req); err == nil {
			t.Errorf("%+v: want an error", req)
		}
	}
}

func TestDiscoverServerMetadataTransportFailuresStop(t *testing.T) {
	untrusted := newDiscoSite(t, true)
	untrusted.route("/.well-known/openid-configuration", serveJSON(asDoc(untrusted.URL)))
	_, err := newTestClient(t, Options{}).DiscoverServerMetadata(context.Background(), ServerMetadataRequest{Issuer: untrusted.URL})
	var de *DiscoveryError
	if !errors.As(err, &de) || de.Err == nil || len(de.Attempts) != 1 || de.Attempts[0].Outcome != OutcomeFailed {
		t.Fatalf("a TLS error must stop discovery at the first URL, got %v", err)
	}

	closed := newDiscoSite(t, false)
	closed.Close()
	_, err = newTestClient(t, Options{}).DiscoverServerMetadata(context.Background(), ServerMetadataRequest{Issuer: closed.URL + "/realms/x"})
	if !errors.As(err, &de) || de.Err == nil || len(de.Attempts) != 1 || de.Attempts[0].Status != 0 {
		t.Fatalf("a network error must stop discovery at the first URL, got %v", err)
	}
}

func TestDiscoverServerMetadataRefusesIssuerQuery(t *testing.T) {
	s := newDiscoSite(t, false)
	s.route("/.well-known/oauth-authorization-server/realms/x", serveJSON(asDoc(s.URL+"/realms/x?tenant=a")))
	_, err := s.client(t).DiscoverServerMetadata(context.Background(), ServerMetadataRequest{Issuer: s.URL + "/realms/x?tenant=a"})
	if err == nil || !strings.Contains(err.Error(), "query") || !strings.Contains(err.Error(), "RFC 8414") {
		t.Fatalf("want a clear refusal, got %v", err)
	}
	if len(s.paths()) != 0 {
		t.Errorf("nothing should be fetched, got %q", s.paths())
	}
	if _, err := ServerMetadataWellKnownURLs("https://as.example.com/x?y=1"); err == nil {
		t.Error("ServerMetadataWellKnownURLs must refuse an issuer with a query too")
	}
}

func TestDecodeServerMetadataWrongTypes(t *testing.T) {
	valid := `"issuer":"https://as","authorization_endpoint":"https://as/a","token_endpoint":"https://as/t","code_challenge_methods_supported":["S256"]`
	m, err := DecodeServerMetadata([]byte(`{` + valid + `,"acr_values_supported":[0,1],"claims_supported":{"a":1},"require_pushed_authorization_requests":"maybe"}`))
	if err != nil {
		t.Fatalf("an optional field of the wrong type must not reject the document: %v", err)
	}
	want := []string{"claims_supported", "acr_values_supported", "require_pushed_authorization_requests"}
	if m.ACRValuesSupported != nil || m.ClaimsSupported != nil || !reflect.DeepEqual(m.IgnoredFields, want) || !m.SupportsPKCES256() {
		t.Fatalf("decoded %+v, ignored %q", m, m.IgnoredFields)
	}
	for _, field := range []string{"issuer", "authorization_endpoint", "token_endpoint", "registration_endpoint", "code_challenge_methods_supported"} {
		body := `{"issuer":"https://as","` + field + `":[{"x":1}]}`
		if field == "issuer" {
			body = `{"issuer":[{"x":1}]}`
		}
		var fe *FieldTypeError
		if _, err := DecodeServerMetadata([]byte(body)); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s of the wrong type: want a FieldTypeError, got %v", field, err)
		}
	}
	m, err = DecodeServerMetadata([]byte("\xef\xbb\xbf\n{" + valid + "}"))
	if err != nil || m.Issuer != "https://as" || string(m.Raw) != "{"+valid+"}" {
		t.Fatalf("a byte-order mark before the JSON: %v, raw %q", err, m.Raw)
	}
}

func TestDiscoverServerMetadataNotesIgnoredFields(t *testing.T) {
	s := newDiscoSite(t, false)
	issuer := s.URL
	s.route("/.well-known/oauth-authorization-server", serveStatus(200, "text/html; charset=utf-8",
		strings.TrimSuffix(asDoc(issuer), "}")+`,"acr_values_supported":[0,1]}`))
	res, err := s.client(t).DiscoverServerMetadata(context.Background(), ServerMetadataRequest{Issuer: issuer})
	if err != nil {
		t.Fatalf("a valid document with an odd optional field, served as text/html, must be found: %v", err)
	}
	if d := res.Attempts[0].Detail; res.Attempts[0].Outcome != OutcomeFound || !strings.Contains(d, "acr_values_supported") {
		t.Fatalf("attempt %s", res.Attempts[0])
	}
}
