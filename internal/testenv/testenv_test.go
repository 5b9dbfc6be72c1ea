package testenv

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// env is started once for the package by TestMain when TF_ACC is set.
var env *Env

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run() // every test skips itself
	}
	defer StopOnSignal()()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	start := time.Now()
	var err error
	env, err = StartAll(ctx, os.Getenv("MCP_TESTENV_LOG_DIR"))
	if err != nil {
		// With TF_ACC set, a server that does not start is a failure.
		fmt.Fprintf(os.Stderr, "FAIL: testenv.StartAll: %v\n", err)
		return 1
	}
	defer env.Stop()
	fmt.Fprintf(os.Stderr, "testenv: all servers ready in %s (Keycloak %s); logs in %s\n",
		time.Since(start).Round(time.Second), env.Keycloak.StartupTime.Round(time.Second), env.LogDir)
	return m.Run()
}

func needAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to start real servers")
	}
	if env == nil {
		t.Fatal("test environment not started")
	}
}

// sampleRegistration is the tutorial's request body, with the scopes the
// realm allows.
func sampleRegistration() map[string]any {
	return map[string]any{
		"client_name":                "MCP OAuth Demo Client - Step 03",
		"client_uri":                 "http://localhost:8888",
		"redirect_uris":              []string{"http://localhost:8888/callback", "http://127.0.0.1:8888/callback"},
		"grant_types":                []string{"authorization_code", "client_credentials"},
		"response_types":             []string{"code"},
		"scope":                      "mcp:read mcp:write",
		"token_endpoint_auth_method": "client_secret_post",
	}
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func call(t *testing.T, method, url, bearer string, in any) answer {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &a.body)
	return a
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func wantStatus(t *testing.T, what string, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: HTTP %d, want %d: %s", what, a.status, status, a.raw)
	}
}

// exerciseRFC7592 registers a client, then reads, updates and deletes it
// through registration_client_uri, following token rotation.
func exerciseRFC7592(t *testing.T, endpoint, iat string) {
	t.Helper()
	reg := call(t, http.MethodPost, endpoint, iat, sampleRegistration())
	wantStatus(t, "register", reg, http.StatusCreated)
	id, secret, rat := str(reg.body, "client_id"), str(reg.body, "client_secret"), str(reg.body, "registration_access_token")
	uri := str(reg.body, "registration_client_uri")
	if id == "" || secret == "" || rat == "" || uri == "" {
		t.Fatalf("register: missing client_id, client_secret, registration_access_token or registration_client_uri: %s", reg.raw)
	}
	t.Logf("registered %s; registration_client_uri %s", id, uri)

	get := call(t, http.MethodGet, uri, rat, nil)
	wantStatus(t, "GET", get, http.StatusOK)
	if str(get.body, "client_id") != id {
		t.Fatalf("GET: client_id %q, want %q", str(get.body, "client_id"), id)
	}
	if r := str(get.body, "registration_access_token"); r != "" && r != rat {
		t.Logf("GET rotated the registration access token")
		rat = r
	}

	upd := sampleRegistration()
	upd["client_id"] = id
	upd["client_name"] = "renamed"
	upd["scope"] = "mcp:read"
	put := call(t, http.MethodPut, uri, rat, upd)
	wantStatus(t, "PUT", put, http.StatusOK)
	if str(put.body, "client_name") != "renamed" {
		t.Fatalf("PUT: client_name not updated: %s", put.raw)
	}
	if r := str(put.body, "registration_access_token"); r != "" && r != rat {
		old := call(t, http.MethodGet, uri, rat, nil)
		if old.status != http.StatusUnauthorized {
			t.Errorf("GET with the rotated-away token: HTTP %d, want 401", old.status)
		}
		rat = r
	} else {
		t.Logf("PUT kept the registration access token")
	}

	del := call(t, http.MethodDelete, uri, rat, nil)
	wantStatus(t, "DELETE", del, http.StatusNoContent)
	after := call(t, http.MethodGet, uri, rat, nil)
	wantStatus(t, "GET after DELETE", after, http.StatusUnauthorized)
}

func discover(t *testing.T, url, issuer string) map[string]any {
	t.Helper()
	a := call(t, http.MethodGet, url, "", nil)
	wantStatus(t, "discovery "+url, a, http.StatusOK)
	if got := str(a.body, "issuer"); got != issuer {
		t.Fatalf("discovery %s: issuer %q, want %q", url, got, issuer)
	}
	return a.body
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestKeycloak(t *testing.T) {
	needAcc(t)
	ctx := context.Background()
	k := env.Keycloak
	iss := k.Issuer()
	if !strings.HasSuffix(iss, "/realms/mcp-oauth") {
		t.Fatalf("issuer %q", iss)
	}
	meta := discover(t, k.BaseURL+"/realms/mcp-oauth/.well-known/openid-configuration", iss)
	discover(t, k.BaseURL+"/.well-known/oauth-authorization-server/realms/mcp-oauth", iss)
	discover(t, k.BaseURL+"/realms/mcp-oauth/.well-known/oauth-authorization-server", iss)
	if got := str(meta, "registration_endpoint"); got != k.RegistrationEndpoint() {
		t.Fatalf("registration_endpoint %q, want %q", got, k.RegistrationEndpoint())
	}

	iat, err := k.MintInitialAccessToken(ctx, time.Hour, 10)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("RFC7592", func(t *testing.T) {
		exerciseRFC7592(t, k.RegistrationEndpoint(), iat)
	})

	t.Run("errors", func(t *testing.T) {
		bad := call(t, http.MethodPost, k.RegistrationEndpoint(), "not-a-token", sampleRegistration())
		wantStatus(t, "bad IAT", bad, http.StatusUnauthorized)
		if str(bad.body, "error") != "invalid_token" {
			t.Errorf("bad IAT: %s", bad.raw)
		}
		anon := call(t, http.MethodPost, k.RegistrationEndpoint(), "", sampleRegistration())
		wantStatus(t, "anonymous", anon, http.StatusForbidden)
		if str(anon.body, "error") != "insufficient_scope" || !strings.Contains(str(anon.body, "error_description"), "Trusted Hosts") {
			t.Errorf("anonymous: %s", anon.raw)
		}
		body := sampleRegistration()
		body["scope"] = "openid mcp:read"
		scope := call(t, http.MethodPost, k.RegistrationEndpoint(), iat, body)
		wantStatus(t, "scope openid", scope, http.StatusForbidden)
		if !strings.Contains(str(scope.body, "error_description"), "Allowed Client Scopes") {
			t.Errorf("scope openid: %s", scope.raw)
		}
		one, err := k.MintInitialAccessToken(ctx, time.Hour, 1)
		if err != nil {
			t.Fatal(err)
		}
		first := call(t, http.MethodPost, k.RegistrationEndpoint(), one, sampleRegistration())
		wantStatus(t, "single-use IAT", first, http.StatusCreated)
		again := call(t, http.MethodPost, k.RegistrationEndpoint(), one, sampleRegistration())
		if again.status != http.StatusUnauthorized || str(again.body, "error") != "invalid_token" {
			t.Errorf("used-up IAT: HTTP %d %s", again.status, again.raw)
		}
		if err := k.DeleteClientByClientID(ctx, str(first.body, "client_id")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("token for the MCP server", func(t *testing.T) {
		reg := call(t, http.MethodPost, k.RegistrationEndpoint(), iat, sampleRegistration())
		wantStatus(t, "register", reg, http.StatusCreated)
		id, secret := str(reg.body, "client_id"), str(reg.body, "client_secret")
		tok, err := k.ClientCredentialsToken(ctx, id, secret, "mcp:read mcp:write")
		if err != nil {
			t.Fatal(err)
		}
		at, _ := tok["access_token"].(string)
		c := jwtClaims(t, at)
		if c["iss"] != iss {
			t.Errorf("iss %v, want %s", c["iss"], iss)
		}
		if !audContains(c["aud"], env.MCPServer.URL) {
			t.Errorf("aud %v lacks %s", c["aud"], env.MCPServer.URL)
		}
		if c["scope"] != "mcp:read mcp:write" && c["scope"] != "mcp:write mcp:read" {
			t.Errorf("scope %v", c["scope"])
		}
		// The MCP server accepts it and refuses no token.
		if a := mcpInitialize(t, env.MCPServer.URL, ""); a.status != http.StatusUnauthorized ||
			!strings.Contains(a.header.Get("WWW-Authenticate"), "resource_metadata=") {
			t.Errorf("MCP without token: HTTP %d, WWW-Authenticate %q", a.status, a.header.Get("WWW-Authenticate"))
		}
		if a := mcpInitialize(t, env.MCPServer.URL, at); a.status != http.StatusOK {
			t.Errorf("MCP with token: HTTP %d: %s", a.status, a.raw)
		}

		// Deleted outside Terraform: the registration access token stops working.
		if err := k.DeleteClientByClientID(ctx, id); err != nil {
			t.Fatal(err)
		}
		if c, err := k.GetClientByClientID(ctx, id); err != nil || c != nil {
			t.Fatalf("client still there after delete: %v %v", c, err)
		}
		gone := call(t, http.MethodGet, str(reg.body, "registration_client_uri"), str(reg.body, "registration_access_token"), nil)
		wantStatus(t, "GET after admin delete", gone, http.StatusUnauthorized)
		if err := k.DeleteClientByClientID(ctx, id); err == nil {
			t.Error("deleting a missing client: no error")
		}
	})

	t.Run("demo client", func(t *testing.T) {
		tok, err := k.ClientCredentialsToken(ctx, DemoClientID, DemoClientSecret, "")
		if err != nil {
			t.Fatal(err)
		}
		c := jwtClaims(t, tok["access_token"].(string))
		if !audContains(c["aud"], env.MCPServer.URL) {
			t.Errorf("demo client token aud %v lacks %s", c["aud"], env.MCPServer.URL)
		}
	})

	t.Run("reconfigure audience", func(t *testing.T) {
		if err := k.ConfigureRealm(ctx, "http://127.0.0.1:1/other"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			// Restore the audience the other subtests expect.
			if err := k.ConfigureRealm(ctx, env.MCPServer.URL); err != nil {
				t.Errorf("restore audience: %v", err)
			}
		}()
		tok, err := k.ClientCredentialsToken(ctx, DemoClientID, DemoClientSecret, "mcp:read")
		if err != nil {
			t.Fatal(err)
		}
		if c := jwtClaims(t, tok["access_token"].(string)); !audContains(c["aud"], "http://127.0.0.1:1/other") {
			t.Errorf("aud %v after reconfiguration", c["aud"])
		}
	})
}

func audContains(aud any, want string) bool {
	switch v := aud.(type) {
	case string:
		return v == want
	case []any:
		for _, a := range v {
			if a == want {
				return true
			}
		}
	}
	return false
}

func mcpInitialize(t *testing.T, url, bearer string) answer {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"testenv","version":"0"}}}`
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
}

func TestHydra(t *testing.T) {
	needAcc(t)
	h := env.Hydra
	meta := discover(t, h.PublicURL+"/.well-known/openid-configuration", h.Issuer())
	if got := str(meta, "registration_endpoint"); got != h.RegistrationEndpoint() {
		t.Fatalf("registration_endpoint %q, want %q", got, h.RegistrationEndpoint())
	}
	exerciseRFC7592(t, h.RegistrationEndpoint(), "")
}

func TestOIDCProvider(t *testing.T) {
	needAcc(t)
	o := env.OIDCProvider
	meta := discover(t, o.Issuer+"/.well-known/openid-configuration", o.Issuer)
	discover(t, o.Issuer+"/.well-known/oauth-authorization-server", o.Issuer)
	if got := str(meta, "registration_endpoint"); got != o.RegistrationEndpoint() {
		t.Fatalf("registration_endpoint %q, want %q", got, o.RegistrationEndpoint())
	}
	bad := call(t, http.MethodPost, o.RegistrationEndpoint(), "wrong", sampleRegistration())
	wantStatus(t, "bad IAT", bad, http.StatusUnauthorized)
	exerciseRFC7592(t, o.RegistrationEndpoint(), o.InitialAccessToken)
}

func TestMCPServerMetadata(t *testing.T) {
	needAcc(t)
	m := env.MCPServer
	a := call(t, http.MethodGet, m.MetadataURL, "", nil)
	wantStatus(t, "protected resource metadata", a, http.StatusOK)
	if str(a.body, "resource") != m.URL {
		t.Errorf("resource %q, want %q", str(a.body, "resource"), m.URL)
	}
	as, _ := a.body["authorization_servers"].([]any)
	if len(as) != 1 || as[0] != env.Keycloak.Issuer() {
		t.Errorf("authorization_servers %v, want [%s]", as, env.Keycloak.Issuer())
	}
}

// TestPortInUse checks the fault path: a taken port is an error that names
// the server and the port, and nothing starts.
func TestPortInUse(t *testing.T) {
	needAcc(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = StartOIDCProvider(context.Background(), OIDCProviderOptions{Port: port})
	if err == nil || !strings.Contains(err.Error(), "oidc-provider") || !strings.Contains(err.Error(), fmt.Sprint(port)) {
		t.Fatalf("want a port-in-use error naming oidc-provider and %d, got %v", port, err)
	}
	_, err = StartHydra(context.Background(), HydraOptions{PublicPort: port})
	if err == nil || !strings.Contains(err.Error(), "hydra") {
		t.Fatalf("want a port-in-use error naming hydra, got %v", err)
	}
}

// TestNotReady checks that a server that dies before it is ready gives an
// error with the log file and its tail.
func TestNotReady(t *testing.T) {
	needAcc(t)
	_, err := StartMCPServer(context.Background(), MCPServerOptions{
		AuthorizationServers: []string{"http://127.0.0.1:1/realms/x"},
		ExtraArgs:            []string{"--no-such-flag"},
		LogDir:               t.TempDir(),
	})
	if err == nil {
		t.Fatal("no error for a server that exits at once")
	}
	for _, want := range []string{"mcp server", "log file:", "no-such-flag"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
