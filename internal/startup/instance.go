package startup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
)

// handOverWait is how long a second start waits for a first one still
// starting (the lock taken, its socket not yet listening).
const handOverWait = 15 * time.Second

// Claim makes this process the one running tray app, or hands over to the
// one that is (ok false, with the exit code). needSocket: the app cannot
// work without its socket (its windows reach it through it); else a socket
// that cannot be made is only warned about. srv is nil where sockets are
// not supported.
func Claim(demo, needSocket bool, stderr io.Writer) (srv *instance.Server, code int, ok bool) {
	app := ipc.App(demo)
	srv, err := instance.Listen(app.Name())
	switch {
	case errors.Is(err, instance.ErrRunning):
		if handOver(app, stderr) {
			return nil, 0, false
		}
		return nil, 1, false // never a second poller beside one that holds the lock
	case err != nil && (needSocket || !errors.Is(err, instance.ErrUnsupported)):
		if needSocket {
			fmt.Fprintf(stderr, "runwatch: %v\n", err)
			return nil, 1, false
		}
		fmt.Fprintf(stderr, "runwatch: %v (a second start will not find this one)\n", err)
	}
	return srv, 0, true
}

// handOver asks an app already running to show its window. The other
// holds the instance lock, so it is running, or starting: it is asked again
// for a while, and never doubled. handed is false only when it never
// answered (the caller then gives up too).
func handOver(app ipc.Client, stderr io.Writer) (handed bool) {
	deadline := time.Now().Add(handOverWait)
	for {
		err := app.Show(context.Background())
		switch {
		case err == nil:
			fmt.Fprintln(stderr, "runwatch is already running: showing its window")
			return true
		case errors.Is(err, instance.ErrUnsupported):
			return false
		case time.Now().After(deadline):
			fmt.Fprintf(stderr, "runwatch: another runwatch holds the instance lock but does not answer: %v\n", err)
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}
