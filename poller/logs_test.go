package poller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	logging "cloud.google.com/go/logging/apiv2"

	"runwatch/extract"
	"runwatch/poller/fakecloud"
)

// logsCloud is a fake cloud and a log reader talking to it over gRPC.
func logsCloud(t *testing.T) (*fakecloud.Cloud, *logReader) {
	t.Helper()
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	client, err := logging.NewClient(context.Background(), clientOptions(cloud.LoggingAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return cloud, newLogReader(client, testProject, 5*time.Second, logRequestsPerMinute, time.Now)
}

// ran is an execution that ran for an hour from start, with n log lines
// spread over its first minutes, "<id> 0" the oldest.
func ran(c *fakecloud.Cloud, id string, start time.Time, n int) logQuery {
	lines := make([]fakecloud.LogLine, n)
	for i := range lines {
		lines[i] = fakecloud.LogLine{Time: start.Add(time.Duration(i+1) * time.Second), Text: fmt.Sprintf("%s %d", id, i)}
	}
	c.SetLogs(testProject, testJob, id, lines)
	return logQuery{job: testJob, execution: id, created: start, completed: start.Add(time.Hour)}
}

// texts are the numbered lines of id from first to last, as ran writes them.
func texts(id string, first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, fmt.Sprintf("%s %d", id, i))
	}
	return out
}

func readOne(t *testing.T, r *logReader, q logQuery) logLines {
	t.Helper()
	lines, err := r.read(context.Background(), q.job, q.execution, q.created, q.completed)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestReadIsOneRequestForTheNewestEntriesOldestFirst(t *testing.T) {
	c, r := logsCloud(t)
	q := ran(c, "bad-1", t0, 400)
	lines := readOne(t, r, q)
	if want := texts("bad-1", 100, 399); !slices.Equal(lines.text, want) || lines.partial {
		t.Fatalf("read %d lines %q… (partial %v), want the newest 300 oldest first", len(lines.text), lines.text[:3], lines.partial)
	}
	reqs := c.LogRequests()
	if len(reqs) != 1 || reqs[0].GetPageSize() != logEntriesPerRead || reqs[0].GetOrderBy() != "timestamp desc" {
		t.Fatalf("requests %v, want one of %d newest first", reqs, logEntriesPerRead)
	}
	if f := reqs[0].GetFilter(); !strings.Contains(f, `labels."run.googleapis.com/execution_name"="bad-1" AND timestamp>=`) || strings.Contains(f, "(") {
		t.Errorf("filter %q: want the one execution's label, without OR or parentheses", f)
	}

	c2, r2 := logsCloud(t)
	if lines := readOne(t, r2, logQuery{job: testJob, execution: "quiet", created: t0, completed: t0}); len(lines.raw) != 0 || lines.partial {
		t.Errorf("no entries: %q partial %v, want none and whole", lines.raw, lines.partial)
	}
	if n := len(c2.LogRequests()); n != 1 {
		t.Errorf("%d requests for an execution without entries, want 1", n)
	}
}

func TestPartialPagesCostAtMostOneMoreRequest(t *testing.T) {
	for _, tc := range []struct {
		paging   fakecloud.LogPaging
		requests int
		want     []string
		partial  bool
	}{
		{fakecloud.LogPaging{MaxEntries: 1}, 2, texts("bad-1", 48, 49), true},
		{fakecloud.LogPaging{MaxEntries: 30}, 2, texts("bad-1", 0, 49), false}, // the second page ends it
		{fakecloud.LogPaging{MaxEntries: 20}, 2, texts("bad-1", 10, 49), true},
		{fakecloud.LogPaging{EmptyPages: 1}, 2, texts("bad-1", 0, 49), false},
		{fakecloud.LogPaging{EmptyPages: 1000}, 2, nil, true},
		{fakecloud.LogPaging{MaxEntries: 1, EmptyPages: 1000}, 2, nil, true},
	} {
		c, r := logsCloud(t)
		q := ran(c, "bad-1", t0, 50)
		c.SetLogPaging(tc.paging)
		lines := readOne(t, r, q)
		if n := len(c.LogRequests()); n != tc.requests {
			t.Errorf("%+v: %d requests, want %d", tc.paging, n, tc.requests)
		}
		if !slices.Equal(lines.text, tc.want) || lines.partial != tc.partial {
			t.Errorf("%+v: lines %q partial %v, want %q partial %v", tc.paging, lines.text, lines.partial, tc.want, tc.partial)
		}
		if reqs := c.LogRequests(); len(reqs) == 2 && reqs[1].GetPageToken() == "" {
			t.Errorf("%+v: the second request does not follow the first page's token", tc.paging)
		}
	}
}

func TestRateLimitCountsRequestsNotReads(t *testing.T) {
	c, r := logsCloud(t)
	q := ran(c, "bad-1", t0, 50)
	c.SetLogPaging(fakecloud.LogPaging{MaxEntries: 1})
	before := r.limiter.Tokens()
	readOne(t, r, q)
	if spent := before - r.limiter.Tokens(); spent < 1.9 || spent > 2.1 {
		t.Errorf("a read of two requests spent %.2f of the budget, want 2", spent)
	}
}

func TestFailuresOfOneRefreshReadInOneRequest(t *testing.T) {
	c, r := logsCloud(t)
	queries := []logQuery{
		ran(c, "bad-1", t0.Add(-3*time.Hour), 40),
		ran(c, "bad-2", t0.Add(-2*time.Hour), 5),
		ran(c, "bad-3", t0.Add(-time.Hour), 70),
	}
	ran(c, "good-1", t0.Add(-90*time.Minute), 30) // not asked for
	got, err := r.readBatch(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.LogRequests()); n != 1 {
		t.Fatalf("%d requests for three failures, want 1", n)
	}
	for i, want := range [][]string{texts("bad-1", 0, 39), texts("bad-2", 0, 4), texts("bad-3", 0, 69)} {
		if !slices.Equal(got[i].text, want) || got[i].partial {
			t.Errorf("%s: %d lines %q… partial %v, want %d whole", queries[i].execution, len(got[i].text), got[i].text[:min(2, len(got[i].text))], got[i].partial, len(want))
		}
	}
	f := c.LogRequests()[0].GetFilter()
	if !strings.Contains(f, `(labels."run.googleapis.com/execution_name"="bad-1" OR labels."run.googleapis.com/execution_name"="bad-2" OR labels."run.googleapis.com/execution_name"="bad-3")`) {
		t.Errorf("filter %q does not ask for the three executions with OR", f)
	}
}

func TestBatchWithAFullPageSaysWhichExecutionsAreCutOff(t *testing.T) {
	c, r := logsCloud(t)
	old := ran(c, "old", t0.Add(-3*time.Hour), 10)
	middle := ran(c, "middle", t0.Add(-2*time.Hour), 200)
	newest := ran(c, "newest", t0.Add(-time.Hour), 200)
	got, err := r.readBatch(context.Background(), []logQuery{old, middle, newest})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.LogRequests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	if !slices.Equal(got[2].text, texts("newest", 0, 199)) || got[2].partial {
		t.Errorf("newest: %d lines, partial %v; want all 200, whole", len(got[2].text), got[2].partial)
	}
	if !slices.Equal(got[1].text, texts("middle", 100, 199)) || !got[1].partial {
		t.Errorf("middle: %d lines, partial %v; want its newest 100, partial", len(got[1].text), got[1].partial)
	}
	if len(got[0].text) != 0 || !got[0].partial {
		t.Errorf("old: %d lines, partial %v; want none, partial", len(got[0].text), got[0].partial)
	}

	// Reading the cut-off ones alone: three failures, three requests.
	for _, q := range []logQuery{old, middle} {
		if lines := readOne(t, r, q); lines.partial || len(lines.text) == 0 {
			t.Errorf("%s alone: %d lines, partial %v", q.execution, len(lines.text), lines.partial)
		}
	}
	if n := len(c.LogRequests()); n != 3 {
		t.Errorf("%d requests in all, want 3", n)
	}
}

func TestBatchOnAServerOfOneEntryPerPageCostsTwoRequests(t *testing.T) {
	c, r := logsCloud(t)
	queries := []logQuery{ran(c, "a", t0.Add(-2*time.Hour), 20), ran(c, "b", t0.Add(-time.Hour), 20), ran(c, "c", t0, 20)}
	c.SetLogPaging(fakecloud.LogPaging{MaxEntries: 1})
	got, err := r.readBatch(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.LogRequests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	for i, lines := range got {
		if !lines.partial {
			t.Errorf("%s: whole with %d lines from two one-entry pages", queries[i].execution, len(lines.text))
		}
	}
	if !slices.Equal(got[2].text, texts("c", 18, 19)) {
		t.Errorf("c: %q, want its two newest lines", got[2].text)
	}
}

func TestBatchTooLargeSendsNothing(t *testing.T) {
	c, r := logsCloud(t)
	var queries []logQuery
	for i := range logBatchMax + 1 {
		queries = append(queries, logQuery{job: testJob, execution: fmt.Sprintf("bad-%d", i), created: t0, completed: t0})
	}
	if _, err := r.readBatch(context.Background(), queries); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("error %v, want one saying at most %d", err, logBatchMax)
	}
	if got, err := r.readBatch(context.Background(), nil); got != nil || err != nil {
		t.Errorf("empty batch: %v, %v", got, err)
	}
	if n := len(c.LogRequests()); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// Batching saves requests even on short pages: on a server that returns one
// entry a page, three failures of one refresh cost no more entries.list
// requests than reading each alone would (two each).
// Found by the review of issue 8.
func TestBatchOnShortPagesCostsNoMoreThanReadingEachAlone(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	for i := range 3 {
		h.failWith("us-central1", fmt.Sprintf("bad-%d", i), -time.Duration(i+1)*time.Minute, fmt.Sprintf("ValueError: case %d", i))
	}
	h.cloud.SetLogPaging(fakecloud.LogPaging{MaxEntries: 1})
	h.advance(5 * time.Minute)
	h.refresh(p)
	if n := len(h.cloud.LogRequests()); n > 2*3 {
		t.Fatalf("%d entries.list requests for three failures on a one-entry-a-page server; reading each alone costs at most %d", n, 2*3)
	}
}

// A read whose requests only ever came back empty with a next_page_token
// (Cloud Logging still searching) has learnt nothing: it is never
// remembered as "no logs", however long the search goes on.
// Found by the review of issue 8.
func TestUnfinishedSearchIsNotRememberedAsNoLogs(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.failWith("us-central1", "slowsearch", -time.Minute, "ValueError: the real cause")
	h.cloud.SetLogPaging(fakecloud.LogPaging{EmptyPages: 1000})
	for range 20 {
		h.advance(time.Minute)
		h.refresh(p)
	}
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Logs == LogsNone {
		t.Fatalf("logs remembered as %q after reads that only ever got empty pages with a next_page_token (an unfinished search); error %q", e.Logs, e.Error)
	}
}

// The log budget the README states (at most 2 reads at once, under 50
// requests a minute) holds in any minute, the limiter's burst included.
// Found by the review of issue 8.
func TestLogBudgetIsUnder50RequestsInAnyMinute(t *testing.T) {
	r := newLogReader(nil, testProject, time.Second, logRequestsPerMinute, time.Now)
	start := t0
	sent := 0
	for at := start; at.Before(start.Add(time.Minute)); at = at.Add(100 * time.Millisecond) {
		for r.limiter.AllowN(at, 1) {
			sent++
		}
	}
	if sent >= 50 {
		t.Fatalf("the limiter lets %d requests through in one minute; the README says under 50", sent)
	}
}

func TestStreamReadFromTheEntrysLogName(t *testing.T) {
	for name, want := range map[string]extract.Stream{
		"projects/p/logs/run.googleapis.com%2Fstderr": extract.StreamStderr,
		"projects/p/logs/run.googleapis.com%2Fstdout": extract.StreamStdout,
		"projects/p/logs/run.googleapis.com/stderr":   extract.StreamStderr,
		"projects/p/logs/cloudaudit.googleapis.com":   extract.StreamUnknown,
		"": extract.StreamUnknown,
	} {
		if got := streamOf(name); got != want {
			t.Errorf("streamOf(%q) = %d, want %d", name, got, want)
		}
	}
}
