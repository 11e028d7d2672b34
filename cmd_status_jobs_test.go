package main

// `runwatch status` over several jobs and projects: every job with its
// project, job and error line, in one listing per region with --all-jobs;
// a named job Cloud Run does not know is said, exit 1.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"runwatch/internal/report"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

func putJobExecution(c *fakecloud.Cloud, project, job, region, id string, state fakecloud.State, ago time.Duration, logLine string) {
	created := time.Now().Add(-ago)
	c.Put(fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: id, State: state, Created: created})
	if logLine != "" {
		c.SetLogs(project, job, id, []fakecloud.LogLine{{Time: created.Add(3 * time.Second), Text: logLine}})
	}
}

func TestStatusAllJobsListsEveryJobWithProjectJobAndErrorInOneRequestPerRegion(t *testing.T) {
	c := startCloud(t)
	putJobExecution(c, "p1", "nightly-train", "us-west3", "nightly-train-a1b2c", fakecloud.Failed, 40*time.Minute, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
	putJobExecution(c, "p1", "etl-daily", "europe-west1", "etl-daily-d3e4f", fakecloud.Failed, 30*time.Minute, "KeyError: 'order_date'")
	putJobExecution(c, "p1", "vertex-ai-launcher", "asia-east1", "vertex-ai-launcher-g5h6i", fakecloud.Succeeded, 5*time.Minute, "")
	code, out, errOut := runCmd(t, "", "status", "--json", "--all-jobs", "--project", "p1", "--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr())
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	var got report.Output
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if n, want := len(c.ListExecutionsRequests()), len(poller.DefaultRegions()); n != want {
		t.Fatalf("%d ListExecutions requests, want %d", n, want)
	}
	want := map[string]string{"nightly-train": "CUDA out of memory", "etl-daily": "KeyError: 'order_date'", "vertex-ai-launcher": ""}
	seen := map[string]bool{}
	for _, e := range got.Executions {
		if e.Project != "p1" || !strings.Contains(e.Error, want[e.Job]) || (want[e.Job] == "") != (e.Error == "") {
			t.Fatalf("execution %+v", e)
		}
		seen[e.Job] = true
	}
	if len(seen) != 3 || len(got.Jobs) != 3 {
		t.Fatalf("jobs in executions %v, job summaries %+v; want 3 each", seen, got.Jobs)
	}
	for _, j := range got.Jobs {
		if j.Last == nil || !strings.Contains(j.Last.Error, want[j.Job]) || j.Project != "p1" {
			t.Fatalf("job summary %+v", j)
		}
	}
}

func TestStatusSaysWhichOfSeveralJobsCloudRunDoesNotKnow(t *testing.T) {
	c := startCloud(t)
	c.PutJob("p1", "us-west3", "vertex-ai-launcher")
	putJobExecution(c, "p1", "vertex-ai-launcher", "us-west3", "vertex-ai-launcher-a1", fakecloud.Succeeded, 5*time.Minute, "")
	code, out, errOut := runCmd(t, "", "status", "--job", "vertex-ai-launcher,nightly-trian", "--project", "p1", "--regions", "us-west3", "--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr())
	if code != 1 || !strings.Contains(errOut, "No job nightly-trian in p1") {
		t.Fatalf("code %d, stderr %q; want 1 naming the missing job", code, errOut)
	}
	if !strings.Contains(out, "JOB") || !strings.Contains(out, "vertex-ai-launcher-a1") {
		t.Fatalf("table %q", out)
	}
}

func TestStatusJobAndAllJobsTogetherIsABadFlag(t *testing.T) {
	code, _, errOut := runCmd(t, "", "status", "--job", "a", "--all-jobs", "--project", "p1")
	if code != 2 || !strings.Contains(errOut, "--all-jobs") {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
}
