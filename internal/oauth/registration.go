package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
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
		e.Delivery = DeliveryNotSent
		return nil, &e
	}
	resp, attempts, gaveUp, err := c.sendManaged(ctx, op, request{method: method, url: target, bearer: token, body: body, noRetry: true})
	base.Attempts, base.RetryGaveUp = attempts, gaveUp
	if err != nil {
		e := base
		e.Err = err
		e.kind = KindTransport
		e.Delivery = DeliveryOf(err)
		var te *TransportError
		e.TimedOut = errors.As(err, &te) && te.Timeout
		if resp != nil {
			e.Status = resp.Status
			e.Delivery = DeliveryAnswered
			e.ContentType = resp.Header.Get("Content-Type")
			e.BodySize = len(resp.Body)
			if resp.Status >= 200 && resp.Status < 300 {
				e.kind = KindInvalidResponse
				e.Fields = readableFields(resp.Body)
			}
		} else if e.Delivery == DeliveryAnswered {
			// Not a request error (a context ended before sending, a bad URL).
			e.Delivery = DeliveryNotSent
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
		e.Delivery = DeliveryAnswered
		// A success answer that cannot be used may still hold credentials
		// (a cut-short body): describe it, never show it.
		e.ContentType = resp.Header.Get("Content-Type")
		e.BodySize = len(resp.Body)
		e.Fields = readableFields(resp.Body)
		e.Err = err
		e.kind = KindInvalidResponse
		e.emptyAnswer = len(bytes.TrimSpace(resp.Body)) == 0
		return nil, &e
	}
	return ci, nil
}

// sendManaged sends a registration request under the retry policy: RFC 7592
// reads and deletes are sent again only when the server certainly did not
// act on them (a 503 or 429 answer, or a failure before the request was
// written), with bounded backoff, honouring Retry-After, all within one
// request timeout. Registrations and updates are sent once. gaveUp is set
// when a retryable failure was left unretried because the budget or the
// attempts ran out.
func (c *Client) sendManaged(ctx context.Context, op string, r request) (resp *response, attempts int, gaveUp bool, err error) {
	retryable := op == OpRead || op == OpDelete
	deadline := time.Now().Add(c.opts.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	for attempts = 1; ; attempts++ {
		resp, err = c.do(ctx, r)
		if !retryable || ctx.Err() != nil {
			return resp, attempts, false, err
		}
		var wait time.Duration
		switch {
		case err != nil && resp == nil && DeliveryOf(err) == DeliveryNotSent && !permanentNotSent(err):
			wait = c.backoff(attempts)
		case err == nil && serverDidNotAct(resp.Status):
			wait = c.backoff(attempts)
			if after, ok := retryAfter(resp.Header, time.Now()); ok && after > wait {
				wait = after
			}
		default:
			return resp, attempts, false, err
		}
		if attempts > c.opts.Retries || time.Now().Add(wait).After(deadline) {
			return resp, attempts, true, err
		}
		if sleepCtx(ctx, wait) != nil {
			return resp, attempts, true, err
		}
	}
}
