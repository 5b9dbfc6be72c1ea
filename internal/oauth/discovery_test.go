package oauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// chainSites starts an MCP server whose metadata lists two authorization
// servers, each serving its own metadata.
func chainSites(t *testing.T) (mcp, as1, as2 *discoSite) {
	mcp, as1, as2 = newDiscoSite(t, false), newDiscoSite(t, false), newDiscoSite(t, false)
	mcp.route("POST /mcp", serveChallenge(401, `Bearer resource_metadata="`+mcp.URL+`/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`))
	mcp.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(mcp.URL+"/mcp", as1.URL+"/realms/a", as2.URL)))
	as1.route("/realms/a/.well-known/openid-configuration", serveJSON(asDoc(as1.URL+"/realms/a")))
	as2.route("/.well-known/oauth-authorization-server", serveJSON(asDoc(as2.URL)))
	return mcp, as1, as2
}

func TestDiscoverChain(t *testing.T) {
	mcp, as1, as2 := chainSites(t)
	c := mcp.client(t)

	res, err := c.Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/mcp"})
	if err != nil {
		t.Fatal(err)
	}
	if res.AuthorizationServer != as1.URL+"/realms/a" || res.Server.Source != SourceOIDC ||
		res.Server.Metadata.RegistrationEndpoint != as1.URL+"/realms/a/register" || res.Resource.Challenge.Scope != "mcp:tools" {
		t.Fatalf("default choice: %+v / %+v", res, res.Server)
	}

	res, err = c.Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/mcp", AuthorizationServer: as2.URL})
	if err != nil {
		t.Fatal(err)
	}
	if res.AuthorizationServer != as2.URL || res.Server.MetadataURL != as2.URL+"/.well-known/oauth-authorization-server" {
		t.Fatalf("explicit choice: %+v", res.Server)
	}
}

func TestDiscoverChainErrors(t *testing.T) {
	mcp, _, _ := chainSites(t)
	c := mcp.client(t)

	res, err := c.Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/mcp", AuthorizationServer: "https://unlisted.example.com"})
	if !errors.Is(err, ErrNoAuthorizationServer) || !strings.Contains(err.Error(), "unlisted.example.com") {
		t.Fatalf("want ErrNoAuthorizationServer naming the choice, got %v", err)
	}
	if res == nil || res.Resource == nil || res.Server != nil {
		t.Fatalf("the resource step's result must come back with the error: %+v", res)
	}

	// Issuer mismatch in the second step: the resource result still comes back.
	bad := newDiscoSite(t, false)
	bad.route("/.well-known/oauth-authorization-server", serveJSON(asDoc(bad.URL+"/")))
	mcp.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(mcp.URL+"/mcp", bad.URL)))
	res, err = c.Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/mcp"})
	var me *MismatchError
	if !errors.As(err, &me) || res == nil || res.Resource == nil || res.AuthorizationServer != bad.URL {
		t.Fatalf("want an issuer mismatch with the resource result, got %v / %+v", err, res)
	}
	if _, err := c.Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/mcp", IssuerMatch: IssuerMatchAllowTrailingSlash}); err != nil {
		t.Fatalf("allow_trailing_slash: %v", err)
	}

	mcp.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(mcp.URL+"/mcp")))
	if _, err := c.Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/mcp"}); !errors.Is(err, ErrNoAuthorizationServer) {
		t.Fatalf("a resource listing no authorization server: got %v", err)
	}

	if _, err := c.Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/nothing-here"}); err == nil {
		t.Fatal("want an error when the resource has no metadata")
	}
}

// An authorization_servers entry that is not an absolute URL is reported as
// the resource metadata's fault, naming the field and the document's URL.
func TestDiscoverChainRelativeAuthorizationServer(t *testing.T) {
	for _, entry := range []string{"", "localhost:41002", "/realms/a"} {
		t.Run(entry, func(t *testing.T) {
			mcp, _, as2 := chainSites(t)
			prm := mcp.URL + "/.well-known/oauth-protected-resource/mcp"
			mcp.route("/.well-known/oauth-protected-resource/mcp", serveJSON(prmDoc(mcp.URL+"/mcp", entry, as2.URL)))
			res, err := mcp.client(t).Discover(context.Background(), DiscoveryRequest{ResourceURL: mcp.URL + "/mcp"})
			if !errors.Is(err, ErrNoAuthorizationServer) {
				t.Fatalf("want ErrNoAuthorizationServer, got %v", err)
			}
			for _, want := range []string{"authorization_servers", prm, fmt.Sprintf("%q", entry), as2.URL} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q: %s", want, err)
				}
			}
			if res == nil || res.Resource == nil || len(res.Resource.Attempts) == 0 {
				t.Fatalf("the attempts must come back with the error: %+v", res)
			}
		})
	}
}

// MCP 2025-03-26 servers publish no protected resource metadata: the MCP
// server's origin is the authorization server, with its RFC 8414 metadata
// or, without it, the default endpoints.
func TestDiscoverLegacy(t *testing.T) {
	t.Run("origin metadata", func(t *testing.T) {
		s := newDiscoSite(t, false)
		s.route("POST /mcp", serveChallenge(401, `Bearer error="invalid_token", error_description="Missing Authorization header"`))
		s.route("/.well-known/oauth-authorization-server", serveJSON(asDoc(s.URL)))
		res, err := s.client(t).Discover(context.Background(), DiscoveryRequest{ResourceURL: s.URL + "/mcp"})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Legacy || res.DefaultEndpoints || res.AuthorizationServer != s.URL ||
			res.Server.MetadataURL != s.URL+"/.well-known/oauth-authorization-server" || res.Server.Metadata.RegistrationEndpoint != s.URL+"/register" {
			t.Fatalf("result %+v / %+v", res, res.Server)
		}
		if res.Resource.Metadata.Resource != s.URL+"/mcp" || res.Resource.Challenge == nil || res.Resource.Challenge.Error != "invalid_token" {
			t.Fatalf("resource %+v", res.Resource)
		}
		last := res.Resource.Attempts[len(res.Resource.Attempts)-1]
		if len(res.Resource.Attempts) != 4 || !strings.Contains(last.Detail, "2025-03-26") {
			t.Fatalf("resource attempts:\n%s", FormatAttempts(res.Resource.Attempts))
		}
	})
	t.Run("default endpoints", func(t *testing.T) {
		s := newDiscoSite(t, false)
		s.route("POST /mcp", serveStatus(401, "", ""))
		res, err := s.client(t).Discover(context.Background(), DiscoveryRequest{ResourceURL: s.URL + "/mcp"})
		if err != nil {
			t.Fatal(err)
		}
		m := res.Server.Metadata
		if !res.Legacy || !res.DefaultEndpoints || res.Server.Source != SourceDefault || m.Issuer != s.URL ||
			m.AuthorizationEndpoint != s.URL+"/authorize" || m.TokenEndpoint != s.URL+"/token" || m.RegistrationEndpoint != s.URL+"/register" {
			t.Fatalf("result %+v / %+v", res, res.Server)
		}
		if got := outcomes(res.Server.Attempts); len(got) != 3 || got[2] != "0 found" || !strings.Contains(res.Server.Attempts[2].Detail, "/authorize") {
			t.Fatalf("server attempts:\n%s", FormatAttempts(res.Server.Attempts))
		}
	})
	t.Run("not without a 401", func(t *testing.T) {
		s := newDiscoSite(t, false)
		s.route("/.well-known/oauth-authorization-server", serveJSON(asDoc(s.URL)))
		var de *DiscoveryError
		if _, err := s.client(t).Discover(context.Background(), DiscoveryRequest{ResourceURL: s.URL + "/mcp"}); !errors.As(err, &de) {
			t.Fatalf("an endpoint that does not require authorization gets no fallback: %v", err)
		}
	})
	t.Run("not after a failure", func(t *testing.T) {
		s := newDiscoSite(t, false)
		s.route("POST /mcp", serveStatus(401, "", ""))
		s.route("/.well-known/oauth-protected-resource/mcp", serveStatus(500, "", ""))
		var de *DiscoveryError
		if _, err := s.client(t).Discover(context.Background(), DiscoveryRequest{ResourceURL: s.URL + "/mcp"}); !errors.As(err, &de) || de.Err == nil {
			t.Fatalf("a 5xx stops discovery: %v", err)
		}
	})
	t.Run("a wrong issuer at the origin is an error", func(t *testing.T) {
		s := newDiscoSite(t, false)
		s.route("POST /mcp", serveStatus(401, "", ""))
		s.route("/.well-known/oauth-authorization-server", serveJSON(asDoc("https://elsewhere.example")))
		var me *MismatchError
		if res, err := s.client(t).Discover(context.Background(), DiscoveryRequest{ResourceURL: s.URL + "/mcp"}); !errors.As(err, &me) || res == nil || !res.Legacy {
			t.Fatalf("want an issuer mismatch: %v", err)
		}
	})
}
