package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var _ function.Function = parseWWWAuthenticateFunction{}

// NewParseWWWAuthenticateFunction is provider::mcp::parse_www_authenticate.
func NewParseWWWAuthenticateFunction() function.Function { return parseWWWAuthenticateFunction{} }

type parseWWWAuthenticateFunction struct{}

var challengeAttrTypes = map[string]attr.Type{
	"scheme":  types.StringType,
	"token68": types.StringType,
	"params":  types.MapType{ElemType: types.StringType},
}

var parsedHeaderAttrTypes = map[string]attr.Type{
	"challenges":        types.ListType{ElemType: types.ObjectType{AttrTypes: challengeAttrTypes}},
	"resource_metadata": types.StringType,
	"scope":             types.StringType,
	"error":             types.StringType,
	"error_description": types.StringType,
}

func (parseWWWAuthenticateFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_www_authenticate"
}

func (parseWWWAuthenticateFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Parses a WWW-Authenticate header (RFC 9110) and picks out what MCP clients need from the Bearer challenge.",
		MarkdownDescription: "Parses a `WWW-Authenticate` header value as RFC 9110 section 11.6.1 defines it: several " +
			"challenges in one value, case-insensitive parameter names (returned lower-cased), quoted strings with escapes. " +
			"Returns an object with `challenges` (each with `scheme`, `token68` and `params`) and, from the Bearer " +
			"challenge(s), `resource_metadata` (RFC 9728), `scope`, `error` and `error_description`; those are empty " +
			"strings when absent. Malformed parts are skipped, like MCP clients do; a value with no readable challenge is " +
			"an error.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "header", MarkdownDescription: "The header's value, e.g. `Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\", scope=\"mcp:read\"`."},
		},
		Return: function.ObjectReturn{AttributeTypes: parsedHeaderAttrTypes},
	}
}

func (parseWWWAuthenticateFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var header string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &header))
	if resp.Error != nil {
		return
	}
	challenges, err := oauth.ParseWWWAuthenticate([]string{header})
	if len(challenges) == 0 {
		msg := "no challenge could be read from the header"
		if err != nil {
			msg += ": " + err.Error()
		}
		resp.Error = function.NewArgumentFuncError(0, validUTF8(msg))
		return
	}
	list := make([]attr.Value, 0, len(challenges))
	for _, c := range challenges {
		params := map[string]attr.Value{}
		for k, v := range c.Params {
			params[validUTF8(k)] = types.StringValue(validUTF8(v))
		}
		list = append(list, types.ObjectValueMust(challengeAttrTypes, map[string]attr.Value{
			"scheme":  types.StringValue(validUTF8(c.Scheme)),
			"token68": types.StringValue(validUTF8(c.Token68)),
			"params":  types.MapValueMust(types.StringType, params),
		}))
	}
	bearer, _ := oauth.FindBearerChallenge(challenges)
	out := types.ObjectValueMust(parsedHeaderAttrTypes, map[string]attr.Value{
		"challenges":        types.ListValueMust(types.ObjectType{AttrTypes: challengeAttrTypes}, list),
		"resource_metadata": types.StringValue(validUTF8(bearer.ResourceMetadata)),
		"scope":             types.StringValue(validUTF8(strings.TrimSpace(bearer.Scope))),
		"error":             types.StringValue(validUTF8(bearer.Error)),
		"error_description": types.StringValue(validUTF8(bearer.ErrorDescription)),
	})
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, out))
}
