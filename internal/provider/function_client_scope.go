package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var _ function.Function = clientScopeFunction{}

// NewClientScopeFunction is provider::mcp::client_scope.
func NewClientScopeFunction() function.Function { return clientScopeFunction{} }

type clientScopeFunction struct{}

func (clientScopeFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "client_scope"
}

func (clientScopeFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The scope an MCP client should request, by the MCP scope selection strategy.",
		MarkdownDescription: "Applies the MCP authorization spec's scope selection (2025-11-25): the `scope` of the " +
			"Bearer challenge in the server's `WWW-Authenticate` header when it has one, else every scope of the protected " +
			"resource metadata's `scopes_supported`, space-separated; an empty string when neither says anything (then " +
			"leave the scope out of the request). Pass `\"\"` and `[]` for what you do not have (null works with Terraform; " +
			"OpenTofu 1.12 cannot pass null to provider functions).",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "www_authenticate", AllowNullValue: true,
				MarkdownDescription: "The `WWW-Authenticate` header of the server's 401 or 403 answer, or `\"\"`."},
			function.ListParameter{Name: "scopes_supported", AllowNullValue: true, ElementType: types.StringType,
				MarkdownDescription: "`scopes_supported` of the server's protected resource metadata, or `[]`."},
		},
		Return: function.StringReturn{},
	}
}

func (clientScopeFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var header types.String
	var supported []types.String
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &header, &supported))
	if resp.Error != nil {
		return
	}
	challengeScope := ""
	if header.ValueString() != "" {
		challenges, _ := oauth.ParseWWWAuthenticate([]string{header.ValueString()})
		bearer, _ := oauth.FindBearerChallenge(challenges)
		challengeScope = bearer.Scope
	}
	var scopes []string
	for _, s := range supported {
		if !s.IsNull() && !s.IsUnknown() {
			scopes = append(scopes, s.ValueString())
		}
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, validUTF8(oauth.SelectScope(challengeScope, scopes))))
}
