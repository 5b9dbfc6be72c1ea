package oauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// tokenServer answers client credentials grants for client "c1" with secret
// "s3cret" (basic or post) or a valid assertion signed by pub.
func tokenServer(t *testing.T, pub crypto.PublicKey, seen *url.Values) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		*seen = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		ok := false
		if u, p, basic := r.BasicAuth(); basic {
			ok = u == "c1" && p == "s3cret"
		} else if r.PostForm.Get("client_secret") != "" {
			ok = r.PostForm.Get("client_id") == "c1" && r.PostForm.Get("client_secret") == "s3cret"
		} else if a := r.PostForm.Get("client_assertion"); a != "" {
			ok = verifyES256(t, a, pub, srv.URL+"/token") && r.PostForm.Get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
		}
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"at-123","token_type":"Bearer","expires_in":"300","scope":"mcp:read"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func verifyES256(t *testing.T, jwt string, pub crypto.PublicKey, aud string) bool {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return false
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	k := pub.(*ecdsa.PublicKey)
	if len(sig) != 64 || !ecdsa.Verify(k, d[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Errorf("bad signature")
		return false
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	_ = json.Unmarshal(raw, &c)
	if c["iss"] != "c1" || c["sub"] != "c1" || c["aud"] != aud || c["jti"] == "" {
		t.Errorf("claims %v", c)
		return false
	}
	return true
}

func ecKeyPEM(t *testing.T) (string, crypto.PublicKey) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), k.Public()
}

func TestClientCredentialsToken(t *testing.T) {
	keyPEM, pub := ecKeyPEM(t)
	var seen url.Values
	srv := tokenServer(t, pub, &seen)
	c, _ := NewClient(Options{})
	signer, err := NewAssertionSigner(keyPEM, "", "kid-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method  string
		secret  string
		wantErr string
	}{
		{AuthClientSecretBasic, "s3cret", ""},
		{"", "s3cret", ""},
		{AuthClientSecretPost, "s3cret", ""},
		{AuthPrivateKeyJWT, "", ""},
		{AuthClientSecretBasic, "wrong", "invalid_client"},
		{AuthClientSecretPost, "wrong", "invalid_client"},
		{"tls_client_auth", "s3cret", "unsupported"},
	} {
		tok, err := c.ClientCredentialsToken(context.Background(), TokenRequest{
			TokenEndpoint: srv.URL + "/token", ClientID: "c1", ClientSecret: tc.secret, AuthMethod: tc.method,
			Signer: signer, Scope: "mcp:read", Resources: []string{"http://127.0.0.1/mcp"},
		})
		if tc.wantErr != "" {
			var te *TokenError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), tc.secret) {
				t.Errorf("%s/%s: got %v", tc.method, tc.secret, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.method, err)
		}
		if tok.AccessToken != "at-123" || tok.TokenType != "Bearer" || tok.Scope != "mcp:read" || tok.ExpiresIn != 300 ||
			tok.ExpiresAt().Sub(tok.ReceivedAt) != 5*time.Minute {
			t.Errorf("%s: %+v", tc.method, tok)
		}
		if seen.Get("grant_type") != "client_credentials" || seen.Get("scope") != "mcp:read" || seen.Get("resource") != "http://127.0.0.1/mcp" {
			t.Errorf("%s: form %v", tc.method, seen)
		}
	}
}

func TestClientCredentialsTokenRefusesPlainHTTP(t *testing.T) {
	c, _ := NewClient(Options{})
	_, err := c.ClientCredentialsToken(context.Background(), TokenRequest{TokenEndpoint: "http://as.example.com/token", ClientID: "c", ClientSecret: "s"})
	if !errors.Is(err, ErrInsecureTransport) {
		t.Fatalf("got %v", err)
	}
}

func TestAssertionSignerKeys(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	ecPEM, _ := ecKeyPEM(t)
	for _, tc := range []struct {
		pem, alg, want, wantErr string
	}{
		{pkcs1, "", "RS256", ""},
		{pkcs1, "PS256", "PS256", ""},
		{pkcs1, "ES256", "", "does not fit an RSA key"},
		{ecPEM, "", "ES256", ""},
		{ecPEM, "RS256", "", "does not fit this EC key"},
		{"not pem", "", "", "not PEM"},
		{string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})), "", "", "not a private key"},
	} {
		s, err := NewAssertionSigner(tc.pem, tc.alg, "")
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: got %v, want %q", tc.alg, err, tc.wantErr)
			}
			continue
		}
		if err != nil || s.Algorithm() != tc.want {
			t.Fatalf("%s: %v %v", tc.alg, s, err)
		}
		jwt, err := s.Assertion("c1", "https://as/token", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(jwt, ".")
		d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		if k, ok := s.Public().(*rsa.PublicKey); ok {
			var verr error
			if tc.want == "PS256" {
				verr = rsa.VerifyPSS(k, crypto.SHA256, d[:], sig, nil)
			} else {
				verr = rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig)
			}
			if verr != nil {
				t.Errorf("%s: %v", tc.want, verr)
			}
		}
	}
}

func TestIssuerBinding(t *testing.T) {
	md := AuthorizationServerMetadata{Issuer: "https://as.example.com", TokenEndpoint: "https://as.example.com/token"}
	if err := CheckTokenEndpoint(md, "https://as.example.com/token"); err != nil {
		t.Error(err)
	}
	var be *IssuerBindingError
	if err := CheckTokenEndpoint(md, "https://evil.example.com/token"); !errors.As(err, &be) || be.Want != md.TokenEndpoint {
		t.Errorf("another issuer's endpoint: %v", err)
	}
	if err := CheckTokenEndpoint(AuthorizationServerMetadata{Issuer: "x"}, "https://a/token"); err == nil {
		t.Error("metadata without token_endpoint accepted")
	}
	jwt := func(claims string) string {
		return "e30." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
	}
	for tok, wantErr := range map[string]bool{
		"opaque-token":                             false,
		jwt(`{"iss":"https://as.example.com"}`):    false,
		jwt(`{"sub":"x"}`):                         false,
		jwt(`{"iss":"https://other.example.com"}`): true,
	} {
		if err := CheckTokenIssuer(tok, "https://as.example.com"); (err != nil) != wantErr {
			t.Errorf("%s: %v", tok, err)
		}
	}
}
