package wake

import (
	"context"
	"testing"
	"time"
)

func TestJumpedOnlyWhenTheMachineSlept(t *testing.T) {
	const interval, threshold = 10 * time.Second, 30 * time.Second
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		wall, mono time.Duration // elapsed between two ticks
		want       bool
	}{
		{"an ordinary tick", 10 * time.Second, 10 * time.Second, false},
		{"NTP drift", 10*time.Second + 400*time.Millisecond, 10 * time.Second, false},
		{"a busy machine's late tick", 25 * time.Second, 25 * time.Second, false},
		{"a wall clock set back", -time.Hour, 10 * time.Second, false},
		{"a short jump under the threshold", 35 * time.Second, 10 * time.Second, false},
		{"suspend, monotonic clock stopped (Linux, macOS)", 2 * time.Hour, 10 * time.Second, true},
		{"suspend, monotonic clock counting it (Windows)", 2 * time.Hour, 2 * time.Hour, true},
	} {
		prev := reading{wall: t0, mono: time.Minute}
		cur := reading{wall: t0.Add(tc.wall), mono: time.Minute + tc.mono}
		if got := jumped(prev, cur, interval, threshold); got != tc.want {
			t.Errorf("%s: jumped = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// fakeClock drives the clock check: each tick is followed by the reading the
// check takes for it, so the test decides exactly what the check sees.
type fakeClock struct {
	ticks    chan time.Time
	readings chan reading
	wall     time.Time
	mono     time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{
		ticks:    make(chan time.Time),
		readings: make(chan reading),
		wall:     time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
	}
}

// options sets Options to read this clock, with no jitter.
func (c *fakeClock) options(o Options) Options {
	o.MaxJitter = -1
	o.now = func() reading { return <-c.readings }
	o.ticker = func(time.Duration) (<-chan time.Time, func()) { return c.ticks, func() {} }
	return o
}

// start hands the check its first reading.
func (c *fakeClock) start() { c.readings <- reading{c.wall, c.mono} }

// tick advances the clocks and ticks.
func (c *fakeClock) tick(wall, mono time.Duration) {
	c.wall, c.mono = c.wall.Add(wall), c.mono+mono
	c.ticks <- c.wall
	c.readings <- reading{c.wall, c.mono}
}

func expectWake(t *testing.T, wakes <-chan struct{}, within time.Duration, what string) {
	t.Helper()
	select {
	case _, ok := <-wakes:
		if !ok {
			t.Fatalf("%s: the channel closed instead", what)
		}
	case <-time.After(within):
		t.Fatalf("%s: no wake within %v", what, within)
	}
}

func expectNoWake(t *testing.T, wakes <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-wakes:
		t.Fatalf("%s: a wake was told", what)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestClockCheckTellsOneWakeAfterAJump(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newFakeClock()
	w := &watcher{o: c.options(Options{}).withDefaults(), out: make(chan struct{}, 1)}
	go w.clock(ctx)
	c.start()

	c.tick(10*time.Second, 10*time.Second)
	c.tick(10*time.Second+300*time.Millisecond, 10*time.Second)
	expectNoWake(t, w.out, "ordinary ticks")

	c.tick(3*time.Hour, 10*time.Second) // a night in suspend
	expectWake(t, w.out, 2*time.Second, "after a 3 h jump")
	c.tick(10*time.Second, 10*time.Second)
	expectNoWake(t, w.out, "the tick after the jump")
}

func TestSeveralWakesUnreadAreToldOnce(t *testing.T) {
	w := &watcher{o: Options{MaxJitter: -1}.withDefaults(), out: make(chan struct{}, 1)}
	w.tell()
	w.tell() // must not block
	expectWake(t, w.out, time.Second, "the first")
	expectNoWake(t, w.out, "the second, told while the first was unread")
}

func TestJitterIsWithinMaxJitter(t *testing.T) {
	w := &watcher{o: Options{MaxJitter: 300 * time.Millisecond}.withDefaults(), out: make(chan struct{}, 1)}
	for range 5 {
		start := time.Now()
		w.woke()
		<-w.pending
		w.tell()
		<-w.out
		if took := time.Since(start); took > 300*time.Millisecond+200*time.Millisecond {
			t.Errorf("told after %v, want at most 300 ms (and some scheduling)", took)
		}
	}
}
