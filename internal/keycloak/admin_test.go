package keycloak_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/keycloak"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/keycloak/kcfake"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

func fake(t *testing.T) *kcfake.Server {
	t.Helper()
	s := kcfake.New([]string{"master", "mcp-oauth", "other"},
		kcfake.Account{Realm: "master", Username: "admin", Password: "admin123", ManagedRealms: []string{"master", "mcp-oauth"}},
		kcfake.Account{Realm: "master", ClientID: "automation", Secret: "s3cret", ManagedRealms: []string{"mcp-oauth"}},
	)
	t.Cleanup(s.Close)
	return s
}

func admin(t *testing.T, cfg keycloak.Config) *keycloak.Admin {
	t.Helper()
	c, err := oauth.NewClient(oauth.Options{Retries: 0})
	if err != nil {
		t.Fatal(err)
	}
	a, err := keycloak.New(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestConfigGrant(t *testing.T) {
	for _, tc := range []struct {
		cfg     keycloak.Config
		grant   string
		wantErr string
	}{
		{keycloak.Config{Username: "a", Password: "b"}, keycloak.GrantPassword, ""},
		{keycloak.Config{ClientSecret: "x"}, keycloak.GrantClientCredentials, ""},
		{keycloak.Config{Username: "a", Password: "b", ClientSecret: "x"}, keycloak.GrantPassword, ""},
		{keycloak.Config{Username: "a"}, "", "without a password"},
		{keycloak.Config{Password: "b"}, "", "without a username"},
		{keycloak.Config{}, "", "no credentials"},
	} {
		g, err := tc.cfg.Grant()
		if g != tc.grant || (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%+v: got %q, %v; want %q, %q", tc.cfg, g, err, tc.grant, tc.wantErr)
		}
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	c, _ := oauth.NewClient(oauth.Options{})
	for _, u := range []string{"", "keycloak:8080", "http://keycloak.example.com"} {
		if _, err := keycloak.New(c, keycloak.Config{BaseURL: u, Username: "a", Password: "b"}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

func TestInitialAccessTokenLifecycle(t *testing.T) {
	s := fake(t)
	for _, cfg := range []keycloak.Config{
		{BaseURL: s.URL + "/", Username: "admin", Password: "admin123"},
		{BaseURL: s.URL, ClientID: "automation", ClientSecret: "s3cret"},
	} {
		a := admin(t, cfg)
		iat, err := a.CreateInitialAccessToken(context.Background(), "mcp-oauth", 10*time.Minute, 3)
		if err != nil {
			t.Fatalf("%s: %v", a.Grant(), err)
		}
		kept := s.IATs[iat.ID]
		if kept == nil || kept.Token != iat.Token || kept.Expiration != 600 || kept.Count != 3 || kept.Realm != "mcp-oauth" {
			t.Fatalf("%s: minted %+v, server holds %+v", a.Grant(), iat, kept)
		}
		if got := iat.ExpiresAt().Sub(iat.IssuedAt); got != 10*time.Minute {
			t.Errorf("expires %v after issue, want 10m", got)
		}
		if err := a.DeleteInitialAccessToken(context.Background(), "mcp-oauth", iat.ID); err != nil {
			t.Fatal(err)
		}
		if s.IATs[iat.ID] != nil {
			t.Error("not deleted")
		}
		// Deleting again (already gone) is fine.
		if err := a.DeleteInitialAccessToken(context.Background(), "mcp-oauth", iat.ID); err != nil {
			t.Errorf("second delete: %v", err)
		}
	}
}

func TestErrorsSayWhatIsWrong(t *testing.T) {
	s := fake(t)
	for _, tc := range []struct {
		name  string
		cfg   keycloak.Config
		realm string
		kind  keycloak.Kind
		op    keycloak.Op
	}{
		{"wrong password", keycloak.Config{BaseURL: s.URL, Username: "admin", Password: "nope"}, "mcp-oauth", keycloak.KindBadCredentials, keycloak.OpAdminToken},
		{"wrong client secret", keycloak.Config{BaseURL: s.URL, ClientID: "automation", ClientSecret: "nope"}, "mcp-oauth", keycloak.KindBadCredentials, keycloak.OpAdminToken},
		{"admin realm missing", keycloak.Config{BaseURL: s.URL, AdminRealm: "nowhere", Username: "admin", Password: "admin123"}, "mcp-oauth", keycloak.KindRealmNotFound, keycloak.OpAdminToken},
		{"no rights in realm", keycloak.Config{BaseURL: s.URL, ClientID: "automation", ClientSecret: "s3cret"}, "other", keycloak.KindForbidden, keycloak.OpCreateInitialAccessToken},
		{"realm missing", keycloak.Config{BaseURL: s.URL, Username: "admin", Password: "admin123"}, "nowhere", keycloak.KindNotFound, keycloak.OpCreateInitialAccessToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := admin(t, tc.cfg).CreateInitialAccessToken(context.Background(), tc.realm, time.Minute, 1)
			var ke *keycloak.Error
			if !errors.As(err, &ke) {
				t.Fatalf("got %v, want a *keycloak.Error", err)
			}
			if ke.Kind != tc.kind || ke.Op != tc.op || ke.Status == 0 || ke.ServerSaid() == "" {
				t.Errorf("got %+v", ke)
			}
			for _, secret := range []string{"nope", "admin123", "s3cret"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a credential: %v", err)
				}
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	s := fake(t)
	url := s.URL
	s.Close()
	_, err := admin(t, keycloak.Config{BaseURL: url, Username: "admin", Password: "admin123"}).CreateInitialAccessToken(context.Background(), "mcp-oauth", time.Minute, 1)
	var ke *keycloak.Error
	if !errors.As(err, &ke) || ke.Kind != keycloak.KindUnreachable {
		t.Fatalf("got %v", err)
	}
}

func TestNewRegistrationAccessToken(t *testing.T) {
	s := fake(t)
	id := s.AddClient("mcp-oauth", "client-1")
	old := s.RegistrationTokens[id]
	a := admin(t, keycloak.Config{BaseURL: s.URL, Username: "admin", Password: "admin123"})
	tok, err := a.NewRegistrationAccessToken(context.Background(), "mcp-oauth", "client-1")
	if err != nil {
		t.Fatal(err)
	}
	if tok == old || tok != s.RegistrationTokens[id] {
		t.Errorf("got %q; server holds %q (old %q)", tok, s.RegistrationTokens[id], old)
	}
	_, err = a.NewRegistrationAccessToken(context.Background(), "mcp-oauth", "nobody")
	var ke *keycloak.Error
	if !errors.As(err, &ke) || ke.Kind != keycloak.KindNotFound || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("unknown client: %v", err)
	}
}
