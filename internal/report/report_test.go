package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/ui/view/viewtest"
)

func TestPrintNamesEachRegionThatDidNotAnswerAndExits1WhenNoneDid(t *testing.T) {
	snap := viewtest.Snapshot()
	snap.RegionsAsked = 2
	snap.RegionErrors = map[string]string{"us-west3": "list executions in us-west3: permission denied", "asia-east1": "list executions in asia-east1: unavailable"}
	var out, errOut strings.Builder
	if code := Print(&out, &errOut, "runwatch status", snap, false); code != 1 {
		t.Fatalf("exit %d with no region answering", code)
	}
	want := "runwatch status: list executions in asia-east1: unavailable\nrunwatch status: list executions in us-west3: permission denied\nrunwatch status: no region answered (2 regions asked)\n"
	if errOut.String() != want {
		t.Fatalf("stderr %q, want %q", errOut.String(), want)
	}
	delete(snap.RegionErrors, "us-west3")
	errOut.Reset()
	if code := Print(&out, &errOut, "runwatch status", snap, true); code != 0 {
		t.Fatalf("exit %d with one region answering: %s", code, errOut.String())
	}
}

func TestJSONHasNullForTimesNotKnownAndTheErrorOnlyOfFailures(t *testing.T) {
	running := viewtest.Execution("us-east1", "e1", poller.StateRunning, time.Minute)
	failed := viewtest.Execution("us-west3", "e2", poller.StateFailed, time.Hour)
	data, err := json.Marshal(JSON(viewtest.Snapshot(running, failed)))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Executions []map[string]any `json:"executions"`
	}
	if err := json.Unmarshal(data, &raw); err != nil || len(raw.Executions) != 2 {
		t.Fatalf("%s: %v", data, err)
	}
	if v, ok := raw.Executions[0]["completed"]; !ok || v != nil {
		t.Errorf("a running execution's completed is %v (present %v), want null", v, ok)
	}
	if raw.Executions[0]["error"] != "" || raw.Executions[1]["error"] != failed.Error {
		t.Errorf("errors %q and %q", raw.Executions[0]["error"], raw.Executions[1]["error"])
	}
}

func TestTableSaysWhenThereAreNoExecutions(t *testing.T) {
	var out strings.Builder
	Table(&out, viewtest.Snapshot())
	if !strings.Contains(out.String(), "No executions of vertex-ai-launcher in 18 regions") {
		t.Fatalf("table %q", out.String())
	}
}

// Issue 14: with no region answering, status said "no executions", which
// nobody had said; and "1 regions".
func TestTableSaysNoRegionAnsweredAndCountsRegionsInTheSingular(t *testing.T) {
	for _, tc := range []struct {
		name     string
		asked    int
		errors   map[string]string
		want     string
		mustNot  string
		wantCode int
	}{
		{name: "none answered", asked: 1, errors: map[string]string{"us-east1": "down"}, want: "no region answered\n", mustNot: "No executions", wantCode: 1},
		{name: "one region, empty", asked: 1, want: "No executions of vertex-ai-launcher in 1 region\n", wantCode: 0},
		{name: "two regions, empty", asked: 2, want: "No executions of vertex-ai-launcher in 2 regions\n", wantCode: 0},
	} {
		snap := viewtest.Snapshot()
		snap.RegionsAsked, snap.RegionErrors = tc.asked, tc.errors
		var out, errOut strings.Builder
		code := Print(&out, &errOut, "runwatch status", snap, false)
		if code != tc.wantCode || !strings.HasSuffix(out.String(), tc.want) || (tc.mustNot != "" && strings.Contains(out.String(), tc.mustNot)) {
			t.Errorf("%s: code %d, stdout %q", tc.name, code, out.String())
		}
		if tc.wantCode == 1 && !strings.HasSuffix(errOut.String(), "no region answered (1 region asked)\n") {
			t.Errorf("%s: stderr %q", tc.name, errOut.String())
		}
	}
}

// A mistyped job is named, with the jobs that exist, and fails status.
func TestStatusOfAMissingJobNamesTheJobsThatExist(t *testing.T) {
	snap := viewtest.Snapshot()
	snap.JobMissing, snap.OtherJobs = true, []string{"my-etl-job", "nightly-train"}
	snap.Job = "my-etl-jb"
	var out, errOut strings.Builder
	code := Print(&out, &errOut, "runwatch status", snap, false)
	want := "No job my-etl-jb in " + snap.Project + "; jobs here: my-etl-job, nightly-train"
	if code != 1 || !strings.Contains(out.String(), want) || !strings.Contains(errOut.String(), want) {
		t.Fatalf("code %d, stdout %q, stderr %q; want 1 and %q", code, out.String(), errOut.String(), want)
	}
}
