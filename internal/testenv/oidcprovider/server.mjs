// node-oidc-provider test server for terraform-provider-mcp acceptance tests.
//
// Environment:
//   PORT                  port to listen on (default 3000)
//   HOST                  address to bind (default 127.0.0.1)
//   ISSUER                issuer URL (default http://127.0.0.1:PORT)
//   INITIAL_ACCESS_TOKEN  static initial access token required for registration (required)
//
// Features: RFC 7591 registration behind a static initial access token, RFC 7592
// registration management with registration access token rotation on PUT, the
// client_credentials grant, and the scopes mcp:read and mcp:write.
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
