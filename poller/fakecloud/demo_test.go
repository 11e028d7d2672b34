package fakecloud

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/logadmin"
	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
)

var demoRegions = []string{"us-central1", "europe-west4", "asia-northeast1"}

// stateOf reads an execution's state the way a client of the real API must.
func stateOf(e *runpb.Execution) State {
	for _, c := range e.GetConditions() {
		if c.GetType() != "Completed" {
			continue
		}
		switch c.GetState() {
		case runpb.Condition_CONDITION_SUCCEEDED:
			return Succeeded
		case runpb.Condition_CONDITION_FAILED:
			if c.GetExecutionReason() == runpb.Condition_CANCELLED {
				return Cancelled
			}
			return Failed
		}
	}
	if e.GetStartTime() != nil {
		return Running
	}
	return Pending
}

// listDemo lists the demo job's executions in every region.
func listDemo(t *testing.T, rc *run.ExecutionsClient) []*runpb.Execution {
	t.Helper()
	var all []*runpb.Execution
	for _, r := range demoRegions {
		got, err := listAll(context.Background(), rc, parent(r), 0)
		if err != nil {
			t.Fatalf("list %s: %v", r, err)
		}
		all = append(all, got...)
	}
	return all
}

func TestDemoLogsAreChronological(t *testing.T) {
	logs, err := loadDemoLogs()
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 5 {
		t.Errorf("%d demo logs embedded, want 5", len(logs))
	}
	for _, l := range logs {
		// Every corpus log starts with the wrapper's banner.
		if !strings.Contains(l.lines[0], "Starting W&B Launch agent wrapper") {
			t.Errorf("%s starts with %q, not the wrapper banner", l.id, l.lines[0])
		}
	}
}

func TestDemoScenarioLivesAndEndsWithContext(t *testing.T) {
	const unit = 2 * time.Millisecond
	c := startCloud(t)
	rc := runClient(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done, err := c.RunDemo(ctx, Demo{
		Project: testProject, Job: testJob, Regions: demoRegions,
		Rand: rand.New(rand.NewPCG(1, 2)), Unit: unit,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The scenario goes on while the test lists (slowly, on a busy machine):
	// the seeded executions are the 8 oldest; the newest of them was created
	// 2–4 units before seeding, the first new one 10–30 units after. One that
	// ended after the newest seed was created was running when seeded.
	all := listDemo(t, rc)
	slices.SortFunc(all, func(a, b *runpb.Execution) int {
		return a.GetCreateTime().AsTime().Compare(b.GetCreateTime().AsTime())
	})
	if len(all) < 8 {
		t.Fatalf("%d seeded executions, want 8", len(all))
	}
	seeded := all[:8]
	newestSeed := seeded[7].GetCreateTime().AsTime()
	if len(all) > 8 {
		if gap := all[8].GetCreateTime().AsTime().Sub(newestSeed); gap < 12*unit {
			t.Fatalf("the 9th execution was created %v after the 8th: not 8 seeds", gap)
		}
	}
	seen := map[State]int{}
	regions := map[string]bool{}
	for _, e := range seeded {
		st := stateOf(e)
		if e.GetCompletionTime().AsTime().After(newestSeed) {
			st = Running // it was running when seeded, and has ended since
		}
		seen[st]++
		j, _, _ := parseExecutionName(e.GetName())
		regions[j.region] = true
		if !strings.HasPrefix(e.GetLogUri(), "https://console.cloud.google.com/run/jobs/executions/details/"+j.region+"/") || e.GetUid() == "" || e.GetJob() != testJob {
			t.Errorf("execution %s does not look real: uid %q job %q log_uri %q", e.GetName(), e.GetUid(), e.GetJob(), e.GetLogUri())
		}
	}
	for _, st := range []State{Running, Succeeded, Failed, Cancelled} {
		if seen[st] == 0 {
			t.Errorf("no seeded execution is %v (saw %v)", st, seen)
		}
	}
	if len(regions) < 2 {
		t.Errorf("seeded executions are all in %v", regions)
	}

	// Wait for new executions to start and finish in more than one way.
	isSeed := func(e *runpb.Execution) bool {
		return slices.ContainsFunc(seeded, func(s *runpb.Execution) bool { return s.GetName() == e.GetName() })
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		all = listDemo(t, rc)
		outcomes := map[State]bool{}
		for _, e := range all {
			if st := stateOf(e); !isSeed(e) && st != Pending && st != Running {
				outcomes[st] = true
			}
		}
		if len(outcomes) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s only %d executions, new outcomes %v", len(all), outcomes)
		}
	}

	lc := logClient(t, c)
	for _, e := range all {
		if stateOf(e) != Failed {
			continue
		}
		j, id, _ := parseExecutionName(e.GetName())
		start, end := e.GetStartTime().AsTime(), e.GetCompletionTime().AsTime()
		got, err := readEntries(context.Background(), lc, logadmin.Filter(executionFilter(testJob, id, start.Add(-time.Minute), end.Add(time.Minute))))
		if err != nil {
			t.Fatalf("logs of %s: %v", id, err)
		}
		if len(got) < 10 {
			t.Fatalf("failed execution %s has %d log entries", id, len(got))
		}
		for i, le := range got {
			if !le.Timestamp.After(start) || !le.Timestamp.Before(end) {
				t.Errorf("%s entry %d at %v, outside its run %v–%v", id, i, le.Timestamp, start, end)
			}
			if le.Resource.GetLabels()["location"] != j.region {
				t.Errorf("%s entry %d location %q, want %q", id, i, le.Resource.GetLabels()["location"], j.region)
			}
		}
		if first, _ := got[0].Payload.(string); !strings.Contains(first, "Starting W&B Launch agent wrapper") {
			t.Errorf("%s: first line %q is not the wrapper banner", id, first)
		}
	}

	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("demo goroutine still running 2s after its context ended")
	}
	n := len(listDemo(t, rc))
	time.Sleep(200 * time.Millisecond) // several start intervals
	if m := len(listDemo(t, rc)); m != n {
		t.Errorf("demo still adding executions after it ended: %d then %d", n, m)
	}
}

func TestCloseStopsDemo(t *testing.T) {
	c := startCloud(t)
	done, err := c.RunDemo(context.Background(), Demo{Project: testProject, Job: testJob, Regions: demoRegions, Unit: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case <-done:
	default:
		t.Fatal("Close returned before the demo goroutine ended")
	}
	if _, err := c.RunDemo(context.Background(), Demo{Project: testProject, Job: testJob, Regions: demoRegions}); err == nil {
		t.Error("RunDemo on a closed cloud succeeded")
	}
}

func TestDemoSeedsOneFailureOfEachKindWithItsTasks(t *testing.T) {
	c := startCloud(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// An hour-long unit: nothing happens after seeding while the test looks.
	if _, err := c.RunDemo(ctx, Demo{Project: testProject, Job: testJob, Regions: demoRegions,
		Rand: rand.New(rand.NewPCG(3, 4)), Unit: time.Hour}); err != nil {
		t.Fatal(err)
	}
	tc := tasksClient(t, c)
	kinds := map[string]bool{}
	for _, e := range listDemo(t, runClient(t, c)) {
		if stateOf(e) != Failed {
			continue
		}
		tasks, err := listTasks(context.Background(), tc, e.GetName(), 0)
		if err != nil || len(tasks) != 1 {
			t.Fatalf("tasks of %s: %d, %v", e.GetName(), len(tasks), err)
		}
		res, cond := tasks[0].GetLastAttemptResult(), completed(e.GetConditions())
		switch {
		case res.GetExitCode() == 1 && cond.GetExecutionReason() == runpb.Condition_NON_ZERO_EXIT_CODE:
			kinds["exit 1"] = true
		case res.GetTermSignal() == 9 && strings.Contains(res.GetStatus().GetMessage(), "Memory limit of 512 MiB exceeded with 530 MiB used"):
			kinds["oom"] = true
		case cond.GetReasons() == nil && strings.HasSuffix(cond.GetMessage(), "The configured timeout was reached."):
			kinds["timeout"] = true
		default:
			t.Errorf("%s failed in no known way: %v / %v", e.GetName(), cond, res)
		}
	}
	if len(kinds) != 3 {
		t.Errorf("seeded failures were %v, want exit 1, oom and timeout", kinds)
	}
}

func TestDemoLogsPrintTheTimesOfTheirEntries(t *testing.T) {
	logs, err := loadDemoLogs()
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 12, 7, 9, 12, 0, 0, time.UTC)
	to := from.Add(40 * time.Second)
	stamped := 0
	for _, l := range logs {
		entries := spreadLines(l.lines, from, to)
		for i, e := range entries {
			if !e.Time.After(from) || !e.Time.Before(to) || (i > 0 && !e.Time.After(entries[i-1].Time)) {
				t.Errorf("%s entry %d at %v: not in order within %v–%v", l.id, i, e.Time, from, to)
			}
			if strings.Contains(e.Text, "2024-") {
				t.Errorf("%s entry %d still prints the corpus's date: %q", l.id, i, e.Text)
			}
			if !printedStamp.MatchString(e.Text) {
				continue
			}
			stamped++
			printed, err := time.ParseInLocation(printedStampLayout, e.Text[:len(printedStampLayout)], time.Local)
			if err != nil || !printed.Equal(e.Time.Truncate(time.Millisecond)) {
				t.Errorf("%s entry %d at %v prints %q", l.id, i, e.Time, e.Text)
			}
		}
	}
	if stamped == 0 {
		t.Error("no demo log prints its own times: the test checks nothing")
	}
}

// In --demo, Run again starts an execution that ends after a while like
// the scenario's own, rather than running for ever.
func TestDemoEndsAnExecutionRunJobStarted(t *testing.T) {
	c := startCloud(t)
	jc, rc := jobsClient(t, c), runClient(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := c.RunDemo(ctx, Demo{Project: testProject, Job: testJob, Regions: demoRegions,
		Rand: rand.New(rand.NewPCG(3, 4)), Unit: 2 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	op, err := jc.RunJob(actionContext(t), &runpb.RunJobRequest{Name: "projects/" + testProject + "/locations/" + demoRegions[0] + "/jobs/" + testJob})
	if err != nil {
		t.Fatal(err)
	}
	started, err := op.Metadata()
	if err != nil || started.GetName() == "" {
		t.Fatalf("metadata %v, %v", started, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		e, err := rc.GetExecution(actionContext(t), &runpb.GetExecutionRequest{Name: started.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		if st := stateOf(e); st != Running && st != Pending {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still runs: the demo left it", started.GetName())
		}
	}
}

// In --demo, an execution a person cancelled (Cancel… in the details,
// here one that Run again started) stays cancelled: the scenario's
// scheduled end must not put it back as succeeded or failed, which would
// show, and notify, a failure of an execution that was cancelled.
func TestDemoKeepsACancelledRunAgainCancelled(t *testing.T) {
	const unit = 2 * time.Millisecond
	c := startCloud(t)
	jc, rc := jobsClient(t, c), runClient(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := c.RunDemo(ctx, Demo{Project: testProject, Job: testJob, Regions: demoRegions,
		Rand: rand.New(rand.NewPCG(3, 4)), Unit: unit}); err != nil {
		t.Fatal(err)
	}
	op, err := jc.RunJob(actionContext(t), &runpb.RunJobRequest{Name: parent(demoRegions[0])})
	if err != nil {
		t.Fatal(err)
	}
	started, err := op.Metadata()
	if err != nil || started.GetName() == "" {
		t.Fatalf("metadata %v, %v", started, err)
	}
	cancelOp, err := rc.CancelExecution(actionContext(t), &runpb.CancelExecutionRequest{Name: started.GetName()})
	if err != nil {
		t.Fatalf("cancel %s: %v", started.GetName(), err)
	}
	cancelled, err := cancelOp.Metadata()
	if err != nil || stateOf(cancelled) != Cancelled {
		t.Fatalf("cancel answered %v, %v", cancelled, err)
	}
	// The scenario ends what RunJob started 10–40 units after it started.
	time.Sleep(200 * unit)
	e, err := rc.GetExecution(actionContext(t), &runpb.GetExecutionRequest{Name: started.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if st := stateOf(e); st != Cancelled || !e.GetCompletionTime().AsTime().Equal(cancelled.GetCompletionTime().AsTime()) {
		t.Fatalf("%s was cancelled at %v, and is %v (ended %v) %v later: the demo's scheduled end overwrote the cancel",
			started.GetName(), cancelled.GetCompletionTime().AsTime(), st, e.GetCompletionTime().AsTime(), 200*unit)
	}
}

// In --demo, Cancel… of a pending execution (the scenario's own) keeps it
// cancelled: the scenario must not start it running afterwards, nor end it
// as succeeded or failed.
func TestDemoKeepsACancelledPendingExecutionCancelled(t *testing.T) {
	const unit = 50 * time.Millisecond // a pending execution starts 1–3 units after it is made
	c := startCloud(t)
	rc := runClient(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := c.RunDemo(ctx, Demo{Project: testProject, Job: testJob, Regions: demoRegions,
		Rand: rand.New(rand.NewPCG(5, 6)), Unit: unit}); err != nil {
		t.Fatal(err)
	}
	var pending string
	for deadline := time.Now().Add(10 * time.Second); pending == ""; time.Sleep(5 * time.Millisecond) {
		for _, e := range listDemo(t, rc) {
			if stateOf(e) == Pending {
				pending = e.GetName()
			}
		}
		if pending == "" && time.Now().After(deadline) {
			t.Fatal("no pending execution within 10 s")
		}
	}
	if _, err := rc.CancelExecution(actionContext(t), &runpb.CancelExecutionRequest{Name: pending}); err != nil {
		t.Fatalf("cancel %s: %v", pending, err)
	}
	// It would have started within 3 units and ended within 40 more.
	for deadline := time.Now().Add(50 * unit); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		e, err := rc.GetExecution(actionContext(t), &runpb.GetExecutionRequest{Name: pending})
		if err != nil {
			t.Fatal(err)
		}
		if st := stateOf(e); st != Cancelled {
			t.Fatalf("%s was cancelled while pending, and is now %v: the demo's scenario went on with it", pending, st)
		}
	}
}
