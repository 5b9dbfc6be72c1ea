package oauth

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// rules returns the Rule of every problem, errors and warnings marked.
func rules(problems []CIMDProblem) []string {
	var out []string
	for _, p := range problems {
		r := p.Rule
		if p.Warning {
			r = "warning: " + r
		}
		out = append(out, r)
	}
	return out
}

func hasRule(problems []CIMDProblem, substr string, warning bool) bool {
	for _, p := range problems {
		if strings.Contains(p.Rule, substr) && p.Warning == warning {
			return true
		}
	}
	return false
}

func TestCheckClientIDURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		want    string // substring of a rule; "" means no problem at all
		warning bool
	}{
		{url: "https://client.example.com/client.json"},
		{url: "https://client.example.com:8443/mcp/client"},
		{url: "http://client.example.com/client.json", want: "must use https"},
		{url: "HTTPS://client.example.com/client.json", want: "must use https"},
		{url: "https://client.example.com", want: "must contain a path"},
		{url: "https://client.example.com/", want: "root path", warning: true},
		{url: "https://client.example.com/a/../b", want: "dot segments"},
		{url: "https://client.example.com/a/./b", want: "dot segments"},
		{url: "https://client.example.com/a/%2E%2E/b", want: "dot segments"},
		{url: "https://client.example.com/a/..b", want: ""},
		{url: "https://user:pw@client.example.com/c", want: "userinfo"},
		{url: "https://client.example.com/c#frag", want: "fragment"},
		{url: "https://client.example.com/c#", want: "fragment"},
		{url: "https://client.example.com/c?v=1", want: "query", warning: true},
		{url: "https:client.json", want: "must have a host"},
		{url: "", want: "must be an https URL"},
		{url: "https://client.example.com/a b", want: "whitespace"},
		{url: "https://cli\x00ent/", want: "valid URL"},
	} {
		got := CheckClientIDURL(tc.url)
		if tc.want == "" {
			if len(got) != 0 {
				t.Errorf("%q: want no problem, got %v", tc.url, rules(got))
			}
			continue
		}
		if !hasRule(got, tc.want, tc.warning) {
			t.Errorf("%q: want a rule with %q (warning %v), got %v", tc.url, tc.want, tc.warning, rules(got))
		}
	}
}

const docURL = "https://client.example.com/client.json"

func goodFields() map[string]json.RawMessage {
	return map[string]json.RawMessage{
		"client_id":                  json.RawMessage(`"` + docURL + `"`),
		"client_name":                json.RawMessage(`"Agent"`),
		"redirect_uris":              json.RawMessage(`["http://127.0.0.1:8888/callback"]`),
		"token_endpoint_auth_method": json.RawMessage(`"none"`),
		"grant_types":                json.RawMessage(`["authorization_code"]`),
	}
}

func TestCheckClientMetadataDocument(t *testing.T) {
	for name, tc := range map[string]struct {
		edit    func(map[string]json.RawMessage)
		want    string
		field   string
		warning bool
	}{
		"valid public client": {edit: func(map[string]json.RawMessage) {}},
		"valid private_key_jwt client": {edit: func(f map[string]json.RawMessage) {
			f["token_endpoint_auth_method"] = json.RawMessage(`"private_key_jwt"`)
			f["jwks"] = json.RawMessage(`{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"k1"}]}`)
			f["grant_types"] = json.RawMessage(`["authorization_code","client_credentials"]`)
		}},
		"client_id differs": {edit: func(f map[string]json.RawMessage) {
			f["client_id"] = json.RawMessage(`"https://client.example.com/client.json/"`)
		}, want: "identical to the document's URL", field: "client_id"},
		"client_id missing": {edit: func(f map[string]json.RawMessage) { delete(f, "client_id") }, want: "must contain client_id", field: "client_id"},
		"client_id not a string": {edit: func(f map[string]json.RawMessage) {
			f["client_id"] = json.RawMessage(`1`)
		}, want: "must be a string", field: "client_id"},
		"client_name missing":   {edit: func(f map[string]json.RawMessage) { delete(f, "client_name") }, want: "client_name", field: "client_name"},
		"client_name blank":     {edit: func(f map[string]json.RawMessage) { f["client_name"] = json.RawMessage(`" "`) }, want: "client_name", field: "client_name"},
		"redirect_uris missing": {edit: func(f map[string]json.RawMessage) { delete(f, "redirect_uris") }, want: "redirect_uris", field: "redirect_uris"},
		"redirect_uris empty":   {edit: func(f map[string]json.RawMessage) { f["redirect_uris"] = json.RawMessage(`[]`) }, want: "redirect_uris", field: "redirect_uris"},
		"redirect_uris wrong type": {edit: func(f map[string]json.RawMessage) {
			f["redirect_uris"] = json.RawMessage(`"http://x/cb"`)
		}, want: "array of strings", field: "redirect_uris"},
		"redirect uri relative": {edit: func(f map[string]json.RawMessage) { f["redirect_uris"] = json.RawMessage(`["/cb"]`) }, want: "absolute URI", field: "redirect_uris"},
		"redirect uri fragment": {edit: func(f map[string]json.RawMessage) {
			f["redirect_uris"] = json.RawMessage(`["https://a.example/cb#x"]`)
		}, want: "absolute URI", field: "redirect_uris"},
		"client_secret":            {edit: func(f map[string]json.RawMessage) { f["client_secret"] = json.RawMessage(`"s"`) }, want: "client_secret must not be used", field: "client_secret"},
		"client_secret_expires_at": {edit: func(f map[string]json.RawMessage) { f["client_secret_expires_at"] = json.RawMessage(`0`) }, want: "must not be used", field: "client_secret_expires_at"},
		"registration_access_token": {edit: func(f map[string]json.RawMessage) {
			f["registration_access_token"] = json.RawMessage(`"t"`)
		}, want: "issued by a registration", field: "registration_access_token"},
		"auth method absent": {edit: func(f map[string]json.RawMessage) { delete(f, "token_endpoint_auth_method") }, want: "must be set", field: "token_endpoint_auth_method"},
		"client_secret_basic": {edit: func(f map[string]json.RawMessage) {
			f["token_endpoint_auth_method"] = json.RawMessage(`"client_secret_basic"`)
		}, want: "shared secret", field: "token_endpoint_auth_method"},
		"client_secret_post": {edit: func(f map[string]json.RawMessage) {
			f["token_endpoint_auth_method"] = json.RawMessage(`"client_secret_post"`)
		}, want: "shared secret", field: "token_endpoint_auth_method"},
		"client_secret_jwt": {edit: func(f map[string]json.RawMessage) {
			f["token_endpoint_auth_method"] = json.RawMessage(`"client_secret_jwt"`)
		}, want: "shared secret", field: "token_endpoint_auth_method"},
		"private_key_jwt without keys": {edit: func(f map[string]json.RawMessage) {
			f["token_endpoint_auth_method"] = json.RawMessage(`"private_key_jwt"`)
		}, want: "public keys", field: "token_endpoint_auth_method"},
		"jwks and jwks_uri": {edit: func(f map[string]json.RawMessage) {
			f["jwks"] = json.RawMessage(`{"keys":[]}`)
			f["jwks_uri"] = json.RawMessage(`"https://client.example.com/jwks"`)
		}, want: "both", field: "jwks"},
		"private key in jwks": {edit: func(f map[string]json.RawMessage) {
			f["token_endpoint_auth_method"] = json.RawMessage(`"private_key_jwt"`)
			f["jwks"] = json.RawMessage(`{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"secret"}]}`)
		}, want: "only public keys", field: "jwks"},
		"symmetric key in jwks": {edit: func(f map[string]json.RawMessage) {
			f["jwks"] = json.RawMessage(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`)
		}, want: "only public keys", field: "jwks"},
		"jwks not a set": {edit: func(f map[string]json.RawMessage) { f["jwks"] = json.RawMessage(`[1]`) }, want: "only public keys", field: "jwks"},
		"jwks_uri http": {edit: func(f map[string]json.RawMessage) {
			f["token_endpoint_auth_method"] = json.RawMessage(`"private_key_jwt"`)
			f["jwks_uri"] = json.RawMessage(`"http://client.example.com/jwks"`)
		}, want: "jwks_uri must be an https URL", field: "jwks_uri"},
		"public client with client_credentials": {edit: func(f map[string]json.RawMessage) {
			f["grant_types"] = json.RawMessage(`["client_credentials"]`)
		}, want: "client_credentials needs client authentication", field: "grant_types"},
		"logo over http": {edit: func(f map[string]json.RawMessage) {
			f["logo_uri"] = json.RawMessage(`"http://client.example.com/logo.png"`)
		}, want: "should use https", field: "logo_uri", warning: true},
		"policy javascript": {edit: func(f map[string]json.RawMessage) {
			f["policy_uri"] = json.RawMessage(`"javascript:alert(1)"`)
		}, want: "absolute URL", field: "policy_uri"},
	} {
		t.Run(name, func(t *testing.T) {
			f := goodFields()
			tc.edit(f)
			got := CheckClientMetadataDocument(docURL, f)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("want no problem, got %v", rules(got))
				}
				return
			}
			for _, p := range got {
				if strings.Contains(p.Rule, tc.want) && p.Warning == tc.warning {
					if p.Field != tc.field {
						t.Errorf("rule %q on field %q, want %q", p.Rule, p.Field, tc.field)
					}
					if p.Source == "" || p.Detail == "" {
						t.Errorf("rule %q lacks a source or a detail: %+v", p.Rule, p)
					}
					return
				}
			}
			t.Fatalf("want a rule with %q (warning %v), got %v", tc.want, tc.warning, rules(got))
		})
	}
}

func TestRenderClientMetadataDocument(t *testing.T) {
	m := ClientMetadata{
		ClientName:              "Agent <one> & two",
		RedirectURIs:            []string{"http://127.0.0.1:8888/callback"},
		TokenEndpointAuthMethod: "private_key_jwt",
		GrantTypes:              []string{"authorization_code"},
		JWKS:                    json.RawMessage(`{ "keys": [ { "y":"b", "x":"a", "kty":"EC", "crv":"P-256" } ] }`),
	}
	doc, err := RenderClientMetadataDocument(docURL, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"client_id":"https://client.example.com/client.json","client_name":"Agent <one> & two","grant_types":["authorization_code"],` +
		`"jwks":{"keys":[{"crv":"P-256","kty":"EC","x":"a","y":"b"}]},"redirect_uris":["http://127.0.0.1:8888/callback"],"token_endpoint_auth_method":"private_key_jwt"}`
	if string(doc.JSON) != want {
		t.Fatalf("canonical JSON:\n got %s\nwant %s", doc.JSON, want)
	}
	if doc.SHA256 != SHA256Hex([]byte(want)) || len(doc.SHA256) != 64 {
		t.Fatalf("sha256 %s", doc.SHA256)
	}
	if len(doc.Problems) != 0 {
		t.Fatalf("problems: %v", rules(doc.Problems))
	}
	// Rendering is stable whatever the input order.
	m.JWKS = json.RawMessage(`{"keys":[{"crv":"P-256","kty":"EC","x":"a","y":"b"}]}`)
	again, _ := RenderClientMetadataDocument(docURL, m, 0)
	if again.SHA256 != doc.SHA256 {
		t.Fatal("the same content rendered to different bytes")
	}

	// Too large for the limit.
	small, _ := RenderClientMetadataDocument(docURL, m, 100)
	if !hasRule(small.Problems, "too large", false) {
		t.Fatalf("want a size problem, got %v", rules(small.Problems))
	}
	// client_id cannot come in through Extra.
	m.Extra = map[string]json.RawMessage{"client_id": json.RawMessage(`"x"`)}
	if _, err := RenderClientMetadataDocument(docURL, m, 0); err == nil {
		t.Fatal("client_id in the metadata must be refused")
	}
}

func TestCanonicalJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"b":1,"a":{"d":[3,2],"c":1.50}}`: `{"a":{"c":1.50,"d":[3,2]},"b":1}`,
		` [ "<&>" ] `:                      `["<&>"]`,
		`"x"`:                              `"x"`,
	} {
		got, err := CanonicalJSON([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("%s: got %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{``, `{`, `{} {}`, `{"a":}`} {
		if _, err := CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// cimdHost is a TLS test server hosting documents; a client trusting its
// certificate fetches from it.
func cimdHost(t *testing.T, h http.HandlerFunc) (*httptest.Server, *Client) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	c, err := NewClient(Options{CACertPEM: caPEM})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestFetchClientMetadataDocument(t *testing.T) {
	render := func(url string) []byte {
		doc, err := RenderClientMetadataDocument(url, ClientMetadata{
			ClientName: "Agent", RedirectURIs: []string{"http://127.0.0.1:8888/callback"}, TokenEndpointAuthMethod: "none",
		}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return doc.JSON
	}
	type served struct {
		status int
		ctype  string
		body   func(url string) []byte
		header map[string]string
	}
	for name, tc := range map[string]struct {
		serve    served
		expected func(url string) []byte
		maxBytes int
		want     string // substring of a rule; "" means accepted
	}{
		"accepted, same as rendered": {serve: served{200, "application/json; charset=utf-8", render, nil}, expected: render},
		"accepted, pretty-printed": {serve: served{200, "application/json", func(u string) []byte {
			var v any
			_ = json.Unmarshal(render(u), &v)
			b, _ := json.MarshalIndent(v, "", "  ")
			return b
		}, nil}, expected: render},
		"+json type": {serve: served{200, "application/vnd.example+json", render, nil}},
		"redirect": {serve: served{302, "text/plain", func(string) []byte { return nil }, map[string]string{"Location": "/elsewhere.json"}},
			want: "must not redirect"},
		"not found":     {serve: served{404, "text/plain", func(string) []byte { return []byte("nope") }, nil}, want: "200 OK"},
		"html":          {serve: served{200, "text/html", render, nil}, want: "served as JSON"},
		"no type":       {serve: served{200, "", render, nil}, want: "served as JSON"},
		"not an object": {serve: served{200, "application/json", func(string) []byte { return []byte(`["x"]`) }, nil}, want: "JSON object"},
		"client_id differs": {serve: served{200, "application/json", func(u string) []byte {
			return []byte(strings.Replace(string(render(u)), u, u+"x", 1))
		}, nil}, want: "identical to the document's URL"},
		"oversized": {serve: served{200, "application/json", func(u string) []byte {
			return []byte(strings.Replace(string(render(u)), `"Agent"`, `"`+strings.Repeat("A", 6000)+`"`, 1))
		}, nil}, want: "too large"},
		"custom limit": {serve: served{200, "application/json", render, nil}, maxBytes: 50, want: "too large"},
		"differs from rendered": {serve: served{200, "application/json", func(u string) []byte {
			return []byte(strings.Replace(string(render(u)), `"Agent"`, `"Old agent"`, 1))
		}, nil}, expected: render, want: "differs from the rendered"},
		"shared secret": {serve: served{200, "application/json", func(u string) []byte {
			return []byte(strings.Replace(string(render(u)), `"none"`, `"client_secret_basic"`, 1))
		}, nil}, want: "shared secret"},
	} {
		t.Run(name, func(t *testing.T) {
			var requests int
			var noGatewayHeader = true
			srv, c := cimdHost(t, func(w http.ResponseWriter, r *http.Request) {
				requests++
				if r.Header.Get("X-Gateway") != "" {
					noGatewayHeader = false
				}
				if r.URL.Path == "/elsewhere.json" {
					t.Error("the redirect was followed")
				}
				for k, v := range tc.serve.header {
					w.Header().Set(k, v)
				}
				if tc.serve.ctype != "" {
					w.Header().Set("Content-Type", tc.serve.ctype)
				} else {
					w.Header()["Content-Type"] = nil
				}
				w.WriteHeader(tc.serve.status)
				_, _ = w.Write(tc.serve.body("https://" + r.Host + r.URL.Path))
			})
			url := srv.URL + "/client.json"
			req := ClientMetadataDocumentRequest{URL: url, MaxBytes: tc.maxBytes}
			if tc.expected != nil {
				req.Expected = tc.expected(url)
			}
			res, err := c.FetchClientMetadataDocument(context.Background(), req)
			if requests != 1 || !noGatewayHeader {
				t.Fatalf("requests %d, gateway header absent %v", requests, noGatewayHeader)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != 200 || res.SHA256 != SHA256Hex(res.Body) {
					t.Fatalf("result %+v", res)
				}
				if tc.expected != nil && !res.SameAsExpected {
					t.Fatal("SameAsExpected false for the same content")
				}
				return
			}
			var docErr *ClientMetadataDocumentError
			if !errors.As(err, &docErr) {
				t.Fatalf("want a ClientMetadataDocumentError, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), url) {
				t.Fatalf("error %q lacks %q or the URL", err, tc.want)
			}
			if res == nil || res.Status != tc.serve.status {
				t.Fatalf("the result must come with the error: %+v", res)
			}
		})
	}
}

func TestFetchClientMetadataDocumentRefusesBadURLsWithoutFetching(t *testing.T) {
	var requests int
	srv, c := cimdHost(t, func(w http.ResponseWriter, _ *http.Request) { requests++ })
	for _, u := range []string{
		strings.Replace(srv.URL, "https://", "http://", 1) + "/client.json",
		srv.URL,
		srv.URL + "/a/../client.json",
	} {
		_, err := c.FetchClientMetadataDocument(context.Background(), ClientMetadataDocumentRequest{URL: u})
		if !IsClientMetadataDocumentError(err) {
			t.Errorf("%s: want a document error, got %v", u, err)
		}
	}
	if requests != 0 {
		t.Fatalf("%d requests were sent for URLs that break the rules", requests)
	}
	// An untrusted certificate is a transport error, not a document error.
	untrusting, err := NewClient(Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = untrusting.FetchClientMetadataDocument(context.Background(), ClientMetadataDocumentRequest{URL: srv.URL + "/c.json"})
	if err == nil || IsClientMetadataDocumentError(err) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}
}

func TestRegistrationPaths(t *testing.T) {
	for _, tc := range []struct {
		cimd    bool
		reg     string
		pre     bool
		offered string
		chosen  RegistrationPath
	}{
		{cimd: true, reg: "https://as/reg", offered: "client_id_metadata_document dynamic_client_registration", chosen: RegistrationCIMD},
		{cimd: true, offered: "client_id_metadata_document", chosen: RegistrationCIMD},
		{reg: "https://as/reg", offered: "dynamic_client_registration", chosen: RegistrationDynamic},
		{offered: "", chosen: RegistrationPreRegistered},
		{cimd: true, reg: "https://as/reg", pre: true, offered: "client_id_metadata_document dynamic_client_registration", chosen: RegistrationPreRegistered},
	} {
		offered, chosen := RegistrationPaths(AuthorizationServerMetadata{ClientIDMetadataDocumentSupported: tc.cimd, RegistrationEndpoint: tc.reg}, tc.pre)
		var names []string
		for _, o := range offered {
			names = append(names, string(o))
		}
		if strings.Join(names, " ") != tc.offered || chosen != tc.chosen || offered == nil {
			t.Errorf("%+v: got %v, %s", tc, offered, chosen)
		}
	}
}
