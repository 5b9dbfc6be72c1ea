package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client authentication methods at the token endpoint (RFC 7591 section 2,
// OpenID Connect Core section 9).
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthPrivateKeyJWT     = "private_key_jwt"
)

// TokenAuthMethods lists the methods ClientCredentialsToken supports.
var TokenAuthMethods = []string{AuthClientSecretBasic, AuthClientSecretPost, AuthPrivateKeyJWT}

// TokenRequest is a client credentials grant (RFC 6749 section 4.4).
type TokenRequest struct {
	TokenEndpoint string
	ClientID      string
	// ClientSecret for client_secret_basic and client_secret_post.
	ClientSecret string
	// AuthMethod is one of TokenAuthMethods; default client_secret_basic.
	AuthMethod string
	// Signer signs the client assertion for private_key_jwt.
	Signer *AssertionSigner
	// Scope is a space-separated list; empty asks for the client's default.
	Scope string
	// Resources are RFC 8707 resource indicators, each sent as a resource parameter.
	Resources []string
}

// Token is a token endpoint's successful answer.
type Token struct {
	AccessToken string
	TokenType   string
	// Scope is what the server granted, or "" when it did not say (RFC 6749:
	// then it is the scope requested).
	Scope string
	// ExpiresIn is the lifetime in seconds the server gave; 0 when it did not.
	ExpiresIn int64
	// ReceivedAt is when the answer arrived.
	ReceivedAt time.Time
}

// ExpiresAt is ReceivedAt plus ExpiresIn; zero when the lifetime is unknown.
func (t *Token) ExpiresAt() time.Time {
	if t.ExpiresIn <= 0 {
		return time.Time{}
	}
	return t.ReceivedAt.Add(time.Duration(t.ExpiresIn) * time.Second)
}

// TokenError is a failed token request: the server's OAuth error (RFC 6749
// section 5.2) or what else it sent.
type TokenError struct {
	Endpoint string
	// Status is the HTTP status; 0 when no answer was read.
	Status            int
	Code, Description string
	Err               error
}

func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "token request to %s", e.Endpoint)
	if e.Status != 0 {
		b.WriteString(": " + statusText(e.Status))
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(" (" + e.Description + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *TokenError) Unwrap() error { return e.Err }

// ClientCredentialsToken runs the client credentials grant. The request is
// sent once (never retried). Secrets never appear in the returned errors.
func (c *Client) ClientCredentialsToken(ctx context.Context, req TokenRequest) (*Token, error) {
	if err := ValidateURL(req.TokenEndpoint, c.opts.AllowInsecureHTTP); err != nil {
		return nil, &TokenError{Endpoint: req.TokenEndpoint, Err: err}
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if req.Scope != "" {
		form.Set("scope", req.Scope)
	}
	for _, r := range req.Resources {
		form.Add("resource", r)
	}
	header := http.Header{}
	switch req.AuthMethod {
	case "", AuthClientSecretBasic:
		// RFC 6749 section 2.3.1: both parts form-urlencoded before base64.
		cred := url.QueryEscape(req.ClientID) + ":" + url.QueryEscape(req.ClientSecret)
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	case AuthClientSecretPost:
		form.Set("client_id", req.ClientID)
		form.Set("client_secret", req.ClientSecret)
	case AuthPrivateKeyJWT:
		if req.Signer == nil {
			return nil, &TokenError{Endpoint: req.TokenEndpoint, Err: errors.New("private_key_jwt needs a signing key")}
		}
		assertion, err := req.Signer.Assertion(req.ClientID, req.TokenEndpoint, time.Now())
		if err != nil {
			return nil, &TokenError{Endpoint: req.TokenEndpoint, Err: err}
		}
		form.Set("client_id", req.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", assertion)
	default:
		return nil, &TokenError{Endpoint: req.TokenEndpoint, Err: fmt.Errorf("unsupported client authentication method %q", req.AuthMethod)}
	}
	resp, err := c.do(ctx, request{
		method: http.MethodPost, url: req.TokenEndpoint,
		body: []byte(form.Encode()), contentType: "application/x-www-form-urlencoded", header: header,
	})
	if err != nil {
		return nil, &TokenError{Endpoint: req.TokenEndpoint, Err: err}
	}
	if resp.Status != http.StatusOK {
		e := &TokenError{Endpoint: req.TokenEndpoint, Status: resp.Status}
		e.Code, e.Description = parseErrorBody(resp.Body)
		e.Code = sanitize(maskSecret(e.Code, req.ClientSecret), 200)
		e.Description = sanitize(maskSecret(e.Description, req.ClientSecret), 500)
		return nil, e
	}
	var out struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		Scope       string          `json:"scope"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.AccessToken == "" {
		return nil, &TokenError{Endpoint: req.TokenEndpoint, Status: resp.Status,
			Err: errors.New("the answer is not a token response (a JSON object with access_token)")}
	}
	tok := &Token{AccessToken: out.AccessToken, TokenType: out.TokenType, Scope: out.Scope, ReceivedAt: time.Now().UTC()}
	// Some servers send expires_in as a string.
	var n json.Number
	if len(out.ExpiresIn) > 0 && json.Unmarshal(unquote(out.ExpiresIn), &n) == nil {
		tok.ExpiresIn, _ = n.Int64()
	}
	return tok, nil
}

func unquote(raw json.RawMessage) json.RawMessage {
	if s := strings.TrimSpace(string(raw)); len(s) >= 2 && s[0] == '"' {
		return json.RawMessage(strings.Trim(s, `"`))
	}
	return raw
}

// IssuerBindingError says a token endpoint does not belong to the issuer a
// client was registered with, or a token names another issuer.
type IssuerBindingError struct {
	Issuer string
	// Got is the token endpoint given, or the token's iss claim.
	Got string
	// Want is the issuer's token endpoint, or the issuer itself.
	Want string
	// InToken is set when the token's iss claim was wrong.
	InToken bool
}

func (e *IssuerBindingError) Error() string {
	if e.InToken {
		return fmt.Sprintf("the access token was issued by %q, not by %q", e.Got, e.Want)
	}
	return fmt.Sprintf("token endpoint %q is not issuer %q's token endpoint (%q)", e.Got, e.Issuer, e.Want)
}

// CheckTokenEndpoint checks that tokenEndpoint is the one the issuer's
// metadata names (MCP 2026-07-28: credentials are bound to the issuer they
// were registered with and go to no other server).
func CheckTokenEndpoint(md AuthorizationServerMetadata, tokenEndpoint string) error {
	if md.TokenEndpoint == "" {
		return &IssuerBindingError{Issuer: md.Issuer, Got: tokenEndpoint, Want: "(none advertised)"}
	}
	if tokenEndpoint != md.TokenEndpoint {
		return &IssuerBindingError{Issuer: md.Issuer, Got: tokenEndpoint, Want: md.TokenEndpoint}
	}
	return nil
}

// CheckTokenIssuer checks the iss claim of a JWT access token against
// issuer. Opaque tokens, and JWTs without iss, pass: nothing can be said.
func CheckTokenIssuer(accessToken, issuer string) error {
	parts := strings.Split(accessToken, ".")
	if len(parts) != 3 {
		return nil
	}
	// A token that does not decode is opaque to the client: nothing to check.
	if iss := jwtIssuer(parts[1]); iss != "" && iss != issuer {
		return &IssuerBindingError{Issuer: issuer, Got: iss, Want: issuer, InToken: true}
	}
	return nil
}

// jwtIssuer returns the iss claim of a base64url JWT payload, or "".
func jwtIssuer(payload string) string {
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	_ = json.Unmarshal(raw, &claims)
	return claims.Iss
}
