package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// secretFieldKeys are log field keys whose values are always masked.
var secretFieldKeys = []string{
	"client_secret", "registration_access_token", "access_token", "refresh_token", "id_token",
	"initial_access_token", "initial_access_token_wo", "authorization", "token", "password",
}

// withSecretMasking returns a context whose tflog output masks the given
// secret values wherever they appear (messages and field values) and every
// field named like a credential. The oauth package already redacts what it
// hands the logger; this is the second line of defence.
func withSecretMasking(ctx context.Context, secrets ...string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	var values []string
	for _, s := range secrets {
		if strings.TrimSpace(s) != "" {
			values = append(values, s)
		}
	}
	if len(values) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, values...)
		ctx = tflog.MaskMessageStrings(ctx, values...)
	}
	return ctx
}

// secrets returns the provider-level secret values, for withSecretMasking.
func (d *providerData) secrets() []string {
	if d == nil {
		return nil
	}
	out := append([]string{d.InitialAccessToken, d.RegistrationAccessToken, d.AccessToken}, d.HeaderValues...)
	return append(out, keycloakSecrets(d.Keycloak)...)
}

// tflogExchangeLogger writes the oauth package's (already redacted) HTTP
// exchanges to tflog: a debug line per exchange, headers and bodies at trace.
type tflogExchangeLogger struct{}

func (tflogExchangeLogger) LogExchange(ctx context.Context, ex oauth.Exchange) {
	fields := map[string]any{
		"method":      ex.Method,
		"url":         ex.URL,
		"status":      ex.Status,
		"duration_ms": ex.Duration.Milliseconds(),
	}
	if ex.Err != nil {
		fields["error"] = ex.Err.Error()
	}
	tflog.Debug(ctx, "HTTP exchange", fields)
	tflog.Trace(ctx, "HTTP exchange detail", map[string]any{
		"method":           ex.Method,
		"url":              ex.URL,
		"request_headers":  flattenHeaders(ex.RequestHeaders),
		"request_body":     ex.RequestBody,
		"status":           ex.Status,
		"response_headers": flattenHeaders(ex.ResponseHeaders),
		"response_body":    ex.ResponseBody,
	})
}

func flattenHeaders(h map[string][]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ", ")
	}
	return out
}
