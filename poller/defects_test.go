package poller

// Each test here reproduces one defect found in the first lifecycle (issue
// 7), through the real clients and the fake cloud; each failed before the
// lifecycle moved into poller/lifecycle.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

// Defect 1: a project or job watched for the first time, across a restart,
// announced its old failures.
func TestNewProjectOrJobAcrossRestartIsLearned(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "ok", fakecloud.Succeeded, time.Hour)
	h.refresh(h.poller("us-central1"))
	// Another job of the project failed two days ago.
	old := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: "nightly-eval", ID: "old-eval",
		State: fakecloud.Failed, Created: t0.Add(-48 * time.Hour), Completed: t0.Add(-47 * time.Hour)}
	h.cloud.PutExecution(old.Build())
	h.advance(time.Minute)
	cfg := Config{Project: testProject, Job: "nightly-eval", Regions: []string{"us-central1"}, Top: 5}
	p := New(cfg, h.clients, h.store, Options{Now: h.clock, LogReadTimeout: 2 * time.Second})
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("a newly watched job announced %s", announced(res))
	}
}

// Defect 2a: failed → running → succeeded, with the run longer than the
// interval, never said fixed.
func TestFixedAfterALongRun(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.failWith("us-central1", "bad", -time.Minute, "ValueError: x")
	h.advance(2 * time.Minute)
	if res := h.refresh(p); announced(res) != "new_failure:bad" {
		t.Fatalf("failure: %s", announced(res))
	}
	long := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "long", State: fakecloud.Running, Created: h.clock()}
	h.cloud.PutExecution(long.Build())
	for range 5 {
		h.advance(time.Minute)
		if res := h.refresh(p); announced(res) != "" {
			t.Fatalf("while running: %s", announced(res))
		}
	}
	long.State, long.Completed = fakecloud.Succeeded, h.clock()
	h.cloud.PutExecution(long.Build())
	h.advance(time.Minute)
	if res := h.refresh(p); announced(res) != "fixed:long" {
		t.Fatalf("after the long run: %q, want fixed:long", announced(res))
	}
}

// Defect 2b: a failure leaving the picture (its region removed, or not
// answering after a settings change) made an older success say fixed.
func TestFailureLeavingThePictureFixesNothing(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "old-ok", fakecloud.Succeeded, time.Hour)
	p := h.poller("us-central1", "us-east1")
	h.refresh(p)
	h.failWith("us-east1", "bad", -time.Minute, "ValueError: x")
	h.advance(2 * time.Minute)
	if res := h.refresh(p); announced(res) != "new_failure:bad" {
		t.Fatalf("failure: %s", announced(res))
	}
	h.advance(time.Minute)
	if res := h.refresh(h.poller("us-central1")); announced(res) != "" {
		t.Fatalf("region removed: %s", announced(res))
	}
	h.cloud.SetRegionError("us-east1", status.Error(codes.Unavailable, "down"))
	h.advance(time.Minute)
	if res := h.refresh(h.poller("us-central1", "us-east1")); announced(res) != "" {
		t.Fatalf("region not answering: %s", announced(res))
	}
}

// Defect 3a: a failure pushed out of the newest N before it was announced
// (logs not readable yet; newer executions started everywhere) was never
// announced.
func TestFailurePushedOutOfViewIsStillAnnounced(t *testing.T) {
	h := newHarness(t)
	regions := []string{"us-central1", "us-east1", "europe-west4"}
	p := h.poller(regions...)
	h.refresh(p)
	h.failWith("us-central1", "bad", -time.Minute, "ValueError: x")
	h.cloud.SetLoggingError(status.Error(codes.Unavailable, "down"))
	h.advance(2 * time.Minute)
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("before its error is known: %s", announced(res))
	}
	for i := range 6 { // a launch over every region
		spec := fakecloud.ExecutionSpec{Project: testProject, Region: regions[i%3], Job: testJob, ID: fmt.Sprintf("new-%d", i),
			State: fakecloud.Running, Created: h.clock().Add(time.Duration(i) * time.Second)}
		h.cloud.PutExecution(spec.Build())
	}
	h.cloud.SetLoggingError(nil)
	h.advance(time.Minute)
	res := h.refresh(p)
	if announced(res) != "new_failure:bad" || res.Changes[0].Record.Error.Line != "ValueError: x" {
		t.Fatalf("out of view: %s", announced(res))
	}
	for _, e := range res.Snapshot.Executions {
		if e.Name == "bad" {
			t.Fatalf("bad should be out of the newest %d", len(res.Snapshot.Executions))
		}
	}
}

// Defect 3b: a run seen running, pushed out of its region's listing by
// newer ones, that then failed was never seen failing.
func TestRunPushedOutOfItsListingIsFollowedUntilItEnds(t *testing.T) {
	h := newHarness(t)
	run := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "slow", State: fakecloud.Running, Created: t0}
	h.cloud.PutExecution(run.Build())
	p := h.poller("us-central1")
	h.refresh(p)
	for i := range 5 {
		h.put("us-central1", fmt.Sprintf("quick-%d", i), fakecloud.Succeeded, -time.Duration(i+1)*time.Minute)
	}
	h.advance(10 * time.Minute)
	h.refresh(p)
	run.State, run.Completed = fakecloud.Failed, h.clock()
	h.cloud.PutExecution(run.Build())
	h.cloud.SetLogs(testProject, testJob, "slow", []fakecloud.LogLine{{Time: h.clock(), Text: "KeyError: 'lr'", Severity: "ERROR"}})
	h.advance(time.Minute)
	res := h.refresh(p)
	if announced(res) != "new_failure:slow" || res.Changes[0].Record.Error.Line != "KeyError: 'lr'" {
		t.Fatalf("followed run: %s", announced(res))
	}
}

// Defect 4: raising --top / "Executions shown" announced old failures.
func TestShowingMoreRowsAnnouncesNothingOld(t *testing.T) {
	h := newHarness(t)
	for i := range 3 {
		h.put("us-central1", fmt.Sprintf("ok-%d", i), fakecloud.Succeeded, time.Duration(i+1)*time.Minute)
	}
	h.failWith("us-central1", "old-bad", 3*time.Hour, "ValueError: old")
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Top: 2}
	opts := Options{Now: h.clock, LogReadTimeout: 2 * time.Second}
	h.refresh(New(cfg, h.clients, h.store, opts))
	cfg.Top = 10
	h.advance(time.Minute)
	if res := h.refresh(New(cfg, h.clients, h.store, opts)); announced(res) != "" {
		t.Fatalf("more rows announced %s", announced(res))
	}
}

// Defect 6: `runwatch status` while the app ran reverted the app's memory
// (and preferences). Two processes saving the same memory lose nothing of
// each other: here two stores on one file, as the app and status are.
func TestTwoWritersLoseNothingOfEachOther(t *testing.T) {
	path := filepath.Join(t.TempDir(), MemoryFileName)
	app, status := NewFileStore(path), NewFileStore(path)
	appMem, _ := app.Load()
	statusMem, _ := status.Load()
	scope := func(r string) lifecycle.Scope { return lifecycle.Scope{Project: "p", Job: "j", Region: r} }
	var wg sync.WaitGroup
	for w, pair := range []struct {
		store *FileStore
		mem   *lifecycle.Memory
	}{{app, appMem}, {status, statusMem}} {
		wg.Go(func() {
			for i := range 50 {
				region := fmt.Sprintf("r%d-%d", w, i)
				pair.mem.Observe(scope(region), []lifecycle.Sighting{{Resource: region + "/e", State: lifecycle.Failed, Completed: t0}}, t0, lifecycle.ByApp)
				if err := pair.store.Save(pair.mem); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	final, err := NewFileStore(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	for w := range 2 {
		for i := range 50 {
			if !final.Learned(scope(fmt.Sprintf("r%d-%d", w, i))) {
				t.Fatalf("writer %d's scope %d lost", w, i)
			}
		}
	}
}

// Defect 7: refused credentials were never rebuilt; a region that stopped
// answering kept its last listing, unmarked.
func TestRegionThatStopsAnsweringIsMarkedStale(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "a", fakecloud.Succeeded, time.Minute)
	h.put("us-east1", "b", fakecloud.Failed, 2*time.Minute)
	p := h.poller("us-central1", "us-east1")
	first := h.refresh(p)
	h.cloud.SetRegionError("us-east1", status.Error(codes.Unavailable, "blip"))
	h.advance(time.Minute)
	res := h.refresh(p)
	for _, e := range res.Snapshot.Executions {
		want := e.Region == "us-east1"
		if e.Stale != want {
			t.Fatalf("%s stale=%v, want %v", e.Name, e.Stale, want)
		}
		if want && !e.ListedAt.Equal(first.Snapshot.TakenAt) {
			t.Fatalf("%s listed at %v, want the last answer %v", e.Name, e.ListedAt, first.Snapshot.TakenAt)
		}
	}
}

// Defect 8: Fyne rewrote the memory in place, so a crash mid-write lost
// it. A writer killed with SIGKILL at random moments leaves a memory that
// loads without a warning and holds everything saved before its last save.
func TestKilledWriterLeavesAReadableMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), MemoryFileName)
	saved := 0
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), "RUNWATCH_TEST_WRITER="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Once the writer has written (it starts slowly under -race), kill
		// it at a moment that moves each round.
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if info, err := os.Stat(path); err == nil && info.Size() > int64(saved*200) {
				break
			}
		}
		time.Sleep(time.Duration(50+round*40) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		mem, err := NewFileStore(path).Load()
		if err != nil {
			t.Fatalf("round %d: after SIGKILL the memory does not load: %v", round, err)
		}
		if len(mem.Scopes) < saved {
			t.Fatalf("round %d: %d scopes remembered, fewer than the %d saved before", round, len(mem.Scopes), saved)
		}
		saved = len(mem.Scopes)
	}
	if saved == 0 {
		t.Fatal("the writer saved nothing: the test proved nothing")
	}
	t.Logf("%d scopes saved over 8 killed writers", saved)
	if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) > 0 {
		t.Fatalf("a killed writer left a corrupt file: %v", aside)
	}
}

// writeMemoryForever saves a growing memory as fast as it can, for ten
// seconds at most.
func writeMemoryForever(path string) {
	store := NewFileStore(path)
	mem, _ := store.Load()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; ctx.Err() == nil; i++ {
		s := lifecycle.Scope{Project: "p", Job: "j", Region: fmt.Sprintf("r%d-%s", i, strings.Repeat("x", 200))}
		mem.Observe(s, []lifecycle.Sighting{{Resource: fmt.Sprintf("e%d", i), State: lifecycle.Failed, Completed: t0}}, t0, lifecycle.ByApp)
		if err := store.Save(mem); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// Idle costs close to nothing: a refresh that learns nothing new does not
// rewrite the memory (no write, no fsync every 30 s all day).
func TestIdleRefreshWritesNothing(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "ok", fakecloud.Succeeded, time.Hour)
	h.failWith("us-central1", "bad", 2*time.Hour, "ValueError: x")
	p := h.poller("us-central1")
	h.refresh(p)
	h.advance(30 * time.Second)
	h.refresh(p)
	before, err := os.Stat(h.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		h.advance(30 * time.Second)
		h.refresh(p)
	}
	after, err := os.Stat(h.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Fatal("idle refreshes rewrote the memory")
	}
}
