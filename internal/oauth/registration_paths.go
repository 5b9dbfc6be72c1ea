package oauth

// RegistrationPath is a way for an MCP client to obtain a client_id at an
// authorization server (MCP authorization 2025-11-25, Client Registration).
type RegistrationPath string

// The registration paths, in the order the MCP specification tells clients
// to prefer them.
const (
	// RegistrationPreRegistered: a client the server's operator registered
	// (or one the user enters by hand, the specification's last resort).
	RegistrationPreRegistered RegistrationPath = "pre_registered"
	// RegistrationCIMD: a Client ID Metadata Document, offered when the
	// metadata says client_id_metadata_document_supported: true.
	RegistrationCIMD RegistrationPath = "client_id_metadata_document"
	// RegistrationDynamic: RFC 7591 dynamic registration, offered when the
	// metadata names a registration_endpoint.
	RegistrationDynamic RegistrationPath = "dynamic_client_registration"
)

// RegistrationPaths returns the paths the server's metadata advertises
// (CIMD, dynamic registration; pre-registration is never advertised) and the
// one the MCP order picks: a pre-registered client when the caller has one,
// else CIMD, else dynamic registration, else pre-registration (asking the
// operator for a client) as the only way left.
func RegistrationPaths(m AuthorizationServerMetadata, havePreRegistered bool) (offered []RegistrationPath, chosen RegistrationPath) {
	offered = []RegistrationPath{}
	if m.ClientIDMetadataDocumentSupported {
		offered = append(offered, RegistrationCIMD)
	}
	if m.RegistrationEndpoint != "" {
		offered = append(offered, RegistrationDynamic)
	}
	switch {
	case havePreRegistered || len(offered) == 0:
		return offered, RegistrationPreRegistered
	default:
		return offered, offered[0]
	}
}
