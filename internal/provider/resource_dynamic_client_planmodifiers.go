package provider

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// semanticEqual keeps the state's value when the configuration says the same
// thing written differently, so such a change plans nothing.
type semanticEqual struct {
	description string
	equal       func(config, state string) bool
}

// semanticScopeModifier: "a b" after "b a" (or with repeats) plans nothing.
var semanticScopeModifier = semanticEqual{
	description: "scope strings with the same tokens in any order are equal",
	equal: func(config, state string) bool {
		return strings.Join(oauth.ScopeTokens(config), " ") == strings.Join(oauth.ScopeTokens(state), " ")
	},
}

// semanticJSONModifier: the same JSON value formatted otherwise plans nothing.
var semanticJSONModifier = semanticEqual{
	description: "JSON values that differ only in formatting or member order are equal",
	equal: func(config, state string) bool {
		return oauth.EqualMetadataValue("", json.RawMessage(config), json.RawMessage(state))
	},
}

func (m semanticEqual) Description(_ context.Context) string { return m.description }

func (m semanticEqual) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m semanticEqual) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !isKnown(req.ConfigValue) || !isKnown(req.StateValue) || !isKnown(req.PlanValue) {
		return
	}
	if m.equal(req.ConfigValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
