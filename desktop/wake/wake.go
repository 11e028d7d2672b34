// Package wake tells the caller when the machine has resumed from sleep, so
// that runwatch refreshes within seconds instead of showing a stale tray
// for up to a whole interval.
//
// On Linux it listens for logind's PrepareForSleep(false) on the system bus.
// Where there is no logind (another OS, a container, a system bus that went
// away) it checks the clock every few seconds instead: a wall clock that ran
// well ahead of the expected tick means the process was not running, which
// is what a suspend looks like from inside. Either way the wake is told
// after a small random delay, so that the apps of a team that all resume
// with the same network do not ask Cloud Run at the same instant.
package wake

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/godbus/dbus/v5"
)

// Options tune Watch; the zero value is what the app wants.
type Options struct {
	// SystemBus is where logind is listened to. Nil connects to the system
	// bus (DBUS_SYSTEM_BUS_ADDRESS, else the standard socket) on a
	// connection of Watch's own, closed when its context ends.
	SystemBus *dbus.Conn
	// Interval is how often the clock is checked where there is no logind;
	// 0 means 10 s.
	Interval time.Duration
	// Threshold is the jump past which the clock check counts a suspend;
	// 0 means 30 s.
	Threshold time.Duration
	// MaxJitter is the most a wake is told late; 0 means 3 s, negative means
	// no delay.
	MaxJitter time.Duration

	now    func() reading                                 // tests: the clock
	ticker func(time.Duration) (<-chan time.Time, func()) // tests: the clock check's ticks
}

// setupTimeout bounds connecting to the system bus and asking for logind.
const setupTimeout = 5 * time.Second

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Threshold <= 0 {
		o.Threshold = 30 * time.Second
	}
	if o.MaxJitter == 0 {
		o.MaxJitter = 3 * time.Second
	}
	if o.now == nil {
		start := time.Now()
		o.now = func() reading {
			t := time.Now()
			return reading{wall: t.Round(0), mono: t.Sub(start)}
		}
	}
	if o.ticker == nil {
		o.ticker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	return o
}

// Watch delivers one value on the returned channel for each resume (several
// resumes before the caller reads are told once) until ctx ends, when the
// channel is closed. When Watch returns it is already listening: a resume
// from then on is told.
func Watch(ctx context.Context, opts Options) <-chan struct{} {
	w := &watcher{o: opts.withDefaults(), out: make(chan struct{}, 1)}
	sleeps, stop := listenLogind(ctx, w.o)
	go func() {
		defer close(w.out)
		if sleeps != nil {
			w.logind(ctx, sleeps)
			stop()
		}
		if ctx.Err() == nil {
			w.clock(ctx)
		}
	}()
	return w.out
}

type watcher struct {
	o       Options
	out     chan struct{}
	pending <-chan time.Time // the jitter before a wake is told; nil when none is due
}

// logind tells a wake for each PrepareForSleep(false), until ctx ends or the
// bus goes away (sleeps closed).
func (w *watcher) logind(ctx context.Context, sleeps <-chan bool) {
	for {
		select {
		case <-ctx.Done():
			return
		case sleeping, ok := <-sleeps:
			if !ok {
				return
			}
			if !sleeping {
				w.woke()
			}
		case <-w.pending:
			w.tell()
		}
	}
}

// clock tells a wake when the clock jumped between two ticks, until ctx ends.
func (w *watcher) clock(ctx context.Context) {
	ticks, stop := w.o.ticker(w.o.Interval)
	defer stop()
	prev := w.o.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			cur := w.o.now()
			if jumped(prev, cur, w.o.Interval, w.o.Threshold) {
				w.woke()
			}
			prev = cur
		case <-w.pending:
			w.tell()
		}
	}
}

// woke starts the jitter before telling, unless a wake is already due.
func (w *watcher) woke() {
	if w.pending != nil {
		return
	}
	var delay time.Duration
	if w.o.MaxJitter > 0 {
		delay = rand.N(w.o.MaxJitter + 1)
	}
	w.pending = time.After(delay)
}

// tell delivers a wake unless one is still unread.
func (w *watcher) tell() {
	w.pending = nil
	select {
	case w.out <- struct{}{}:
	default:
	}
}

// reading is the clock at one tick: the wall clock, and the monotonic time
// since the watch started.
type reading struct {
	wall time.Time
	mono time.Duration
}

// jumped says whether the machine slept between two ticks interval apart:
// the wall clock ran ahead of the monotonic clock (Linux and macOS stop the
// monotonic clock in suspend), or the monotonic clock ran well past the
// interval (Windows counts suspend in it, and the tick comes late). A wall
// clock set back, or a small drift, is no jump.
func jumped(prev, cur reading, interval, threshold time.Duration) bool {
	wall := cur.wall.Sub(prev.wall)
	mono := cur.mono - prev.mono
	return wall-mono > threshold || mono-interval > threshold
}
