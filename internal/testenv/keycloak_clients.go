package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// IssueRegistrationAccessToken has Keycloak issue a new registration access
// token for a client through the admin REST API (POST
// /admin/realms/{realm}/clients/{id}/registration-access-token), as an
// administrator does when the token a tool held was lost. Earlier tokens of
// the client stop working.
func (k *Keycloak) IssueRegistrationAccessToken(ctx context.Context, clientID string) (string, error) {
	c, err := k.GetClientByClientID(ctx, clientID)
	if err != nil {
		return "", fmt.Errorf("issue registration access token for %s: %w", clientID, err)
	}
	if c == nil {
		return "", fmt.Errorf("issue registration access token for %s: no such client in realm %s", clientID, k.Realm)
	}
	var out struct {
		RegistrationAccessToken string `json:"registrationAccessToken"`
	}
	if _, err := k.admin(ctx, http.MethodPost, "/clients/"+url.PathEscape(c.ID)+"/registration-access-token", nil, &out); err != nil {
		return "", fmt.Errorf("issue registration access token for %s: %w", clientID, err)
	}
	if out.RegistrationAccessToken == "" {
		return "", errors.New("issue registration access token: answer without registrationAccessToken")
	}
	return out.RegistrationAccessToken, nil
}

// ClientsNamed lists the realm's clients whose name starts with prefix
// (fault-injection runs name every client they register with one prefix),
// through the admin REST API, paging through all of them.
func (k *Keycloak) ClientsNamed(ctx context.Context, prefix string) ([]KeycloakClient, error) {
	var out []KeycloakClient
	const page = 100
	for first := 0; ; first += page {
		var list []KeycloakClient
		if _, err := k.admin(ctx, http.MethodGet, fmt.Sprintf("/clients?first=%d&max=%d", first, page), nil, &list); err != nil {
			return nil, fmt.Errorf("list clients: %w", err)
		}
		for _, c := range list {
			if strings.HasPrefix(c.Name, prefix) {
				out = append(out, c)
			}
		}
		if len(list) < page {
			return out, nil
		}
		if first > 100*page {
			return nil, errors.New("list clients: more than 10000 clients in the realm")
		}
	}
}
