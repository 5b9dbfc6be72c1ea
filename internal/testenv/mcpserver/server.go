package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

const (
	wellKnownPRM       = "/.well-known/oauth-protected-resource"
	defaultLeeway      = 60 * time.Second
	defaultMinRefetch  = 10 * time.Second
	defaultResourceNm  = "terraform-provider-mcp test MCP server"
	mcpSessionTimeout  = 30 * time.Minute
	serverName         = "terraform-provider-mcp-testenv"
	serverVersion      = "0.1.0"
	maxErrorDescLength = 200
)

// Config configures the resource server.
type Config struct {
	// Resource is the public resource URL; the MCP endpoint is served at its path.
	Resource string
	// AuthorizationServers are the trusted issuers.
	AuthorizationServers []string
	// Scopes are the scopes advertised in metadata and challenges.
	Scopes []string
	// RequiredScopes must all be granted to a token; nil means Scopes.
	RequiredScopes []string
	// Audiences accepted in the aud claim; empty means Resource.
	Audiences []string
	// ResourceName is the display name in the metadata.
	ResourceName string

	// Leeway is the clock skew tolerated for exp/nbf/iat (default 60s).
	Leeway time.Duration
	// MinJWKSRefetch bounds how often an unknown kid triggers a JWKS refetch
	// (default 10s; negative means always refetch).
	MinJWKSRefetch time.Duration
	// HTTPClient fetches issuer metadata and keys.
	HTTPClient *http.Client
	// Log receives one line per request; nil means discard.
	Log *log.Logger
}

type server struct {
	cfg          Config
	resourcePath string
	prmPath      string // path-aware well-known path
	prmURL       string // absolute URL for resource_metadata
	challengeSc  []string
	required     []string
	verifier     *jwtVerifier
	prmHandler   http.Handler
	mcpHandler   http.Handler
	log          *log.Logger
}

// NewHandler builds the HTTP handler serving the MCP endpoint, the RFC 9728
// metadata and /healthz.
func NewHandler(cfg Config) (http.Handler, error) {
	u, err := url.Parse(cfg.Resource)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--resource %q must be an absolute http(s) URL", cfg.Resource)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--resource %q must not have a query or fragment", cfg.Resource)
	}
	if len(cfg.AuthorizationServers) == 0 {
		return nil, errors.New("at least one --authorization-server is required")
	}
	for _, as := range cfg.AuthorizationServers {
		if _, err := metadataURLs(as); err != nil {
			return nil, fmt.Errorf("--authorization-server: %v", err)
		}
	}
	if cfg.RequiredScopes == nil {
		cfg.RequiredScopes = cfg.Scopes
	}
	if len(cfg.Audiences) == 0 {
		cfg.Audiences = []string{cfg.Resource}
	}
	if cfg.ResourceName == "" {
		cfg.ResourceName = defaultResourceNm
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = defaultLeeway
	}
	if cfg.MinJWKSRefetch == 0 {
		cfg.MinJWKSRefetch = defaultMinRefetch
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{
			Timeout: 10 * time.Second,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 3 {
					return errors.New("too many redirects")
				}
				if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
					return errors.New("refusing redirect from https to http")
				}
				return nil
			},
		}
	}
	if cfg.Log == nil {
		cfg.Log = log.New(io.Discard, "", 0)
	}

	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	s := &server{
		cfg:          cfg,
		resourcePath: path,
		prmPath:      wellKnownPRM,
		log:          cfg.Log,
		required:     cfg.RequiredScopes,
	}
	if path != "/" {
		s.prmPath = wellKnownPRM + path
	}
	s.prmURL = u.Scheme + "://" + u.Host + s.prmPath
	// The challenge's scope names what a client should ask for: the
	// advertised scopes plus any required ones not advertised.
	s.challengeSc = slices.Clone(cfg.Scopes)
	for _, r := range cfg.RequiredScopes {
		if !slices.Contains(s.challengeSc, r) {
			s.challengeSc = append(s.challengeSc, r)
		}
	}

	s.verifier = newJWTVerifier(cfg.AuthorizationServers, cfg.Audiences, cfg.Leeway, cfg.MinJWKSRefetch, cfg.HTTPClient)

	s.prmHandler = auth.ProtectedResourceMetadataHandler(&oauthex.ProtectedResourceMetadata{
		Resource:               cfg.Resource,
		AuthorizationServers:   cfg.AuthorizationServers,
		ScopesSupported:        cfg.Scopes,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           cfg.ResourceName,
	})

	streamable := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return newMCPServer() },
		&mcp.StreamableHTTPOptions{SessionTimeout: mcpSessionTimeout})
	// Our middleware (s.authenticate) has already verified the token; the
	// SDK's RequireBearerToken is used only to put the TokenInfo where the
	// SDK looks for it (tool handlers' req.Extra.TokenInfo, and the
	// streamable transport's session-to-user binding).
	attach := auth.RequireBearerToken(func(ctx context.Context, _ string, _ *http.Request) (*auth.TokenInfo, error) {
		if ti, ok := ctx.Value(verifiedKey{}).(*auth.TokenInfo); ok {
			return ti, nil
		}
		return nil, auth.ErrInvalidToken
	}, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true, ClockSkew: cfg.Leeway})
	s.mcpHandler = s.authenticate(attach(streamable))

	return s.logRequests(http.HandlerFunc(s.route)), nil
}

func (s *server) route(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case s.resourcePath:
		s.mcpHandler.ServeHTTP(w, r)
	case s.prmPath, wellKnownPRM:
		s.prmHandler.ServeHTTP(w, r)
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	default:
		http.NotFound(w, r)
	}
}

type verifiedKey struct{}

// bearerToken extracts the token the same way the SDK's RequireBearerToken
// does: exactly "Bearer <token>", scheme case-insensitive. ok is false when
// no bearer credentials were presented at all.
func bearerToken(r *http.Request) (token string, ok bool) {
	fields := strings.Fields(r.Header.Get("Authorization"))
	if len(fields) == 0 || !strings.EqualFold(fields[0], "bearer") {
		return "", false
	}
	if len(fields) != 2 {
		return "", true
	}
	return fields[1], true
}

// authenticate enforces RFC 6750 bearer authentication with RFC 9728
// challenges.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, presented := bearerToken(r)
		if !presented {
			s.challenge(w, r, http.StatusUnauthorized, "", "no bearer token")
			return
		}
		if token == "" {
			s.challenge(w, r, http.StatusUnauthorized, "invalid_token", "malformed Authorization header")
			return
		}
		ti, err := s.verifier.verify(r.Context(), token)
		if err != nil {
			if errors.Is(err, errInvalidToken) {
				s.challenge(w, r, http.StatusUnauthorized, "invalid_token", strings.TrimPrefix(err.Error(), errInvalidToken.Error()+": "))
				return
			}
			noteFor(r).set("token verification unavailable: " + err.Error())
			http.Error(w, "authorization server unavailable", http.StatusServiceUnavailable)
			return
		}
		var missing []string
		for _, sc := range s.required {
			if !slices.Contains(ti.Scopes, sc) {
				missing = append(missing, sc)
			}
		}
		if len(missing) > 0 {
			s.challenge(w, r, http.StatusForbidden, "insufficient_scope", "missing scope "+strings.Join(missing, " "))
			return
		}
		noteFor(r).set("sub=" + ti.UserID)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), verifiedKey{}, ti)))
	})
}

func (s *server) challenge(w http.ResponseWriter, r *http.Request, status int, errCode, desc string) {
	if len(desc) > maxErrorDescLength {
		desc = desc[:maxErrorDescLength]
	}
	noteFor(r).set(desc)
	params := []string{"resource_metadata=" + quote(s.prmURL)}
	if len(s.challengeSc) > 0 {
		params = append(params, "scope="+quote(strings.Join(s.challengeSc, " ")))
	}
	if errCode != "" {
		params = append(params, "error="+quote(errCode), "error_description="+quote(desc))
	}
	w.Header().Set("WWW-Authenticate", "Bearer "+strings.Join(params, ", "))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]string{"error": errCode, "error_description": desc}
	if errCode == "" {
		body["error"] = "unauthorized"
	}
	json.NewEncoder(w).Encode(body)
}

// quote renders an RFC 9110 quoted-string. error_description must only use
// %x20-21 / %x23-5B / %x5D-7E (RFC 6750 §3), so other bytes are dropped.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c <= 0x7e:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
