package oauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
)

// Registration operations, as named in RegistrationError.Operation.
const (
	OpRegister = "register"
	OpRead     = "read"
	OpUpdate   = "update"
	OpDelete   = "delete"
)

// RegisterClient registers a client (RFC 7591 section 3.1) at endpoint,
// presenting initialAccessToken as a Bearer token when it is not empty. The
// POST is sent exactly once: a retried registration creates a second client.
// Errors are *RegistrationError.
func (c *Client) RegisterClient(ctx context.Context, endpoint string, md ClientMetadata, initialAccessToken string) (*ClientInformation, error) {
	body, err := registrationBody(md)
	if err != nil {
		return nil, fmt.Errorf("encoding the client metadata: %w", err)
	}
	return c.registrationCall(ctx, OpRegister, http.MethodPost, endpoint, initialAccessToken, body, "")
}

// ReadClient reads a registration (RFC 7592 section 2.1) with its
// registration access token. The answer may carry a new registration access
// token; when it does the old one is dead. The GET is sent exactly once, for
// the same reason: a retry would present a token a lost first answer may
// have replaced. Errors are *RegistrationError.
func (c *Client) ReadClient(ctx context.Context, clientURI, registrationAccessToken string) (*ClientInformation, error) {
	return c.registrationCall(ctx, OpRead, http.MethodGet, clientURI, registrationAccessToken, nil, "")
}

// UpdateClient replaces a registration's metadata (RFC 7592 section 2.2).
// The PUT is sent exactly once. The answer usually carries a new
// registration access token (Hydra, node-oidc-provider and Keycloak rotate
// it): store it at once. Errors are *RegistrationError.
//
// When no usable answer arrives although the PUT may have reached the server
// (the connection broke after sending, a timeout, or a 2xx answer that is
// empty, oversized or not JSON), the update may have been applied and the
// token rotated with it. UpdateClient then reads the client once with the
// token it used: a 2xx answer with an empty body followed by a successful
// read is a success (the read's answer is returned); otherwise the
// *RegistrationError carries the read's answer in Resynced, or why it failed
// in ResyncErr, and MayHaveBeenApplied reports true.
func (c *Client) UpdateClient(ctx context.Context, clientURI, registrationAccessToken string, update ClientUpdate) (*ClientInformation, error) {
	if update.ClientID == "" {
		return nil, errors.New("an update needs the client_id")
	}
	body, err := update.UpdateBody()
	if err != nil {
		return nil, fmt.Errorf("encoding the client metadata: %w", err)
	}
	ci, err := c.registrationCall(ctx, OpUpdate, http.MethodPut, clientURI, registrationAccessToken, body, update.ClientID)
	var e *RegistrationError
	if err == nil || !errors.As(err, &e) || !e.MayHaveBeenApplied() {
		return ci, err
	}
	read, readErr := c.registrationCall(ctx, OpRead, http.MethodGet, clientURI, registrationAccessToken, nil, update.ClientID)
	if readErr == nil && e.emptyAnswer {
		return read, nil
	}
	e.Resynced, e.ResyncErr = read, readErr
	return nil, e
}

// DeleteClient deletes a registration (RFC 7592 section 2.3). A client that
// is already gone answers 404 or 410 (KindNotFound) or, since its token died
// with it, 401 (KindUnauthorized): the caller decides what those mean.
// Errors are *RegistrationError.
func (c *Client) DeleteClient(ctx context.Context, clientURI, registrationAccessToken string) error {
	_, err := c.registrationCall(ctx, OpDelete, http.MethodDelete, clientURI, registrationAccessToken, nil, "")
	return err
}

func (c *Client) registrationCall(ctx context.Context, op, method, target, token string, body []byte, knownClientID string) (*ClientInformation, error) {
	// URL is shown in messages: never with user information (ValidateURL refuses it anyway).
	base := RegistrationError{Operation: op, Method: method, URL: RedactURL(target), TokenSent: token != ""}
	if err := ValidateURL(target, c.opts.AllowInsecureHTTP); err != nil {
		e := base
		e.Err = err
		e.kind = KindTransport
		e.notSent = true
		return nil, &e
	}
	// Every registration GET is a management read: RFC 7592 lets any answer
	// rotate the registration access token, so it is never retried.
	resp, err := c.do(ctx, request{method: method, url: target, bearer: token, body: body, noRetry: method == http.MethodGet})
	if err != nil {
		e := base
		e.Err = err
		e.kind = KindTransport
		e.notSent = resp == nil && requestNotSent(err)
		if resp != nil {
			e.Status = resp.Status
			if resp.Status >= 200 && resp.Status < 300 {
				e.kind = KindInvalidResponse
			}
		}
		return nil, &e
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, newRegistrationError(base, resp, token)
	}
	if op == OpDelete {
		return nil, nil
	}
	ci, err := DecodeClientInformation(resp.Body)
	if err == nil && ci.ClientID == "" {
		ci.ClientID = knownClientID
		if ci.ClientID == "" {
			err = errors.New("the answer has no client_id")
		}
	}
	if err != nil {
		e := base
		e.Status = resp.Status
		e.Body = redactBody(resp.Body, token)
		e.Err = err
		e.kind = KindInvalidResponse
		e.emptyAnswer = len(bytes.TrimSpace(resp.Body)) == 0
		return nil, &e
	}
	return ci, nil
}

// requestNotSent reports whether a transport error shows that the request
// never reached the server: the connection could not be made (refused, name
// not resolved, dial timeout) or the server's certificate was refused.
func requestNotSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	return errors.As(err, &dnsErr) || errors.As(err, &certErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, ErrInsecureTransport)
}
