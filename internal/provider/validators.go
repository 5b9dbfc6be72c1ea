package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// durationValidator checks that a string is a positive Go duration.
type durationValidator struct{}

func (durationValidator) Description(_ context.Context) string {
	return "value must be a positive duration such as 30s or 2m"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a positive Go duration such as \"30s\" or \"2m\".", req.ConfigValue.ValueString()))
	}
}

// httpURLValidator checks, at plan time and before any request, that a string
// is an absolute http(s) URL without a fragment or user information (the rule
// of oauth.ValidateURLShape). Whether
// plain http is allowed depends on provider configuration, which validators
// cannot see; that part is checked with checkTransport once configured.
type httpURLValidator struct {
	// allowEmpty also accepts "", for arguments where "" means "no value".
	allowEmpty bool
}

func (v httpURLValidator) Description(_ context.Context) string {
	if v.allowEmpty {
		return "value must be an absolute http or https URL without a fragment, or \"\""
	}
	return "value must be an absolute http or https URL without a fragment"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if raw == "" && v.allowEmpty {
		return
	}
	if err := oauth.ValidateURLShape(raw); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", urlErrorDetail(err))
	}
}
