package view

import (
	"slices"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/ui/view/viewtest"
)

func TestFailingJobsNamesEachJobOnceTheUnacknowledgedFirst(t *testing.T) {
	now := viewtest.Now
	launcherWest := viewtest.Execution("us-west3", "vertex-ai-launcher-a", poller.StateFailed, 10*time.Minute)
	launcherEast := viewtest.Execution("us-east1", "vertex-ai-launcher-b", poller.StateFailed, 20*time.Minute)
	etl := viewtest.Execution("us-east4", "etl-c", poller.StateFailed, 30*time.Minute)
	etl.Resource = "projects/p/locations/us-east4/jobs/etl/executions/etl-c"
	otherProject := viewtest.Execution("us-east5", "vertex-ai-launcher-d", poller.StateFailed, 40*time.Minute)
	otherProject.Resource = "projects/q/locations/us-east5/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-d"
	status := func(execs ...poller.Execution) Status {
		return Status{Snapshot: viewtest.Snapshot(execs...), HasSnapshot: true, LastSuccess: now, Interval: 30 * time.Second}
	}
	for _, tc := range []struct {
		name string
		st   Status
		want []string
	}{
		{"none failing", status(viewtest.Execution("us-east1", "ok", poller.StateSucceeded, time.Minute)), nil},
		{"one job in two regions", status(launcherWest, launcherEast), []string{"vertex-ai-launcher"}},
		{"two jobs, newest first", status(launcherWest, etl), []string{"vertex-ai-launcher", "etl"}},
		{"the same job name in two projects", status(launcherWest, otherProject), []string{"vertex-ai-launcher", "vertex-ai-launcher"}},
		{"an acknowledged job leaves the list", status(viewtest.Acked(launcherWest), etl), []string{"etl"}},
		{"every one acknowledged", status(viewtest.Acked(launcherWest), viewtest.Acked(etl)), []string{"vertex-ai-launcher", "etl"}},
	} {
		if got := FailingJobs(tc.st, now); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
