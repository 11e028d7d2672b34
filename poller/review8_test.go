package poller

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
)

// Review of issue 8. Each test states a claim of the change and fails on it.

// Claim: "a server that returns 1 entry per page gets at most two requests
// per read"; batching is to save requests. With short pages the batch
// costs two requests, then every execution it cut off is read again alone
// at two more each: three failures cost 8 requests, more than reading each
// alone (6) and far more than the issue's "three failures of one refresh
// cost at most three".
func TestReview8BatchOnShortPagesCostsMoreThanReadingEachAlone(t *testing.T) {
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

// Claim: "a failed read is never remembered as the error". A read whose
// two requests both came back empty with a next_page_token (Cloud Logging
// still searching) has learnt nothing, yet after 10 minutes it is
// remembered as "no logs", and never read again, though the entries exist.
func TestReview8UnfinishedSearchIsNotRememberedAsNoLogs(t *testing.T) {
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

// Claim: "When logs hold nothing better (or are never readable), this
// [Cloud Run's reason] *is* the error." A log whose only error-like line is
// Cloud Run's own "Container called exit(1)." (the vague container_exit
// rule) says less than "task 0 exited with code 1 after 2 retries", yet it
// replaces it.
func TestReview8VagueLogLineDoesNotReplaceCloudRunsReason(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	spec := h.failed("us-central1", "vague", -time.Minute, fakecloud.ExitFailure(1, 2))
	h.cloud.SetLogs(testProject, testJob, "vague", []fakecloud.LogLine{
		{Time: spec.Created.Add(10 * time.Second), Text: "Starting training"},
		{Time: spec.Created.Add(20 * time.Second), Text: "Container called exit(1)."},
	})
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Source != "cloud_run" || !strings.Contains(e.Error, "after 2 retries") {
		t.Fatalf("shown %q from %s (rule %s); Cloud Run's %q says more", e.Error, e.Source, e.Rule, e.CloudRun.Message)
	}
}

// Claim (status --json): "exit_code" is an int or null when unknown. A
// task that ran out of time has no exit code (Cloud Run gives exit_code 0
// and no signal: it is the timeout that ended it), yet the reason records
// exit code 0, which reads as success.
func TestReview8TimeoutHasNoExitCodeZero(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.failed("us-central1", "slow", -time.Minute, fakecloud.TimeoutFailure())
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if cr := e.CloudRun; cr == nil || cr.ExitCode != nil {
		t.Fatalf("timed-out task recorded with exit_code %d; want null (unknown), as nothing exited", *cr.ExitCode)
	}
}

// Claim (README): "The budget — at most 2 reads at once, under 50 requests
// a minute — counts requests". The limiter allows 50 a minute plus a burst
// of 5 held from the start: a minute can see 55 requests.
func TestReview8BudgetIsUnder50RequestsInAnyMinute(t *testing.T) {
	r := newLogReader(nil, testProject, testJob, time.Second, logRequestsPerMinute, time.Now)
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
