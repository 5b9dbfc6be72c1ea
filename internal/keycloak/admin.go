// Package keycloak speaks the part of Keycloak's admin REST API that MCP
// client setup needs: Initial Access Tokens for dynamic registration, and a
// new registration access token for a client whose token was lost. It is
// plain Go on top of the oauth package's HTTP policy; it returns data and
// error kinds, and leaves the words to its caller.
package keycloak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// Defaults for Config fields left empty.
const (
	DefaultAdminRealm = "master"
	DefaultClientID   = "admin-cli"
)

// Grant types an Admin authenticates with.
const (
	GrantPassword          = "password"
	GrantClientCredentials = "client_credentials"
)

// Config says where Keycloak is and how the admin authenticates.
type Config struct {
	// BaseURL is Keycloak's public URL, e.g. https://keycloak.example.com
	// (Keycloak before version 17 adds /auth).
	BaseURL string
	// AdminRealm is the realm the admin account lives in; default master.
	AdminRealm string
	// ClientID is the client the admin token is requested for; default admin-cli.
	ClientID string
	// ClientSecret selects the client credentials grant when Username is empty.
	ClientSecret string
	// Username and Password select the password grant (Resource Owner Password Credentials).
	Username, Password string
}

// Grant returns the grant Config uses, or an error when the credentials are
// incomplete: a username needs a password; without a username a client
// secret is needed.
func (c Config) Grant() (string, error) {
	switch {
	case c.Username != "" && c.Password == "":
		return "", errors.New("a username without a password")
	case c.Username == "" && c.Password != "":
		return "", errors.New("a password without a username")
	case c.Username != "":
		return GrantPassword, nil
	case c.ClientSecret != "":
		return GrantClientCredentials, nil
	default:
		return "", errors.New("no credentials: give a username and password, or a client secret")
	}
}

// Admin calls Keycloak's admin REST API. An admin token is fetched for
// each operation: Keycloak's admin tokens live about 60 seconds.
type Admin struct {
	http  *oauth.Client
	cfg   Config
	grant string
}

// New returns an Admin for cfg, checking its shape (no request is made).
func New(client *oauth.Client, cfg Config) (*Admin, error) {
	if client == nil {
		return nil, errors.New("no HTTP client")
	}
	cfg.BaseURL = strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if cfg.BaseURL == "" {
		return nil, errors.New("no base URL")
	}
	if err := oauth.ValidateURL(cfg.BaseURL, client.AllowsInsecureHTTP()); err != nil {
		return nil, err
	}
	if cfg.AdminRealm == "" {
		cfg.AdminRealm = DefaultAdminRealm
	}
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	grant, err := cfg.Grant()
	if err != nil {
		return nil, err
	}
	return &Admin{http: client, cfg: cfg, grant: grant}, nil
}

// Grant is the grant the admin authenticates with.
func (a *Admin) Grant() string { return a.grant }

// TokenEndpoint is where the admin token is requested.
func (a *Admin) TokenEndpoint() string {
	return a.cfg.BaseURL + "/realms/" + url.PathEscape(a.cfg.AdminRealm) + "/protocol/openid-connect/token"
}

// RealmURL is the admin REST base of realm.
func (a *Admin) RealmURL(realm string) string {
	return a.cfg.BaseURL + "/admin/realms/" + url.PathEscape(realm)
}

// Secrets lists the credential values of the configuration, for masking.
func (a *Admin) Secrets() []string { return []string{a.cfg.ClientSecret, a.cfg.Password} }

// token gets a fresh admin access token.
func (a *Admin) token(ctx context.Context) (string, error) {
	form := url.Values{"grant_type": {a.grant}, "client_id": {a.cfg.ClientID}}
	if a.cfg.ClientSecret != "" {
		form.Set("client_secret", a.cfg.ClientSecret)
	}
	if a.grant == GrantPassword {
		form.Set("username", a.cfg.Username)
		form.Set("password", a.cfg.Password)
	}
	reply, err := a.http.Send(ctx, oauth.Call{
		Method: http.MethodPost, URL: a.TokenEndpoint(),
		Body: []byte(form.Encode()), ContentType: "application/x-www-form-urlencoded",
	})
	if err != nil {
		return "", &Error{Op: OpAdminToken, URL: a.TokenEndpoint(), Kind: KindUnreachable, Err: err}
	}
	if reply.Status != http.StatusOK {
		e := newError(OpAdminToken, a.TokenEndpoint(), reply)
		switch {
		case e.Code == "invalid_grant" || e.Code == "invalid_client" || e.Code == "unauthorized_client" || reply.Status == http.StatusUnauthorized:
			e.Kind = KindBadCredentials
		case reply.Status == http.StatusNotFound:
			e.Kind = KindRealmNotFound
		}
		return "", e
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(reply.Body, &out); err != nil || out.AccessToken == "" {
		return "", &Error{Op: OpAdminToken, URL: a.TokenEndpoint(), Status: reply.Status, Kind: KindUnexpected,
			Description: "the answer is not a token response (no access_token)"}
	}
	return out.AccessToken, nil
}

// call runs one admin REST request on realm with a fresh admin token.
func (a *Admin) call(ctx context.Context, op Op, method, realm, path string, in, out any) error {
	tok, err := a.token(ctx)
	if err != nil {
		return err
	}
	target := a.RealmURL(realm) + path
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	reply, err := a.http.Send(ctx, oauth.Call{Method: method, URL: target, Bearer: tok, Body: body})
	if err != nil {
		return &Error{Op: op, URL: target, Realm: realm, Kind: KindUnreachable, Err: err}
	}
	if reply.Status/100 != 2 {
		e := newError(op, target, reply)
		e.Realm = realm
		switch reply.Status {
		case http.StatusForbidden:
			e.Kind = KindForbidden
		case http.StatusUnauthorized:
			e.Kind = KindTokenRefused
		case http.StatusNotFound:
			e.Kind = KindNotFound
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(reply.Body, out); err != nil {
			return &Error{Op: op, URL: target, Realm: realm, Status: reply.Status, Kind: KindUnexpected,
				Description: "the answer is not the JSON expected: " + err.Error()}
		}
	}
	return nil
}

// InitialAccessToken is a token for RFC 7591 registrations in one realm.
type InitialAccessToken struct {
	ID    string
	Token string
	// Expiration is how long it is valid from IssuedAt; zero means no expiry.
	Expiration time.Duration
	// Count is how many registrations it allows.
	Count    int
	IssuedAt time.Time
}

// ExpiresAt is when the token stops working; zero when it never expires.
func (t InitialAccessToken) ExpiresAt() time.Time {
	if t.Expiration <= 0 {
		return time.Time{}
	}
	return t.IssuedAt.Add(t.Expiration)
}

// CreateInitialAccessToken mints an Initial Access Token in realm, valid
// for expiration (whole seconds; 0 = no expiry) and count registrations.
// The admin needs the realm's manage-clients or create-client role.
func (a *Admin) CreateInitialAccessToken(ctx context.Context, realm string, expiration time.Duration, count int) (*InitialAccessToken, error) {
	in := map[string]int{"expiration": int(expiration / time.Second), "count": count}
	var out struct {
		ID         string `json:"id"`
		Token      string `json:"token"`
		Timestamp  int64  `json:"timestamp"`
		Expiration int64  `json:"expiration"`
		Count      int    `json:"count"`
	}
	if err := a.call(ctx, OpCreateInitialAccessToken, http.MethodPost, realm, "/clients-initial-access", in, &out); err != nil {
		return nil, err
	}
	if out.Token == "" {
		return nil, &Error{Op: OpCreateInitialAccessToken, URL: a.RealmURL(realm) + "/clients-initial-access", Realm: realm,
			Status: http.StatusOK, Kind: KindUnexpected, Description: "the answer holds no token"}
	}
	iat := &InitialAccessToken{ID: out.ID, Token: out.Token, Expiration: time.Duration(out.Expiration) * time.Second, Count: out.Count}
	if out.Timestamp > 0 {
		iat.IssuedAt = time.Unix(out.Timestamp, 0).UTC()
	} else {
		iat.IssuedAt = time.Now().UTC().Truncate(time.Second)
	}
	return iat, nil
}

// DeleteInitialAccessToken removes an Initial Access Token. A token that is
// already gone (used up, expired and purged) is not an error.
func (a *Admin) DeleteInitialAccessToken(ctx context.Context, realm, id string) error {
	err := a.call(ctx, OpDeleteInitialAccessToken, http.MethodDelete, realm, "/clients-initial-access/"+url.PathEscape(id), nil, nil)
	var ke *Error
	if errors.As(err, &ke) && ke.Kind == KindNotFound {
		return nil
	}
	return err
}

// Client is the part of Keycloak's ClientRepresentation this package reads.
type Client struct {
	// ID is Keycloak's internal id, used in admin URLs.
	ID string `json:"id"`
	// ClientID is the OAuth client_id.
	ClientID                string `json:"clientId"`
	RegistrationAccessToken string `json:"registrationAccessToken,omitempty"`
}

// FindClient looks a client up by its OAuth client_id; nil when there is none.
func (a *Admin) FindClient(ctx context.Context, realm, clientID string) (*Client, error) {
	var list []Client
	if err := a.call(ctx, OpFindClient, http.MethodGet, realm, "/clients?clientId="+url.QueryEscape(clientID), nil, &list); err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ClientID == clientID {
			return &list[i], nil
		}
	}
	return nil, nil
}

// NewRegistrationAccessToken issues a new registration access token for the
// client with OAuth client_id clientID (the admin console's "Regenerate
// registration access token"); the old one stops working.
func (a *Admin) NewRegistrationAccessToken(ctx context.Context, realm, clientID string) (string, error) {
	c, err := a.FindClient(ctx, realm, clientID)
	if err != nil {
		return "", err
	}
	if c == nil {
		return "", &Error{Op: OpNewRegistrationAccessToken, URL: a.RealmURL(realm) + "/clients", Realm: realm,
			Kind: KindNotFound, Description: fmt.Sprintf("no client with client_id %q in realm %q", clientID, realm)}
	}
	var out Client
	path := "/clients/" + url.PathEscape(c.ID) + "/registration-access-token"
	if err := a.call(ctx, OpNewRegistrationAccessToken, http.MethodPost, realm, path, nil, &out); err != nil {
		return "", err
	}
	if out.RegistrationAccessToken == "" {
		return "", &Error{Op: OpNewRegistrationAccessToken, URL: a.RealmURL(realm) + path, Realm: realm, Status: http.StatusOK,
			Kind: KindUnexpected, Description: "the answer holds no registrationAccessToken"}
	}
	return out.RegistrationAccessToken, nil
}
