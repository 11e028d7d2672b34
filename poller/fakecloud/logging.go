package fakecloud

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/genproto/googleapis/api/monitoredres"
	ltype "google.golang.org/genproto/googleapis/logging/type"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const (
	defaultLogPageSize = 50   // what Logging uses when page_size is 0
	maxLogPageSize     = 1000 // Logging rejects larger pages
)

// LogLine is one line an execution's container wrote.
type LogLine struct {
	Time time.Time
	Text string
	// JSON, if non-nil, is sent as jsonPayload instead of textPayload. It is
	// normalised through encoding/json, so any marshalable values work.
	JSON map[string]any
	// Severity is a LogSeverity name such as "INFO" or "ERROR"; empty or
	// unknown means DEFAULT. ERROR and above go to the stderr log.
	Severity string
}

// LogPaging shapes ListLogEntries answers the way Cloud Logging may: a page
// can hold fewer entries than page_size, even none, and still carry a
// next_page_token (Logging stops a page when its scan runs out of time).
type LogPaging struct {
	// MaxEntries, when positive, caps every page at that many entries.
	MaxEntries int
	// EmptyPages: the first EmptyPages answers to each query (a request
	// without a page token, then the tokens it hands out) hold no entries,
	// only a next_page_token.
	EmptyPages int
}

// SetLogPaging makes ListLogEntries answer with pages shaped by p; the zero
// LogPaging restores full pages.
func (c *Cloud) SetLogPaging(p LogPaging) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logPaging = p
}

// logKey identifies the logs of one execution.
type logKey struct{ project, job, execution string }

// storedLog is a LogLine as SetLogs kept it.
type storedLog struct {
	insertID string // unique, and sorts in insertion order
	time     time.Time
	severity ltype.LogSeverity
	text     string
	json     *structpb.Struct // nil for a text line
}

// SetLogs replaces the log lines of execution (its short ID, the last
// segment of its name) of job in project. The entries' resource.labels.location
// is taken from the matching execution put with PutExecution, if any.
func (c *Cloud) SetLogs(project, job, execution string, entries []LogLine) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stored := make([]storedLog, len(entries))
	for i, l := range entries {
		c.nextSeq++
		sev, err := parseSeverity(l.Severity)
		if err != nil {
			sev = ltype.LogSeverity_DEFAULT
		}
		s := storedLog{insertID: fmt.Sprintf("%016x", c.nextSeq), time: l.Time, severity: sev, text: l.Text}
		if l.JSON != nil {
			if s.json, err = jsonStruct(l.JSON); err != nil {
				s.text = fmt.Sprintf("fakecloud: unencodable JSON payload: %v", err)
			}
		}
		stored[i] = s
	}
	c.logs[logKey{project, job, execution}] = stored
}

// jsonStruct converts m to a Struct the way a JSON log line would arrive.
func jsonStruct(m map[string]any) (*structpb.Struct, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	var plain map[string]any
	if err := json.Unmarshal(b, &plain); err != nil {
		return nil, fmt.Errorf("unmarshal: %w", err)
	}
	return structpb.NewStruct(plain)
}

// loggingServer implements the Cloud Logging v2 ListLogEntries method over
// the Cloud's logs.
type loggingServer struct {
	loggingpb.UnimplementedLoggingServiceV2Server
	cloud *Cloud
}

// ListLogEntries returns the entries of the requested projects that match
// the filter, oldest or newest first, one page at a time.
func (s *loggingServer) ListLogEntries(_ context.Context, req *loggingpb.ListLogEntriesRequest) (*loggingpb.ListLogEntriesResponse, error) {
	c := s.cloud
	c.mu.Lock()
	c.logReqs = append(c.logReqs, proto.CloneOf(req))
	injected, paging := c.loggingErr, c.logPaging
	c.mu.Unlock()
	if injected != nil {
		return nil, injected
	}

	projects := map[string]bool{}
	for _, rn := range req.GetResourceNames() {
		if p := strings.Split(rn, "/"); len(p) >= 2 && p[0] == "projects" && p[1] != "" {
			projects[p[1]] = true
		}
	}
	if len(projects) == 0 {
		return nil, status.Errorf(codes.InvalidArgument, "resource_names %q names no project (want projects/{project})", req.GetResourceNames())
	}
	size := int(req.GetPageSize())
	switch {
	case size < 0 || size > maxLogPageSize:
		return nil, status.Errorf(codes.InvalidArgument, "page_size must be between 0 and %d, got %d", maxLogPageSize, size)
	case size == 0:
		size = defaultLogPageSize
	}
	var newestFirst bool
	switch strings.ToLower(strings.Join(strings.Fields(req.GetOrderBy()), " ")) {
	case "", "timestamp asc":
	case "timestamp desc":
		newestFirst = true
	default:
		return nil, status.Errorf(codes.InvalidArgument, "order_by %q: want \"timestamp asc\" or \"timestamp desc\"", req.GetOrderBy())
	}
	filter, err := parseFilter(req.GetFilter())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	query := queryHash(append(slices.Clone(req.GetResourceNames()), req.GetFilter(), req.GetOrderBy())...)

	// compare orders an entry against the key (nanos, insertID) in the
	// requested order.
	compare := func(e *loggingpb.LogEntry, nanos int64, insertID string) int {
		r := e.GetTimestamp().AsTime().Compare(time.Unix(0, nanos))
		if r == 0 {
			r = strings.Compare(e.GetInsertId(), insertID)
		}
		if newestFirst {
			return -r
		}
		return r
	}
	entries := slices.DeleteFunc(c.logEntries(projects), func(e *loggingpb.LogEntry) bool { return !filter.match(e) })
	slices.SortFunc(entries, func(a, b *loggingpb.LogEntry) int {
		return compare(a, b.GetTimestamp().AsTime().UnixNano(), b.GetInsertId())
	})
	after := pageToken{Query: query, Fresh: true}
	if tok := req.GetPageToken(); tok != "" {
		if after, err = decodePageToken(tok, query); err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
	}
	if after.Empties < paging.EmptyPages {
		next := after
		next.Empties++
		return &loggingpb.ListLogEntriesResponse{NextPageToken: next.encode()}, nil
	}
	if !after.Fresh {
		entries = slices.DeleteFunc(entries, func(e *loggingpb.LogEntry) bool { return compare(e, after.Nanos, after.Name) <= 0 })
	}
	if paging.MaxEntries > 0 {
		size = min(size, paging.MaxEntries)
	}
	resp := &loggingpb.ListLogEntriesResponse{}
	if len(entries) > size {
		last := entries[size-1]
		resp.NextPageToken = pageToken{Query: query, Nanos: last.GetTimestamp().AsTime().UnixNano(), Name: last.GetInsertId(), Empties: after.Empties}.encode()
		entries = entries[:size]
	}
	resp.Entries = entries
	return resp, nil
}

// logEntries builds the LogEntry of every stored line in projects, as Cloud
// Run would have written it.
func (c *Cloud) logEntries(projects map[string]bool) []*loggingpb.LogEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	regions := map[logKey]string{}
	for name := range c.executions {
		if job, id, ok := parseExecutionName(name); ok {
			regions[logKey{job.project, job.job, id}] = job.region
		}
	}
	var out []*loggingpb.LogEntry
	for key, lines := range c.logs {
		if !projects[key.project] {
			continue
		}
		for _, l := range lines {
			out = append(out, l.entry(key, regions[key]))
		}
	}
	return out
}

// entry renders l as an entry of a Cloud Run job's stdout or stderr log.
func (l storedLog) entry(key logKey, region string) *loggingpb.LogEntry {
	stream := "stdout"
	if l.severity >= ltype.LogSeverity_ERROR {
		stream = "stderr"
	}
	e := &loggingpb.LogEntry{
		LogName: "projects/" + key.project + "/logs/run.googleapis.com%2F" + stream,
		Resource: &monitoredres.MonitoredResource{
			Type: "cloud_run_job",
			Labels: map[string]string{
				"job_name":   key.job,
				"location":   region,
				"project_id": key.project,
			},
		},
		Labels: map[string]string{
			"run.googleapis.com/execution_name": key.execution,
			"run.googleapis.com/task_attempt":   "0",
			"run.googleapis.com/task_index":     "0",
		},
		Timestamp:        timestamppb.New(l.time),
		ReceiveTimestamp: timestamppb.New(l.time.Add(150 * time.Millisecond)),
		Severity:         l.severity,
		InsertId:         l.insertID,
	}
	if l.json != nil {
		e.Payload = &loggingpb.LogEntry_JsonPayload{JsonPayload: proto.CloneOf(l.json)}
	} else {
		e.Payload = &loggingpb.LogEntry_TextPayload{TextPayload: l.text}
	}
	return e
}
