package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var _ function.Function = authorizationServerMetadataURLsFunction{}

var stringType = types.StringType

// NewAuthorizationServerMetadataURLsFunction is provider::mcp::authorization_server_metadata_urls.
func NewAuthorizationServerMetadataURLsFunction() function.Function {
	return authorizationServerMetadataURLsFunction{}
}

type authorizationServerMetadataURLsFunction struct{}

func (authorizationServerMetadataURLsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "authorization_server_metadata_urls"
}

func (authorizationServerMetadataURLsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The well-known URLs of an authorization server's metadata, in the order MCP clients try them.",
		MarkdownDescription: "Returns the URLs where an issuer's metadata can be published, in the order of the MCP " +
			"authorization spec (2025-11-25): for an issuer with a path, the RFC 8414 insertion " +
			"(`/.well-known/oauth-authorization-server/PATH`), the OpenID Connect insertion " +
			"(`/.well-known/openid-configuration/PATH`), the OpenID Connect appending (`PATH/.well-known/openid-configuration`), " +
			"and last the appended RFC 8414 form that Keycloak and Okta serve; for an issuer without a path, the two " +
			"insertions only. A trailing slash of the path is removed first. Makes no request.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "issuer", MarkdownDescription: "The issuer identifier, e.g. `https://keycloak.example.com/realms/mcp`."},
		},
		Return: function.ListReturn{ElementType: stringType},
	}
}

func (authorizationServerMetadataURLsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var issuer string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &issuer))
	if resp.Error != nil {
		return
	}
	if err := checkAbsoluteURL(issuer); err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	candidates, err := oauth.ServerMetadataWellKnownURLs(issuer)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	urls := make([]string, len(candidates))
	for i, c := range candidates {
		urls[i] = c.URL
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, urls))
}

// checkAbsoluteURL refuses what is not an absolute http(s) URL. Functions
// apply no transport policy: they only compute URLs.
func checkAbsoluteURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a valid URL: %w", raw, err)
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", raw)
	}
	return nil
}
