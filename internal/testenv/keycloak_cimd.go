package testenv

import (
	"context"
	"fmt"
	"net/http"
)

// Names of the realm's CIMD client profile and policy.
const (
	keycloakCIMDProfile = "mcp-testenv-cimd"
	keycloakCIMDPolicy  = "mcp-testenv-cimd"
)

// EnableCIMD lets the realm accept Client ID Metadata Documents whose
// client_id and redirect URIs are on the given hosts. Keycloak's cimd
// feature (always on in the test environment) only advertises support; a
// client profile with the client-id-metadata-document executor and a policy
// with the client-id-uri condition make it work. Loopback addresses are
// allowed because the test document host runs on this machine; only https
// client_ids are accepted. It replaces the realm's client profiles and
// policies (the test realm has none of its own).
func (k *Keycloak) EnableCIMD(ctx context.Context, hosts []string) error {
	profiles := map[string]any{"profiles": []map[string]any{{
		"name":        keycloakCIMDProfile,
		"description": "terraform-provider-mcp tests: Client ID Metadata Documents from the test document host",
		"executors": []map[string]any{{
			"executor": "client-id-metadata-document",
			"configuration": map[string]any{
				"cimd-allow-http-scheme":       false,
				"cimd-allow-loopback-address":  true,
				"cimd-allow-permitted-domains": hosts,
				"cimd-restrict-same-domain":    false,
			},
		}},
	}}}
	if _, err := k.admin(ctx, http.MethodPut, "/client-policies/profiles", profiles, nil); err != nil {
		return fmt.Errorf("set the CIMD client profile: %w", err)
	}
	policies := map[string]any{"policies": []map[string]any{{
		"name":        keycloakCIMDPolicy,
		"description": "terraform-provider-mcp tests: https client_ids on the test document host",
		"enabled":     true,
		"conditions": []map[string]any{{
			"condition": "client-id-uri",
			"configuration": map[string]any{
				"client-id-uri-scheme":                  []string{"https"},
				"client-id-uri-allow-permitted-domains": hosts,
			},
		}},
		"profiles": []string{keycloakCIMDProfile},
	}}}
	if _, err := k.admin(ctx, http.MethodPut, "/client-policies/policies", policies, nil); err != nil {
		return fmt.Errorf("set the CIMD client policy: %w", err)
	}
	return nil
}

// AuthorizationEndpoint is the realm's authorization endpoint.
func (k *Keycloak) AuthorizationEndpoint() string {
	return k.Issuer() + "/protocol/openid-connect/auth"
}
