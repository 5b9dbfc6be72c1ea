package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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
// is an absolute http(s) URL without a fragment or user information. Whether
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
	if err := validateURLShape(raw); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", err.Error())
	}
}

// validateURLShape applies every URL rule except the transport one.
func validateURLShape(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a valid URL: %w", raw, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL: it needs a scheme and a host, for example https://mcp.example.com/mcp", raw)
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("%q has scheme %q: only http and https are supported", raw, u.Scheme)
	}
	if strings.Contains(raw, "#") {
		return fmt.Errorf("%q has a fragment (#...): OAuth URLs must not contain one", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q carries user information: put credentials in provider settings, not in URLs", raw)
	}
	return nil
}
