package oauth

import (
	"context"
	"errors"
	"fmt"
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
}

// ErrNoAuthorizationServer is wrapped when the resource lists no
// authorization server, or not the one asked for.
var ErrNoAuthorizationServer = errors.New("no usable authorization server")

// Discover finds the resource's metadata, chooses an authorization server
// from its authorization_servers, and fetches that server's metadata. When
// a later step fails, the result holds the earlier steps' results along with
// the error, so callers can show everything that was tried.
func (c *Client) Discover(ctx context.Context, req DiscoveryRequest) (*DiscoveryResult, error) {
	resource, err := c.DiscoverResourceMetadata(ctx, ResourceMetadataRequest{ResourceURL: req.ResourceURL, Match: req.ResourceMatch})
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
