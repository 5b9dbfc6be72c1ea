package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeResourceMetadata(t *testing.T) {
	full := `{
		"resource": "https://mcp.example.com/mcp",
		"authorization_servers": ["https://as.example.com"],
		"jwks_uri": "https://mcp.example.com/jwks",
		"scopes_supported": ["mcp:tools", "mcp:prompts"],
		"bearer_methods_supported": ["header"],
		"resource_signing_alg_values_supported": ["RS256"],
		"resource_name": "Example MCP",
		"resource_documentation": "https://mcp.example.com/docs",
		"resource_policy_uri": "https://mcp.example.com/policy",
		"resource_tos_uri": "https://mcp.example.com/tos",
		"tls_client_certificate_bound_access_tokens": true,
		"authorization_details_types_supported": ["payment"],
		"dpop_signing_alg_values_supported": ["ES256"],
		"dpop_bound_access_tokens_required": true,
		"signed_metadata": "eyJ.x.y",
		"x_vendor_field": {"kept": true}
	}`
	got, err := DecodeResourceMetadata([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	want := ProtectedResourceMetadata{
		Resource: "https://mcp.example.com/mcp", AuthorizationServers: []string{"https://as.example.com"},
		JWKSURI: "https://mcp.example.com/jwks", ScopesSupported: []string{"mcp:tools", "mcp:prompts"},
		BearerMethodsSupported: []string{"header"}, ResourceSigningAlgValuesSupported: []string{"RS256"},
		ResourceName: "Example MCP", ResourceDocumentation: "https://mcp.example.com/docs",
		ResourcePolicyURI: "https://mcp.example.com/policy", ResourceTOSURI: "https://mcp.example.com/tos",
		TLSClientCertificateBoundAccessTokens: true, AuthorizationDetailsTypesSupported: []string{"payment"},
		DPoPSigningAlgValuesSupported: []string{"ES256"}, DPoPBoundAccessTokensRequired: true, SignedMetadata: "eyJ.x.y",
	}
	raw := got.Raw
	got.Raw = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	var vendor map[string]any
	if err := json.Unmarshal(raw, &vendor); err != nil || vendor["x_vendor_field"] == nil {
		t.Fatalf("Raw must keep vendor fields: %s", raw)
	}
}

func TestDecodeResourceMetadataLeniencyAndErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr error // nil: decodes
		check   func(t *testing.T, m ProtectedResourceMetadata)
	}{
		{name: "scopes as a space-separated string are split", body: `{"resource":"r","scopes_supported":"a  b c"}`,
			check: func(t *testing.T, m ProtectedResourceMetadata) {
				if !reflect.DeepEqual(m.ScopesSupported, []string{"a", "b", "c"}) {
					t.Fatalf("scopes: %q", m.ScopesSupported)
				}
			}},
		{name: "a lone authorization server string becomes a list", body: `{"resource":"r","authorization_servers":"https://as"}`,
			check: func(t *testing.T, m ProtectedResourceMetadata) {
				if !reflect.DeepEqual(m.AuthorizationServers, []string{"https://as"}) {
					t.Fatalf("servers: %q", m.AuthorizationServers)
				}
			}},
		{name: "booleans as strings", body: `{"resource":"r","dpop_bound_access_tokens_required":"TRUE","tls_client_certificate_bound_access_tokens":"false"}`,
			check: func(t *testing.T, m ProtectedResourceMetadata) {
				if !m.DPoPBoundAccessTokensRequired || m.TLSClientCertificateBoundAccessTokens {
					t.Fatalf("booleans: %+v", m)
				}
			}},
		{name: "null fields are absent", body: `{"resource":"r","authorization_servers":null,"jwks_uri":null,"dpop_bound_access_tokens_required":null}`,
			check: func(t *testing.T, m ProtectedResourceMetadata) {
				if m.AuthorizationServers != nil || m.JWKSURI != "" {
					t.Fatalf("nulls: %+v", m)
				}
			}},
		{name: "missing resource", body: `{"authorization_servers":["x"]}`, wantErr: ErrMissingRequiredField},
		{name: "empty resource", body: `{"resource":" "}`, wantErr: ErrMissingRequiredField},
		{name: "resource of the wrong type", body: `{"resource":42}`, wantErr: &FieldTypeError{}},
		{name: "list with a number", body: `{"resource":"r","authorization_servers":["a",1]}`, wantErr: &FieldTypeError{}},
		{name: "an optional field of the wrong type is ignored", body: `{"resource":"r","dpop_bound_access_tokens_required":"yes","bearer_methods_supported":[1],"resource_name":{"en":"x"},"scopes_supported":["a"]}`,
			check: func(t *testing.T, m ProtectedResourceMetadata) {
				if m.DPoPBoundAccessTokensRequired || m.BearerMethodsSupported != nil || m.ResourceName != "" ||
					!reflect.DeepEqual(m.ScopesSupported, []string{"a"}) {
					t.Fatalf("wrongly typed fields must be absent: %+v", m)
				}
				want := []string{"bearer_methods_supported", "resource_name", "dpop_bound_access_tokens_required"}
				if !reflect.DeepEqual(m.IgnoredFields, want) {
					t.Fatalf("ignored %q, want %q", m.IgnoredFields, want)
				}
			}},
		{name: "authorization_servers of the wrong type rejects", body: `{"resource":"r","authorization_servers":{"a":1}}`, wantErr: &FieldTypeError{}},
		{name: "a leading byte-order mark", body: "\ufeff {\"resource\":\"r\"}",
			check: func(t *testing.T, m ProtectedResourceMetadata) {
				if m.Resource != "r" || string(m.Raw) != `{"resource":"r"}` {
					t.Fatalf("decoded %+v, raw %q", m, m.Raw)
				}
			}},
		{name: "HTML", body: `<!doctype html><html></html>`, wantErr: ErrNotJSONObject},
		{name: "JSON array", body: `[{"resource":"r"}]`, wantErr: ErrNotJSONObject},
		{name: "truncated JSON", body: `{"resource":"r"`, wantErr: ErrNotJSONObject},
		{name: "empty body", body: ``, wantErr: ErrNotJSONObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := DecodeResourceMetadata([]byte(tt.body))
			var wantFieldType *FieldTypeError
			switch {
			case tt.wantErr == nil:
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tt.check(t, m)
			case errors.As(tt.wantErr, &wantFieldType):
				var fe *FieldTypeError
				if !errors.As(err, &fe) {
					t.Fatalf("want a FieldTypeError, got %v", err)
				}
			default:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("want %v, got %v", tt.wantErr, err)
				}
			}
		})
	}
}

func TestResourceMetadataWellKnownURLs(t *testing.T) {
	tests := []struct {
		resource string
		want     []string
	}{
		{"https://api.example.com/v1/mcp", []string{
			"https://api.example.com/.well-known/oauth-protected-resource/v1/mcp",
			"https://api.example.com/.well-known/oauth-protected-resource"}},
		{"https://api.example.com", []string{"https://api.example.com/.well-known/oauth-protected-resource"}},
		{"https://api.example.com/", []string{"https://api.example.com/.well-known/oauth-protected-resource"}},
		{"http://127.0.0.1:8080/mcp?tenant=a", []string{
			"http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp?tenant=a",
			"http://127.0.0.1:8080/.well-known/oauth-protected-resource"}},
		// RFC 9728 section 3.1: the query is kept, also without a path, and a
		// terminating slash after the host is removed first.
		{"https://h?x=1", []string{
			"https://h/.well-known/oauth-protected-resource?x=1",
			"https://h/.well-known/oauth-protected-resource"}},
		{"https://h/?x=1", []string{
			"https://h/.well-known/oauth-protected-resource?x=1",
			"https://h/.well-known/oauth-protected-resource"}},
		{"https://h/mcp?x=1&y=%2F", []string{
			"https://h/.well-known/oauth-protected-resource/mcp?x=1&y=%2F",
			"https://h/.well-known/oauth-protected-resource"}},
		{"https://h/?", []string{"https://h/.well-known/oauth-protected-resource"}},
		{"https://api.example.com/a%2Fb/mcp/", []string{
			"https://api.example.com/.well-known/oauth-protected-resource/a%2Fb/mcp/",
			"https://api.example.com/.well-known/oauth-protected-resource"}},
	}
	for _, tt := range tests {
		got, err := ResourceMetadataWellKnownURLs(tt.resource)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, %v; want %q", tt.resource, got, err, tt.want)
		}
	}
}

func TestResourceMatches(t *testing.T) {
	tests := []struct {
		mode           ResourceMatch
		requested, got string
		want           bool
	}{
		{ResourceMatchExact, "https://a.example/mcp", "https://a.example/mcp", true},
		{ResourceMatchExact, "https://a.example/mcp", "https://a.example/mcp/", false},
		{ResourceMatchExact, "https://a.example/mcp", "https://a.example/", false},
		{ResourceMatchExact, "https://a.example/mcp", "https://A.example/mcp", false},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://a.example/", true},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://a.example", true},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://a.example/mcp/", true},
		{ResourceMatchSameOriginPrefix, "https://a.example/v1/mcp", "https://a.example/v1", true},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://A.EXAMPLE:443/mcp", true},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://a.example/mc", false},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://a.example/mcp/sub", false},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://b.example/mcp", false},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "http://a.example/mcp", false},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://a.example:8443/mcp", false},
		{ResourceMatchSameOriginPrefix, "https://a.example/mcp", "https://a.example/?x=1", false},
	}
	for _, tt := range tests {
		if got := resourceMatches(tt.mode, tt.requested, tt.got); got != tt.want {
			t.Errorf("resourceMatches(%s, %q, %q) = %v", tt.mode, tt.requested, tt.got, got)
		}
	}
}

func TestDiscoverResourceMetadata(t *testing.T) {
	const pathAware = "/.well-known/oauth-protected-resource/mcp"
	const root = "/.well-known/oauth-protected-resource"
	tests := []struct {
		name         string
		setup        func(s *discoSite) // routes; the resource is s.URL+"/mcp"
		match        ResourceMatch
		wantURL      string // path where the document is found; "" means an error
		wantOutcomes []string
		wantErr      func(t *testing.T, err error)
	}{
		{
			name: "the challenge's URL comes first",
			setup: func(s *discoSite) {
				s.route("POST /mcp", serveChallenge(401, `Bearer resource_metadata="`+s.URL+`/custom/prm", scope="mcp:tools"`))
				s.route("/custom/prm", serveJSON(prmDoc(s.URL+"/mcp", "https://as.example.com")))
				s.route(pathAware, serveStatus(500, "", ""))
			},
			wantURL:      "/custom/prm",
			wantOutcomes: []string{"401 found", "200 found"},
		},
		{
			name: "without a challenge the path-aware URL is next",
			setup: func(s *discoSite) {
				s.route("POST /mcp", serveStatus(401, "", ""))
				s.route(pathAware, serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantURL:      pathAware,
			wantOutcomes: []string{"401 not_here", "200 found"},
		},
		{
			name: "404 on the path-aware URL falls back to the root",
			setup: func(s *discoSite) {
				s.route("POST /mcp", serveChallenge(401, `Bearer realm="mcp"`))
				s.route(root, serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantURL:      root,
			wantOutcomes: []string{"401 not_here", "404 not_here", "200 found"},
		},
		{
			name: "an HTML catch-all answering 200 is not a document",
			setup: func(s *discoSite) {
				s.route(pathAware, serveHTML())
				s.route(root, serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantURL:      root,
			wantOutcomes: []string{"404 not_here", "200 not_here", "200 found"},
		},
		{
			name: "a 502 from a proxy means try the next",
			setup: func(s *discoSite) {
				s.route("POST /mcp", serveStatus(502, "text/plain", "bad gateway"))
				s.route(pathAware, serveStatus(502, "text/plain", "bad gateway"))
				s.route(root, serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantURL:      root,
			wantOutcomes: []string{"502 not_here", "502 not_here", "200 found"},
		},
		{
			name: "non-JSON text and JSON without resource mean try the next",
			setup: func(s *discoSite) {
				s.route(pathAware, serveStatus(200, "text/plain", "hello"))
				s.route(root, serveJSON(`{"issuer":"https://as"}`))
			},
			wantOutcomes: []string{"404 not_here", "200 not_here", "200 rejected"},
			wantErr: func(t *testing.T, err error) {
				var de *DiscoveryError
				if !errors.As(err, &de) || de.Err != nil {
					t.Fatalf("want a DiscoveryError without a cause, got %v", err)
				}
				for _, want := range []string{"no protected resource metadata", pathAware, root, "not a JSON object", `"resource"`} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("message lacks %q:\n%s", want, err)
					}
				}
			},
		},
		{
			name: "a 500 stops discovery",
			setup: func(s *discoSite) {
				s.route(pathAware, serveStatus(500, "application/json", `{"error":"boom","access_token":"leak"}`))
				s.route(root, serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantOutcomes: []string{"404 not_here", "500 failed"},
			wantErr: func(t *testing.T, err error) {
				var de *DiscoveryError
				if !errors.As(err, &de) || de.Err == nil || !strings.Contains(err.Error(), "stopped on an error") {
					t.Fatalf("want a DiscoveryError with a cause, got %v", err)
				}
				if !strings.Contains(err.Error(), "boom") || strings.Contains(err.Error(), "leak") {
					t.Errorf("the message should quote the server, redacted: %s", err)
				}
			},
		},
		{
			name: "an oversized body stops discovery",
			setup: func(s *discoSite) {
				s.route(pathAware, serveJSON(`{"resource":"`+strings.Repeat("a", 70<<10)+`"}`))
				s.route(root, serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantOutcomes: []string{"404 not_here", "200 failed"},
			wantErr: func(t *testing.T, err error) {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("want ErrResponseTooLarge, got %v", err)
				}
			},
		},
		{
			name: "a wrong resource is rejected and reported with the relaxing setting",
			setup: func(s *discoSite) {
				s.route(pathAware, serveJSON(prmDoc(s.URL+"/")))
			},
			wantOutcomes: []string{"404 not_here", "200 rejected", "404 not_here"},
			wantErr: func(t *testing.T, err error) {
				var me *MismatchError
				if !errors.As(err, &me) || me.Field != "resource" || me.RelaxedMode != string(ResourceMatchSameOriginPrefix) {
					t.Fatalf("want a resource MismatchError with a relaxing setting, got %v", err)
				}
				if !strings.Contains(err.Error(), me.Expected) || !strings.Contains(err.Error(), me.Got) {
					t.Errorf("message must show both values: %s", err)
				}
			},
		},
		{
			name: "same_origin_prefix accepts a root resource",
			setup: func(s *discoSite) {
				s.route(pathAware, serveJSON(prmDoc(s.URL+"/")))
			},
			match:        ResourceMatchSameOriginPrefix,
			wantURL:      pathAware,
			wantOutcomes: []string{"404 not_here", "200 found"},
		},
		{
			name: "a resource on another origin matches in no mode",
			setup: func(s *discoSite) {
				s.route(root, serveJSON(prmDoc("https://elsewhere.example/mcp")))
			},
			match:        ResourceMatchSameOriginPrefix,
			wantOutcomes: []string{"404 not_here", "404 not_here", "200 rejected"},
			wantErr: func(t *testing.T, err error) {
				var me *MismatchError
				if !errors.As(err, &me) || me.RelaxedMode != "" || !strings.Contains(err.Error(), "no match mode accepts it") {
					t.Fatalf("want a MismatchError without a relaxing setting, got %v", err)
				}
			},
		},
		{
			name: "the root URL's document may name the origin (RFC 9728 section 3.3)",
			setup: func(s *discoSite) {
				s.route(root, serveJSON(prmDoc(s.URL)))
			},
			wantURL:      root,
			wantOutcomes: []string{"404 not_here", "404 not_here", "200 found"},
		},
		{
			name: "the root URL's document may name the origin with a slash",
			setup: func(s *discoSite) {
				s.route(root, serveJSON(prmDoc(s.URL+"/")))
			},
			wantURL:      root,
			wantOutcomes: []string{"404 not_here", "404 not_here", "200 found"},
		},
		{
			name: "the root URL's document may not name another path",
			setup: func(s *discoSite) {
				s.route(root, serveJSON(prmDoc(s.URL+"/other")))
			},
			wantOutcomes: []string{"404 not_here", "404 not_here", "200 rejected"},
			wantErr: func(t *testing.T, err error) {
				var me *MismatchError
				if !errors.As(err, &me) || me.Field != "resource" {
					t.Fatalf("want a resource MismatchError, got %v", err)
				}
			},
		},
		{
			name: "the path-aware and challenge URLs' documents may not name the origin",
			setup: func(s *discoSite) {
				s.route("POST /mcp", serveChallenge(401, `Bearer resource_metadata="`+s.URL+`/custom/prm"`))
				s.route("/custom/prm", serveJSON(prmDoc(s.URL)))
				s.route(pathAware, serveJSON(prmDoc(s.URL)))
			},
			wantOutcomes: []string{"401 found", "200 rejected", "200 rejected", "404 not_here"},
			wantErr: func(t *testing.T, err error) {
				var me *MismatchError
				if !errors.As(err, &me) || me.Field != "resource" {
					t.Fatalf("want a resource MismatchError, got %v", err)
				}
			},
		},
		{
			name: "a redirect chain is followed",
			setup: func(s *discoSite) {
				s.route(pathAware, redirectTo("/hop1"))
				s.route("/hop1", redirectTo("/hop2"))
				s.route("/hop2", serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantURL:      pathAware,
			wantOutcomes: []string{"404 not_here", "200 found"},
		},
		{
			name: "an insecure challenge URL is not fetched",
			setup: func(s *discoSite) {
				s.route("POST /mcp", serveChallenge(401, `Bearer resource_metadata="http://metadata.example.com/prm"`))
				s.route(pathAware, serveJSON(prmDoc(s.URL+"/mcp")))
			},
			wantURL:      pathAware,
			wantOutcomes: []string{"401 found", "0 rejected", "200 found"},
		},
		{
			name:         "nothing anywhere lists every URL",
			setup:        func(s *discoSite) {},
			wantOutcomes: []string{"404 not_here", "404 not_here", "404 not_here"},
			wantErr: func(t *testing.T, err error) {
				var de *DiscoveryError
				if !errors.As(err, &de) || len(de.Attempts) != 3 || !strings.Contains(err.Error(), "3. ") {
					t.Fatalf("want every attempt listed, got %v", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newDiscoSite(t, false)
			tt.setup(s)
			res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp", Match: tt.match})
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
			if res.MetadataURL != s.URL+tt.wantURL {
				t.Errorf("found at %s, want %s", res.MetadataURL, s.URL+tt.wantURL)
			}
			if !strings.Contains(string(res.Metadata.Raw), "x_vendor") {
				t.Errorf("raw JSON lost vendor fields: %s", res.Metadata.Raw)
			}
		})
	}
}

func TestDiscoverResourceMetadataProbe(t *testing.T) {
	s := newDiscoSite(t, false)
	var probe struct {
		header http.Header
		body   string
	}
	s.route("POST /mcp", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		probe.header, probe.body = r.Header.Clone(), string(b)
		w.Header().Add("WWW-Authenticate", `Basic realm="legacy"`)
		w.Header().Add("WWW-Authenticate", `Bearer error="insufficient_scope", scope="mcp:tools mcp:admin", resource_metadata="`+s.URL+`/prm", error_description="more scope"`)
		w.WriteHeader(http.StatusForbidden)
	})
	s.route("/prm", serveJSON(prmDoc(s.URL+"/mcp", "https://as.example.com")))

	res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
	if err != nil {
		t.Fatal(err)
	}
	want := BearerChallenge{ResourceMetadata: s.URL + "/prm", Scope: "mcp:tools mcp:admin", Error: "insufficient_scope", ErrorDescription: "more scope"}
	if res.Challenge == nil || *res.Challenge != want {
		t.Fatalf("challenge %+v, want %+v", res.Challenge, want)
	}
	if probe.header.Get("MCP-Protocol-Version") != MCPProtocolVersion ||
		probe.header.Get("Accept") != "application/json, text/event-stream" || probe.header.Get("Authorization") != "" {
		t.Errorf("probe headers: %v", probe.header)
	}
	var rpc struct {
		JSONRPC, Method string
	}
	if err := json.Unmarshal([]byte(probe.body), &rpc); err != nil || rpc.JSONRPC != "2.0" || rpc.Method != "initialize" {
		t.Errorf("probe body %s", probe.body)
	}
	for _, r := range s.requests[1:] {
		if r.Header.Get("MCP-Protocol-Version") != MCPProtocolVersion {
			t.Errorf("%s %s lacks MCP-Protocol-Version", r.Method, r.URL)
		}
	}
}

func TestDiscoverResourceMetadataProbeStreamIsNotRead(t *testing.T) {
	s := newDiscoSite(t, false)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s.route("POST /mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("event: message\ndata: {}\n\n"))
		w.(http.Flusher).Flush()
		select { // an endless stream
		case <-release:
		case <-time.After(10 * time.Second):
		}
	})
	s.route("/.well-known/oauth-protected-resource", serveJSON(prmDoc(s.URL+"/mcp")))
	done := make(chan error, 1)
	go func() {
		_, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("discovery waited for the end of an event stream")
	}
}

func TestDiscoverResourceMetadataFromMetadataURL(t *testing.T) {
	s := newDiscoSite(t, false)
	s.route("/meta", serveJSON(prmDoc("https://mcp.example.com/mcp")))
	res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{MetadataURL: s.URL + "/meta"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.paths(); !reflect.DeepEqual(got, []string{"GET /meta"}) {
		t.Fatalf("with a metadata URL only that URL is fetched, got %q", got)
	}
	if res.Challenge != nil || res.Metadata.Resource != "https://mcp.example.com/mcp" || len(res.Attempts) != 1 {
		t.Fatalf("result %+v", res)
	}

	// With both, the resource is still checked.
	_, err = s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{MetadataURL: s.URL + "/meta", ResourceURL: "https://mcp.example.com/other"})
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("want a MismatchError, got %v", err)
	}
}

func TestDiscoverResourceMetadataBadInput(t *testing.T) {
	c := newTestClient(t, Options{})
	for _, req := range []ResourceMetadataRequest{
		{},
		{ResourceURL: "mcp.example.com/mcp"},
		{ResourceURL: "https://mcp.example.com/mcp#frag"},
		{ResourceURL: "http://mcp.example.com/mcp"},
		{ResourceURL: "https://mcp.example.com/mcp", Match: "fuzzy"},
	} {
		if _, err := c.DiscoverResourceMetadata(context.Background(), req); err == nil {
			t.Errorf("%+v: want an error", req)
		}
	}
}

func TestDiscoverResourceMetadataRedirectDowngradeMovesOn(t *testing.T) {
	plain := newDiscoSite(t, false)
	plain.route("/prm", serveJSON(`{"resource":"x"}`))
	s := newDiscoSite(t, true)
	s.route("POST /mcp", serveStatus(401, "", ""))
	s.route("/.well-known/oauth-protected-resource/mcp", redirectTo(plain.URL+"/prm"))
	s.route("/.well-known/oauth-protected-resource", serveJSON(prmDoc(s.URL+"/mcp")))
	res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res.Attempts); !reflect.DeepEqual(got, []string{"401 not_here", "0 rejected", "200 found"}) {
		t.Fatalf("attempts %q\n%s", got, FormatAttempts(res.Attempts))
	}
	if !strings.Contains(res.Attempts[1].Detail, "downgrades https to http") {
		t.Errorf("detail: %s", res.Attempts[1].Detail)
	}
	if len(plain.paths()) != 0 {
		t.Errorf("the downgraded URL was fetched: %q", plain.paths())
	}
}

func TestDiscoverResourceMetadataMalformedChallenge(t *testing.T) {
	tests := []struct {
		name        string
		challenges  []string
		wantPRM     bool   // the challenge's resource_metadata was used
		wantScope   string // from the challenge
		wantDetail  string // in the probe attempt's detail
		maxDetail   int
		invalidUTF8 bool
	}{
		{name: "a bad challenge before the Bearer one", challenges: []string{`Foo bar baz, Bearer resource_metadata="%s/prm", scope="a"`},
			wantPRM: true, wantScope: "a", wantDetail: "malformed"},
		{name: "missing comma", challenges: []string{`Bearer resource_metadata="%s/prm" scope="a"`},
			wantPRM: true, wantScope: "a", wantDetail: "missing comma"},
		{name: "empty value", challenges: []string{`Bearer resource_metadata="%s/prm", scope=`},
			wantPRM: true, wantDetail: "empty value"},
		{name: "a long malformed header is shortened", challenges: []string{`Bearer resource_metadata="%s/prm", realm="` + strings.Repeat("x", 4000)},
			wantPRM: true, wantDetail: "malformed", maxDetail: 600},
		{name: "a malformed header without a Bearer challenge is shortened", challenges: []string{`Basic realm="` + strings.Repeat("x", 4000) + `%s`},
			wantDetail: "malformed WWW-Authenticate", maxDetail: 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newDiscoSite(t, false)
			values := make([]string, len(tt.challenges))
			for i, c := range tt.challenges {
				values[i] = fmt.Sprintf(c, s.URL)
			}
			s.route("POST /mcp", serveChallenge(http.StatusUnauthorized, values...))
			s.route("/prm", serveJSON(prmDoc(s.URL+"/mcp")))
			s.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(s.URL+"/mcp")))
			res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.MetadataURL == s.URL+"/prm"; got != tt.wantPRM {
				t.Errorf("found at %s", res.MetadataURL)
			}
			if tt.wantPRM && (res.Challenge == nil || res.Challenge.Scope != tt.wantScope) {
				t.Errorf("challenge %+v, want scope %q", res.Challenge, tt.wantScope)
			}
			detail := res.Attempts[0].Detail
			if !strings.Contains(detail, tt.wantDetail) {
				t.Errorf("probe detail %q lacks %q", detail, tt.wantDetail)
			}
			if tt.maxDetail > 0 && len(detail) > tt.maxDetail {
				t.Errorf("probe detail is %d bytes: %.200s", len(detail), detail)
			}
		})
	}
}

func TestDiscoverResourceMetadataInvalidUTF8(t *testing.T) {
	s := newDiscoSite(t, false)
	s.route("POST /mcp", serveChallenge(http.StatusUnauthorized, `Bearer resource_metadata="`+s.URL+"/\xff\"\xfe"))
	_, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/mcp"})
	if err == nil {
		t.Fatal("want an error")
	}
	attempts := attemptsOf(t, err)
	if len(attempts) < 2 || !strings.HasSuffix(attempts[1].URL, "/\xff") {
		t.Fatalf("the challenge's URL should be tried as sent: %q", FormatAttempts(attempts))
	}
	for _, msg := range []string{err.Error(), FormatAttempts(attempts), attempts[0].String()} {
		if !utf8.ValidString(msg) {
			t.Errorf("message is not valid UTF-8: %q", msg)
		}
	}
}

func TestDiscoverResourceMetadataQueryWellKnown(t *testing.T) {
	s := newDiscoSite(t, false)
	s.route("POST /?tenant=a", serveStatus(http.StatusUnauthorized, "", ""))
	s.route("/.well-known/oauth-protected-resource?tenant=a", serveJSON(prmDoc(s.URL+"/?tenant=a")))
	res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{ResourceURL: s.URL + "/?tenant=a"})
	if err != nil {
		t.Fatal(err)
	}
	if res.MetadataURL != s.URL+"/.well-known/oauth-protected-resource?tenant=a" {
		t.Fatalf("found at %s\n%s", res.MetadataURL, FormatAttempts(res.Attempts))
	}
}

func TestDiscoverResourceMetadataIgnoredFieldsAndContentTypes(t *testing.T) {
	tests := []struct {
		name       string
		handler    func(resource string) http.HandlerFunc
		wantOK     bool
		wantDetail string
	}{
		{name: "an optional field of the wrong type is noted", wantOK: true, wantDetail: "ignored fields of the wrong type (treated as absent): resource_name",
			handler: func(r string) http.HandlerFunc { return serveJSON(`{"resource":"` + r + `","resource_name":7}`) }},
		{name: "a byte-order mark before the JSON", wantOK: true,
			handler: func(r string) http.HandlerFunc { return serveJSON("\ufeff" + prmDoc(r)) }},
		{name: "a JSON object served as text/html", wantOK: true,
			handler: func(r string) http.HandlerFunc { return serveStatus(200, "text/html", "\n "+prmDoc(r)) }},
		{name: "an HTML page is not here", wantDetail: "an HTML page",
			handler: func(string) http.HandlerFunc { return serveHTML() }},
		{name: "authorization_servers of the wrong type rejects", wantDetail: "authorization_servers",
			handler: func(r string) http.HandlerFunc {
				return serveJSON(`{"resource":"` + r + `","authorization_servers":[1]}`)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newDiscoSite(t, false)
			s.route("/meta", tt.handler(s.URL+"/mcp"))
			res, err := s.client(t).DiscoverResourceMetadata(context.Background(), ResourceMetadataRequest{MetadataURL: s.URL + "/meta", ResourceURL: s.URL + "/mcp"})
			var attempts []Attempt
			if err == nil {
				attempts = res.Attempts
			} else {
				attempts = attemptsOf(t, err)
			}
			if (err == nil) != tt.wantOK {
				t.Fatalf("err = %v\n%s", err, FormatAttempts(attempts))
			}
			if !strings.Contains(attempts[0].Detail, tt.wantDetail) {
				t.Errorf("detail %q lacks %q", attempts[0].Detail, tt.wantDetail)
			}
			if err == nil && !json.Valid(res.Metadata.Raw) {
				t.Errorf("raw %q", res.Metadata.Raw)
			}
		})
	}
}
