package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DiscoveryRequest runs the whole MCP discovery chain from an MCP server URL.
type DiscoveryRequest struct {
	ResourceURL   string
	ResourceMatch ResourceMatch
	// AuthorizationServer picks one of the issuers the resource lists; empty
	// means the first. It must be listed: the resource's list is what makes
	// an authorization server trusted for it.
	AuthorizationServer string
	IssuerMatch         IssuerMatch
}

// DiscoveryResult holds each step's result.
type DiscoveryResult struct {
	Resource            *ResourceMetadataResult
	AuthorizationServer string // the issuer chosen
	Server              *ServerMetadataResult
	// Legacy is set when the MCP 2025-03-26 rules were applied (see
	// Discover). Resource then holds no document: its Metadata names only
	// the MCP server URL as resource and its origin as authorization server,
	// and its Attempts show what was tried.
	Legacy bool
	// DefaultEndpoints is set when, in addition, the origin served no
	// authorization server metadata and the 2025-03-26 default endpoints
	// (/authorize, /token, /register on the origin) were taken. Server then
	// holds no document either.
	DefaultEndpoints bool
}

// SourceDefault is the Source of server metadata made of the MCP
// 2025-03-26 default endpoints, not fetched.
const SourceDefault = "default"

// ErrNoAuthorizationServer is wrapped when the resource lists no
// authorization server, or not the one asked for.
var ErrNoAuthorizationServer = errors.New("no usable authorization server")

// Discover finds the resource's metadata, chooses an authorization server
// from its authorization_servers, and fetches that server's metadata. When
// a later step fails, the result holds the earlier steps' results along with
// the error, so callers can show everything that was tried.
func (c *Client) Discover(ctx context.Context, req DiscoveryRequest) (*DiscoveryResult, error) {
	resource, err := c.DiscoverResourceMetadata(ctx, ResourceMetadataRequest{ResourceURL: req.ResourceURL, Match: req.ResourceMatch})
	var notFound *DiscoveryError
	if errors.As(err, &notFound) && notFound.Err == nil && notFound.unauthorized && req.AuthorizationServer == "" {
		return c.discoverLegacy(ctx, req, notFound.Attempts, notFound.challenge)
	}
	if err != nil {
		return nil, err
	}
	out := &DiscoveryResult{Resource: resource}
	issuer, err := chooseAuthorizationServer(resource, req.AuthorizationServer)
	if err != nil {
		return out, err
	}
	out.AuthorizationServer = issuer
	server, err := c.DiscoverServerMetadata(ctx, ServerMetadataRequest{Issuer: issuer, Match: req.IssuerMatch})
	if err != nil {
		return out, err
	}
	out.Server = server
	return out, nil
}

func chooseAuthorizationServer(resource *ResourceMetadataResult, wanted string) (string, error) {
	listed := resource.Metadata.AuthorizationServers
	if len(listed) == 0 {
		return "", fmt.Errorf("%w: the protected resource metadata at %s lists no authorization_servers, so the "+
			"authorization server cannot be discovered from it; configure the issuer directly", ErrNoAuthorizationServer, ValidUTF8(resource.MetadataURL))
	}
	if wanted == "" {
		if err := ValidateURLShape(listed[0]); err != nil {
			others := ""
			if len(listed) > 1 {
				others = "; it also lists " + strings.Join(quoteAll(listed[1:]), ", ") + ", which can be chosen explicitly"
			}
			return "", fmt.Errorf("%w: the first of the authorization_servers the protected resource metadata at %s lists, %q, "+
				"is not an issuer URL (%v): an authorization_servers entry must be an absolute https URL, such as "+
				"https://auth.example.com; the server's operator must fix its metadata%s",
				ErrNoAuthorizationServer, ValidUTF8(resource.MetadataURL), ValidUTF8(listed[0]), err, ValidUTF8(others))
		}
		return listed[0], nil
	}
	for _, issuer := range listed {
		if issuer == wanted {
			return issuer, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not among the authorization_servers the protected resource metadata at %s lists: %s",
		ErrNoAuthorizationServer, wanted, ValidUTF8(resource.MetadataURL), strings.Join(quoteAll(listed), ", "))
}

func quoteAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// discoverLegacy applies MCP revision 2025-03-26, which had no protected
// resource metadata: the MCP server's origin is the authorization server,
// its metadata is at the origin's RFC 8414 well-known URL, and without that
// the default endpoints /authorize, /token and /register on the origin
// apply. Discover uses it only when the MCP endpoint answered 401 and no
// protected resource metadata was found anywhere.
func (c *Client) discoverLegacy(ctx context.Context, req DiscoveryRequest, attempts []Attempt, challenge *BearerChallenge) (*DiscoveryResult, error) {
	u, err := url.Parse(req.ResourceURL)
	if err != nil {
		return nil, err
	}
	origin := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	out := &DiscoveryResult{
		Legacy: true,
		Resource: &ResourceMetadataResult{
			Challenge: challenge,
			Metadata:  ProtectedResourceMetadata{Resource: req.ResourceURL, AuthorizationServers: []string{origin}},
			Attempts: append(attempts, Attempt{URL: req.ResourceURL, Outcome: OutcomeFound,
				Detail: "no protected resource metadata, and the MCP endpoint requires authorization: MCP revision 2025-03-26 " +
					"applies, whose authorization server is the MCP server's origin " + origin}),
		},
		AuthorizationServer: origin,
	}
	server, err := c.DiscoverServerMetadata(ctx, ServerMetadataRequest{Issuer: origin, Match: req.IssuerMatch})
	var notFound *DiscoveryError
	switch {
	case err == nil:
		out.Server = server
		return out, nil
	case errors.As(err, &notFound) && notFound.Err == nil:
		out.DefaultEndpoints = true
		out.Server = &ServerMetadataResult{
			Metadata: AuthorizationServerMetadata{
				Issuer:                origin,
				AuthorizationEndpoint: origin + "/authorize",
				TokenEndpoint:         origin + "/token",
				RegistrationEndpoint:  origin + "/register",
			},
			Source: SourceDefault,
			Attempts: append(notFound.Attempts, Attempt{URL: origin, Outcome: OutcomeFound,
				Detail: "no authorization server metadata at the origin: the MCP 2025-03-26 default endpoints " +
					origin + "/authorize, /token and /register apply"}),
		}
		return out, nil
	default:
		return out, err
	}
}
