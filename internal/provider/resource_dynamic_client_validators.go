package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// redirectURIValidator checks a redirect URI at plan time: absolute, no
// fragment (RFC 6749 section 3.1.2). Any scheme is allowed, since native
// clients use private-use schemes (com.example.app:/cb); the server decides.
type redirectURIValidator struct{}

func (redirectURIValidator) Description(_ context.Context) string {
	return "value must be an absolute URI without a fragment or wildcard"
}

func (v redirectURIValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (redirectURIValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid redirect URI", fmt.Sprintf("%q is not a valid URI: %v", raw, err))
	case !u.IsAbs():
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid redirect URI",
			fmt.Sprintf("%q is not absolute: a redirect URI needs a scheme, for example https://app.example.com/callback or http://127.0.0.1:8765/callback.", raw))
	case strings.Contains(raw, "#"):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid redirect URI",
			fmt.Sprintf("%q has a fragment (#...): RFC 6749 section 3.1.2 forbids it in redirect URIs.", raw))
	default:
		// Plain http to other hosts depends on the provider's
		// allow_insecure_http: ModifyPlan checks that (redirectURIRules).
		note, err := oauth.CheckRedirectURI(raw, true)
		switch {
		case errors.Is(err, oauth.ErrRedirectWildcard):
			resp.Diagnostics.AddAttributeError(req.Path, "Wildcard redirect URI refused",
				err.Error()+". List every redirect URI in full instead, for example https://app.example.com/callback; "+
					"for a native app on the loopback interface, give http://127.0.0.1/callback without a port where the "+
					"server accepts any port for loopback (RFC 8252 section 7.3).")
		case note != "":
			resp.Diagnostics.AddAttributeWarning(req.Path, "Loopback redirect URI by name", note+".")
		}
	}
}

// redirectURIRules applies the plain-http rule to redirect URIs, which
// depends on the provider's allow_insecure_http and so cannot be a validator.
func redirectURIRules(ctx context.Context, attr string, set types.Set, allowInsecureHTTP bool, diags *diag.Diagnostics) {
	for _, raw := range setStrings(ctx, set, diags) {
		if _, err := oauth.CheckRedirectURI(raw, allowInsecureHTTP); errors.Is(err, oauth.ErrRedirectInsecure) {
			diags.AddAttributeError(path.Root(attr), "Plain http redirect URI refused",
				err.Error()+". An authorization code sent to it crosses the network in clear. Use https, or "+
					"http://127.0.0.1:<port>/... for a native app on the same machine. For a private network or a test "+
					"setup, set allow_insecure_http = true in the provider block (or MCP_ALLOW_INSECURE_HTTP=true).")
		}
	}
}

// jsonObjectValidator checks that a string is a JSON object. For
// extra_metadata it also refuses keys that have their own argument or that
// the server issues, so each value has exactly one place.
type jsonObjectValidator struct {
	requireKey    string
	extraMetadata bool
	// allowEmpty also accepts "", for arguments where "" means "no value".
	allowEmpty bool
}

func (v jsonObjectValidator) Description(_ context.Context) string {
	if v.requireKey != "" && v.allowEmpty {
		return fmt.Sprintf("value must be a JSON object with a %q member, or \"\"", v.requireKey)
	}
	if v.requireKey != "" {
		return fmt.Sprintf("value must be a JSON object with a %q member", v.requireKey)
	}
	return "value must be a JSON object"
}

func (v jsonObjectValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v jsonObjectValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if v.allowEmpty && req.ConfigValue.ValueString() == "" {
		return
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(req.ConfigValue.ValueString()), &obj); err != nil || obj == nil {
		detail := "It must be a JSON object; build it with jsonencode({ ... })."
		if err != nil {
			detail += " " + err.Error()
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Not a JSON object", detail)
		return
	}
	if v.requireKey != "" {
		if _, ok := obj[v.requireKey]; !ok {
			resp.Diagnostics.AddAttributeError(req.Path, "Incomplete JSON object",
				fmt.Sprintf("A JSON Web Key Set is an object with a %q array (RFC 7517 section 5).", v.requireKey))
		}
	}
	if !v.extraMetadata {
		return
	}
	modelled := map[string]bool{}
	for _, n := range oauth.MetadataFieldNames() {
		modelled[n] = true
	}
	var bad []string
	for k := range obj {
		if modelled[k] || oauth.IsClientInformationField(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		resp.Diagnostics.AddAttributeError(req.Path, "extra_metadata repeats a modelled field",
			fmt.Sprintf("Remove %s from extra_metadata: fields with their own argument are set there, and client_id, "+
				"client_secret, the timestamps and the registration access token and URI are issued by the server.",
				strings.Join(bad, ", ")))
	}
}

// conflictsWithNonEmpty refuses a non-empty value when another attribute of
// the configuration also has a non-empty value. Unlike ConflictsWith, ""
// (which means "no value") conflicts with nothing, so one can be cleared
// while the other is set.
type conflictsWithNonEmpty struct {
	other path.Path
}

func (v conflictsWithNonEmpty) Description(_ context.Context) string {
	return fmt.Sprintf("a non-empty value conflicts with a non-empty %s", v.other)
}

func (v conflictsWithNonEmpty) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v conflictsWithNonEmpty) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !isKnown(req.ConfigValue) || req.ConfigValue.ValueString() == "" {
		return
	}
	var other types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, v.other, &other)...)
	if !isKnown(other) || other.ValueString() == "" {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Conflicting arguments",
		fmt.Sprintf("%s and %s cannot both be set (RFC 7591 section 2): set one of them, and leave the other out or set it to \"\".",
			req.Path, v.other))
}
