package oauth

import (
	"errors"
	"fmt"
	"strings"
)

// Challenge is one authentication challenge from a WWW-Authenticate header
// (RFC 9110 section 11.6.1): a scheme followed by either a token68 or a list
// of parameters.
type Challenge struct {
	// Scheme is the auth-scheme as sent; compare it case-insensitively.
	Scheme string
	// Token68 is set when the challenge carries a token68 instead of parameters.
	Token68 string
	// Params holds the auth-params, keys lower-cased, quoted values unescaped.
	// When a name repeats (which RFC 9110 forbids), the first value is kept.
	Params map[string]string
}

// BearerChallenge is what MCP clients need from a Bearer challenge
// (RFC 6750 section 3, RFC 9728 section 5.1).
type BearerChallenge struct {
	Realm            string
	ResourceMetadata string
	Scope            string
	Error            string
	ErrorDescription string
}

// ParseWWWAuthenticate parses every value of the WWW-Authenticate header. A
// header value may hold several challenges and a response may repeat the
// header. Parsing is best effort: the challenges that parsed are returned
// even when err reports a malformed part, so one bad challenge from a proxy
// does not hide a good Bearer challenge.
func ParseWWWAuthenticate(headerValues []string) ([]Challenge, error) {
	var challenges []Challenge
	var errs []error
	for _, v := range headerValues {
		p := challengeParser{s: v}
		parsed, err := p.parse()
		challenges = append(challenges, parsed...)
		if err != nil {
			errs = append(errs, fmt.Errorf("WWW-Authenticate %q: %w", v, err))
		}
	}
	return challenges, errors.Join(errs...)
}

// FindBearerChallenge returns the Bearer challenge, preferring the first one
// that names resource_metadata when a server sends several.
func FindBearerChallenge(challenges []Challenge) (BearerChallenge, bool) {
	var found *Challenge
	for i := range challenges {
		c := &challenges[i]
		if !strings.EqualFold(c.Scheme, "Bearer") {
			continue
		}
		if found == nil {
			found = c
		}
		if c.Params["resource_metadata"] != "" {
			found = c
			break
		}
	}
	if found == nil {
		return BearerChallenge{}, false
	}
	return BearerChallenge{
		Realm:            found.Params["realm"],
		ResourceMetadata: found.Params["resource_metadata"],
		Scope:            found.Params["scope"],
		Error:            found.Params["error"],
		ErrorDescription: found.Params["error_description"],
	}, true
}

// challengeParser walks one header value. The grammar is ambiguous at commas
// (a comma separates both parameters and challenges), so after each comma it
// looks ahead: `name =` continues the current challenge, a bare token starts
// a new one.
type challengeParser struct {
	s   string
	pos int
}

func (p *challengeParser) parse() ([]Challenge, error) {
	var out []Challenge
	for {
		p.skipListSeparators()
		if p.eof() {
			return out, nil
		}
		scheme := p.readToken()
		if scheme == "" {
			return out, fmt.Errorf("expected an auth-scheme at offset %d, found %q", p.pos, p.s[p.pos])
		}
		c := Challenge{Scheme: scheme, Params: map[string]string{}}
		hadSpace := p.skipWhitespace()
		if p.eof() || p.peek() == ',' {
			out = append(out, c)
			continue
		}
		if !hadSpace {
			return out, fmt.Errorf("expected a space after auth-scheme %q", scheme)
		}
		if tok, ok := p.tryToken68(); ok {
			c.Token68 = tok
			out = append(out, c)
			continue
		}
		if err := p.readParams(&c); err != nil {
			return out, err
		}
		out = append(out, c)
	}
}

// readParams reads auth-params until the value ends or a new challenge starts.
func (p *challengeParser) readParams(c *Challenge) error {
	for {
		name, valueAt, ok := p.lookaheadParam()
		if !ok {
			if len(c.Params) == 0 {
				return fmt.Errorf("expected a token68 or name=value parameters after auth-scheme %q at offset %d", c.Scheme, p.pos)
			}
			return nil // a new challenge starts here
		}
		p.pos = valueAt
		value, err := p.readValue()
		if err != nil {
			return fmt.Errorf("parameter %q of %s challenge: %w", name, c.Scheme, err)
		}
		key := strings.ToLower(name)
		if _, dup := c.Params[key]; !dup {
			c.Params[key] = value
		}
		p.skipWhitespace()
		if p.eof() {
			return nil
		}
		if p.peek() != ',' {
			return fmt.Errorf("unexpected %q after parameter %q of %s challenge", p.peek(), name, c.Scheme)
		}
		p.skipListSeparators()
		if p.eof() {
			return nil
		}
	}
}

// lookaheadParam reports whether the input at pos is `token BWS "=" BWS`,
// returning the token and the offset of the value without consuming anything.
func (p *challengeParser) lookaheadParam() (name string, valueAt int, ok bool) {
	i := p.pos
	for i < len(p.s) && isTokenChar(p.s[i]) {
		i++
	}
	if i == p.pos {
		return "", 0, false
	}
	name = p.s[p.pos:i]
	i = skipBlanks(p.s, i)
	if i >= len(p.s) || p.s[i] != '=' {
		return "", 0, false
	}
	return name, skipBlanks(p.s, i+1), true
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// readValue reads a quoted-string or an unquoted value. Unquoted values are
// read up to whitespace or a comma rather than strictly as a token, because
// some servers send resource_metadata URLs unquoted; the characters that
// end a value are the same either way.
func (p *challengeParser) readValue() (string, error) {
	if p.eof() {
		return "", errors.New("missing value")
	}
	if p.peek() == '"' {
		return p.readQuoted()
	}
	start := p.pos
	for !p.eof() {
		ch := p.peek()
		if ch == ',' || ch == ' ' || ch == '\t' || ch == '"' || ch == '\\' {
			break
		}
		p.pos++
	}
	if p.pos == start {
		return "", fmt.Errorf("missing value before %q", p.peek())
	}
	return p.s[start:p.pos], nil
}

// readQuoted reads a quoted-string, undoing quoted-pair escapes.
func (p *challengeParser) readQuoted() (string, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for !p.eof() {
		ch := p.s[p.pos]
		switch ch {
		case '"':
			p.pos++
			return b.String(), nil
		case '\\':
			if p.pos+1 >= len(p.s) {
				return "", errors.New("quoted string ends with a lone backslash")
			}
			b.WriteByte(p.s[p.pos+1])
			p.pos += 2
		default:
			b.WriteByte(ch)
			p.pos++
		}
	}
	return "", errors.New("unterminated quoted string")
}

// tryToken68 consumes a token68 when one fills the rest of the challenge
// (up to a comma or the end); `abc=def` is a parameter, `abc==` a token68.
func (p *challengeParser) tryToken68() (string, bool) {
	i := p.pos
	for i < len(p.s) && isToken68Char(p.s[i]) {
		i++
	}
	if i == p.pos {
		return "", false
	}
	for i < len(p.s) && p.s[i] == '=' {
		i++
	}
	end := i
	i = skipBlanks(p.s, i)
	if i < len(p.s) && p.s[i] != ',' {
		return "", false
	}
	// "name=value" never reaches here: the value makes the next byte
	// neither a comma nor the end. "name=" alone is a token68.
	tok := p.s[p.pos:end]
	p.pos = i
	return tok, true
}

func (p *challengeParser) readToken() string {
	start := p.pos
	for !p.eof() && isTokenChar(p.peek()) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// skipWhitespace skips OWS and reports whether there was any.
func (p *challengeParser) skipWhitespace() bool {
	start := p.pos
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
	return p.pos > start
}

// skipListSeparators skips commas and whitespace, which RFC 9110 lists
// allow in any number (empty list elements).
func (p *challengeParser) skipListSeparators() {
	for !p.eof() && (p.peek() == ',' || p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

func (p *challengeParser) eof() bool  { return p.pos >= len(p.s) }
func (p *challengeParser) peek() byte { return p.s[p.pos] }

// isTokenChar reports whether ch is a tchar (RFC 9110 section 5.6.2).
func isTokenChar(ch byte) bool {
	switch {
	case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", ch) >= 0
}

// isToken68Char reports whether ch may appear in a token68 before its
// trailing "=" padding (RFC 9110 section 11.2).
func isToken68Char(ch byte) bool {
	switch {
	case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", ch) >= 0
}
