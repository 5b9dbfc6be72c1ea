package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ---------------------------------------------------------------------------
// Fake authorization server: discovery + JWKS, keys generated per test.

type fakeIssuer struct {
	t      *testing.T
	srv    *httptest.Server
	issuer string
	// discoveryPath is the only metadata path served (others 404), so the
	// tests exercise the fallback order.
	discoveryPath string

	mu   sync.Mutex
	keys []signingKey

	jwksFetches      atomic.Int32
	discoveryFetches atomic.Int32
}

type signingKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

// newFakeIssuer starts an issuer at <server>/realms/test. appendedOIDC
// selects Keycloak's appended OIDC discovery form; otherwise only the RFC
// 8414 inserted form is served.
func newFakeIssuer(t *testing.T, appendedOIDC bool) *fakeIssuer {
	t.Helper()
	f := &fakeIssuer{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	f.issuer = f.srv.URL + "/realms/test"
	if appendedOIDC {
		f.discoveryPath = "/realms/test/.well-known/openid-configuration"
	} else {
		f.discoveryPath = "/.well-known/oauth-authorization-server/realms/test"
	}
	return f
}

func (f *fakeIssuer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case f.discoveryPath:
		f.discoveryFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                 f.issuer,
			"jwks_uri":               f.srv.URL + "/realms/test/certs",
			"authorization_endpoint": f.issuer + "/auth",
			"token_endpoint":         f.issuer + "/token",
		})
	case "/realms/test/certs":
		f.jwksFetches.Add(1)
		f.mu.Lock()
		var set jose.JSONWebKeySet
		for _, k := range f.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(set)
	default:
		http.NotFound(w, r)
	}
}

func genRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// addKey publishes a new key in the JWKS and returns it.
func (f *fakeIssuer) addKey(kid string, alg jose.SignatureAlgorithm) signingKey {
	f.t.Helper()
	var priv crypto.Signer
	switch alg {
	case jose.RS256:
		priv = genRSA(f.t)
	case jose.ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			f.t.Fatal(err)
		}
		priv = k
	default:
		f.t.Fatalf("unsupported alg %s", alg)
	}
	k := signingKey{kid: kid, alg: alg, priv: priv}
	f.mu.Lock()
	f.keys = append(f.keys, k)
	f.mu.Unlock()
	return k
}

type extraClaims struct {
	Scope string `json:"scope,omitempty"`
	Azp   string `json:"azp,omitempty"`
}

func sign(t *testing.T, k signingKey, std jwt.Claims, extra any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	b := jwt.Signed(signer).Claims(std)
	if extra != nil {
		b = b.Claims(extra)
	}
	tok, err := b.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// ---------------------------------------------------------------------------
// Resource server under test.

type env struct {
	t        *testing.T
	iss      *fakeIssuer
	key      signingKey
	srv      *httptest.Server
	resource string
	logs     *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer starts the resource server at <url>/mcp with cfg's blanks
// filled in; mutate adjusts the config once the resource URL is known.
func startServer(t *testing.T, issuers []string, mutate func(*Config)) (*httptest.Server, string, *syncBuffer) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	resource := "http://" + srv.Listener.Addr().String() + "/mcp"
	logs := &syncBuffer{}
	cfg := Config{
		Resource:             resource,
		AuthorizationServers: issuers,
		Scopes:               []string{"mcp:read", "mcp:write"},
		MinJWKSRefetch:       -1,
		Log:                  log.New(logs, "", 0),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, resource, logs
}

func newEnv(t *testing.T) *env {
	t.Helper()
	iss := newFakeIssuer(t, true)
	key := iss.addKey("rsa-1", jose.RS256)
	srv, resource, logs := startServer(t, []string{iss.issuer}, nil)
	return &env{t: t, iss: iss, key: key, srv: srv, resource: resource, logs: logs}
}

// claims returns valid claims for the environment.
func (e *env) claims() jwt.Claims {
	now := time.Now()
	return jwt.Claims{
		Issuer:    e.iss.issuer,
		Subject:   "user-123",
		Audience:  jwt.Audience{e.resource},
		Expiry:    jwt.NewNumericDate(now.Add(5 * time.Minute)),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		IssuedAt:  jwt.NewNumericDate(now.Add(-time.Minute)),
	}
}

func (e *env) token() string {
	return sign(e.t, e.key, e.claims(), extraClaims{Scope: "openid mcp:read mcp:write", Azp: "demo-client"})
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`

// post sends a raw JSON-RPC initialize with the given Authorization header.
func (e *env) post(authz string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.resource, strings.NewReader(initializeBody))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) prmURL() string {
	return strings.Replace(e.resource, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1)
}

// ---------------------------------------------------------------------------
// Tests.

type bearerTransport struct {
	token string
	base  http.RoundTripper
}

func (b *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

func TestValidTokenServesMCP(t *testing.T) {
	e := newEnv(t)
	token := e.token()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "0"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:   e.resource,
		HTTPClient: &http.Client{Transport: &bearerTransport{token: token, base: http.DefaultTransport}},
		MaxRetries: -1,
	}, nil)
	if err != nil {
		t.Fatalf("connect: %v\nlogs:\n%s", err, e.logs)
	}
	defer cs.Close()

	if got := cs.InitializeResult().ServerInfo.Name; got != serverName {
		t.Errorf("server name = %q, want %q", got, serverName)
	}

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
	}
	for _, want := range []string{"whoami", "echo"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools = %v, missing %q", names, want)
		}
	}

	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError {
		t.Fatalf("whoami returned an error: %+v", res.Content)
	}
	raw, _ := json.Marshal(res.StructuredContent)
	var who whoamiOutput
	if err := json.Unmarshal(raw, &who); err != nil {
		t.Fatal(err)
	}
	if who.Subject != "user-123" || who.ClientID != "demo-client" || who.Issuer != e.iss.issuer {
		t.Errorf("whoami = %+v", who)
	}
	if !slices.Equal(who.Scopes, []string{"openid", "mcp:read", "mcp:write"}) {
		t.Errorf("whoami scopes = %v", who.Scopes)
	}
	if !slices.Equal(who.Audience, []string{e.resource}) {
		t.Errorf("whoami audience = %v", who.Audience)
	}

	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hello"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Content) != 1 || res.Content[0].(*mcp.TextContent).Text != `{"text":"hello"}` {
		t.Errorf("echo content = %#v", res.Content)
	}
	if got := res.StructuredContent.(map[string]any)["text"]; got != "hello" {
		t.Errorf("echo structured = %v", res.StructuredContent)
	}

	// Lazy discovery: one discovery document and one JWKS fetch, cached
	// across all the requests above.
	if n := e.iss.jwksFetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1", n)
	}
	if n := e.iss.discoveryFetches.Load(); n != 1 {
		t.Errorf("discovery fetched %d times, want 1", n)
	}

	// The token must never reach the log.
	logs := e.logs.String()
	if strings.Contains(logs, token) || strings.Contains(logs, strings.Split(token, ".")[2]) {
		t.Errorf("token found in logs:\n%s", logs)
	}
	if !strings.Contains(logs, "POST /mcp 200") {
		t.Errorf("expected a 'POST /mcp 200' log line, got:\n%s", logs)
	}
}

func TestRawInitializeAndSessionBinding(t *testing.T) {
	e := newEnv(t)
	resp := e.post("Bearer " + e.token())
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status = %d, body %s", resp.StatusCode, body)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `"serverInfo"`) {
		t.Errorf("initialize response lacks serverInfo: %s", body)
	}
	sid := resp.Header.Get("Mcp-Session-Id")
	if sid == "" {
		t.Fatal("no Mcp-Session-Id")
	}

	// The session belongs to user-123; another valid user's token must not
	// be able to use it (SDK session binding via TokenInfo.UserID).
	c := e.claims()
	c.Subject = "someone-else"
	other := sign(t, e.key, c, extraClaims{Scope: "mcp:read mcp:write"})
	req, _ := http.NewRequest(http.MethodPost, e.resource, strings.NewReader(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", sid)
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	req.Header.Set("Authorization", "Bearer "+other)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusForbidden {
		t.Errorf("other user's token on the session: status %d, want 403", resp2.StatusCode)
	}
}

func TestMissingToken(t *testing.T) {
	e := newEnv(t)
	for _, authz := range []string{"", "Basic dXNlcjpwYXNz"} {
		resp := e.post(authz)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%q: status = %d, want 401", authz, resp.StatusCode)
		}
		want := `Bearer resource_metadata="` + e.prmURL() + `", scope="mcp:read mcp:write"`
		if got := resp.Header.Get("WWW-Authenticate"); got != want {
			t.Errorf("%q: WWW-Authenticate = %q, want %q", authz, got, want)
		}
	}
	// No token presented: the authorization server is not contacted.
	if n := e.iss.jwksFetches.Load() + e.iss.discoveryFetches.Load(); n != 0 {
		t.Errorf("issuer contacted %d times for unauthenticated requests", n)
	}
}

func TestRejectedTokens(t *testing.T) {
	e := newEnv(t)
	otherKey := signingKey{kid: e.key.kid, alg: jose.RS256, priv: genRSA(t)} // same kid, wrong key
	scope := extraClaims{Scope: "mcp:read mcp:write"}
	now := time.Now()

	mod := func(f func(*jwt.Claims)) jwt.Claims {
		c := e.claims()
		f(&c)
		return c
	}
	valid := e.token()
	parts := strings.Split(valid, ".")

	cases := map[string]struct {
		token    string
		wantDesc string
	}{
		"wrong audience": {sign(t, e.key, mod(func(c *jwt.Claims) { c.Audience = jwt.Audience{"account"} }), scope), "audience mismatch"},
		"no audience":    {sign(t, e.key, mod(func(c *jwt.Claims) { c.Audience = nil }), scope), "audience mismatch"},
		"expired": {sign(t, e.key, mod(func(c *jwt.Claims) {
			c.Expiry = jwt.NewNumericDate(now.Add(-5 * time.Minute))
			c.IssuedAt = jwt.NewNumericDate(now.Add(-10 * time.Minute))
			c.NotBefore = c.IssuedAt
		}), scope), "token expired"},
		"not yet valid": {sign(t, e.key, mod(func(c *jwt.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(5 * time.Minute)) }), scope), "token not valid yet"},
		"no exp":        {sign(t, e.key, mod(func(c *jwt.Claims) { c.Expiry = nil }), scope), "token has no exp claim"},
		"wrong issuer":  {sign(t, e.key, mod(func(c *jwt.Claims) { c.Issuer = e.iss.srv.URL + "/realms/other" }), scope), "untrusted issuer"},
		"bad signature": {sign(t, otherKey, e.claims(), scope), "signature verification failed"},
		"tampered payload": {parts[0] + "." + strings.Split(sign(t, otherKey, mod(func(c *jwt.Claims) { c.Subject = "admin" }), scope), ".")[1] + "." + parts[2],
			"signature verification failed"},
		"unknown kid": {sign(t, signingKey{kid: "nope", alg: jose.RS256, priv: otherKey.priv}, e.claims(), scope), "no matching signing key"},
		"garbage":     {"not-a-jwt", "malformed or unsupported token"},
		"alg none":    {"eyJhbGciOiJub25lIn0." + parts[1] + ".", "malformed or unsupported token"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := e.post("Bearer " + tc.token)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", resp.StatusCode)
			}
			h := resp.Header.Get("WWW-Authenticate")
			for _, want := range []string{
				`Bearer resource_metadata="` + e.prmURL() + `"`,
				`scope="mcp:read mcp:write"`,
				`error="invalid_token"`,
				`error_description="` + tc.wantDesc + `"`,
			} {
				if !strings.Contains(h, want) {
					t.Errorf("WWW-Authenticate = %q, missing %s", h, want)
				}
			}
		})
	}
	// Sanity check: the same environment accepts the valid token.
	if resp := e.post("Bearer " + valid); resp.StatusCode != http.StatusOK {
		t.Errorf("valid token: status %d", resp.StatusCode)
	}
}

func TestLeewayAndAudienceArray(t *testing.T) {
	e := newEnv(t)
	c := e.claims()
	c.Expiry = jwt.NewNumericDate(time.Now().Add(-10 * time.Second)) // within the 60s leeway
	c.Audience = jwt.Audience{"account", e.resource}
	tok := sign(t, e.key, c, extraClaims{Scope: "mcp:read mcp:write"})
	if resp := e.post("Bearer " + tok); resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200 (www-authenticate %q)", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestInsufficientScope(t *testing.T) {
	e := newEnv(t)
	for name, scope := range map[string]string{"read only": "openid mcp:read", "none": ""} {
		t.Run(name, func(t *testing.T) {
			tok := sign(t, e.key, e.claims(), extraClaims{Scope: scope})
			resp := e.post("Bearer " + tok)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status = %d, want 403", resp.StatusCode)
			}
			h := resp.Header.Get("WWW-Authenticate")
			for _, want := range []string{
				`Bearer resource_metadata="` + e.prmURL() + `"`,
				`scope="mcp:read mcp:write"`,
				`error="insufficient_scope"`,
			} {
				if !strings.Contains(h, want) {
					t.Errorf("WWW-Authenticate = %q, missing %s", h, want)
				}
			}
		})
	}
}

func TestScopeArrayClaim(t *testing.T) {
	e := newEnv(t)
	tok := sign(t, e.key, e.claims(), map[string]any{"scp": []string{"mcp:read", "mcp:write"}})
	if resp := e.post("Bearer " + tok); resp.StatusCode != http.StatusOK {
		t.Errorf("scp array: status = %d, want 200", resp.StatusCode)
	}
}

func TestMetadataDocuments(t *testing.T) {
	e := newEnv(t)
	root := strings.TrimSuffix(e.resource, "/mcp")
	for _, u := range []string{e.prmURL(), root + "/.well-known/oauth-protected-resource"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		var md map[string]any
		err = json.NewDecoder(resp.Body).Decode(&md)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: status %d, content type %q", u, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		want := map[string]any{
			"resource":                 e.resource,
			"authorization_servers":    []any{e.iss.issuer},
			"scopes_supported":         []any{"mcp:read", "mcp:write"},
			"bearer_methods_supported": []any{"header"},
			"resource_name":            defaultResourceNm,
		}
		for k, v := range want {
			got, _ := json.Marshal(md[k])
			exp, _ := json.Marshal(v)
			if !bytes.Equal(got, exp) {
				t.Errorf("%s: %s = %s, want %s", u, k, got, exp)
			}
		}
	}
	// Unrelated well-known paths are not served.
	resp, err := http.Get(root + "/.well-known/oauth-protected-resource/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("other resource metadata: status %d, want 404", resp.StatusCode)
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(strings.TrimSuffix(e.resource, "/mcp") + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d", resp.StatusCode)
	}
	if !strings.Contains(e.logs.String(), "GET /healthz 200") {
		t.Errorf("log lacks request line:\n%s", e.logs)
	}
}

func TestKeyRotationRefetchesJWKS(t *testing.T) {
	e := newEnv(t)
	if resp := e.post("Bearer " + e.token()); resp.StatusCode != http.StatusOK {
		t.Fatalf("first token: status %d", resp.StatusCode)
	}
	newKey := e.iss.addKey("rsa-2", jose.RS256)
	tok := sign(t, newKey, e.claims(), extraClaims{Scope: "mcp:read mcp:write"})
	if resp := e.post("Bearer " + tok); resp.StatusCode != http.StatusOK {
		t.Fatalf("rotated key: status %d (%s)", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if n := e.iss.jwksFetches.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2", n)
	}
}

func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	iss := newFakeIssuer(t, true)
	key := iss.addKey("rsa-1", jose.RS256)
	_, resource, _ := startServer(t, []string{iss.issuer}, func(c *Config) { c.MinJWKSRefetch = time.Hour })
	e := &env{t: t, iss: iss, key: key, resource: resource}
	if resp := e.post("Bearer " + e.token()); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	bogus := sign(t, signingKey{kid: "unknown", alg: jose.RS256, priv: genRSA(t)}, e.claims(), extraClaims{Scope: "mcp:read mcp:write"})
	for range 3 {
		if resp := e.post("Bearer " + bogus); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
	}
	if n := iss.jwksFetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1 (refetch should be rate limited)", n)
	}
}

func TestMultipleIssuersES256AndRFC8414Discovery(t *testing.T) {
	kc := newFakeIssuer(t, true)
	kcKey := kc.addKey("rsa-1", jose.RS256)
	other := newFakeIssuer(t, false) // serves only the RFC 8414 inserted form
	ecKey := other.addKey("ec-1", jose.ES256)
	_, resource, _ := startServer(t, []string{kc.issuer, other.issuer}, func(c *Config) {
		c.Audiences = []string{"https://mcp.example.test", "api://mcp"}
	})
	for name, tc := range map[string]struct {
		iss  *fakeIssuer
		key  signingKey
		aud  string
		want int
	}{
		"keycloak RS256":             {kc, kcKey, "api://mcp", http.StatusOK},
		"other ES256":                {other, ecKey, "https://mcp.example.test", http.StatusOK},
		"resource not accepted aud":  {other, ecKey, resource, http.StatusUnauthorized},
		"key of the other issuer":    {other, kcKey, "api://mcp", http.StatusUnauthorized},
		"keycloak key, other claims": {kc, ecKey, "api://mcp", http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			now := time.Now()
			tok := sign(t, tc.key, jwt.Claims{
				Issuer: tc.iss.issuer, Subject: "s", Audience: jwt.Audience{tc.aud},
				Expiry: jwt.NewNumericDate(now.Add(time.Minute)),
			}, extraClaims{Scope: "mcp:read mcp:write"})
			e := &env{t: t, resource: resource}
			if resp := e.post("Bearer " + tok); resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d (%s)", resp.StatusCode, tc.want, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestIssuerUnreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	issuer := dead.URL + "/realms/test"
	dead.Close()
	_, resource, logs := startServer(t, []string{issuer}, nil)
	key := signingKey{kid: "k", alg: jose.RS256, priv: genRSA(t)}
	tok := sign(t, key, jwt.Claims{Issuer: issuer, Audience: jwt.Audience{resource}, Expiry: jwt.NewNumericDate(time.Now().Add(time.Minute))}, nil)
	e := &env{t: t, resource: resource}
	if resp := e.post("Bearer " + tok); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "POST /mcp 503") {
		t.Errorf("log:\n%s", logs)
	}
}

func TestRequiredScopesAndRootResource(t *testing.T) {
	iss := newFakeIssuer(t, true)
	key := iss.addKey("rsa-1", jose.RS256)
	srv := httptest.NewUnstartedServer(nil)
	resource := "http://" + srv.Listener.Addr().String() + "/"
	h, err := NewHandler(Config{
		Resource: resource, AuthorizationServers: []string{iss.issuer},
		Scopes: []string{"mcp:read", "mcp:write"}, RequiredScopes: []string{"mcp:read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	defer srv.Close()

	e := &env{t: t, iss: iss, key: key, resource: resource}
	resp := e.post("")
	want := `Bearer resource_metadata="` + strings.TrimSuffix(resource, "/") + `/.well-known/oauth-protected-resource", scope="mcp:read mcp:write"`
	if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || got != want {
		t.Errorf("status %d, WWW-Authenticate %q, want %q", resp.StatusCode, got, want)
	}
	tok := sign(t, key, e.claims(), extraClaims{Scope: "mcp:read"})
	if resp := e.post("Bearer " + tok); resp.StatusCode != http.StatusOK {
		t.Errorf("read-only token with RequiredScopes=[mcp:read]: status %d", resp.StatusCode)
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != "127.0.0.1:8000" || o.cfg.Resource != "http://localhost:8000/mcp" ||
		!slices.Equal(o.cfg.AuthorizationServers, []string{"http://localhost:9000/realms/mcp-oauth"}) ||
		!slices.Equal(o.cfg.Scopes, []string{"mcp:read", "mcp:write"}) || o.cfg.RequiredScopes != nil || o.cfg.Audiences != nil {
		t.Errorf("defaults = %+v addr %s", o.cfg, o.addr)
	}

	o, err = parseFlags([]string{
		"--addr", "0.0.0.0:9999", "--resource", "https://mcp.example.com/v1/mcp",
		"--authorization-server", "https://a.example.com", "--authorization-server", "https://b.example.com,https://c.example.com",
		"--scopes", "files:read, files:write", "--audience", "x,y", "--resource-name", "Demo",
		"--required-scopes", "",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != "0.0.0.0:9999" || o.cfg.Resource != "https://mcp.example.com/v1/mcp" || o.cfg.ResourceName != "Demo" {
		t.Errorf("cfg = %+v", o.cfg)
	}
	if want := []string{"https://a.example.com", "https://b.example.com", "https://c.example.com"}; !slices.Equal(o.cfg.AuthorizationServers, want) {
		t.Errorf("authorization servers = %v, want %v", o.cfg.AuthorizationServers, want)
	}
	if !slices.Equal(o.cfg.Scopes, []string{"files:read", "files:write"}) || !slices.Equal(o.cfg.Audiences, []string{"x", "y"}) {
		t.Errorf("scopes %v audiences %v", o.cfg.Scopes, o.cfg.Audiences)
	}
	if o.cfg.RequiredScopes == nil || len(o.cfg.RequiredScopes) != 0 {
		t.Errorf("--required-scopes '' should mean none required, got %#v", o.cfg.RequiredScopes)
	}

	if _, err := parseFlags([]string{"--bogus"}, io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestMetadataURLs(t *testing.T) {
	got, err := metadataURLs("http://localhost:9000/realms/mcp-oauth/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"http://localhost:9000/.well-known/oauth-authorization-server/realms/mcp-oauth",
		"http://localhost:9000/.well-known/openid-configuration/realms/mcp-oauth",
		"http://localhost:9000/realms/mcp-oauth/.well-known/openid-configuration",
		"http://localhost:9000/realms/mcp-oauth/.well-known/oauth-authorization-server",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	got, _ = metadataURLs("https://as.example.com")
	if len(got) != 2 {
		t.Errorf("root issuer: got %v, want the two inserted forms", got)
	}
}
