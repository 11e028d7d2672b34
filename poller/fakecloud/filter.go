package fakecloud

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	ltype "google.golang.org/genproto/googleapis/logging/type"
)

// This file understands the subset of the Logging query language that
// runwatch and logadmin send: comparisons `field OP value` joined by AND (or
// by juxtaposition, which Logging also reads as AND) and OR, grouped with
// parentheses. As in Logging, OR binds tighter than AND: `a AND b OR c` is
// `a AND (b OR c)`. NOT, the `-` prefix and the `:` operator are rejected so
// a test notices when the poller starts relying on them.

// logFilter is a parsed filter.
type logFilter condition

func (f logFilter) match(e *loggingpb.LogEntry) bool { return f(e) }

// condition reports whether (part of) a filter holds for an entry.
type condition func(*loggingpb.LogEntry) bool

// stringField returns the getter of a plain string field a filter may
// compare, by its dotted path (a quoted segment such as
// labels."run.googleapis.com/x" arrives unquoted: labels.run.googleapis.com/x).
func stringField(path string) (func(*loggingpb.LogEntry) string, bool) {
	switch path {
	case "resource.type":
		return func(e *loggingpb.LogEntry) string { return e.GetResource().GetType() }, true
	case "logName", "log_name":
		return (*loggingpb.LogEntry).GetLogName, true
	case "insertId", "insert_id":
		return (*loggingpb.LogEntry).GetInsertId, true
	case "textPayload", "text_payload":
		return (*loggingpb.LogEntry).GetTextPayload, true
	case "protoPayload.serviceName":
		return func(e *loggingpb.LogEntry) string { return auditLogOf(e).GetServiceName() }, true
	case "protoPayload.methodName":
		return func(e *loggingpb.LogEntry) string { return auditLogOf(e).GetMethodName() }, true
	case "protoPayload.resourceName":
		return func(e *loggingpb.LogEntry) string { return auditLogOf(e).GetResourceName() }, true
	}
	if key, ok := strings.CutPrefix(path, "resource.labels."); ok {
		return func(e *loggingpb.LogEntry) string { return e.GetResource().GetLabels()[key] }, true
	}
	if key, ok := strings.CutPrefix(path, "labels."); ok {
		return func(e *loggingpb.LogEntry) string { return e.GetLabels()[key] }, true
	}
	return nil, false
}

// parseFilter parses s; an empty filter matches everything.
func parseFilter(s string) (logFilter, error) {
	p := &filterParser{s: s}
	p.skipSpace()
	if p.done() {
		return func(*loggingpb.LogEntry) bool { return true }, nil
	}
	c, err := p.conjunction()
	if err == nil && !p.done() {
		err = fmt.Errorf("unexpected %q at offset %d", p.s[p.pos], p.pos)
	}
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", s, err)
	}
	return logFilter(c), nil
}

// conjunction parses disjunctions joined by AND or juxtaposition, up to the
// end of the filter or a closing parenthesis.
func (p *filterParser) conjunction() (condition, error) {
	var all []condition
	for {
		p.skipSpace()
		if p.done() || p.s[p.pos] == ')' {
			break
		}
		if len(all) > 0 && p.peekWord() == "AND" {
			p.pos += len("AND")
			p.skipSpace()
		}
		c, err := p.disjunction()
		if err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("expected a comparison at offset %d", p.pos)
	}
	return func(e *loggingpb.LogEntry) bool {
		for _, c := range all {
			if !c(e) {
				return false
			}
		}
		return true
	}, nil
}

// disjunction parses terms joined by OR.
func (p *filterParser) disjunction() (condition, error) {
	var alts []condition
	for {
		c, err := p.term()
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
		p.skipSpace()
		if p.peekWord() != "OR" {
			break
		}
		p.pos += len("OR")
		p.skipSpace()
	}
	return func(e *loggingpb.LogEntry) bool {
		for _, c := range alts {
			if c(e) {
				return true
			}
		}
		return false
	}, nil
}

// term parses a parenthesised conjunction or one comparison.
func (p *filterParser) term() (condition, error) {
	if p.done() {
		return nil, fmt.Errorf("expected a comparison at end of filter")
	}
	if p.s[p.pos] != '(' {
		if w := p.peekWord(); w == "AND" || w == "OR" || w == "NOT" {
			return nil, fmt.Errorf("%s at offset %d is not supported by the fake here", w, p.pos)
		}
		return p.comparison()
	}
	open := p.pos
	p.pos++
	c, err := p.conjunction()
	if err != nil {
		return nil, err
	}
	if p.done() || p.s[p.pos] != ')' {
		return nil, fmt.Errorf("unclosed parenthesis at offset %d", open)
	}
	p.pos++
	return c, nil
}

type filterParser struct {
	s   string
	pos int
}

func (p *filterParser) done() bool { return p.pos >= len(p.s) }

func (p *filterParser) skipSpace() {
	for !p.done() && strings.ContainsRune(" \t\r\n", rune(p.s[p.pos])) {
		p.pos++
	}
}

// peekWord returns the bare word at the cursor without consuming it.
func (p *filterParser) peekWord() string {
	end := p.pos
	for end < len(p.s) && isFieldChar(p.s[end]) {
		end++
	}
	return p.s[p.pos:end]
}

func isFieldChar(b byte) bool {
	return b == '_' || b == '-' || b == '/' || b == '@' ||
		'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// comparison parses `field OP value`.
func (p *filterParser) comparison() (condition, error) {
	start := p.pos
	if !p.done() && strings.ContainsRune("()-", rune(p.s[p.pos])) {
		return nil, fmt.Errorf("%q at offset %d is not supported by the fake", p.s[p.pos], p.pos)
	}
	path, err := p.field()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	op := p.operator()
	if op == "" {
		return nil, fmt.Errorf("expected a comparison operator (= != < <= > >=) after %q at offset %d", p.s[start:p.pos], p.pos)
	}
	p.skipSpace()
	value, err := p.value()
	if err != nil {
		return nil, err
	}
	return compileCondition(path, op, value)
}

// field parses a dotted path whose segments are bare words or quoted strings
// and returns it with quotes removed.
func (p *filterParser) field() (string, error) {
	var segs []string
	for {
		var seg string
		if !p.done() && p.s[p.pos] == '"' {
			q, err := p.quoted()
			if err != nil {
				return "", err
			}
			seg = q
		} else {
			seg = p.peekWord()
			if seg == "" {
				return "", fmt.Errorf("expected a field name at offset %d", p.pos)
			}
			p.pos += len(seg)
		}
		segs = append(segs, seg)
		if p.done() || p.s[p.pos] != '.' {
			return strings.Join(segs, "."), nil
		}
		p.pos++ // the dot
	}
}

func (p *filterParser) operator() string {
	for _, op := range []string{">=", "<=", "!=", "=", ">", "<"} {
		if strings.HasPrefix(p.s[p.pos:], op) {
			p.pos += len(op)
			return op
		}
	}
	return ""
}

// value parses a quoted string or a bare word that runs to the next space.
func (p *filterParser) value() (string, error) {
	if p.done() {
		return "", fmt.Errorf("expected a value at end of filter")
	}
	if p.s[p.pos] == '"' {
		return p.quoted()
	}
	start := p.pos
	for !p.done() && !strings.ContainsRune(" \t\r\n()", rune(p.s[p.pos])) {
		if strings.ContainsRune("=<>!\"", rune(p.s[p.pos])) {
			return "", fmt.Errorf("unexpected %q in value at offset %d", p.s[p.pos], p.pos)
		}
		p.pos++
	}
	switch v := p.s[start:p.pos]; v {
	case "", "AND", "OR", "NOT":
		return "", fmt.Errorf("expected a value at offset %d", start)
	default:
		return v, nil
	}
}

// quoted parses a double-quoted string with backslash escapes.
func (p *filterParser) quoted() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	var b strings.Builder
	for !p.done() {
		ch := p.s[p.pos]
		switch ch {
		case '"':
			p.pos++
			return b.String(), nil
		case '\\':
			if p.pos+1 >= len(p.s) {
				return "", fmt.Errorf("unterminated escape at offset %d", p.pos)
			}
			b.WriteByte(p.s[p.pos+1])
			p.pos += 2
		default:
			b.WriteByte(ch)
			p.pos++
		}
	}
	return "", fmt.Errorf("unterminated string starting at offset %d", start)
}

// compileCondition turns one comparison into a matcher, checking the field is
// known and the value has the field's type.
func compileCondition(field, op, value string) (condition, error) {
	switch {
	case field == "timestamp":
		t, err := time.Parse(time.RFC3339Nano, value)
		if err != nil {
			return nil, fmt.Errorf("timestamp value %q is not RFC 3339: %w", value, err)
		}
		return func(e *loggingpb.LogEntry) bool {
			return compareOp(op, e.GetTimestamp().AsTime().Compare(t))
		}, nil
	case field == "severity":
		want, err := parseSeverity(value)
		if err != nil {
			return nil, err
		}
		return func(e *loggingpb.LogEntry) bool {
			return compareOp(op, cmp.Compare(e.GetSeverity(), want))
		}, nil
	}
	get, ok := stringField(field)
	if !ok {
		return nil, fmt.Errorf("unknown field %q (the fake knows timestamp, severity, resource.type, resource.labels.*, labels.*, logName, insertId, textPayload, protoPayload.serviceName, protoPayload.methodName, protoPayload.resourceName)", field)
	}
	return stringCondition(op, value, get), nil
}

func stringCondition(op, value string, get func(*loggingpb.LogEntry) string) condition {
	return func(e *loggingpb.LogEntry) bool {
		return compareOp(op, strings.Compare(get(e), value))
	}
}

// compareOp reports whether a comparison result c (-1, 0, 1 of entry versus
// value) satisfies op.
func compareOp(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// parseSeverity reads a LogSeverity name (any case) or its number.
func parseSeverity(s string) (ltype.LogSeverity, error) {
	if v, ok := ltype.LogSeverity_value[strings.ToUpper(s)]; ok {
		return ltype.LogSeverity(v), nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return ltype.LogSeverity(n), nil
	}
	return 0, fmt.Errorf("severity %q is not a LogSeverity name (DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY)", s)
}
