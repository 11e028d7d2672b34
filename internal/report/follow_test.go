package report

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

// followed runs Follow on a pipe and returns the updates to send, the
// lines it printed, and a stop that cancels it and returns its error.
func followed(t *testing.T, now func() time.Time) (chan<- view.Status, *bufio.Scanner, func() error) {
	t.Helper()
	r, w := io.Pipe()
	updates := make(chan view.Status)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, updates, now, NewLinePrinter(w, FormatWaybar)) }()
	t.Cleanup(func() { cancel(); r.Close() })
	return updates, bufio.NewScanner(r), func() error { cancel(); return <-done }
}

func nextLine(t *testing.T, lines *bufio.Scanner) WaybarLine {
	t.Helper()
	if !lines.Scan() {
		t.Fatalf("no line: %v", lines.Err())
	}
	var line WaybarLine
	if err := json.Unmarshal(lines.Bytes(), &line); err != nil {
		t.Fatalf("%q: %v", lines.Text(), err)
	}
	return line
}

func TestFollowPrintsALineForEachChangeAndNoneForTheSameStatus(t *testing.T) {
	now := func() time.Time { return viewtest.Now }
	updates, lines, stop := followed(t, now)
	succeeded := refreshedNow(viewtest.Execution("us-east1", "vertex-ai-launcher-s1", poller.StateSucceeded, time.Hour))
	updates <- succeeded
	if got := nextLine(t, lines); got.Alt != "succeeded" {
		t.Fatalf("first line %+v", got)
	}
	updates <- succeeded // the same: nothing printed, so the next line read is the failure's
	updates <- refreshedNow(viewtest.Execution("us-west3", "vertex-ai-launcher-f1", poller.StateFailed, time.Minute))
	if got := nextLine(t, lines); got.Alt != "failed" {
		t.Fatalf("second line %+v, want the failure", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("stopped with %v", err)
	}
}

// Ages in the tooltip follow the clock: the line is printed again when
// one reaches its next minute, with no new status.
func TestFollowPrintsAgainWhenAnAgeChanges(t *testing.T) {
	start := time.Now()
	clock := func() time.Time { return viewtest.Now.Add(time.Since(start)) }
	updates, lines, stop := followed(t, clock)
	// Ended 59.8 s before now: "<1m", then "1m" 0.2 s later.
	failed := viewtest.Execution("us-west3", "vertex-ai-launcher-f1", poller.StateFailed, 95*time.Second+59800*time.Millisecond)
	updates <- refreshedNow(failed)
	first := nextLine(t, lines)
	second := nextLine(t, lines)
	if first.Tooltip == second.Tooltip {
		t.Fatalf("the same tooltip twice: %q", first.Tooltip)
	}
	stop()
}

func TestFollowReturnsTheWriteErrorWhenTheBarGoesAway(t *testing.T) {
	r, w := io.Pipe()
	r.Close() // Waybar restarted: nobody reads
	updates := make(chan view.Status, 1)
	updates <- view.Status{}
	err := Follow(context.Background(), updates, time.Now, NewLinePrinter(w, FormatWaybar))
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("err %v, want the closed pipe", err)
	}
}

func TestFollowEndsWhenTheUpdatesEnd(t *testing.T) {
	updates := make(chan view.Status)
	close(updates)
	if err := Follow(context.Background(), updates, time.Now, NewLinePrinter(io.Discard, FormatWaybar)); err != nil {
		t.Fatal(err)
	}
}
