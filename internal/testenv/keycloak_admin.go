package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MCPScopes are the realm's MCP client scopes.
var MCPScopes = []string{"mcp:read", "mcp:write"}

// audienceMapperName is the name of the audience mapper on each MCP scope.
const audienceMapperName = "mcp-audience"

var httpClient = &http.Client{Timeout: 30 * time.Second}

// HTTPError is a non-2xx answer from a server, with the body it sent.
type HTTPError struct {
	Method, URL string
	Status      int
	Body        string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.Status, strings.TrimSpace(e.Body))
}

// AdminToken returns a fresh admin access token from realm master
// (password grant, client admin-cli). They live 60 s: fetch one per use.
func (k *Keycloak) AdminToken(ctx context.Context) (string, error) {
	form := url.Values{
		"grant_type": {"password"},
		"client_id":  {"admin-cli"},
		"username":   {k.AdminUser},
		"password":   {k.AdminPassword},
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := doForm(ctx, k.BaseURL+"/realms/master/protocol/openid-connect/token", form, &out); err != nil {
		return "", fmt.Errorf("keycloak admin token: %w", err)
	}
	if out.AccessToken == "" {
		return "", errors.New("keycloak admin token: answer without access_token")
	}
	return out.AccessToken, nil
}

// admin calls the admin REST API of the realm: path is relative to
// /admin/realms/{realm}. in (if not nil) is sent as JSON; out (if not nil)
// receives the JSON answer. It returns the Location header.
func (k *Keycloak) admin(ctx context.Context, method, path string, in, out any) (string, error) {
	tok, err := k.AdminToken(ctx)
	if err != nil {
		return "", err
	}
	u := k.BaseURL + "/admin/realms/" + k.Realm + path
	return doJSON(ctx, method, u, tok, in, out)
}

// MintInitialAccessToken creates an Initial Access Token for realm
// mcp-oauth, valid for expiration (whole seconds; 0 = no expiry) and count
// registrations.
func (k *Keycloak) MintInitialAccessToken(ctx context.Context, expiration time.Duration, count int) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	in := map[string]int{"expiration": int(expiration / time.Second), "count": count}
	if _, err := k.admin(ctx, http.MethodPost, "/clients-initial-access", in, &out); err != nil {
		return "", fmt.Errorf("mint initial access token: %w", err)
	}
	if out.Token == "" {
		return "", errors.New("mint initial access token: answer without token")
	}
	return out.Token, nil
}

// KeycloakClient is the part of Keycloak's admin ClientRepresentation that
// tests look at.
type KeycloakClient struct {
	ID                    string            `json:"id"`
	ClientID              string            `json:"clientId"`
	Name                  string            `json:"name"`
	Enabled               bool              `json:"enabled"`
	PublicClient          bool              `json:"publicClient"`
	RedirectURIs          []string          `json:"redirectUris"`
	DefaultClientScopes   []string          `json:"defaultClientScopes"`
	OptionalClientScopes  []string          `json:"optionalClientScopes"`
	ClientAuthenticator   string            `json:"clientAuthenticatorType"`
	ServiceAccountsEnable bool              `json:"serviceAccountsEnabled"`
	Attributes            map[string]string `json:"attributes"`
}

// GetClientByClientID looks a client up through the admin REST API; it
// returns nil, nil when there is none.
func (k *Keycloak) GetClientByClientID(ctx context.Context, clientID string) (*KeycloakClient, error) {
	var list []KeycloakClient
	if _, err := k.admin(ctx, http.MethodGet, "/clients?clientId="+url.QueryEscape(clientID), nil, &list); err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ClientID == clientID {
			return &list[i], nil
		}
	}
	return nil, nil
}

// DeleteClientByClientID deletes a client through the admin REST API, as an
// administrator would "outside Terraform". Deleting a client that does not
// exist is an error.
func (k *Keycloak) DeleteClientByClientID(ctx context.Context, clientID string) error {
	c, err := k.GetClientByClientID(ctx, clientID)
	if err != nil {
		return fmt.Errorf("delete client %s: %w", clientID, err)
	}
	if c == nil {
		return fmt.Errorf("delete client %s: no such client in realm %s", clientID, k.Realm)
	}
	if _, err := k.admin(ctx, http.MethodDelete, "/clients/"+url.PathEscape(c.ID), nil, nil); err != nil {
		return fmt.Errorf("delete client %s: %w", clientID, err)
	}
	return nil
}

// ClientCredentialsToken runs the client_credentials grant against the
// realm (client_secret_post) and returns the raw token response.
func (k *Keycloak) ClientCredentialsToken(ctx context.Context, clientID, clientSecret, scope string) (map[string]any, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {clientSecret},
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	var out map[string]any
	if err := doForm(ctx, k.TokenEndpoint(), form, &out); err != nil {
		return nil, err
	}
	return out, nil
}

type clientScopeRep struct {
	ID              string            `json:"id,omitempty"`
	Name            string            `json:"name"`
	Description     string            `json:"description,omitempty"`
	Protocol        string            `json:"protocol"`
	Attributes      map[string]string `json:"attributes,omitempty"`
	ProtocolMappers []protocolMapper  `json:"protocolMappers,omitempty"`
}

type protocolMapper struct {
	ID             string            `json:"id,omitempty"`
	Name           string            `json:"name"`
	Protocol       string            `json:"protocol"`
	ProtocolMapper string            `json:"protocolMapper"`
	Config         map[string]string `json:"config"`
}

type componentRep struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	ProviderID   string              `json:"providerId"`
	ProviderType string              `json:"providerType"`
	ParentID     string              `json:"parentId"`
	SubType      string              `json:"subType"`
	Config       map[string][]string `json:"config"`
}

func audienceMapper(audience string) protocolMapper {
	return protocolMapper{
		Name:           audienceMapperName,
		Protocol:       "openid-connect",
		ProtocolMapper: "oidc-audience-mapper",
		Config: map[string]string{
			"included.custom.audience":  audience,
			"access.token.claim":        "true",
			"id.token.claim":            "false",
			"introspection.token.claim": "true",
			"lightweight.claim":         "false",
		},
	}
}

// ConfigureRealm applies, idempotently, what the realm file leaves out (a
// clientScopes array in an import would replace Keycloak's built-in scopes,
// a registration policy component would replace the default policies):
//
//   - client scopes mcp:read and mcp:write (openid-connect, included in the
//     token's scope claim), each with an audience mapper that puts audience
//     (the MCP resource URL) into access tokens;
//   - both as realm default optional client scopes, so dynamically
//     registered clients may ask for them;
//   - both as default client scopes of mcp-demo-client;
//   - the "Allowed Client Scopes" registration policy for authenticated
//     requests (Initial Access Token or bearer) lists them explicitly.
//
// Anonymous registration stays refused by the default Trusted Hosts policy.
// It works against any Keycloak with realm mcp-oauth, including the
// docker-compose one.
func (k *Keycloak) ConfigureRealm(ctx context.Context, audience string) error {
	if audience == "" {
		audience = DefaultMCPResource
	}
	// Wait (briefly) for the realm: readiness can precede the import's end
	// on some versions.
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := k.admin(ctx, http.MethodGet, "", nil, nil)
		if err == nil {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("realm %s not available through the admin API: %w", k.Realm, err)
		}
		time.Sleep(time.Second)
	}

	var scopes []clientScopeRep
	if _, err := k.admin(ctx, http.MethodGet, "/client-scopes", nil, &scopes); err != nil {
		return fmt.Errorf("list client scopes: %w", err)
	}
	ids := map[string]string{}
	for _, name := range MCPScopes {
		var found *clientScopeRep
		for i := range scopes {
			if scopes[i].Name == name {
				found = &scopes[i]
			}
		}
		if found == nil {
			rep := clientScopeRep{
				Name:        name,
				Description: "MCP scope " + name,
				Protocol:    "openid-connect",
				Attributes: map[string]string{
					"include.in.token.scope":    "true",
					"display.on.consent.screen": "true",
					"consent.screen.text":       "MCP access: " + name,
				},
				ProtocolMappers: []protocolMapper{audienceMapper(audience)},
			}
			loc, err := k.admin(ctx, http.MethodPost, "/client-scopes", rep, nil)
			if err != nil {
				return fmt.Errorf("create client scope %s: %w", name, err)
			}
			ids[name] = loc[strings.LastIndex(loc, "/")+1:]
			continue
		}
		ids[name] = found.ID
		var mappers []protocolMapper
		if _, err := k.admin(ctx, http.MethodGet, "/client-scopes/"+found.ID+"/protocol-mappers/models", nil, &mappers); err != nil {
			return fmt.Errorf("list mappers of %s: %w", name, err)
		}
		want := audienceMapper(audience)
		var existing *protocolMapper
		for i := range mappers {
			if mappers[i].Name == audienceMapperName {
				existing = &mappers[i]
			}
		}
		if existing == nil {
			if _, err := k.admin(ctx, http.MethodPost, "/client-scopes/"+found.ID+"/protocol-mappers/models", want, nil); err != nil {
				return fmt.Errorf("add audience mapper to %s: %w", name, err)
			}
		} else if existing.Config["included.custom.audience"] != audience {
			want.ID = existing.ID
			if _, err := k.admin(ctx, http.MethodPut, "/client-scopes/"+found.ID+"/protocol-mappers/models/"+existing.ID, want, nil); err != nil {
				return fmt.Errorf("update audience mapper of %s: %w", name, err)
			}
		}
	}
	for _, name := range MCPScopes {
		if _, err := k.admin(ctx, http.MethodPut, "/default-optional-client-scopes/"+ids[name], nil, nil); err != nil && !isConflict(err) {
			return fmt.Errorf("make %s a realm optional client scope: %w", name, err)
		}
	}
	demo, err := k.GetClientByClientID(ctx, DemoClientID)
	if err != nil {
		return fmt.Errorf("find %s: %w", DemoClientID, err)
	}
	if demo != nil {
		for _, name := range MCPScopes {
			if _, err := k.admin(ctx, http.MethodPut, "/clients/"+demo.ID+"/default-client-scopes/"+ids[name], nil, nil); err != nil && !isConflict(err) {
				return fmt.Errorf("add %s to %s: %w", name, DemoClientID, err)
			}
		}
	}
	var comps []componentRep
	q := "/components?type=" + url.QueryEscape("org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy")
	if _, err := k.admin(ctx, http.MethodGet, q, nil, &comps); err != nil {
		return fmt.Errorf("list client registration policies: %w", err)
	}
	for _, c := range comps {
		if c.ProviderID != "allowed-client-templates" || c.SubType != "authenticated" {
			continue
		}
		if c.Config == nil {
			c.Config = map[string][]string{}
		}
		allowed := c.Config["allowed-client-scopes"]
		changed := false
		for _, name := range MCPScopes {
			if !contains(allowed, name) {
				allowed = append(allowed, name)
				changed = true
			}
		}
		if !contains(c.Config["allow-default-scopes"], "true") {
			c.Config["allow-default-scopes"] = []string{"true"}
			changed = true
		}
		if !changed {
			continue
		}
		c.Config["allowed-client-scopes"] = allowed
		if c.ProviderType == "" {
			c.ProviderType = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy"
		}
		if _, err := k.admin(ctx, http.MethodPut, "/components/"+c.ID, c, nil); err != nil {
			return fmt.Errorf("update registration policy %q: %w", c.Name, err)
		}
	}
	k.Audience = audience
	return nil
}

// isConflict reports a 409, which Keycloak answers when a link to add is
// already there.
func isConflict(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.Status == http.StatusConflict
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// doJSON sends a JSON request (bearer token optional) and decodes a JSON
// answer into out. It returns the Location header.
func doJSON(ctx context.Context, method, u, bearer string, in, out any) (string, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return "", err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return "", err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return do(req, out)
}

// doForm posts a form and decodes a JSON answer into out.
func doForm(ctx context.Context, u string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	_, err = do(req, out)
	return err
}

func do(req *http.Request, out any) (string, error) {
	resp, err := httpClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode/100 != 2 {
		return "", &HTTPError{Method: req.Method, URL: req.URL.String(), Status: resp.StatusCode, Body: string(b)}
	}
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return "", fmt.Errorf("%s %s: decode answer: %w", req.Method, req.URL, err)
		}
	}
	return resp.Header.Get("Location"), nil
}
