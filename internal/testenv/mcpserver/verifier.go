package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/modelcontextprotocol/go-sdk/auth"
)

// Errors returned by (*jwtVerifier).verify. A token error is the client's
// fault (401 invalid_token); an unavailable error means the authorization
// server could not be reached or did not publish usable metadata (503).
var (
	errInvalidToken = errors.New("invalid token")
	errUnavailable  = errors.New("authorization server unavailable")
)

// acceptedAlgs are the JWS algorithms accepted for access tokens. Symmetric
// algorithms and "none" are deliberately absent.
var acceptedAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

const maxMetadataBytes = 1 << 20

// tokenClaims holds the claims read from an access token besides the
// registered ones.
type tokenClaims struct {
	jwt.Claims
	Scope             json.RawMessage `json:"scope,omitempty"`
	Scp               json.RawMessage `json:"scp,omitempty"`
	AuthorizedParty   string          `json:"azp,omitempty"`
	ClientID          string          `json:"client_id,omitempty"`
	PreferredUsername string          `json:"preferred_username,omitempty"`
}

// jwtVerifier validates JWT access tokens against the JWKS of one or more
// trusted issuers. Keys are discovered and fetched lazily and cached.
type jwtVerifier struct {
	issuers    map[string]*issuerKeys
	audiences  []string
	leeway     time.Duration
	minRefetch time.Duration
	client     *http.Client
	now        func() time.Time
}

type issuerKeys struct {
	issuer string

	mu        sync.Mutex // held while fetching, so concurrent misses fetch once
	jwksURI   string
	keys      *jose.JSONWebKeySet
	lastFetch time.Time
}

func newJWTVerifier(issuers, audiences []string, leeway, minRefetch time.Duration, client *http.Client) *jwtVerifier {
	v := &jwtVerifier{
		issuers:    make(map[string]*issuerKeys, len(issuers)),
		audiences:  audiences,
		leeway:     leeway,
		minRefetch: minRefetch,
		client:     client,
		now:        time.Now,
	}
	for _, iss := range issuers {
		v.issuers[iss] = &issuerKeys{issuer: iss}
	}
	return v
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errInvalidToken, fmt.Sprintf(format, args...))
}

// verify checks the token's signature, issuer, lifetime and audience, and
// returns the SDK's TokenInfo with the claims in Extra.
func (v *jwtVerifier) verify(ctx context.Context, raw string) (*auth.TokenInfo, error) {
	tok, err := jwt.ParseSigned(raw, acceptedAlgs)
	if err != nil {
		return nil, invalid("malformed or unsupported token")
	}
	if len(tok.Headers) != 1 {
		return nil, invalid("expected exactly one signature")
	}
	hdr := tok.Headers[0]

	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, invalid("unreadable claims")
	}
	ik, ok := v.issuers[unverified.Issuer]
	if !ok {
		return nil, invalid("untrusted issuer")
	}

	keys, err := ik.candidates(ctx, v, hdr.KeyID, hdr.Algorithm)
	if err != nil {
		return nil, err
	}
	var claims tokenClaims
	verified := false
	for _, k := range keys {
		if err := tok.Claims(k, &claims); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, invalid("signature verification failed")
	}

	if claims.Expiry == nil {
		return nil, invalid("token has no exp claim")
	}
	err = claims.ValidateWithLeeway(jwt.Expected{
		Issuer:      ik.issuer,
		AnyAudience: jwt.Audience(v.audiences),
		Time:        v.now(),
	}, v.leeway)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrExpired):
		return nil, invalid("token expired")
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, invalid("token not valid yet")
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, invalid("audience mismatch")
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, invalid("issuer mismatch")
	default:
		return nil, invalid("claims rejected")
	}

	scopes := scopeList(claims.Scope)
	if len(scopes) == 0 {
		scopes = scopeList(claims.Scp)
	}
	clientID := claims.AuthorizedParty
	if clientID == "" {
		clientID = claims.ClientID
	}
	userID := claims.Subject
	if userID == "" {
		userID = clientID
	}
	return &auth.TokenInfo{
		Scopes:     scopes,
		Expiration: claims.Expiry.Time(),
		UserID:     userID,
		Extra: map[string]any{
			"iss":                claims.Issuer,
			"sub":                claims.Subject,
			"aud":                []string(claims.Audience),
			"client_id":          clientID,
			"preferred_username": claims.PreferredUsername,
		},
	}, nil
}

// scopeList reads a scope claim that is either a space-separated string
// (RFC 8693 / RFC 9068, Keycloak) or an array of strings (some providers' scp).
func scopeList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.Fields(s)
	}
	var arr []string
	if err := json.Unmarshal(raw, &arr); err == nil {
		return arr
	}
	return nil
}

// candidates returns the keys that may have signed a token with the given
// kid and alg. The JWKS is fetched on first use and refetched (at most once
// per minRefetch) when the kid is unknown, to pick up key rotation.
func (ik *issuerKeys) candidates(ctx context.Context, v *jwtVerifier, kid, alg string) ([]jose.JSONWebKey, error) {
	ik.mu.Lock()
	defer ik.mu.Unlock()

	if ik.keys == nil {
		if err := ik.refresh(ctx, v); err != nil {
			return nil, err
		}
	}
	found := matchKeys(ik.keys, kid, alg)
	if len(found) == 0 && v.now().Sub(ik.lastFetch) >= v.minRefetch {
		if err := ik.refresh(ctx, v); err != nil {
			return nil, err
		}
		found = matchKeys(ik.keys, kid, alg)
	}
	if len(found) == 0 {
		return nil, invalid("no matching signing key")
	}
	return found, nil
}

func matchKeys(set *jose.JSONWebKeySet, kid, alg string) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range set.Keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != alg {
			continue
		}
		if !k.IsPublic() {
			continue
		}
		out = append(out, k)
	}
	return out
}

func (ik *issuerKeys) refresh(ctx context.Context, v *jwtVerifier) error {
	if ik.jwksURI == "" {
		uri, err := discoverJWKSURI(ctx, v.client, ik.issuer)
		if err != nil {
			return fmt.Errorf("%w: %v", errUnavailable, err)
		}
		ik.jwksURI = uri
	}
	var set jose.JSONWebKeySet
	if err := getJSON(ctx, v.client, ik.jwksURI, &set); err != nil {
		return fmt.Errorf("%w: jwks %s: %v", errUnavailable, ik.jwksURI, err)
	}
	ik.keys = &set
	ik.lastFetch = v.now()
	return nil
}

// metadataURLs lists where an issuer's metadata may live, in the order the
// MCP authorization spec gives (RFC 8414 insertion, OIDC insertion, OIDC
// appending), followed by the appended RFC 8414 form Keycloak also serves.
func metadataURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("issuer %q is not an absolute URL", issuer)
	}
	origin := u.Scheme + "://" + u.Host
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	urls := []string{
		origin + "/.well-known/oauth-authorization-server" + path,
		origin + "/.well-known/openid-configuration" + path,
	}
	if path != "" {
		urls = append(urls,
			origin+path+"/.well-known/openid-configuration",
			origin+path+"/.well-known/oauth-authorization-server",
		)
	}
	return urls, nil
}

// discoverJWKSURI finds the issuer's jwks_uri from its metadata; the first
// document whose issuer matches wins.
func discoverJWKSURI(ctx context.Context, client *http.Client, issuer string) (string, error) {
	urls, err := metadataURLs(issuer)
	if err != nil {
		return "", err
	}
	var tried []string
	for _, u := range urls {
		var md struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := getJSON(ctx, client, u, &md); err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", u, err))
			continue
		}
		if md.Issuer != issuer {
			tried = append(tried, fmt.Sprintf("%s: issuer %q does not match", u, md.Issuer))
			continue
		}
		if md.JWKSURI == "" {
			tried = append(tried, fmt.Sprintf("%s: no jwks_uri", u))
			continue
		}
		return md.JWKSURI, nil
	}
	return "", fmt.Errorf("no usable metadata for issuer %s (tried %s)", issuer, strings.Join(tried, "; "))
}

func getJSON(ctx context.Context, client *http.Client, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxMetadataBytes))
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" && mt != "application/jwk-set+json" && !strings.HasSuffix(mt, "+json") {
			return fmt.Errorf("content type %q is not JSON", mt)
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxMetadataBytes {
		return errors.New("response too large")
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	return nil
}
