package provider

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// semanticScopeModifier keeps the state's scope when the configuration names
// the same tokens in another order or with repeats, so "a b" after "b a"
// plans nothing.
type semanticScopeModifier struct{}

func (semanticScopeModifier) Description(_ context.Context) string {
	return "scope strings with the same tokens in any order are equal"
}

func (m semanticScopeModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (semanticScopeModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !isKnown(req.ConfigValue) || !isKnown(req.StateValue) || !isKnown(req.PlanValue) {
		return
	}
	if strings.Join(oauth.ScopeTokens(req.ConfigValue.ValueString()), " ") ==
		strings.Join(oauth.ScopeTokens(req.StateValue.ValueString()), " ") {
		resp.PlanValue = req.StateValue
	}
}

// semanticJSONModifier keeps the state's JSON text when the configuration is
// the same JSON value written differently.
type semanticJSONModifier struct{}

func (semanticJSONModifier) Description(_ context.Context) string {
	return "JSON values that differ only in formatting or member order are equal"
}

func (m semanticJSONModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (semanticJSONModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !isKnown(req.ConfigValue) || !isKnown(req.StateValue) || !isKnown(req.PlanValue) {
		return
	}
	if oauth.EqualMetadataValue("", json.RawMessage(req.ConfigValue.ValueString()), json.RawMessage(req.StateValue.ValueString())) {
		resp.PlanValue = req.StateValue
	}
}
