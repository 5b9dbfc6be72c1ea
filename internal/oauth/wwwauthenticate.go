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
// header. Parsing is best effort: a malformed part is reported in err (one
// error per malformed part, joined) and skipped up to the next comma outside
// a quoted string, while everything around it is still returned, so one bad
// challenge from a proxy, or one bad parameter, does not hide a good Bearer
// challenge. A challenge keeps the parameters read before a malformed one.
// Two lenient readings are also reported in err: parameters separated by
// whitespace instead of a comma, and a parameter with an empty value ("").
func ParseWWWAuthenticate(headerValues []string) ([]Challenge, error) {
	var challenges []Challenge
	var errs []error
	for _, v := range headerValues {
		p := challengeParser{s: v}
		parsed, perrs := p.parse()
		challenges = append(challenges, parsed...)
		if len(perrs) > 0 {
			errs = append(errs, fmt.Errorf("WWW-Authenticate %q: %w", shorten(v, 120), errors.Join(perrs...)))
		}
	}
	return challenges, errors.Join(errs...)
}

// FindBearerChallenge returns what the Bearer challenges say. When a server
// sends several, the first one that names resource_metadata is preferred;
// what it leaves out (scope, error with its error_description, realm) is
// taken from the first other Bearer challenge that has it, so
// `Bearer error="insufficient_scope", scope="a", Bearer resource_metadata="u"`
// yields all of them.
func FindBearerChallenge(challenges []Challenge) (BearerChallenge, bool) {
	var bearers []*Challenge
	var primary *Challenge
	for i := range challenges {
		c := &challenges[i]
		if !strings.EqualFold(c.Scheme, "Bearer") {
			continue
		}
		bearers = append(bearers, c)
		if primary == nil && c.Params["resource_metadata"] != "" {
			primary = c
		}
	}
	if len(bearers) == 0 {
		return BearerChallenge{}, false
	}
	if primary == nil {
		primary = bearers[0]
	}
	// first returns the value of name from the primary challenge, else from
	// the first Bearer challenge that has one, with that challenge.
	first := func(name string) (string, *Challenge) {
		if v := primary.Params[name]; v != "" {
			return v, primary
		}
		for _, c := range bearers {
			if v := c.Params[name]; v != "" {
				return v, c
			}
		}
		return "", nil
	}
	out := BearerChallenge{ResourceMetadata: primary.Params["resource_metadata"]}
	out.Realm, _ = first("realm")
	out.Scope, _ = first("scope")
	// error_description explains error: keep the two from one challenge.
	if e, from := first("error"); from != nil {
		out.Error, out.ErrorDescription = e, from.Params["error_description"]
	} else {
		out.ErrorDescription, _ = first("error_description")
	}
	return out, true
}

// challengeParser walks one header value. The grammar is ambiguous at commas
// (a comma separates both parameters and challenges), so after each comma it
// looks ahead: `name =` continues the current challenge, a bare token starts
// a new one.
type challengeParser struct {
	s   string
	pos int
}

func (p *challengeParser) parse() ([]Challenge, []error) {
	var out []Challenge
	var errs []error
	for {
		p.skipListSeparators()
		if p.eof() {
			return out, errs
		}
		start := p.pos
		scheme := p.readToken()
		if scheme == "" {
			errs = append(errs, fmt.Errorf("expected an auth-scheme at offset %d, found %q", p.pos, p.s[p.pos]))
			p.skipToComma()
			continue
		}
		if i := skipBlanks(p.s, p.pos); i < len(p.s) && p.s[i] == '=' {
			errs = append(errs, fmt.Errorf("parameter %q at offset %d belongs to no challenge", scheme, start))
			p.skipToComma()
			continue
		}
		c := Challenge{Scheme: scheme, Params: map[string]string{}}
		hadSpace := p.skipWhitespace()
		if p.eof() || p.peek() == ',' {
			out = append(out, c)
			continue
		}
		if !hadSpace {
			errs = append(errs, fmt.Errorf("expected a space after auth-scheme %q, found %q", scheme, p.peek()))
			p.skipToComma()
			out = append(out, c)
			continue
		}
		if tok, ok := p.tryToken68(); ok {
			c.Token68 = tok
			out = append(out, c)
			continue
		}
		errs = append(errs, p.readParams(&c)...)
		out = append(out, c)
	}
}

// readParams reads auth-params until the value ends or a new challenge
// starts. A malformed parameter is reported and skipped up to the next comma
// outside a quoted string; reading goes on from there.
func (p *challengeParser) readParams(c *Challenge) []error {
	var errs []error
	first := true
	for {
		name, valueAt, ok := p.lookaheadParam()
		if !ok {
			if !first {
				return errs // a new challenge starts here
			}
			errs = append(errs, fmt.Errorf("expected a token68 or name=value parameters after auth-scheme %q at offset %d", c.Scheme, p.pos))
			if !p.resync() {
				return errs
			}
			first = false
			continue
		}
		first = false
		p.pos = valueAt
		quoted := !p.eof() && p.peek() == '"'
		value, err := p.readValue()
		if err != nil {
			errs = append(errs, fmt.Errorf("parameter %q of %s challenge: %w", name, c.Scheme, err))
			if !p.resync() {
				return errs
			}
			continue
		}
		if value == "" && !quoted {
			errs = append(errs, fmt.Errorf("parameter %q of %s challenge has an empty value", name, c.Scheme))
		}
		key := strings.ToLower(name)
		if _, dup := c.Params[key]; !dup {
			c.Params[key] = value
		}
		hadSpace := p.skipWhitespace()
		if p.eof() {
			return errs
		}
		if p.peek() == ',' {
			p.skipListSeparators()
			if p.eof() {
				return errs
			}
			continue
		}
		if _, _, next := p.lookaheadParam(); hadSpace && next {
			errs = append(errs, fmt.Errorf("missing comma after parameter %q of %s challenge", name, c.Scheme))
			continue
		}
		errs = append(errs, fmt.Errorf("unexpected %q after parameter %q of %s challenge", p.peek(), name, c.Scheme))
		if !p.resync() {
			return errs
		}
	}
}

// resync skips to the next comma outside a quoted string and past the list
// separators there. It reports whether anything is left to read.
func (p *challengeParser) resync() bool {
	p.skipToComma()
	p.skipListSeparators()
	return !p.eof()
}

// skipToComma moves to the next comma outside a quoted string, or the end.
func (p *challengeParser) skipToComma() {
	inQuote := false
	for !p.eof() {
		switch ch := p.peek(); {
		case inQuote && ch == '\\':
			p.pos++ // skip the escaped byte too
		case ch == '"':
			inQuote = !inQuote
		case !inQuote && ch == ',':
			return
		}
		p.pos++
	}
	p.pos = len(p.s)
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
// end a value are the same either way. An empty unquoted value is "" (the
// caller reports it).
func (p *challengeParser) readValue() (string, error) {
	if !p.eof() && p.peek() == '"' {
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
	// neither a comma nor the end. "name=" alone is a token68, unless
	// parameters follow: a token68 challenge has none, so `scope=, realm="r"`
	// is an empty parameter followed by another one.
	if i < len(p.s) && p.s[end-1] == '=' && p.s[end-2] != '=' {
		next := challengeParser{s: p.s, pos: i}
		next.skipListSeparators()
		if _, _, ok := next.lookaheadParam(); ok {
			return "", false
		}
	}
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
