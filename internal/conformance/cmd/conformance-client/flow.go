package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// redirectURI is registered with the client; nothing listens on it. The mock
// authorization server answers the authorization request with a redirect to
// it, and the client reads the code from the Location header.
const redirectURI = "http://127.0.0.1:33418/callback"

// maxStepUps bounds the authorizations a run makes for 403 insufficient_scope:
// a client must not loop when the server keeps asking for more.
const maxStepUps = 2

func run(ctx context.Context, serverURL string) error {
	scenario := os.Getenv("MCP_CONFORMANCE_SCENARIO")
	version := os.Getenv("MCP_CONFORMANCE_PROTOCOL_VERSION")
	logf("scenario %s, protocol version %q, server %s", scenario, version, serverURL)

	var pre *client
	if raw := os.Getenv("MCP_CONFORMANCE_CONTEXT"); raw != "" {
		var c struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		}
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return fmt.Errorf("MCP_CONFORMANCE_CONTEXT is not JSON: %w", err)
		}
		if c.ClientID != "" {
			pre = &client{ClientID: c.ClientID}
			if c.ClientSecret != "" {
				pre.ClientSecret = &c.ClientSecret
			}
			logf("pre-registered client %s from MCP_CONFORMANCE_CONTEXT: no registration", c.ClientID)
		}
	}

	prov, err := newProvider(serverURL, redirectURI, pre != nil)
	if err != nil {
		return err
	}
	defer prov.cleanup()

	s := &session{prov: prov, pre: pre, http: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}

	c := mcp.NewClient(&mcp.Implementation{Name: "terraform-provider-mcp-conformance", Version: "0.0.0"}, nil)
	// The session wraps every MCP HTTP request: it adds the token and, on a 401
	// or 403, authorizes and sends the request again. (The SDK's OAuthHandler
	// retries a request once only, which leaves no room for a step-up after the
	// first authorization.)
	transport := &mcp.StreamableClientTransport{Endpoint: serverURL, HTTPClient: &http.Client{Transport: s}, DisableStandaloneSSE: true}
	cs, err := c.Connect(ctx, transport, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer cs.Close()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		return fmt.Errorf("tools/list: %w", err)
	}
	logf("tools/list: %d tool(s)", len(tools.Tools))
	name := "test-tool"
	if len(tools.Tools) > 0 && !slices.ContainsFunc(tools.Tools, func(t *mcp.Tool) bool { return t.Name == name }) {
		name = tools.Tools[0].Name
	}
	if len(tools.Tools) > 0 {
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: map[string]any{}}); err != nil {
			return fmt.Errorf("tools/call %s: %w", name, err)
		}
		logf("tools/call %s: ok", name)
	}
	return nil
}

// session is the client's OAuth state and the http.RoundTripper of its MCP
// requests.
type session struct {
	prov *provider
	pre  *client // pre-registered credentials, or nil
	http *http.Client

	disc  *discovery
	creds *client
	token *oauth2.Token
	scope string

	stepUps, rediscoveries int
}

// maxAuthorizations bounds how often one MCP request is authorized and sent again.
const maxAuthorizations = 3

func (s *session) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		if s.token != nil {
			r.Header.Set("Authorization", "Bearer "+s.token.AccessToken)
		}
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) || attempt >= maxAuthorizations {
			return resp, err
		}
		if err := s.authorizeFor(req.Context(), r, resp); err != nil {
			return nil, err
		}
	}
}

// authorizeFor handles a 401 or 403 answer to an MCP request.
func (s *session) authorizeFor(ctx context.Context, req *http.Request, resp *http.Response) error {
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	ch := parseBearerChallenge(resp.Header.Values("WWW-Authenticate"))
	logf("%s %s: %d, challenge %v", req.Method, req.URL, resp.StatusCode, ch)
	switch resp.StatusCode {
	case http.StatusForbidden:
		if ch["error"] != "insufficient_scope" {
			return fmt.Errorf("403 without an insufficient_scope challenge: nothing to authorize")
		}
		if s.stepUps >= maxStepUps {
			return fmt.Errorf("still 403 insufficient_scope after %d step-up authorization(s): giving up", s.stepUps)
		}
		s.stepUps++
		if s.disc == nil {
			if err := s.discover(ctx); err != nil {
				return err
			}
		}
		// Step-up: the challenge's scope, keeping what was already granted.
		return s.authorize(ctx, unionScope(s.scope, ch["scope"]))
	case http.StatusUnauthorized:
		if s.token != nil {
			// A token was refused: the resource may now trust another
			// authorization server. Discover again, through the provider.
			if s.rediscoveries >= 1 {
				return errors.New("401 again after re-discovery: giving up")
			}
			s.rediscoveries++
			s.disc, s.token = nil, nil
		}
		if s.disc == nil {
			if err := s.discover(ctx); err != nil {
				return err
			}
		}
		scope := ""
		if s.disc.Scope != nil {
			scope = *s.disc.Scope
		}
		return s.authorize(ctx, scope)
	}
	return fmt.Errorf("unexpected status %d", resp.StatusCode)
}

// discover applies the provider configuration and takes its outputs.
func (s *session) discover(ctx context.Context) error {
	d, c, err := s.prov.apply(ctx)
	if err != nil {
		return err
	}
	s.disc = d
	if s.pre != nil {
		c = &client{ClientID: s.pre.ClientID, ClientSecret: s.pre.ClientSecret}
		m := pickAuthMethod(c.ClientSecret != nil, d.AuthMethods)
		c.TokenEndpointAuthMethod = &m
	}
	if c == nil {
		return errors.New("the provider registered no client")
	}
	s.creds = c
	return nil
}

// pickAuthMethod chooses how a pre-registered client authenticates, from what
// the server supports (RFC 8414: client_secret_basic when it does not say).
func pickAuthMethod(hasSecret bool, supported []string) string {
	if !hasSecret {
		return "none"
	}
	if len(supported) == 0 || slices.Contains(supported, "client_secret_basic") {
		return "client_secret_basic"
	}
	if slices.Contains(supported, "client_secret_post") {
		return "client_secret_post"
	}
	return "client_secret_basic"
}

// authorize runs the authorization code flow with PKCE S256 and stores the token.
func (s *session) authorize(ctx context.Context, scope string) error {
	d, c := s.disc, s.creds
	method := "none"
	if c.TokenEndpointAuthMethod != nil && *c.TokenEndpointAuthMethod != "" {
		method = *c.TokenEndpointAuthMethod
	} else if c.ClientSecret != nil && *c.ClientSecret != "" {
		method = "client_secret_basic"
	}
	cfg := oauth2.Config{
		ClientID:    c.ClientID,
		RedirectURL: redirectURI,
		Endpoint:    oauth2.Endpoint{AuthURL: d.AuthorizationEndpoint, TokenURL: d.TokenEndpoint},
	}
	switch method {
	case "client_secret_basic":
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
		cfg.ClientSecret = deref(c.ClientSecret)
	case "client_secret_post":
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		cfg.ClientSecret = deref(c.ClientSecret)
	case "none":
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	default:
		return fmt.Errorf("token_endpoint_auth_method %q: this client does only none, client_secret_basic and client_secret_post", method)
	}
	if scope != "" {
		cfg.Scopes = strings.Fields(scope)
	}
	var extra []oauth2.AuthCodeOption
	if d.Resource != "" {
		extra = append(extra, oauth2.SetAuthURLParam("resource", d.Resource))
	}

	verifier := oauth2.GenerateVerifier()
	state := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL(state, append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, extra...)...)
	logf("authorization request: scope %q, resource %q, auth method %s", scope, d.Resource, method)
	cb, err := s.followToRedirectURI(ctx, authURL)
	if err != nil {
		return err
	}
	q := cb.Query()
	if e := q.Get("error"); e != "" {
		return fmt.Errorf("authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return errors.New("authorization response: state does not match")
	}
	if err := checkIss(q, d); err != nil {
		return err
	}
	code := q.Get("code")
	if code == "" {
		return errors.New("authorization response without code")
	}
	tok, err := cfg.Exchange(ctx, code, append([]oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}, extra...)...)
	if err != nil {
		return fmt.Errorf("token request: %w", err)
	}
	s.token, s.scope = tok, scope
	logf("token request: ok (%s)", tok.Type())
	return nil
}

// checkIss applies RFC 9207: an iss in the response must be the issuer the
// metadata names, and it must be there when the server advertises it.
func checkIss(q url.Values, d *discovery) error {
	iss, present := q.Get("iss"), q.Has("iss")
	switch {
	case present && iss != d.Issuer:
		return fmt.Errorf("authorization response iss %q is not the issuer %q (RFC 9207): refusing the code", iss, d.Issuer)
	case !present && d.IssSupported != nil && *d.IssSupported:
		return fmt.Errorf("authorization response lacks iss although %s advertises authorization_response_iss_parameter_supported (RFC 9207): refusing the code", d.Issuer)
	}
	return nil
}

// followToRedirectURI plays the browser: it requests the authorization URL and
// follows redirects until one points at the redirect URI.
func (s *session) followToRedirectURI(ctx context.Context, u string) (*url.URL, error) {
	for range 5 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := s.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("authorization request: %w", err)
		}
		_ = resp.Body.Close()
		loc := resp.Header.Get("Location")
		if loc == "" {
			return nil, fmt.Errorf("authorization request: %d without a redirect", resp.StatusCode)
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("authorization request: bad Location: %w", err)
		}
		if strings.HasPrefix(next.String(), redirectURI) {
			return next, nil
		}
		u = next.String()
	}
	return nil, errors.New("authorization request: too many redirects")
}

func unionScope(have, want string) string {
	out := strings.Fields(have)
	for _, s := range strings.Fields(want) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseBearerChallenge returns the auth-params of the Bearer challenge (RFC
// 6750 section 3), lower-cased names; empty when there is none.
func parseBearerChallenge(headers []string) map[string]string {
	params := map[string]string{}
	for _, h := range headers {
		rest, ok := cutScheme(h, "bearer")
		if !ok {
			continue
		}
		for rest = strings.TrimSpace(rest); rest != ""; {
			name, after, ok := strings.Cut(rest, "=")
			if !ok {
				break
			}
			name = strings.ToLower(strings.TrimSpace(strings.TrimLeft(name, ", ")))
			after = strings.TrimSpace(after)
			var val string
			if strings.HasPrefix(after, `"`) {
				var b strings.Builder
				i := 1
				for ; i < len(after) && after[i] != '"'; i++ {
					if after[i] == '\\' && i+1 < len(after) {
						i++
					}
					b.WriteByte(after[i])
				}
				val, rest = b.String(), after[min(i+1, len(after)):]
			} else {
				end := strings.IndexAny(after, ", ")
				if end < 0 {
					end = len(after)
				}
				val, rest = after[:end], after[end:]
			}
			params[name] = val
			rest = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(rest), ","))
		}
		return params
	}
	return params
}

func cutScheme(h, scheme string) (string, bool) {
	h = strings.TrimSpace(h)
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	if len(h) > len(scheme) && h[len(scheme)] != ' ' {
		return "", false
	}
	return h[len(scheme):], true
}
