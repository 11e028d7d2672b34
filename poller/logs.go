package poller

import (
	"context"
	"encoding/json"
	"fmt"
	"runwatch/extract"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	"github.com/googleapis/gax-go/v2"
	"golang.org/x/time/rate"
	ltype "google.golang.org/genproto/googleapis/logging/type"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Cloud Logging's budget and the shape of one read.
const (
	// logEntriesPerRead: the newest entries of an execution, in one request.
	logEntriesPerRead = 300
	// logRequestsPerRead: a read's first request, and one more only when
	// Cloud Logging answered it with a partial page.
	logRequestsPerRead = 2
	// logBatchMax: executions one batched read may ask for.
	logBatchMax = 10
	// logTrail: lines keep arriving a little after an execution completes.
	logTrail = 5 * time.Minute
	// DefaultLogReadTimeout bounds one read request (the client's own retries are off).
	DefaultLogReadTimeout = 20 * time.Second
	// logReadsAtOnce: concurrent reads allowed.
	logReadsAtOnce = 2
	// logRequestsPerMinute stays below Cloud Logging's 60 read requests a
	// minute per project.
	logRequestsPerMinute = 45
)

// logReader reads failed executions' logs within Cloud Logging's budget:
// at most logReadsAtOnce reads at once and logRequestsPerMinute requests a
// minute, for all the reads of one Poller.
type logReader struct {
	// client is replaced when credentials are rebuilt, maybe while a
	// details window's read (LastLines) is under way.
	client    atomic.Pointer[logging.Client]
	project   string
	timeout   time.Duration
	perMinute int // the request budget
	now       func() time.Time
	limiter   *rate.Limiter // one token per request
	slots     chan struct{} // one per read in flight
	// pausedUntil (unix nanoseconds): after Cloud Logging said
	// RESOURCE_EXHAUSTED, no request is sent before then, not even one
	// already waiting for its turn.
	pausedUntil atomic.Int64
}

// quotaPause: after Cloud Logging says RESOURCE_EXHAUSTED, no read for this long.
const quotaPause = time.Minute

// errQuotaPause stands for a request not sent during a quota pause.
var errQuotaPause = status.Error(codes.ResourceExhausted, "not sent: the read quota ran out a moment ago")

func newLogReader(client *logging.Client, project string, timeout time.Duration, perMinute int, now func() time.Time) *logReader {
	r := &logReader{
		project:   project,
		timeout:   timeout,
		now:       now,
		perMinute: perMinute,
		// A burst of 4 on top: under 50 requests in any minute.
		limiter: rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute)), 4),
		slots:   make(chan struct{}, logReadsAtOnce),
	}
	r.client.Store(client)
	return r
}

// setClient replaces the client, as after credentials were rebuilt; a
// read under way finishes with the client it started with.
func (r *logReader) setClient(c *logging.Client) { r.client.Store(c) }

// paused reports whether reads are held back after RESOURCE_EXHAUSTED.
func (r *logReader) paused() bool { return r.now().UnixNano() < r.pausedUntil.Load() }

// logLines are an execution's log lines, oldest first: raw for the
// extractor (a JSON payload keeps its severity), text for a person.
type logLines struct {
	raw, text []string
	streams   []extract.Stream // the stream each line was written to
	// partial: Cloud Logging may hold more of the execution's newest
	// logEntriesPerRead entries than these (its pages came back short, or a
	// batched read's page filled up with other executions' entries). The
	// lines there are the newest; older ones are missing.
	partial bool
}

// logQuery is one execution whose logs to read: its job, its short name
// and when it ran (completed: now, for one still running).
type logQuery struct {
	job, execution     string
	created, completed time.Time
}

// window is the time range of the query's entries.
func (q logQuery) window() (from, to time.Time) { return q.created, q.completed.Add(logTrail) }

// executionLabel is the entry label naming a Cloud Run job's execution.
const executionLabel = "run.googleapis.com/execution_name"

// logFilter selects the entries of executions, bounded in time (from the
// first created to the last completed, plus the trail) so Cloud Logging
// need not scan the whole retention period.
func logFilter(queries []logQuery) string {
	from, to := queries[0].window()
	names := make([]string, len(queries))
	var jobs []string
	for i, q := range queries {
		f, t := q.window()
		from, to = minTime(from, f), maxTime(to, t)
		names[i] = fmt.Sprintf(`labels.%q=%q`, executionLabel, q.execution)
		if job := fmt.Sprintf(`resource.labels.job_name=%q`, q.job); !slices.Contains(jobs, job) {
			jobs = append(jobs, job)
		}
	}
	return fmt.Sprintf(`resource.type="cloud_run_job" AND %s AND %s AND timestamp>=%q AND timestamp<=%q`,
		anyOf(jobs), anyOf(names), from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
}

// anyOf joins conditions with OR, in parentheses when there are several.
func anyOf(conditions []string) string {
	if len(conditions) == 1 {
		return conditions[0]
	}
	return "(" + strings.Join(conditions, " OR ") + ")"
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// read fetches the newest logEntriesPerRead entries of an execution that
// ran from created to completed and returns them oldest first. It costs one
// request, two when Cloud Logging answers the first with a partial page;
// see readBatch. No entries is not an error: Cloud Logging can lag.
func (r *logReader) read(ctx context.Context, job, execution string, created, completed time.Time) (logLines, error) {
	lines, err := r.readBatch(ctx, []logQuery{{job: job, execution: execution, created: created, completed: completed}})
	if err != nil {
		return logLines{}, err
	}
	return lines[0], nil
}

// readBatch reads the logs of several executions of the job (at most
// logBatchMax, say the failures one refresh found) in one read: the newest
// logEntriesPerRead entries of them all, in one request (two when Cloud
// Logging answers the first with a partial page: fewer entries than asked
// and a next_page_token; never more). It returns each execution's lines,
// oldest first, in the order of queries.
//
// An execution's lines are whole (partial false) when Cloud Logging had
// nothing more to give, when they are logEntriesPerRead themselves, or when
// the oldest entry read is older than the execution's creation: entries
// come newest first, so all of its entries were read. The others are
// partial: with a full page shared by noisy executions, a quiet older one
// may have few or none of its lines here. Read those again alone (read), or
// treat them as incomplete; a batch of one is exactly read.
//
// A failed request fails the whole read, with nothing returned: a failed
// read must never be taken for the answer. The client's own retries are
// off: each would spend the quota, and the poller retries with a back-off
// of its own. RESOURCE_EXHAUSTED pauses every read for quotaPause.
func (r *logReader) readBatch(ctx context.Context, queries []logQuery) ([]logLines, error) {
	if len(queries) == 0 {
		return nil, nil
	}
	names := make([]string, len(queries))
	for i, q := range queries {
		names[i] = q.execution
	}
	what := strings.Join(names, ", ")
	if len(queries) > logBatchMax {
		return nil, fmt.Errorf("read logs of %s: %d executions in one read, at most %d", what, len(queries), logBatchMax)
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("read logs of %s: %w", what, ctx.Err())
	}
	req := &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{"projects/" + r.project},
		Filter:        logFilter(queries),
		OrderBy:       "timestamp desc",
		PageSize:      logEntriesPerRead,
	}
	var entries []*loggingpb.LogEntry
	token := ""
	for range logRequestsPerRead {
		page, next, err := r.fetch(ctx, req, logEntriesPerRead-len(entries), token)
		if err != nil {
			return nil, fmt.Errorf("read logs of %s: %w", what, err)
		}
		entries = append(entries, page...)
		if token = next; token == "" || len(entries) >= logEntriesPerRead {
			break // all there is, or all that is wanted
		}
	}
	return splitEntries(queries, entries, token == ""), nil
}

// fetch sends one ListLogEntries request for a page of up to size entries
// after token, once the budget allows, within r.timeout.
//
// It calls the generated iterator's InternalFetch, which sends exactly one
// request: the iterator's Next skips empty pages by fetching again, and
// iterator.Pager fills a page by following next_page_token, so either would
// send as many requests as a server answering in small or empty pages makes
// it (300 for a server answering one entry a page).
func (r *logReader) fetch(ctx context.Context, req *loggingpb.ListLogEntriesRequest, size int, token string) ([]*loggingpb.LogEntry, string, error) {
	if err := r.limiter.Wait(ctx); err != nil {
		return nil, "", fmt.Errorf("waiting for the read budget: %w", err)
	}
	if r.paused() {
		return nil, "", errQuotaPause
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	it := r.client.Load().ListLogEntries(ctx, req, gax.WithRetry(func() gax.Retryer { return nil }))
	entries, next, err := it.InternalFetch(size, token)
	if status.Code(err) == codes.ResourceExhausted {
		r.pausedUntil.Store(r.now().Add(quotaPause).UnixNano())
	}
	return entries, next, err
}

// splitEntries deals entries (newest first, as read) to the queries by
// their execution label and window, oldest first; exhausted says Cloud
// Logging had no more entries to give.
func splitEntries(queries []logQuery, entries []*loggingpb.LogEntry, exhausted bool) []logLines {
	out := make([]logLines, len(queries))
	for i, q := range queries {
		from, to := q.window()
		var n int
		for _, e := range slices.Backward(entries) {
			t := e.GetTimestamp().AsTime()
			if e.GetLabels()[executionLabel] != q.execution || t.Before(from) || t.After(to) ||
				q.job != "" && e.GetResource().GetLabels()["job_name"] != q.job {
				continue
			}
			raw, text := payloadLines(e)
			out[i].raw = append(out[i].raw, raw)
			out[i].text = append(out[i].text, text)
			out[i].streams = append(out[i].streams, streamOf(e.GetLogName()))
			n++
		}
		whole := exhausted || n >= logEntriesPerRead ||
			len(entries) > 0 && entries[len(entries)-1].GetTimestamp().AsTime().Before(from)
		out[i].partial = !whole
	}
	return out
}

// streamOf reads which stream a Cloud Run entry's log is
// (projects/P/logs/run.googleapis.com%2Fstderr).
func streamOf(logName string) extract.Stream {
	switch {
	case strings.HasSuffix(logName, "%2Fstderr"), strings.HasSuffix(logName, "/stderr"):
		return extract.StreamStderr
	case strings.HasSuffix(logName, "%2Fstdout"), strings.HasSuffix(logName, "/stdout"):
		return extract.StreamStdout
	}
	return extract.StreamUnknown
}

// extractLines are the lines with their streams, for the extractor.
func (l logLines) extractLines() []extract.Line {
	out := make([]extract.Line, len(l.raw))
	for i, raw := range l.raw {
		out[i] = extract.Line{Text: raw, Stream: l.streams[i]}
	}
	return out
}

// payloadLines turns an entry into a line for the extractor and one for a
// person: a text payload as it is; a JSON payload's message, keeping its
// severity for the extractor.
func payloadLines(e *loggingpb.LogEntry) (raw, text string) {
	switch p := e.GetPayload().(type) {
	case *loggingpb.LogEntry_TextPayload:
		return p.TextPayload, p.TextPayload
	case *loggingpb.LogEntry_JsonPayload:
		fields := p.JsonPayload.AsMap()
		// Cloud Logging lifts a structured line's "severity" into the entry;
		// put it back, unless it is DEFAULT (unknown), so that a "level" or
		// "levelname" of the payload still speaks.
		if sev := e.GetSeverity(); sev != ltype.LogSeverity_DEFAULT {
			fields["severity"] = sev.String()
		}
		data, _ := json.Marshal(fields)
		for _, key := range []string{"message", "msg"} {
			if msg, ok := fields[key].(string); ok && msg != "" {
				return string(data), msg
			}
		}
		return string(data), string(data)
	default:
		return "", ""
	}
}
