package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestOAuthDiscoveryDataSource_registrationPaths(t *testing.T) {
	const addr = "data.mcp_oauth_discovery.test"
	for name, tc := range map[string]struct {
		metadata      func(issuer string) string
		preRegistered string
		offered       []string
		chosen        string
	}{
		"dynamic registration only": {
			metadata: fixtureServerMetadata,
			offered:  []string{"dynamic_client_registration"},
			chosen:   "dynamic_client_registration",
		},
		"CIMD preferred over dynamic registration": {
			metadata: func(issuer string) string {
				return strings.Replace(fixtureServerMetadata(issuer), `"issuer":`, `"client_id_metadata_document_supported": true, "issuer":`, 1)
			},
			offered: []string{"client_id_metadata_document", "dynamic_client_registration"},
			chosen:  "client_id_metadata_document",
		},
		"a pre-registered client comes first": {
			metadata: func(issuer string) string {
				return strings.Replace(fixtureServerMetadata(issuer), `"issuer":`, `"client_id_metadata_document_supported": true, "issuer":`, 1)
			},
			preRegistered: "pre_registered = true",
			offered:       []string{"client_id_metadata_document", "dynamic_client_registration"},
			chosen:        "pre_registered",
		},
		"nothing offered": {
			metadata: func(issuer string) string {
				return strings.Replace(fixtureServerMetadata(issuer), `"registration_endpoint"`, `"x_registration_endpoint"`, 1)
			},
			offered: []string{},
			chosen:  "pre_registered",
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newDiscoveryFixture(t)
			f.route("/realms/mcp/.well-known/openid-configuration", fixtureJSON(tc.metadata(f.issuer())))
			offered := make([]knownvalue.Check, 0, len(tc.offered))
			for _, o := range tc.offered {
				offered = append(offered, knownvalue.StringExact(o))
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
  %s
}`, f.resourceURL(), tc.preRegistered),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("registration_paths"), knownvalue.ListExact(offered)),
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("registration_path"), knownvalue.StringExact(tc.chosen)),
					},
				}},
			})
		})
	}
}
