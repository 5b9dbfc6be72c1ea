// Package oauth implements the client side of MCP OAuth preparation in plain Go:
// WWW-Authenticate parsing (RFC 9110), protected resource metadata discovery
// (RFC 9728), authorization server metadata discovery (RFC 8414 and OpenID
// Connect Discovery), and dynamic client registration and management
// (RFC 7591, RFC 7592).
//
// It speaks protocol only: it reports what happened as data (error kinds,
// sentinel errors, the match mode that would have accepted a document, every
// URL tried), and callers word that for their own users, so any Go program
// can reuse it. Every network
// call goes through a Client, which holds the HTTP policy (timeouts, retries
// for idempotent requests, response size cap, redirect rules, transport
// security) in one place.
//
// MCP behaviour follows the revision named by MCPProtocolVersion.
package oauth
