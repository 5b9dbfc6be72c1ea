// node-oidc-provider test server for terraform-provider-mcp acceptance tests.
//
// Environment:
//   PORT                  port to listen on (default 3000)
//   HOST                  address to bind (default 127.0.0.1)
//   ISSUER                issuer URL (default http://127.0.0.1:PORT)
//   INITIAL_ACCESS_TOKEN  static initial access token required for registration (required)
//   NODE_EXTRA_CA_CERTS   extra CAs (the test CA of the Client ID Metadata Document host)
//
// Features: RFC 7591 registration behind a static initial access token, RFC 7592
// registration management with registration access token rotation on PUT, the
// client_credentials grant, and the scopes mcp:read and mcp:write.
// Client ID Metadata Documents (draft-02) are accepted; since the test document
// host runs on loopback, fetches skip the library's special-use address check
// (a test-only relaxation: never do this in production). Resource indicators
// give JWT access tokens for any http(s) resource asked for by name, so an MCP
// server can verify them.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number.parseInt(process.env.PORT || '3000', 10);
const host = process.env.HOST || '127.0.0.1';
const issuer = process.env.ISSUER || `http://${host}:${port}`;
const initialAccessToken = process.env.INITIAL_ACCESS_TOKEN;
if (!initialAccessToken) {
  console.error('INITIAL_ACCESS_TOKEN must be set');
  process.exit(2);
}

const configuration = {
  // Test-only cookie keys; nothing here protects real data.
  cookies: { keys: ['mcp-testenv-cookie-key-not-a-secret'] },
  scopes: ['openid', 'offline_access', 'mcp:read', 'mcp:write'],
  clientDefaults: {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    registration: {
      enabled: true,
      initialAccessToken,
    },
    registrationManagement: {
      enabled: true,
      rotateRegistrationAccessToken: true,
    },
    clientIdMetadataDocument: {
      enabled: true,
      ack: 'draft-02',
      cacheDuration: { min: 0, max: 60 },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator) => ({
        scope: 'mcp:read mcp:write',
        audience: resourceIndicator,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  // The library's fetch refuses special-use (loopback) addresses; the test
  // document host is on loopback, so drop that guard here (tests only).
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
  pkce: { required: () => false },
};

const provider = new Provider(issuer, configuration);

provider.on('server_error', (ctx, err) => {
  console.error('server_error', err);
});

const server = createServer(provider.callback());
server.listen(port, host, () => {
  console.log(`oidc-provider listening on http://${host}:${port}, issuer ${issuer}`);
});
server.on('error', (err) => {
  console.error(`cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
