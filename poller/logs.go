package poller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	"github.com/googleapis/gax-go/v2"
	"golang.org/x/time/rate"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Cloud Logging's budget and the shape of one read.
const (
	// logEntriesPerRead: the newest entries of an execution, in one request.
	logEntriesPerRead = 300
	// logTrail: lines keep arriving a little after an execution completes.
	logTrail = 5 * time.Minute
	// DefaultLogReadTimeout bounds one read request (the client's own retries are off).
	DefaultLogReadTimeout = 20 * time.Second
	// logReadsAtOnce: concurrent reads allowed.
	logReadsAtOnce = 2
	// logReadsPerMinute stays below Cloud Logging's 60 reads a minute per project.
	logReadsPerMinute = 50
)

// logReader reads failed executions' logs within Cloud Logging's budget:
// at most logReadsAtOnce at once and logReadsPerMinute a minute, for all
// the reads of one Poller.
type logReader struct {
	client  *logging.Client
	project string
	job     string
	timeout time.Duration
	now     func() time.Time
	limiter *rate.Limiter
	slots   chan struct{}
	// pausedUntil (unix nanoseconds): after Cloud Logging said
	// RESOURCE_EXHAUSTED, no read is sent before then, not even one already
	// waiting for its turn.
	pausedUntil atomic.Int64
}

// quotaPause: after Cloud Logging says RESOURCE_EXHAUSTED, no read for this long.
const quotaPause = time.Minute

// errQuotaPause stands for a read not sent during a quota pause.
var errQuotaPause = status.Error(codes.ResourceExhausted, "not sent: the read quota ran out a moment ago")

func newLogReader(client *logging.Client, project, job string, timeout time.Duration, perMinute int, now func() time.Time) *logReader {
	return &logReader{
		client:  client,
		project: project,
		job:     job,
		timeout: timeout,
		now:     now,
		limiter: rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute)), 5),
		slots:   make(chan struct{}, logReadsAtOnce),
	}
}

// paused reports whether reads are held back after RESOURCE_EXHAUSTED.
func (r *logReader) paused() bool { return r.now().UnixNano() < r.pausedUntil.Load() }

// logLines are an execution's log lines, oldest first: raw for the
// extractor (a JSON payload keeps its severity), text for a person.
type logLines struct {
	raw, text []string
}

// logFilter selects one execution's entries, bounded in time so Cloud
// Logging need not scan the whole retention period.
func logFilter(job, execution string, from, to time.Time) string {
	return fmt.Sprintf(`resource.type="cloud_run_job" AND resource.labels.job_name=%q AND labels."run.googleapis.com/execution_name"=%q AND timestamp>=%q AND timestamp<=%q`,
		job, execution, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
}

// read fetches the newest logEntriesPerRead entries of an execution that
// ran from created to completed, in one request, and returns them oldest
// first. No entries is not an error: Cloud Logging can lag. The client's own
// retries are off: each would spend the read quota, and the poller retries
// with a back-off of its own.
func (r *logReader) read(ctx context.Context, execution string, created, completed time.Time) (logLines, error) {
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return logLines{}, fmt.Errorf("read logs of %s: %w", execution, ctx.Err())
	}
	if err := r.limiter.Wait(ctx); err != nil {
		return logLines{}, fmt.Errorf("read logs of %s: waiting for the read budget: %w", execution, err)
	}
	if r.paused() {
		return logLines{}, fmt.Errorf("read logs of %s: %w", execution, errQuotaPause)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	filter := logFilter(r.job, execution, created, completed.Add(logTrail))
	req := &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{"projects/" + r.project},
		Filter:        filter,
		OrderBy:       "timestamp desc",
		PageSize:      logEntriesPerRead,
	}
	it := r.client.ListLogEntries(ctx, req, gax.WithRetry(func() gax.Retryer { return nil }))
	var entries []*loggingpb.LogEntry
	if _, err := iterator.NewPager(it, logEntriesPerRead, "").NextPage(&entries); err != nil && !errors.Is(err, iterator.Done) {
		if status.Code(err) == codes.ResourceExhausted {
			r.pausedUntil.Store(r.now().Add(quotaPause).UnixNano())
		}
		return logLines{}, fmt.Errorf("read logs of %s: %w", execution, err)
	}
	var lines logLines
	for _, e := range slices.Backward(entries) {
		raw, text := payloadLines(e)
		lines.raw = append(lines.raw, raw)
		lines.text = append(lines.text, text)
	}
	return lines, nil
}

// payloadLines turns an entry into a line for the extractor and one for a
// person: a text payload as it is; a JSON payload's message, keeping its
// severity for the extractor.
func payloadLines(e *loggingpb.LogEntry) (raw, text string) {
	switch p := e.GetPayload().(type) {
	case *loggingpb.LogEntry_TextPayload:
		return p.TextPayload, p.TextPayload
	case *loggingpb.LogEntry_JsonPayload:
		msg := p.JsonPayload.GetFields()["message"].GetStringValue()
		if msg == "" {
			data, _ := p.JsonPayload.MarshalJSON()
			return string(data), string(data)
		}
		data, _ := json.Marshal(map[string]string{"severity": e.GetSeverity().String(), "message": msg})
		return string(data), msg
	default:
		return "", ""
	}
}
