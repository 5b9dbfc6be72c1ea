package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var _ function.Function = resourceMetadataURLsFunction{}

// NewResourceMetadataURLsFunction is provider::mcp::resource_metadata_urls.
func NewResourceMetadataURLsFunction() function.Function { return resourceMetadataURLsFunction{} }

type resourceMetadataURLsFunction struct{}

func (resourceMetadataURLsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "resource_metadata_urls"
}

func (resourceMetadataURLsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The RFC 9728 well-known URLs of an MCP server's protected resource metadata, in the order clients try them.",
		MarkdownDescription: "Returns the URLs where the protected resource metadata of an MCP server can be published " +
			"(RFC 9728 section 3.1), in the order MCP clients try them: the path-aware URL (well-known prefix inserted " +
			"before the path), then the origin's root URL. A server URL without a path has only the root URL. The " +
			"`WWW-Authenticate` challenge's `resource_metadata`, when the server sends one, comes before both. " +
			"Makes no request.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "server_url", MarkdownDescription: "The MCP endpoint, e.g. `https://mcp.example.com/mcp`."},
		},
		Return: function.ListReturn{ElementType: stringType},
	}
}

func (resourceMetadataURLsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var serverURL string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &serverURL))
	if resp.Error != nil {
		return
	}
	if err := checkAbsoluteURL(serverURL); err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	urls, err := oauth.ResourceMetadataWellKnownURLs(serverURL)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, urls))
}
