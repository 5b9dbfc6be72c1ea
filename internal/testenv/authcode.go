package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// AuthCodeRequest describes one authorization code flow with PKCE (S256),
// driven over HTTP as a browser would: the login form gets the user's
// credentials, a consent page is accepted.
type AuthCodeRequest struct {
	AuthorizationEndpoint string
	TokenEndpoint         string
	ClientID              string
	RedirectURI           string
	Scope                 string
	// Resource, when set, is sent as the RFC 8707 resource parameter.
	Resource string
	Username string
	Password string
	// ClientAssertion, when set, makes a private_key_jwt client assertion
	// (RFC 7523) for the token request; audience is the token endpoint.
	ClientAssertion func(audience string) (string, error)
}

// AuthCodeResult is the token response, plus what the flow went through.
type AuthCodeResult struct {
	Token map[string]any
	// Pages lists the forms submitted, in order ("login", "consent").
	Pages []string
}

// AccessToken returns the token response's access_token.
func (r *AuthCodeResult) AccessToken() string {
	s, _ := r.Token["access_token"].(string)
	return s
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<(?:input|button)\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z_:-]+)\s*=\s*("([^"]*)"|'([^']*)')`)
)

func attrs(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
		v := m[3]
		if m[4] != "" {
			v = m[4]
		}
		out[strings.ToLower(m[1])] = html.UnescapeString(v)
	}
	return out
}

// fillForm picks the first form of page and fills it: credentials into a
// login form, the accepting button of a consent form. It returns the action
// URL, the form values and what kind of page it was.
func fillForm(page string, base *url.URL, user, password string) (string, url.Values, string, error) {
	forms := formRe.FindAllStringSubmatch(page, -1)
	if len(forms) == 0 {
		return "", nil, "", fmt.Errorf("no form on the page: %s", shortenText(page, 300))
	}
	// Prefer a form with a password field (the login form), else the first.
	chosen := forms[0]
	for _, f := range forms {
		if strings.Contains(strings.ToLower(f[2]), `type="password"`) {
			chosen = f
			break
		}
	}
	action := attrs(chosen[1])["action"]
	target, err := base.Parse(action)
	if err != nil {
		return "", nil, "", fmt.Errorf("form action %q: %w", action, err)
	}
	values := url.Values{}
	kind := "consent"
	for _, m := range inputRe.FindAllStringSubmatch(chosen[2], -1) {
		a := attrs(m[1])
		name := a["name"]
		if name == "" {
			continue
		}
		typ := strings.ToLower(a["type"])
		if typ == "" && strings.HasPrefix(strings.ToLower(m[0]), "<button") {
			typ = "submit"
		}
		switch typ {
		case "password":
			values.Set(name, password)
			kind = "login"
		case "text", "email", "":
			if name == "username" || name == "login" {
				values.Set(name, user)
				kind = "login"
			} else {
				values.Set(name, a["value"])
			}
		case "submit":
			// Keycloak's consent form has accept and cancel buttons.
			if name == "cancel" || name == "abort" {
				continue
			}
			values.Set(name, a["value"])
		case "checkbox":
			if _, checked := a["checked"]; checked {
				values.Set(name, a["value"])
			}
		default: // hidden
			values.Set(name, a["value"])
		}
	}
	return target.String(), values, kind, nil
}

// AuthorizationCodeFlow runs the flow and returns the token response.
func AuthorizationCodeFlow(ctx context.Context, req AuthCodeRequest) (*AuthCodeResult, error) {
	verifier := randomURLSafe(32)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	state := randomURLSafe(16)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {req.ClientID},
		"redirect_uri":          {req.RedirectURI},
		"scope":                 {req.Scope},
		"state":                 {state},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
	if req.Resource != "" {
		q.Set("resource", req.Resource)
	}
	next, err := http.NewRequestWithContext(ctx, http.MethodGet, req.AuthorizationEndpoint+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	res := &AuthCodeResult{}
	var code string
	for step := 0; step < 20 && code == ""; step++ {
		resp, err := client.Do(next)
		if err != nil {
			return res, fmt.Errorf("%s %s: %w", next.Method, next.URL, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return res, fmt.Errorf("redirect to %q: %w", resp.Header.Get("Location"), err)
			}
			if strings.HasPrefix(loc.String(), req.RedirectURI) {
				p := loc.Query()
				if e := p.Get("error"); e != "" {
					return res, fmt.Errorf("authorization error %s: %s", e, p.Get("error_description"))
				}
				if p.Get("state") != state {
					return res, fmt.Errorf("state %q came back as %q", state, p.Get("state"))
				}
				code = p.Get("code")
				if code == "" {
					return res, fmt.Errorf("redirect without a code: %s", loc)
				}
				continue
			}
			if next, err = http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil); err != nil {
				return res, err
			}
		case resp.StatusCode == http.StatusOK:
			action, values, kind, err := fillForm(string(body), resp.Request.URL, req.Username, req.Password)
			if err != nil {
				return res, fmt.Errorf("page at %s: %w", resp.Request.URL, err)
			}
			if kind == "login" && len(res.Pages) > 0 && res.Pages[len(res.Pages)-1] == "login" {
				return res, fmt.Errorf("the login form came back after signing in (wrong credentials?): %s", shortenText(string(body), 400))
			}
			res.Pages = append(res.Pages, kind)
			if next, err = http.NewRequestWithContext(ctx, http.MethodPost, action, strings.NewReader(values.Encode())); err != nil {
				return res, err
			}
			next.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		default:
			return res, fmt.Errorf("%s %s answered %d: %s", next.Method, next.URL, resp.StatusCode, shortenText(string(body), 600))
		}
	}
	if code == "" {
		return res, errors.New("the flow did not reach the redirect URI in 20 steps")
	}

	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {req.RedirectURI},
		"code_verifier": {verifier},
		"client_id":     {req.ClientID},
	}
	if req.Resource != "" {
		form.Set("resource", req.Resource)
	}
	if req.ClientAssertion != nil {
		assertion, err := req.ClientAssertion(req.TokenEndpoint)
		if err != nil {
			return res, err
		}
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", assertion)
	}
	tokReq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return res, err
	}
	tokReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tokReq.Header.Set("Accept", "application/json")
	resp, err := client.Do(tokReq)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return res, fmt.Errorf("token endpoint answered %d: %s", resp.StatusCode, shortenText(string(body), 600))
	}
	if err := json.Unmarshal(body, &res.Token); err != nil {
		return res, fmt.Errorf("token response: %w", err)
	}
	return res, nil
}

func randomURLSafe(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func shortenText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
