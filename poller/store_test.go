package poller

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

	"runwatch/poller/lifecycle"
)

// Two processes saving the same memory lose nothing of each other, as when
// `runwatch status` runs beside the app: here two stores on one file, as the
// app and status are.
// Found in the first lifecycle: issue 7, defect 6.
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

// A writer killed with SIGKILL at random moments leaves a memory that loads
// without a warning and holds everything saved before its last save (the
// memory is never rewritten in place).
// Found in the first lifecycle: issue 7, defect 8.
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

// A memory file written before the revision and the scopes' forgetting
// watermark were stored loads without a warning, keeps what it held, and
// an act of a person after it, with the wall clock behind the file's,
// still wins the merge with it.
func TestMemoryFileFromBeforeTheRevisionLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), MemoryFileName)
	const res = "projects/p/locations/us-east1/jobs/j/executions/j-1"
	old := `{"version":1,"scopes":{"p/j/us-east1":{"learned_at":"2026-11-28T09:00:00Z","watched":true}},
"jobs":{"p/j":{"records":{"` + res + `":{"region":"us-east1","state":"FAILED","created":"2026-11-28T09:00:00Z",
"completed":"2026-11-28T09:01:00Z","first_seen":"2026-11-28T09:02:00Z","last_seen":"2026-11-28T09:02:00Z","announced":true,
"kind":"new_failure","error":{"line":"boom","rule":"r","source":"logs","logs":"read"}}},
"verdict":"` + res + `","acks":[],"acks_changed":"2026-11-28T12:00:00Z"}},
"snooze":{"until":"2026-11-28T13:00:00Z","changed":"2026-11-28T12:00:00Z"},"pruned_at":"0001-01-01T00:00:00Z"}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	store := NewFileStore(path)
	mem, err := store.Load()
	if err != nil {
		t.Fatalf("an old memory file gave a warning: %v", err)
	}
	scope := lifecycle.Scope{Project: "p", Job: "j", Region: "us-east1"}
	if r, ok := mem.Record(scope, res); !ok || !r.Announced || r.Error.Line != "boom" || !mem.Learned(scope) {
		t.Fatalf("the old file's record or scope is lost: %+v", r)
	}
	back := time.Date(2026, 11, 28, 11, 0, 0, 0, time.UTC) // behind the file's clock
	if until := mem.SnoozedUntil(back); until.IsZero() {
		t.Fatal("the old file's snooze is lost")
	}
	mem.SnoozeUntil(time.Time{}, back)
	mem.Acknowledge(scope, res, back)
	if err := store.Save(mem); err != nil {
		t.Fatal(err)
	}
	again, err := NewFileStore(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if !again.SnoozedUntil(back).IsZero() || !again.Acknowledged(scope, res, back) {
		t.Fatal("a resume and an acknowledgement after loading an old file lost to its later clock")
	}
}
