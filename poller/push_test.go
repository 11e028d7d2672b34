package poller

// Team mode's pushes (Sight) and the relay's errors (TakeError). The
// invariants:
//   - an execution a push says ended is observed as its listing would, and
//     a failure among them announced once, with no listing;
//   - a push twice, late, or after the listing saw it announces nothing more;
//   - a push of what the poller does not watch changes nothing;
//   - while a relay lives, a failure's logs are left to it for the grace
//     period; its error is taken as read here (no log request), whether
//     it comes before or after the push; without it, the logs are read
//     once the grace period is over.

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"runwatch/extract"
	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

func sight(h *harness, p *Poller, resources ...string) Result {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.Sight(ctx, resources)
}

func TestPushedFailureIsAnnouncedOnceWithoutAListing(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-west3", "us-east1")
	h.refresh(p)
	lists := len(h.cloud.ListExecutionsRequests())
	h.advance(10 * time.Second)
	spec := h.failWith("us-west3", testJob+"-p1", -5*time.Second, "RuntimeError: CUDA error: out of memory")
	res := sight(h, p, spec.Name())
	if got := announced(res); got != "new_failure:"+testJob+"-p1" {
		t.Fatalf("announced %q after the push", got)
	}
	if len(res.Changes) != 1 || !strings.Contains(res.Changes[0].Record.Error.Line, "CUDA error") {
		t.Fatalf("change %+v, want the error line", res.Changes)
	}
	if n := len(h.cloud.ListExecutionsRequests()); n != lists {
		t.Fatalf("%d listings during the push, want none", n-lists)
	}
	if !strings.Contains(strings.Join(names(res.Snapshot.Executions), " "), testJob+"-p1") {
		t.Fatalf("view %v lacks the pushed execution", names(res.Snapshot.Executions))
	}
	for range 2 {
		h.advance(30 * time.Second)
		if got := announced(sight(h, p, spec.Name())) + announced(h.refresh(p)); got != "" {
			t.Fatalf("announced %q again (pushed twice, then listed)", got)
		}
	}
}

func TestPushOfAJobNotWatchedChangesNothing(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-west3")
	h.refresh(p)
	h.jobRun(testProject, "other-job", "us-west3", "other-job-1", fakecloud.Failed, time.Minute, "boom: Error")
	res := sight(h, p, "projects/"+testProject+"/locations/us-west3/jobs/other-job/executions/other-job-1")
	if announced(res) != "" || len(res.Snapshot.Executions) != 0 {
		t.Fatalf("announced %q, view %v", announced(res), names(res.Snapshot.Executions))
	}
}

func TestRelaysErrorIsTakenAndTheLogsAreNotRead(t *testing.T) {
	for _, errorFirst := range []bool{false, true} {
		name := "push first"
		if errorFirst {
			name = "relay's error first"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			var alive atomic.Bool
			alive.Store(true)
			p := h.pollerWith(Options{RelayAlive: alive.Load}, "us-west3")
			h.refresh(p)
			h.advance(10 * time.Second)
			spec := h.failWith("us-west3", testJob+"-r1", -5*time.Second, "ValueError: read here")
			relayed := lifecycle.ErrorInfo{Line: "ValueError: read by the relay", Category: "python_exception", Source: "logs", Logs: lifecycle.LogsRead}
			var got string
			if errorFirst {
				p.TakeError(spec.Name(), relayed)
				got = announced(sight(h, p, spec.Name()))
			} else {
				got = announced(sight(h, p, spec.Name()))
				if got != "" {
					t.Fatalf("announced %q before the relay's error, within the grace period", got)
				}
				p.TakeError(spec.Name(), relayed)
				h.advance(5 * time.Second)
				got = announced(sight(h, p, spec.Name()))
			}
			if got != "new_failure:"+testJob+"-r1" {
				t.Fatalf("announced %q", got)
			}
			if info, settled := p.ErrorOf(spec.Name()); !settled || info.Line != relayed.Line {
				t.Fatalf("error %+v settled %v, want the relay's", info, settled)
			}
			if n := len(h.cloud.LogRequests()); n != 0 {
				t.Fatalf("%d log requests, want none: the relay read them", n)
			}
		})
	}
}

func TestWithoutTheRelaysErrorTheLogsAreReadAfterTheGrace(t *testing.T) {
	h := newHarness(t)
	p := h.pollerWith(Options{RelayAlive: func() bool { return true }, RelayGrace: 20 * time.Second}, "us-west3")
	h.refresh(p)
	h.advance(10 * time.Second)
	spec := h.failWith("us-west3", testJob+"-g1", -5*time.Second, "KeyError: 'shard'")
	sight(h, p, spec.Name())
	if n := len(h.cloud.LogRequests()); n != 0 {
		t.Fatalf("%d log requests within the grace period", n)
	}
	h.advance(21 * time.Second)
	res := h.refresh(p)
	if announced(res) != "new_failure:"+testJob+"-g1" || len(h.cloud.LogRequests()) != 1 {
		t.Fatalf("announced %q with %d log requests, want the failure once its logs were read", announced(res), len(h.cloud.LogRequests()))
	}
}

// A push of an execution the last listing saw running shows it ended:
// the push is newer than the listing.
func TestPushOfAnExecutionListedRunningShowsItEnded(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-west3")
	h.advance(10 * time.Second)
	spec := h.put("us-west3", testJob+"-run1", fakecloud.Running, -5*time.Second)
	h.refresh(p)
	spec.State = fakecloud.Failed
	h.cloud.PutExecution(spec.Build())
	res := sight(h, p, spec.Name())
	if len(res.Snapshot.Executions) != 1 || res.Snapshot.Executions[0].State != StateFailed {
		t.Fatalf("after the push the view shows %+v, want it failed", res.Snapshot.Executions)
	}
}

// A relay's error comes from a topic, untrusted: it is kept as an error
// read here is, an error line of at most extract.MaxMessageRunes on one
// line and at most 13 lines of context (8 before the line, 4 after), not
// whatever size the message had, to be saved with the memory at every
// refresh and shown in every menu and notification.
func TestARelaysErrorIsKeptNoBiggerThanOneReadHere(t *testing.T) {
	h := newHarness(t)
	p := h.pollerWith(Options{RelayAlive: func() bool { return true }}, "us-west3")
	h.refresh(p)
	h.advance(10 * time.Second)
	spec := h.failWith("us-west3", testJob+"-big", -5*time.Second, "RuntimeError: read here")
	sight(h, p, spec.Name()) // the relay's grace period: no logs read here
	huge := lifecycle.ErrorInfo{
		Line:   strings.Repeat("ValueError: <b>bad</b>\n", 20000), // 460 kB over 20000 lines
		Source: "logs", Logs: lifecycle.LogsRead, Matched: 0,
		Context: make([]string, 20000),
	}
	for i := range huge.Context {
		huge.Context[i] = strings.Repeat("x", 100)
	}
	p.TakeError(spec.Name(), huge)
	res := sight(h, p, spec.Name())
	if len(res.Changes) != 1 {
		t.Fatalf("announced %q", announced(res))
	}
	e := res.Changes[0].Record.Error
	if n := len([]rune(e.Line)); n > extract.MaxMessageRunes || strings.Contains(e.Line, "\n") {
		t.Errorf("kept an error line of %d runes, %d lines, from a relay's message", n, strings.Count(e.Line, "\n")+1)
	}
	if len(e.Context) > 13 {
		t.Errorf("kept %d lines of context from a relay's message", len(e.Context))
	}
	if n := len(h.memoryFile()); n > 200_000 {
		t.Errorf("the memory file is %d bytes after one relayed error", n)
	}
}
