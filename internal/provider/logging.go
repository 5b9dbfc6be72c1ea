package provider

import (
	"context"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// secretFieldKeys are log field keys whose values are always masked.
var secretFieldKeys = []string{
	"client_secret", "registration_access_token", "access_token", "refresh_token", "id_token",
	"initial_access_token", "initial_access_token_wo", "authorization", "token", "password",
	"client_secret_wo", "client_assertion", "private_key_pem", "private_key_pem_wo", "secret",
	"registrationAccessToken",
}

// logEnvVars are the settings through which Terraform, OpenTofu and the
// plugin SDKs turn on the logs a provider writes (TF_LOG_PROVIDER_MCP is the
// per-provider one; TF_ACC_LOG_PATH and TF_LOG_PATH_MASK the test harness's).
var logEnvVars = []string{
	"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_MCP", "TF_LOG_SDK", "TF_LOG_SDK_PROTO",
	"TF_LOG_SDK_FRAMEWORK", "TF_LOG_PATH", "TF_LOG_PATH_MASK", "TF_ACC_LOG_PATH",
}

// LogsWanted reports whether any log setting is present: then every log
// line is built and masked. With none, Terraform and OpenTofu discard what
// the provider writes, so building fields and masking contexts for it is
// wasted work (a third of the provider's CPU at 200 resources). A setting
// of "off" does not count. It reads the environment on every call (a few
// lookups), so it follows tests that set TF_LOG themselves.
func LogsWanted() bool {
	for _, name := range logEnvVars {
		if v := os.Getenv(name); v != "" && !strings.EqualFold(v, "off") {
			return true
		}
	}
	return false
}

// QuietSDKLogsUnlessWanted turns off the plugin SDK's own loggers (which
// default to TRACE and format every line as JSON for Terraform to throw
// away) when no log setting is present. Called once by pluginserve.Serve
// before serving; with any log setting present it changes nothing.
func QuietSDKLogsUnlessWanted() {
	if LogsWanted() {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_MCP"} {
		_ = os.Setenv(name, "off")
	}
}

// withSecretMasking returns a context whose tflog output masks the given
// secret values wherever they appear (messages and field values) and every
// field named like a credential. The oauth package already redacts what it
// hands the logger; this is the second line of defence.
//
// When no log setting is present (see LogsWanted) nothing can be logged, and
// ctx is returned as is.
func withSecretMasking(ctx context.Context, secrets ...string) context.Context {
	if !LogsWanted() {
		return ctx
	}
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
	if !LogsWanted() {
		return
	}
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
