package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging"
	vkit "cloud.google.com/go/logging/apiv2"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/logging/logadmin"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

func logClient(t *testing.T, c *Cloud) *logadmin.Client {
	t.Helper()
	lc, err := logadmin.NewClient(context.Background(), testProject, clientOptions(c.LoggingAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lc.Close() })
	return lc
}

func readEntries(ctx context.Context, lc *logadmin.Client, opts ...logadmin.EntriesOption) ([]*logging.Entry, error) {
	return drain(lc.Entries(ctx, opts...).Next)
}

// executionFilter is the filter the poller sends for one execution's logs.
func executionFilter(job, execution string, from, to time.Time) string {
	return fmt.Sprintf(`resource.type="cloud_run_job" AND resource.labels.job_name="%s" AND labels."run.googleapis.com/execution_name"="%s" AND timestamp>="%s" AND timestamp<="%s"`,
		job, execution, from.Format(time.RFC3339Nano), to.Format(time.RFC3339))
}

// payloadText renders a logadmin payload: a string for textPayload, a Struct
// for jsonPayload.
func payloadText(t *testing.T, p any) string {
	t.Helper()
	switch p := p.(type) {
	case string:
		return p
	case *structpb.Struct:
		return "json:" + p.GetFields()["message"].GetStringValue()
	}
	t.Fatalf("payload of type %T", p)
	return ""
}

func TestEntriesOfOneExecutionNewestFirst(t *testing.T) {
	c := startCloud(t)
	exec := testJob + "-abc12"
	c.PutExecution(ExecutionSpec{Project: testProject, Region: "europe-west4", Job: testJob, ID: exec, State: Failed, Created: base}.Build())
	c.SetLogs(testProject, testJob, exec, []LogLine{
		{Time: base.Add(3 * time.Second), Text: "third", Severity: "ERROR"},
		{Time: base.Add(1500 * time.Millisecond), Text: "second"},
		{Time: base.Add(time.Second), JSON: map[string]any{"message": "first", "step": 1}, Severity: "INFO"},
		{Time: base.Add(-time.Hour), Text: "before the window"},
		{Time: base.Add(time.Hour), Text: "after the window"},
	})
	c.SetLogs(testProject, testJob, testJob+"-other", []LogLine{{Time: base.Add(2 * time.Second), Text: "other execution"}})
	c.SetLogs(testProject, "other-job", exec, []LogLine{{Time: base.Add(2 * time.Second), Text: "other job"}})
	c.SetLogs("other-project", testJob, exec, []LogLine{{Time: base.Add(2 * time.Second), Text: "other project"}})

	filter := executionFilter(testJob, exec, base, base.Add(30*time.Minute))
	got, err := readEntries(context.Background(), logClient(t, c), logadmin.Filter(filter), logadmin.NewestFirst())
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range got {
		texts = append(texts, payloadText(t, e.Payload))
	}
	if want := []string{"third", "second", "json:first"}; !slices.Equal(texts, want) {
		t.Fatalf("entries %q, want %q", texts, want)
	}
	// logadmin unescapes the %2F of the log name.
	third := got[0]
	if third.Severity != logging.Error || third.LogName != "projects/"+testProject+"/logs/run.googleapis.com/stderr" {
		t.Errorf("ERROR entry: severity %v, log %q", third.Severity, third.LogName)
	}
	if got[1].LogName != "projects/"+testProject+"/logs/run.googleapis.com/stdout" {
		t.Errorf("DEFAULT entry log %q, want stdout", got[1].LogName)
	}
	wantRes := map[string]string{"job_name": testJob, "location": "europe-west4", "project_id": testProject}
	for _, e := range got {
		if e.Resource.GetType() != "cloud_run_job" || fmt.Sprint(e.Resource.GetLabels()) != fmt.Sprint(wantRes) {
			t.Errorf("resource %v, want cloud_run_job %v", e.Resource, wantRes)
		}
		if e.Labels["run.googleapis.com/execution_name"] != exec || e.Labels["run.googleapis.com/task_index"] != "0" {
			t.Errorf("labels %v", e.Labels)
		}
	}
	if ids := []string{got[0].InsertID, got[1].InsertID, got[2].InsertID}; ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Errorf("insert IDs not unique: %q", ids)
	}
	reqs := c.LogRequests()
	if len(reqs) != 1 || reqs[0].GetFilter() != filter || reqs[0].GetOrderBy() != "timestamp desc" ||
		!slices.Equal(reqs[0].GetResourceNames(), []string{"projects/" + testProject}) {
		t.Errorf("fake saw %v, want one request with the filter unchanged, timestamp desc, projects/%s", reqs, testProject)
	}
}

func TestEntriesOldestFirstWithLogadminDefaultTimestamp(t *testing.T) {
	c := startCloud(t)
	now := time.Now()
	exec := testJob + "-abc12"
	c.SetLogs(testProject, testJob, exec, []LogLine{
		{Time: now.Add(-time.Minute), Text: "b"},
		{Time: now.Add(-2 * time.Minute), Text: "a"},
		{Time: now.Add(-48 * time.Hour), Text: "two days ago"},
	})
	// Without a timestamp clause logadmin appends `AND timestamp >= "<24h ago>"`.
	filter := fmt.Sprintf(`resource.type = "cloud_run_job" AND labels."run.googleapis.com/execution_name" = %s`, exec)
	got, err := readEntries(context.Background(), logClient(t, c), logadmin.Filter(filter))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range got {
		texts = append(texts, payloadText(t, e.Payload))
	}
	if want := []string{"a", "b"}; !slices.Equal(texts, want) {
		t.Errorf("entries %q, want %q", texts, want)
	}
	if sent := c.LogRequests()[0].GetFilter(); !strings.HasPrefix(sent, filter+" AND timestamp >= ") {
		t.Errorf("logadmin sent %q; the test assumes it appends a timestamp clause", sent)
	}
}

func TestEntriesPagedThroughLogadmin(t *testing.T) {
	c := startCloud(t)
	exec := testJob + "-abc12"
	var lines []LogLine
	for i := range 5 {
		lines = append(lines, LogLine{Time: base.Add(time.Duration(i) * time.Second), Text: fmt.Sprint(i)})
	}
	// Two lines with the same timestamp must not be lost or repeated across pages.
	lines = append(lines, LogLine{Time: base.Add(time.Second), Text: "1b"})
	c.SetLogs(testProject, testJob, exec, lines)

	filter := executionFilter(testJob, exec, base, base.Add(time.Hour))
	got, err := readEntries(context.Background(), logClient(t, c), logadmin.Filter(filter), logadmin.PageSize(2))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range got {
		texts = append(texts, payloadText(t, e.Payload))
	}
	if want := []string{"0", "1", "1b", "2", "3", "4"}; !slices.Equal(texts, want) {
		t.Errorf("entries %q, want %q", texts, want)
	}
	if n := len(c.LogRequests()); n != 3 {
		t.Errorf("fake saw %d requests, want 3 pages of 2", n)
	}
}

func TestSeverityFilter(t *testing.T) {
	c := startCloud(t)
	exec := testJob + "-abc12"
	c.SetLogs(testProject, testJob, exec, []LogLine{
		{Time: base, Text: "info", Severity: "INFO"},
		{Time: base.Add(time.Second), Text: "warn", Severity: "WARNING"},
		{Time: base.Add(2 * time.Second), Text: "error", Severity: "ERROR"},
		{Time: base.Add(3 * time.Second), Text: "critical", Severity: "CRITICAL"},
	})
	lc := logClient(t, c)
	for filter, want := range map[string][]string{
		`severity>=ERROR`:                  {"error", "critical"},
		`severity >= "warning"`:            {"warn", "error", "critical"},
		`severity<WARNING`:                 {"info"},
		`severity=ERROR`:                   {"error"},
		`timestamp>2026-01-02T03:00:01.5Z`: {"error", "critical"},
		`textPayload!="warn"`:              {"info", "error", "critical"},
		`resource.type="gce_vm"`:           nil,
	} {
		f := filter + ` AND timestamp>="2026-01-01T00:00:00Z"`
		got, err := readEntries(context.Background(), lc, logadmin.Filter(f))
		if err != nil {
			t.Errorf("%s: %v", filter, err)
			continue
		}
		var texts []string
		for _, e := range got {
			texts = append(texts, payloadText(t, e.Payload))
		}
		if !slices.Equal(texts, want) {
			t.Errorf("%s: entries %q, want %q", filter, texts, want)
		}
	}
}

func TestOrAndParenthesesAsLoggingReadsThem(t *testing.T) {
	c := startCloud(t)
	for _, exec := range []string{"a", "b", "c"} {
		c.SetLogs(testProject, testJob, exec, []LogLine{
			{Time: base, Text: exec + "-info", Severity: "INFO"},
			{Time: base.Add(time.Second), Text: exec + "-error", Severity: "ERROR"},
		})
	}
	lc := logClient(t, c)
	label := `labels."run.googleapis.com/execution_name"=`
	for filter, want := range map[string][]string{
		label + `"a" OR ` + label + `"c"`:                            {"a-info", "c-info", "a-error", "c-error"},
		`(` + label + `"a" OR ` + label + `"b") AND severity=ERROR`:  {"a-error", "b-error"},
		`severity=ERROR AND ` + label + `"a" OR ` + label + `"b"`:    {"a-error", "b-error"}, // OR binds tighter than AND
		`severity=ERROR ` + label + `"b" OR ` + label + `"zzz"`:      {"b-error"},
		`((` + label + `"c")) AND (severity=INFO OR severity=ERROR)`: {"c-info", "c-error"},
	} {
		f := filter + ` AND timestamp>="2026-01-01T00:00:00Z"`
		got, err := readEntries(context.Background(), lc, logadmin.Filter(f))
		if err != nil {
			t.Errorf("%s: %v", filter, err)
			continue
		}
		var texts []string
		for _, e := range got {
			texts = append(texts, payloadText(t, e.Payload))
		}
		slices.Sort(texts)
		slices.Sort(want)
		if !slices.Equal(texts, want) {
			t.Errorf("%s: entries %q, want %q", filter, texts, want)
		}
	}
}

func TestBadFilterIsInvalidArgument(t *testing.T) {
	c := startCloud(t)
	lc := logClient(t, c)
	ts := ` AND timestamp>="2026-01-01T00:00:00Z"`
	for _, filter := range []string{
		`resource.type=` + ts,
		`resource.type` + ts,
		`jsonPayload.message="x"` + ts,
		`NOT resource.type="cloud_run_job"` + ts,
		`-resource.type="cloud_run_job"` + ts,
		`(resource.type="cloud_run_job"` + ts,
		`resource.type="cloud_run_job")` + ts,
		`() AND` + ts,
		`resource.type="cloud_run_job" OR` + ts,
		`textPayload:"error"` + ts,
		`resource.type="unterminated` + ts,
		`severity>=LOUD` + ts,
		`timestamp>="yesterday"`,
		`resource.type=="cloud_run_job"` + ts,
		`resource.type="cloud_run_job" AND` + ts[4:] + ` AND`,
	} {
		_, err := readEntries(context.Background(), lc, logadmin.Filter(filter))
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("filter %s: %v, want InvalidArgument", filter, err)
		} else if msg := status.Convert(err).Message(); !strings.Contains(msg, "filter") {
			t.Errorf("filter %s: message %q does not say what is wrong with the filter", filter, msg)
		}
	}
}

// vkitClient is the generated Logging client, which shows entries exactly
// as they travel (logadmin unescapes log names and hides the payload oneof).
func vkitClient(t *testing.T, c *Cloud) *vkit.Client {
	t.Helper()
	client, err := vkit.NewClient(context.Background(), clientOptions(c.LoggingAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func TestEntriesOnTheWire(t *testing.T) {
	c := startCloud(t)
	c.SetLogs(testProject, testJob, testJob+"-abc12", []LogLine{
		{Time: base, Text: "plain"},
		{Time: base.Add(time.Second), JSON: map[string]any{"message": "structured", "when": base}, Severity: "ERROR"},
	})
	it := vkitClient(t, c).ListLogEntries(context.Background(), &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{"projects/" + testProject},
		Filter:        `resource.labels.job_name=` + testJob,
	})
	var got []*loggingpb.LogEntry
	for {
		e, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2", len(got))
	}
	if got[0].GetTextPayload() != "plain" || got[0].GetLogName() != "projects/"+testProject+"/logs/run.googleapis.com%2Fstdout" {
		t.Errorf("text entry: payload %q log %q", got[0].GetTextPayload(), got[0].GetLogName())
	}
	fields := got[1].GetJsonPayload().GetFields()
	if fields["message"].GetStringValue() != "structured" || fields["when"].GetStringValue() != "2026-01-02T03:00:00Z" ||
		got[1].GetLogName() != "projects/"+testProject+"/logs/run.googleapis.com%2Fstderr" {
		t.Errorf("JSON entry: payload %v log %q", fields, got[1].GetLogName())
	}
}

func TestBadListLogEntriesRequests(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	client := vkitClient(t, c)
	project := []string{"projects/" + testProject}
	for _, req := range []*loggingpb.ListLogEntriesRequest{
		{ResourceNames: []string{"organizations/123"}},
		{ResourceNames: project, PageSize: 1001},
		{ResourceNames: project, OrderBy: "severity desc"},
		{ResourceNames: project, PageToken: "garbage"},
	} {
		_, err := client.ListLogEntries(ctx, req).Next()
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("ListLogEntries(%v): %v, want InvalidArgument", req, err)
		}
	}
}

func TestLoggingErrorInjected(t *testing.T) {
	c := startCloud(t)
	c.SetLogs(testProject, testJob, testJob+"-abc12", []LogLine{{Time: time.Now(), Text: "x"}})
	lc := logClient(t, c)
	c.SetLoggingError(status.Error(codes.ResourceExhausted, "Quota exceeded for quota metric 'Read requests'"))
	// Even an invalid request gets the injected error: it applies first.
	_, err := readEntries(context.Background(), lc, logadmin.Filter(`bogus`))
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("got %v, want ResourceExhausted", err)
	}
	if n := len(c.LogRequests()); n != 1 {
		t.Errorf("fake recorded %d requests, want 1 (no retry on ResourceExhausted)", n)
	}
	c.SetLoggingError(nil)
	got, err := readEntries(context.Background(), lc)
	if err != nil || len(got) != 1 {
		t.Errorf("after clearing: %d entries, %v", len(got), err)
	}
}

func TestPartialAndEmptyPagesStillYieldEveryEntryOnce(t *testing.T) {
	c := startCloud(t)
	exec := testJob + "-abc12"
	var lines []LogLine
	for i := range 5 {
		lines = append(lines, LogLine{Time: base.Add(time.Duration(i) * time.Second), Text: fmt.Sprint(i)})
	}
	c.SetLogs(testProject, testJob, exec, lines)
	client := vkitClient(t, c)
	req := &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{"projects/" + testProject},
		Filter:        executionFilter(testJob, exec, base, base.Add(time.Hour)),
		OrderBy:       "timestamp desc",
		PageSize:      300,
	}
	for _, tc := range []struct {
		paging   LogPaging
		requests int
	}{
		{LogPaging{}, 1},
		{LogPaging{MaxEntries: 2}, 3},
		{LogPaging{MaxEntries: 1}, 5},
		{LogPaging{EmptyPages: 2}, 3},
		{LogPaging{MaxEntries: 3, EmptyPages: 1}, 3},
	} {
		c.SetLogPaging(tc.paging)
		before := len(c.LogRequests())
		it := client.ListLogEntries(context.Background(), req)
		got, err := drain(it.Next)
		if err != nil {
			t.Fatalf("%+v: %v", tc.paging, err)
		}
		var texts []string
		for _, e := range got {
			texts = append(texts, e.GetTextPayload())
		}
		if want := []string{"4", "3", "2", "1", "0"}; !slices.Equal(texts, want) {
			t.Errorf("%+v: entries %q, want %q", tc.paging, texts, want)
		}
		if n := len(c.LogRequests()) - before; n != tc.requests {
			t.Errorf("%+v: %d requests, want %d", tc.paging, n, tc.requests)
		}
	}

	// Each answer is one page as the paging shapes it.
	c.SetLogPaging(LogPaging{MaxEntries: 2, EmptyPages: 1})
	it := client.ListLogEntries(context.Background(), req)
	var sizes []int
	token := ""
	for range 4 {
		entries, next, err := it.InternalFetch(300, token)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(entries))
		if token = next; token == "" {
			break
		}
	}
	if want := []int{0, 2, 2, 1}; !slices.Equal(sizes, want) || token != "" {
		t.Errorf("page sizes %v (last token %q), want %v and no token after the last", sizes, token, want)
	}
}
