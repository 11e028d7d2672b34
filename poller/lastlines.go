package poller

import (
	"context"
	"errors"
	"fmt"

	"runwatch/extract"
	"runwatch/poller/lifecycle"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// lastLinesKept: the lines before the end that details show of an execution
// whose logs were not read to find its error (a timeout, an OOM kill, a
// cancellation: Cloud Run's reason is the whole answer).
const lastLinesKept = 30

// ErrNoLogs says Cloud Logging holds no entries of the execution.
var ErrNoLogs = errors.New("no log entries")

// LastLines returns the last lines an execution logged, for a person
// looking at its details: the lines around its error when its logs were
// read, else — once, on demand — the last lastLinesKept lines, read within
// the same budget as every other read and remembered (a second call, or
// another window, costs no request). It does not change what the execution
// is said to have failed of.
func (p *Poller) LastLines(ctx context.Context, resource string) ([]string, error) {
	p.mu.Lock()
	scope := scopeOf(resource)
	r, ok := p.mem.Record(scope, resource)
	reader := p.logsOf(scope.Project)
	p.mu.Unlock()
	if !ok || r.State != StateFailed {
		return nil, fmt.Errorf("last lines of %s: not a remembered failure", shortName(resource))
	}
	if len(r.Error.Context) > 0 {
		return r.Error.Context, nil
	}
	if r.Error.Logs == lifecycle.LogsNone {
		return nil, fmt.Errorf("last lines of %s: %w", shortName(resource), ErrNoLogs)
	}
	if reader.paused() {
		return nil, fmt.Errorf("last lines of %s: %w", shortName(resource), errQuotaPause)
	}
	lines, err := reader.read(ctx, scope.Job, shortName(resource), r.Created, r.Completed)
	if status.Code(err) == codes.Canceled && ctx.Err() == nil {
		// The client was closed under the read (credentials rebuilt, as on
		// Refresh now): once more, with the one that replaced it.
		lines, err = reader.read(ctx, scope.Job, shortName(resource), r.Created, r.Completed)
	}
	if err != nil {
		return nil, fmt.Errorf("last lines of %s: %w", shortName(resource), err)
	}
	if len(lines.text) == 0 {
		return nil, fmt.Errorf("last lines of %s: %w", shortName(resource), ErrNoLogs)
	}
	tail := lines.text[max(len(lines.text)-lastLinesKept, 0):]
	out := make([]string, len(tail))
	for i, l := range tail {
		out[i] = extract.Clean(l)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	current, ok := p.mem.Record(scope, resource)
	if ok && len(current.Error.Context) == 0 {
		info := current.Error
		info.Context, info.Matched = out, -1 // no line is the error
		p.mem.SetError(scope, resource, info)
		if _, err := p.saveAndAnnotate(); err != nil {
			p.warning = err.Error()
		}
	}
	return out, nil
}
