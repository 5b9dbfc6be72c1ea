// Package kcfake is an in-process stand-in for the slice of Keycloak's
// token endpoint and admin REST API that package keycloak uses, for tests
// that must run without a real Keycloak. It answers the way Keycloak 26
// does for the cases tests need: wrong credentials, an account without
// rights in a realm, a realm that does not exist.
package kcfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Account is an identity that can get an admin token.
type Account struct {
	// Realm the account lives in ("master" for server admins).
	Realm string
	// Username/Password for the password grant, or ClientID/Secret for client credentials.
	Username, Password string
	ClientID, Secret   string
	// ManagedRealms are the realms whose clients the account may manage.
	ManagedRealms []string
}

// IAT is a minted Initial Access Token as the fake keeps it.
type IAT struct {
	ID, Token, Realm  string
	Expiration, Count int
}

// Server is the fake.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	accounts []Account
	realms   map[string]bool
	tokens   map[string]*Account // admin access token -> account
	// IATs minted and not deleted, by id.
	IATs map[string]*IAT
	// Clients maps realm -> client_id -> internal id.
	Clients map[string]map[string]string
	// RegistrationTokens maps internal client id to its current registration access token.
	RegistrationTokens map[string]string
	// Minted lists every IAT minted, deleted or not.
	Minted []IAT
	// Deleted lists the ids of deleted IATs.
	Deleted []string
}

// Snapshot returns copies of Minted and Deleted, safe while the fake serves.
func (s *Server) Snapshot() (minted []IAT, deleted []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]IAT(nil), s.Minted...), append([]string(nil), s.Deleted...)
}

// New starts a fake with the given realms and accounts.
func New(realms []string, accounts ...Account) *Server {
	s := &Server{accounts: accounts, realms: map[string]bool{}, tokens: map[string]*Account{},
		IATs: map[string]*IAT{}, Clients: map[string]map[string]string{}, RegistrationTokens: map[string]string{}}
	for _, r := range realms {
		s.realms[r] = true
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddClient registers a client in realm and returns its internal id.
func (s *Server) AddClient(realm, clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Clients[realm] == nil {
		s.Clients[realm] = map[string]string{}
	}
	id := "kc-" + random()
	s.Clients[realm][clientID] = id
	s.RegistrationTokens[id] = "rat-" + random()
	return id
}

func random() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 5 && parts[0] == "realms" && parts[2] == "protocol" && parts[4] == "token" && r.Method == http.MethodPost:
		s.token(w, r, parts[1])
	case len(parts) >= 3 && parts[0] == "admin" && parts[1] == "realms":
		s.admin(w, r, parts[2], parts[3:])
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Unable to find matching target resource method"})
	}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request, realm string) {
	if !s.realms[realm] {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Realm does not exist"})
		return
	}
	_ = r.ParseForm()
	var found *Account
	for i := range s.accounts {
		a := &s.accounts[i]
		if a.Realm != realm {
			continue
		}
		switch r.Form.Get("grant_type") {
		case "password":
			if a.Username != "" && a.Username == r.Form.Get("username") {
				if a.Password != r.Form.Get("password") {
					writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_grant", "error_description": "Invalid user credentials"})
					return
				}
				found = a
			}
		case "client_credentials":
			if a.ClientID != "" && a.ClientID == r.Form.Get("client_id") {
				if a.Secret != r.Form.Get("client_secret") {
					writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized_client", "error_description": "Invalid client or Invalid client credentials"})
					return
				}
				found = a
			}
		}
	}
	if found == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_grant", "error_description": "Invalid user credentials"})
		return
	}
	tok := "admin-" + random()
	s.tokens[tok] = found
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 60})
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request, realm string, rest []string) {
	acct := s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if acct == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "HTTP 401 Unauthorized"})
		return
	}
	if !s.realms[realm] {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Realm not found."})
		return
	}
	allowed := false
	for _, m := range acct.ManagedRealms {
		allowed = allowed || m == realm
	}
	if !allowed {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "HTTP 403 Forbidden"})
		return
	}
	switch {
	case len(rest) == 1 && rest[0] == "clients-initial-access" && r.Method == http.MethodPost:
		var in struct{ Expiration, Count int }
		_ = json.NewDecoder(r.Body).Decode(&in)
		iat := &IAT{ID: random(), Token: "iat-" + random(), Realm: realm, Expiration: in.Expiration, Count: in.Count}
		s.IATs[iat.ID] = iat
		s.Minted = append(s.Minted, *iat)
		writeJSON(w, http.StatusOK, map[string]any{"id": iat.ID, "token": iat.Token, "timestamp": time.Now().Unix(),
			"expiration": iat.Expiration, "count": iat.Count, "remainingCount": iat.Count})
	case len(rest) == 2 && rest[0] == "clients-initial-access" && r.Method == http.MethodDelete:
		if _, ok := s.IATs[rest[1]]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "Could not find initial access token"})
			return
		}
		delete(s.IATs, rest[1])
		s.Deleted = append(s.Deleted, rest[1])
		w.WriteHeader(http.StatusNoContent)
	case len(rest) == 1 && rest[0] == "clients" && r.Method == http.MethodGet:
		list := []map[string]string{}
		want := r.URL.Query().Get("clientId")
		for cid, id := range s.Clients[realm] {
			if want == "" || cid == want {
				list = append(list, map[string]string{"id": id, "clientId": cid})
			}
		}
		writeJSON(w, http.StatusOK, list)
	case len(rest) == 3 && rest[0] == "clients" && rest[2] == "registration-access-token" && r.Method == http.MethodPost:
		for cid, id := range s.Clients[realm] {
			if id == rest[1] {
				tok := "rat-" + random()
				s.RegistrationTokens[id] = tok
				writeJSON(w, http.StatusOK, map[string]string{"id": id, "clientId": cid, "registrationAccessToken": tok})
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Could not find client"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Unable to find matching target resource method"})
	}
}
