package wake

import (
	"context"
	"testing"
	"time"

	"runwatch/internal/dbustest"
)

// startLogind owns org.freedesktop.login1 on a new private bus, standing in
// for the system bus, and returns the bus's address and a function that
// emits PrepareForSleep from logind.
func startLogind(t *testing.T) (addr string, prepareForSleep func(bool)) {
	t.Helper()
	addr = dbustest.Start(t)
	logind := dbustest.Connect(t, addr)
	dbustest.Own(t, logind, logindName)
	return addr, func(sleeping bool) {
		t.Helper()
		if err := logind.Emit(logindPath, prepare, sleeping); err != nil {
			t.Fatalf("emit PrepareForSleep(%v): %v", sleeping, err)
		}
	}
}

func TestPrepareForSleepFalseTellsAWakeWithinSeconds(t *testing.T) {
	addr, prepareForSleep := startLogind(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wakes := Watch(ctx, Options{SystemBus: dbustest.Connect(t, addr)}) // the real 0–3 s jitter

	prepareForSleep(true)
	prepareForSleep(false)
	expectWake(t, wakes, 5*time.Second, "after PrepareForSleep(false)")
}

func TestOnlyLogindsResumeIsAWake(t *testing.T) {
	addr, prepareForSleep := startLogind(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wakes := Watch(ctx, Options{SystemBus: dbustest.Connect(t, addr), MaxJitter: -1})

	prepareForSleep(true)
	expectNoWake(t, wakes, "PrepareForSleep(true), going to sleep")
	impostor := dbustest.Connect(t, addr) // the same signal from a name that is not logind
	if err := impostor.Emit(logindPath, prepare, false); err != nil {
		t.Fatal(err)
	}
	expectNoWake(t, wakes, "PrepareForSleep(false) from a sender that is not logind")
	prepareForSleep(false)
	expectWake(t, wakes, 2*time.Second, "PrepareForSleep(false) from logind")
}

func TestEnvironmentsSystemBusIsUsedWhenNoneIsGiven(t *testing.T) {
	addr, prepareForSleep := startLogind(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	ctx, cancel := context.WithCancel(context.Background())
	wakes := Watch(ctx, Options{MaxJitter: -1})
	prepareForSleep(false)
	expectWake(t, wakes, 2*time.Second, "PrepareForSleep(false) on $DBUS_SYSTEM_BUS_ADDRESS")
	cancel()
	select {
	case _, ok := <-wakes:
		if ok {
			t.Error("a wake after the context ended")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the channel is still open 5 s after the context ended")
	}
}

func TestWithoutLogindTheClockCheckServes(t *testing.T) {
	bus := dbustest.Connect(t, dbustest.Start(t)) // a system bus where nobody owns login1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newFakeClock()
	wakes := Watch(ctx, c.options(Options{SystemBus: bus}))
	c.start()
	c.tick(10*time.Second, 10*time.Second)
	expectNoWake(t, wakes, "an ordinary tick")
	c.tick(20*time.Minute, 10*time.Second)
	expectWake(t, wakes, 2*time.Second, "a 20 min jump")
}

func TestTheClockCheckTakesOverWhenTheSystemBusGoesAway(t *testing.T) {
	addr, _ := startLogind(t)
	bus := dbustest.Connect(t, addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newFakeClock()
	wakes := Watch(ctx, c.options(Options{SystemBus: bus}))
	bus.Close()
	c.start() // blocks until the clock check starts
	c.tick(20*time.Minute, 10*time.Second)
	expectWake(t, wakes, 2*time.Second, "a 20 min jump after the bus went away")
}
