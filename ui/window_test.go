package ui

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"runwatch/poller"
	"runwatch/ui/view"
)

func TestErrorColumnTakesTheSpareWidth(t *testing.T) {
	u, _, _ := newTestUI(t)
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-west3", "e1", poller.StateFailed, time.Minute))})
	u.Window.Resize(fyne.NewSize(windowWidth, 400))
	narrow := u.columns.errorWidth
	u.Window.Resize(fyne.NewSize(windowWidth+400, 400))
	if wide := u.columns.errorWidth; wide-narrow < 390 {
		t.Errorf("400 px wider, the Error column went from %v to %v", narrow, wide)
	}
	u.Window.Resize(fyne.NewSize(600, 400))
	if w := u.columns.errorWidth; w != minErrorWidth {
		t.Errorf("in a narrow window the Error column is %v, want its minimum %v", w, minErrorWidth)
	}
}

// The History column narrows to its header while no row has a history,
// and the error gets the room; a history widens it back.
func TestHistoryColumnLeavesItsRoomToTheErrorWhileEmpty(t *testing.T) {
	u, _, _ := newTestUI(t)
	failed := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	u.Apply(poller.Result{Snapshot: snapshot(failed)})
	u.Window.Resize(fyne.NewSize(windowWidth, 400))
	emptyHistory, wideError := u.columns.historyWidth, u.columns.errorWidth
	if emptyHistory <= 0 || emptyHistory >= columns[historyColumn].width-60 {
		t.Fatalf("History is %v px with no history shown, want about its header's width", emptyHistory)
	}
	failed.Occurrences, failed.FirstOccurred = 4, failed.Completed.Add(-3*time.Hour)
	u.Apply(poller.Result{Snapshot: snapshot(failed)})
	u.Window.Resize(fyne.NewSize(windowWidth, 401))
	if u.columns.historyWidth <= emptyHistory || u.columns.errorWidth >= wideError {
		t.Fatalf("with a history: History %v px (was %v), Error %v px (was %v)", u.columns.historyWidth, emptyHistory, u.columns.errorWidth, wideError)
	}
}

func TestWindowHeightFollowsTheRows(t *testing.T) {
	rowsOf := func(n int) poller.Snapshot {
		var execs []poller.Execution
		for i := range n {
			execs = append(execs, execution("us-east1", fmt.Sprintf("e%d", i), poller.StateSucceeded, time.Duration(i+1)*time.Minute))
		}
		return snapshot(execs...)
	}
	u, _, _ := newTestUI(t)
	var heights []float32
	for _, n := range []int{2, 8, 10, 14} {
		u.Apply(poller.Result{Snapshot: rowsOf(n)})
		size := u.Window.Canvas().Size()
		heights = append(heights, size.Height)
		shown := min(n, rowsWithoutScrolling)
		if room := size.Height - u.top.MinSize().Height; room < tableHeight(u.Table, shown) {
			t.Errorf("%d rows: %v px for the table, want %v for %d rows without scrolling", n, room, tableHeight(u.Table, shown), shown)
		}
		if size.Width != windowWidth {
			t.Errorf("%d rows: the window's width changed to %v", n, size.Width)
		}
	}
	if !(heights[0] < heights[1] && heights[1] < heights[2] && heights[2] == heights[3]) {
		t.Errorf("heights for 2, 8, 10, 14 rows: %v; want growing up to 10 rows, then no more", heights)
	}
	if heights[2] > 720 {
		t.Errorf("10 rows make the window %v tall: more than a 768 px screen holds", heights[2])
	}
}

func TestFirstRunPanelWithoutCredentials(t *testing.T) {
	u, a, _ := newTestUI(t)
	problem := poller.ErrNoCredentials.Error() + " (google: could not find default credentials)"
	u.SetProblem(problem)
	if !u.FirstRun.Visible() || u.tableBox.Visible() {
		t.Fatal("without credentials the window shows the table, not the first-run panel")
	}
	if u.FirstRunProblem.Text != problem {
		t.Errorf("the panel says %q, want the poller's %q", u.FirstRunProblem.Text, problem)
	}
	test.Tap(u.CopyCommand)
	if got := a.Clipboard().Content(); got != view.SignInCommand {
		t.Errorf("Copy put %q on the clipboard", got)
	}
	test.Tap(u.FirstRunSettings)
	if u.settingsWindow == nil {
		t.Error("Settings… opened no settings")
	}
	// Credentials work at a later refresh: the table comes back.
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateSucceeded, time.Minute))})
	if u.FirstRun.Visible() || !u.tableBox.Visible() {
		t.Error("with a refresh done, the first-run panel stays")
	}
}

func TestFirstRunPanelOnlyForMissingCredentials(t *testing.T) {
	u, _, _ := newTestUI(t)
	u.SetProblem("no Google Cloud project: pass --project or set GOOGLE_CLOUD_PROJECT")
	if u.FirstRun.Visible() {
		t.Error("a missing project shows the credentials panel")
	}
}

func TestTryTheDemoStartsThisProgramWithDemoAndQuits(t *testing.T) {
	a := newTempApp(t)
	quits := 0
	u := New(a, Actions{Quit: func() { quits++ }}, func() time.Time { return now })
	var started []*exec.Cmd
	u.startProcess = func(cmd *exec.Cmd) error {
		started = append(started, cmd)
		return nil
	}
	u.ShowWindow()
	u.SetProblem(poller.ErrNoCredentials.Error())
	test.Tap(u.TryDemo)
	if len(started) != 1 || quits != 1 {
		t.Fatalf("started %d commands, quit %d times", len(started), quits)
	}
	want, err := demoCommand()
	if err != nil {
		t.Fatal(err)
	}
	if got := started[0]; got.Path != want.Path || !slices.Equal(got.Args[1:], []string{"--demo"}) {
		t.Errorf("Try the demo runs %s %q, want %s --demo", got.Path, got.Args[1:], want.Path)
	}
}

func TestDemoSaysDemo(t *testing.T) {
	a := newTempApp(t)
	u := New(a, Actions{}, func() time.Time { return now })
	u.SetDemo(true)
	u.ShowWindow()
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateSucceeded, time.Minute))})
	if u.Window.Title() != view.DemoTitle || !strings.Contains(u.Window.Title(), "demo") {
		t.Errorf("title %q", u.Window.Title())
	}
	if !strings.HasPrefix(u.Header.Text, "Demo (simulated Cloud Run): ") {
		t.Errorf("header %q does not say demo", u.Header.Text)
	}
	if first := u.TrayMenu.Items[0].Label; !strings.HasPrefix(first, view.DemoTitle+": ") {
		t.Errorf("the tray menu's first line %q does not start with the title", first)
	}
}

// The window renders again when what it shows next changes with the clock
// alone, as the tray process's menu does (view.NextTick), not on a fixed
// beat: an execution created 50 s ago turns "1m ago" in 10 s.
func TestWindowTicksWhenWhatItShowsChanges(t *testing.T) {
	u, _, _ := newTestUI(t)
	var waits []time.Duration
	u.resetTick = func(d time.Duration) { waits = append(waits, d) }
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateRunning, 50*time.Second))})
	if len(waits) == 0 || waits[len(waits)-1] != 10*time.Second {
		t.Fatalf("after a refresh the next render waits %v, want 10s", waits)
	}
	if want := view.NextTick(u.status, now).Sub(now); waits[len(waits)-1] != want {
		t.Errorf("the window waits %v, the tray %v", waits[len(waits)-1], want)
	}
	n := len(waits)
	u.Tick()
	if len(waits) != n+1 {
		t.Error("a tick does not set the next one")
	}
}

// StartTicking's timer fires at view.NextTick, long before view.TickEvery
// when an age changes sooner.
func TestStartTickingRendersAtTheNextChange(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	u := New(newTempApp(t), Actions{}, nil) // the real clock
	u.ShowWindow()
	snap := snapshot(execution("us-east1", "e1", poller.StateRunning, 0))
	snap.Executions[0].Created = time.Now().Add(-time.Minute + 300*time.Millisecond)
	snap.TakenAt = time.Now()
	u.Apply(poller.Result{Snapshot: snap})
	ticks := make(chan func(), 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := time.Now()
	u.StartTicking(ctx, func(f func()) { ticks <- f })
	select {
	case f := <-ticks:
		if took := time.Since(started); took > 2*time.Second {
			t.Errorf("rendered again after %v", took)
		}
		f()
		if !strings.Contains(u.rows[0].Age, "1m") {
			t.Errorf("after the tick the row is %q old", u.rows[0].Age)
		}
	case <-time.After(view.TickEvery / 2):
		t.Fatal("no render when the age turned a minute")
	}
}
