package poller

import (
	"strings"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
)

// With every job watched, a job first seen after the app's listing of its
// region was learned is adopted as of then: what it ran since is news. A
// `runwatch status --job J` (read-only, same memory) that lists the new job
// before the app does must not change that: status "makes nothing news",
// and it must not make the app's news history either. The control case
// (no status run) shows the failure is announced; after the status run it
// is silently learned and never announced.
func TestStatusOfANewJobByNameDoesNotSilenceItsFailureUnderAllJobs(t *testing.T) {
	for _, withStatus := range []bool{false, true} {
		name := "app alone"
		if withStatus {
			name = "status --job backfill first"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			regions := []string{"us-west3"}
			h.jobRun(testProject, testJob, "us-west3", testJob+"-old", fakecloud.Succeeded, time.Hour, "")
			app := h.pollerOf(Config{Project: testProject, AllJobs: true, Regions: regions})
			if got := announced(h.refresh(app)); got != "" {
				t.Fatalf("first refresh announced %q", got)
			}
			h.advance(time.Minute)
			// A job created since runs for the first time, and fails.
			h.jobRun(testProject, "backfill", "us-west3", "backfill-1", fakecloud.Failed, 2*time.Minute, "OSError: [Errno 28] No space left on device")
			if withStatus {
				// Another process: its own store of the same memory file.
				status := New(Config{Project: testProject, Job: "backfill", Regions: regions, Top: 5}, h.clients, NewFileStore(h.store.Path()),
					Options{Now: h.clock, LogReadTimeout: 2 * time.Second, ReadOnly: true})
				h.refresh(status)
			}
			var got []string
			for range 5 {
				if a := announced(h.refresh(app)); a != "" {
					got = append(got, a)
				}
				h.advance(time.Minute)
			}
			if strings.Join(got, " ") != "new_failure:backfill-1" {
				t.Fatalf("app announced %q, want the new job's failure once (new_failure:backfill-1)", got)
			}
		})
	}
}
