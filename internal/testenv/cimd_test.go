package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestDocumentHostServesOverTLSWithTheTestCA(t *testing.T) {
	ca, err := NewTestCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h, err := StartDocumentHost(context.Background(), ca)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = h.Stop() }()
	docURL := h.Put("/c/client.json", []byte(`{"a":1}`))
	h.Redirect("/moved.json", docURL)

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca.CertPEM) {
		t.Fatal("CA PEM not usable")
	}
	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	get := func(u string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := get(docURL)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || string(body) != `{"a":1}` {
		t.Fatalf("got %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp := get(h.BaseURL + "/moved.json"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != docURL {
		t.Fatalf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := get(h.BaseURL + "/nothing"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
	if h.Hits("/c/client.json") != 1 {
		t.Fatalf("hits %d", h.Hits("/c/client.json"))
	}
	// Without the CA the certificate is refused.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, docURL, nil)
	if resp, err := http.DefaultClient.Do(req); err == nil || !strings.Contains(err.Error(), "certificate") {
		if resp != nil {
			resp.Body.Close()
		}
		t.Fatalf("want a certificate error without the CA, got %v", err)
	}
}

func TestFillForm(t *testing.T) {
	base, _ := url.Parse("https://as.example.com/realms/r/protocol/openid-connect/auth?x=1")
	for name, tc := range map[string]struct {
		page   string
		action string
		kind   string
		values url.Values
	}{
		"keycloak login": {
			page: `<html><form id="kc-form-login" onsubmit="x" action="https://as.example.com/login-actions/authenticate?session_code=a&amp;execution=b" method="post">
				<input tabindex="2" id="username" name="username" value="" type="text" autofocus autocomplete="username">
				<input tabindex="3" id="password" name="password" type="password" autocomplete="current-password">
				<input type="hidden" id="id-hidden-input" name="credentialId"/>
				<input tabindex="7" name="login" id="kc-login" type="submit" value="Sign In"/></form></html>`,
			action: "https://as.example.com/login-actions/authenticate?session_code=a&execution=b",
			kind:   "login",
			values: url.Values{"username": {"u"}, "password": {"p"}, "credentialId": {""}, "login": {"Sign In"}},
		},
		"keycloak consent": {
			page: `<form class="form-actions" action="/realms/r/login-actions/consent?code=c" method="POST">
				<input type="hidden" name="code" value="abc">
				<input name="accept" id="kc-login" type="submit" value="Yes"/>
				<input name="cancel" id="kc-cancel" type="submit" value="No"/></form>`,
			action: "https://as.example.com/realms/r/login-actions/consent?code=c",
			kind:   "consent",
			values: url.Values{"code": {"abc"}, "accept": {"Yes"}},
		},
		"node-oidc-provider login": {
			page: `<form autocomplete="off" action="/interaction/xyz/login" method="post">
				<input type="hidden" name="prompt" value="login"/>
				<input required type="text" name="login" placeholder="Enter any login" >
				<input required type="password" name="password" placeholder="and password" >
				<button type="submit" class="login login-submit">Sign-in</button></form>`,
			action: "https://as.example.com/interaction/xyz/login",
			kind:   "login",
			values: url.Values{"prompt": {"login"}, "login": {"u"}, "password": {"p"}},
		},
		"node-oidc-provider consent": {
			page: `<form autocomplete="off" action="/interaction/xyz/confirm" method="post">
				<input type="hidden" name="prompt" value="consent"/>
				<button autofocus type="submit" class="login login-submit">Continue</button></form>`,
			action: "https://as.example.com/interaction/xyz/confirm",
			kind:   "consent",
			values: url.Values{"prompt": {"consent"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			action, values, kind, err := fillForm(tc.page, base, "u", "p")
			if err != nil {
				t.Fatal(err)
			}
			if action != tc.action || kind != tc.kind || values.Encode() != tc.values.Encode() {
				t.Fatalf("got %s %s %s", action, kind, values.Encode())
			}
		})
	}
	if _, _, _, err := fillForm("<html>no form</html>", base, "u", "p"); err == nil {
		t.Fatal("a page without a form must be an error")
	}
}

func TestClientKeyAssertionVerifies(t *testing.T) {
	k, err := NewClientKey()
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal([]byte(k.PublicJWKS()), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("jwks %s: %v", k.PublicJWKS(), err)
	}
	if _, private := set.Keys[0]["d"]; private {
		t.Fatal("the public JWKS carries the private key")
	}
	jwt, err := k.Assertion("https://c.example/client.json", "https://as.example/token")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %s", jwt)
	}
	dec := base64.RawURLEncoding.DecodeString
	x, _ := dec(set.Keys[0]["x"])
	y, _ := dec(set.Keys[0]["y"])
	sig, _ := dec(parts[2])
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatal("the assertion does not verify with the published key")
	}
	claims, _ := dec(parts[1])
	var c map[string]any
	_ = json.Unmarshal(claims, &c)
	if c["iss"] != "https://c.example/client.json" || c["sub"] != c["iss"] || c["aud"] != "https://as.example/token" {
		t.Fatalf("claims %v", c)
	}
}
