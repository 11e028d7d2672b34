package view

import (
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/ui/view/viewtest"
)

// The look is the last finished result (issue 13, item 0). In one region
// x failed at 11:31 and then y, created earlier (a long run), succeeded at
// 11:50: the region is fixed (the poller's Failing is empty, the lifecycle
// announced "fixed"), and nothing was acknowledged. Today TrayLookOf takes
// its base from the newest *created* terminal row, x, and shows the
// hollow "acknowledged" ring for a failure no person acknowledged and a
// region that is fixed; the icon should say succeeded.
func TestTrayLookIsTheLastFinishedResultNotTheNewestCreated(t *testing.T) {
	x := viewtest.Execution("us-east1", "x", poller.StateFailed, 30*time.Minute) // ends 11:31:35
	y := viewtest.Execution("us-east1", "y", poller.StateSucceeded, 2*time.Hour)
	y.Completed = viewtest.Now.Add(-10 * time.Minute) // ends 11:50, after x
	st := Status{Snapshot: viewtest.Snapshot(x, y), HasSnapshot: true, LastSuccess: viewtest.Now, Interval: time.Minute}
	if len(st.Snapshot.Failing) != 0 {
		t.Fatalf("set-up: the region should be fixed, Failing %+v", st.Snapshot.Failing)
	}
	if got := TrayLookOf(st, viewtest.Now); got != LookSucceeded {
		t.Fatalf("look %q: want %q (the region's last finished execution succeeded)", got, LookSucceeded)
	}
}
