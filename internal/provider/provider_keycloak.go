package provider

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/keycloak"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// Environment variables read when the matching keycloak block argument is unset.
const (
	EnvKeycloakURL          = "MCP_KEYCLOAK_URL"
	EnvKeycloakRealm        = "MCP_KEYCLOAK_REALM"
	EnvKeycloakAdminRealm   = "MCP_KEYCLOAK_ADMIN_REALM"
	EnvKeycloakClientID     = "MCP_KEYCLOAK_CLIENT_ID"
	EnvKeycloakClientSecret = "MCP_KEYCLOAK_CLIENT_SECRET"
	EnvKeycloakUsername     = "MCP_KEYCLOAK_USERNAME"
	EnvKeycloakPassword     = "MCP_KEYCLOAK_PASSWORD"
)

// keycloakBlockModel is the provider's keycloak block.
type keycloakBlockModel struct {
	URL          types.String `tfsdk:"url"`
	Realm        types.String `tfsdk:"realm"`
	AdminRealm   types.String `tfsdk:"admin_realm"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	Username     types.String `tfsdk:"username"`
	Password     types.String `tfsdk:"password"`
}

// keycloakAccess is the configured admin access, handed to the types that use it.
type keycloakAccess struct {
	Admin *keycloak.Admin
	// Realm is the default realm to manage.
	Realm string
}

func keycloakBlockSchema() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Admin access to a Keycloak server, used by `mcp_keycloak_initial_access_token` to mint " +
			"Initial Access Tokens during a run. The account authenticates with the password grant (`username` and " +
			"`password`, e.g. the bootstrap admin of realm `master`) or with the client credentials grant (`client_id` " +
			"and `client_secret` of a client with a service account). It needs the `manage-clients` role of the realm it " +
			"works in (`create-client` is enough for Initial Access Tokens). Provider settings are never stored in state. " +
			"Every argument has an environment variable (`MCP_KEYCLOAK_*`), used when the argument is not set, so the " +
			"block can be left out entirely.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				MarkdownDescription: "Keycloak's base URL, e.g. `https://keycloak.example.com` (add `/auth` for Keycloak before " +
					"version 17). Environment variable: `" + EnvKeycloakURL + "`.",
				Optional: true,
			},
			"realm": schema.StringAttribute{
				MarkdownDescription: "The realm to work in (where clients are registered), unless a resource names another. " +
					"Environment variable: `" + EnvKeycloakRealm + "`.",
				Optional: true,
			},
			"admin_realm": schema.StringAttribute{
				MarkdownDescription: "The realm the admin account lives in. Defaults to `master`. Environment variable: `" +
					EnvKeycloakAdminRealm + "`.",
				Optional: true,
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The client the admin token is requested for. Defaults to `admin-cli` (which allows the " +
					"password grant). Environment variable: `" + EnvKeycloakClientID + "`.",
				Optional: true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Secret of `client_id`: with no `username`, the client credentials grant is used. " +
					"Environment variable: `" + EnvKeycloakClientSecret + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Admin user name for the password grant. Environment variable: `" + EnvKeycloakUsername + "`.",
				Optional:            true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Admin password for the password grant. Environment variable: `" + EnvKeycloakPassword + "`.",
				Optional:            true,
				Sensitive:           true,
			},
		},
	}
}

// keycloakUnknown names the keycloak block's arguments not known yet.
func keycloakUnknown(m *keycloakBlockModel) []string {
	if m == nil {
		return nil
	}
	var names []string
	for name, v := range map[string]types.String{
		"url": m.URL, "realm": m.Realm, "admin_realm": m.AdminRealm, "client_id": m.ClientID,
		"client_secret": m.ClientSecret, "username": m.Username, "password": m.Password,
	} {
		if v.IsUnknown() {
			names = append(names, "keycloak."+name)
		}
	}
	return names
}

// keycloakFromConfig builds the admin access from the block and the
// environment; nil without error when neither names a Keycloak URL.
func keycloakFromConfig(m *keycloakBlockModel, client *oauth.Client) (*keycloakAccess, *configError) {
	if m == nil {
		m = &keycloakBlockModel{}
	}
	cfg := keycloak.Config{
		BaseURL:      stringOrEnv(m.URL, EnvKeycloakURL),
		AdminRealm:   stringOrEnv(m.AdminRealm, EnvKeycloakAdminRealm),
		ClientID:     stringOrEnv(m.ClientID, EnvKeycloakClientID),
		ClientSecret: stringOrEnv(m.ClientSecret, EnvKeycloakClientSecret),
		Username:     stringOrEnv(m.Username, EnvKeycloakUsername),
		Password:     stringOrEnv(m.Password, EnvKeycloakPassword),
	}
	realm := stringOrEnv(m.Realm, EnvKeycloakRealm)
	if cfg.BaseURL == "" {
		if cfg.Username != "" || cfg.Password != "" || cfg.ClientSecret != "" || realm != "" {
			return nil, &configError{path.Root("keycloak").AtName("url"), "Keycloak URL missing",
				"Keycloak admin settings are given but no URL: set keycloak.url or " + EnvKeycloakURL + "."}
		}
		return nil, nil
	}
	if _, err := cfg.Grant(); err != nil {
		return nil, &configError{path.Root("keycloak"), "Incomplete Keycloak admin credentials",
			fmt.Sprintf("The keycloak block (with the %s variables) has %v. Set username and password for the password "+
				"grant, or client_id and client_secret for the client credentials grant.", "MCP_KEYCLOAK_*", err)}
	}
	admin, err := keycloak.New(client, cfg)
	if err != nil {
		return nil, &configError{path.Root("keycloak").AtName("url"), "Invalid Keycloak URL", err.Error()}
	}
	return &keycloakAccess{Admin: admin, Realm: realm}, nil
}

type configError struct {
	path            path.Path
	summary, detail string
}

// keycloakSecrets lists the admin credentials for log masking.
func keycloakSecrets(k *keycloakAccess) []string {
	if k == nil {
		return nil
	}
	return k.Admin.Secrets()
}

// keycloakErrorText turns an admin API failure into a diagnostic that says
// what the account lacks or what to fix.
func keycloakErrorText(err error, realm string) (string, string) {
	var ke *keycloak.Error
	if !errors.As(err, &ke) {
		return "Keycloak admin request failed", err.Error()
	}
	said := ke.ServerSaid()
	if said == "" {
		said = "nothing more"
	}
	switch ke.Kind {
	case keycloak.KindBadCredentials:
		return "Keycloak refused the admin credentials",
			fmt.Sprintf("The token endpoint %s answered HTTP %d: %s. Check the provider's keycloak block or the %s "+
				"variables: username and password (password grant), or client_id and client_secret (client credentials "+
				"grant), and admin_realm, the realm the account lives in (`master` for the server's admin).", ke.URL, ke.Status, said, "MCP_KEYCLOAK_*")
	case keycloak.KindRealmNotFound:
		return "Keycloak admin realm not found",
			fmt.Sprintf("%s answered HTTP %d: %s. Set keycloak.admin_realm to the realm the admin account lives in.", ke.URL, ke.Status, said)
	case keycloak.KindForbidden:
		return "Keycloak admin account lacks rights in realm " + realm,
			fmt.Sprintf("The account authenticated, but %s %s was refused with HTTP 403: %s. Give it the `manage-clients` "+
				"role of realm %q's `realm-management` client (`create-client` is enough for Initial Access Tokens); an "+
				"account of realm master needs the same role on the `%s-realm` client, or the `admin` role.",
				ke.Op, ke.URL, said, realm, realm)
	case keycloak.KindTokenRefused:
		return "Keycloak's admin API refused the admin token",
			fmt.Sprintf("%s answered HTTP 401: %s. An account of one realm can only manage that realm: use an account of "+
				"realm %q or of realm master (keycloak.admin_realm).", ke.URL, said, realm)
	case keycloak.KindNotFound:
		return "Keycloak realm or object not found",
			fmt.Sprintf("%s answered HTTP 404: %s. Check the realm name (%q) and the Keycloak URL.", ke.URL, said, realm)
	case keycloak.KindUnreachable:
		return "Keycloak not reachable", fmt.Sprintf("%s: %v. Check keycloak.url and the network.", ke.Op, ke.Err)
	default:
		return "Unexpected answer from Keycloak", ke.Error()
	}
}

// keycloakRealm picks the realm: the resource's own, else the provider's.
func keycloakRealm(own types.String, access *keycloakAccess) string {
	if r := strings.TrimSpace(own.ValueString()); !own.IsNull() && !own.IsUnknown() && r != "" {
		return r
	}
	if access != nil {
		return access.Realm
	}
	return os.Getenv(EnvKeycloakRealm)
}
