// Package instance keeps runwatch to one running instance per user and lets
// other processes talk to it.
//
// A second start (a click on the launcher while autostart already ran one)
// would otherwise run a second poller that notifies everything twice; with
// this package it finds the running instance, asks it to show its window,
// and exits. `runwatch status` asks it too instead of calling Cloud Run
// again, and the on-demand window process talks to the tray process the
// same way.
//
// The running instance listens on a unix socket only its user can reach
// ($XDG_RUNTIME_DIR/runwatch/<name>.sock, directory 0700, socket 0600) and
// holds a lock beside it for as long as it runs, so a socket left by a crashed
// instance is taken over and two instances starting at once cannot both win.
// The protocol is one JSON object per line, {"cmd":"show"}, answered by one
// JSON object per line, {"result":…} or {"error":"…"}. On systems without
// unix sockets Listen and Call report ErrUnsupported and the caller runs
// alone.
package instance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"sync"
	"time"
)

var (
	// ErrRunning is Listen's answer when another instance of that name runs.
	ErrRunning = errors.New("another instance is running")
	// ErrNotRunning is Call's answer when no instance of that name listens.
	ErrNotRunning = errors.New("no instance is running")
	// ErrUnsupported is the answer on systems without unix sockets.
	ErrUnsupported = errors.New("single instance is not supported on this system")
)

const (
	maxLine        = 4 << 20          // a request or reply longer than this is refused (a State with long log context is ~100 KiB)
	idleTimeout    = 10 * time.Second // a connection silent this long is closed
	handlerTimeout = 10 * time.Second // the context a Handler gets for one request
	callTimeout    = 5 * time.Second  // a Call whose context has no deadline
	maxConns       = 8                // connections served at once
)

// validName is what may stand for <name> in the socket's file name.
var validName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

func checkName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("instance name %q: use letters, digits, '.', '_' and '-'", name)
	}
	return nil
}

// Request is one request as the running instance receives it.
type Request struct {
	Cmd string          `json:"cmd"`
	Raw json.RawMessage `json:"-"` // the whole request, for commands with arguments
}

// Decode reads the whole request into v, e.g. a struct with the command's
// arguments beside "cmd".
func (r Request) Decode(v any) error { return json.Unmarshal(r.Raw, v) }

// Handler answers one request: its result is sent as the reply's "result",
// its error as the reply's "error".
type Handler func(ctx context.Context, req Request) (result any, err error)

// RemoteError is an error the running instance answered with.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return "the running instance answered: " + e.Msg }

// envelope is a reply on the wire.
type envelope struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// serve answers the requests on ln with h until ctx ends or ln is closed,
// then waits for the requests in flight.
func serve(ctx context.Context, ln net.Listener, h Handler) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, maxConns)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		conn, err := ln.Accept()
		if err != nil {
			<-slots
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			serveConn(ctx, conn, h)
		}()
	}
}

// serveConn answers the requests of one connection, one line each, until the
// client closes it, stays silent for idleTimeout, sends something that is not
// a request (answered with an error), or ctx ends.
func serveConn(ctx context.Context, conn net.Conn, h Handler) {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	r := bufio.NewReaderSize(conn, maxLine)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(idleTimeout))
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			writeReply(conn, envelope{Error: fmt.Sprintf("bad request: longer than %d bytes", maxLine)})
			hangUp(conn)
			return
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(bytes.TrimSpace(line)) > 0 { // the last line, unterminated
				env, _ := answer(ctx, line, h)
				writeReply(conn, env)
			}
			return
		}
		// After something that was not a request the connection is closed:
		// its client speaks another protocol.
		env, isRequest := answer(ctx, line, h)
		if !writeReply(conn, env) {
			return
		}
		if !isRequest {
			hangUp(conn)
			return
		}
	}
}

// hangUp ends a connection whose client sent what was not a request: it
// stops writing, then reads what the client is still sending, for a moment,
// so that closing with unread input does not reset the connection before the
// client has read the error reply.
func hangUp(conn net.Conn) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = io.Copy(io.Discard, io.LimitReader(conn, 1<<20))
}

// answer decodes one request line and asks h; isRequest is false when the
// line was not a request.
func answer(ctx context.Context, line []byte, h Handler) (env envelope, isRequest bool) {
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		return envelope{Error: "bad request: not a JSON object: " + err.Error()}, false
	}
	if req.Cmd == "" {
		return envelope{Error: `bad request: no "cmd"`}, false
	}
	req.Raw = append(json.RawMessage(nil), bytes.TrimSpace(line)...)
	ctx, cancel := context.WithTimeout(ctx, handlerTimeout)
	defer cancel()
	result, err := h(ctx, req)
	if err != nil {
		return envelope{Error: err.Error()}, true
	}
	if result == nil {
		return envelope{}, true
	}
	b, err := json.Marshal(result)
	if err != nil {
		return envelope{Error: fmt.Sprintf("%s: cannot encode the result: %v", req.Cmd, err)}, true
	}
	return envelope{Result: b}, true
}

func writeReply(conn net.Conn, env envelope) bool {
	_ = conn.SetWriteDeadline(time.Now().Add(idleTimeout))
	b, err := json.Marshal(env)
	if err != nil {
		return false
	}
	_, err = conn.Write(append(b, '\n'))
	return err == nil
}

// call sends req on conn and reads the reply into reply, all within ctx.
func call(ctx context.Context, conn net.Conn, req, reply any) error {
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode the request: %w", err)
	}
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("a request is a JSON object with \"cmd\", not %s", b)
	}
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return ctxErr(ctx, fmt.Errorf("send the request: %w", err))
	}
	line, err := bufio.NewReaderSize(conn, maxLine).ReadSlice('\n')
	if err != nil {
		return ctxErr(ctx, fmt.Errorf("read the reply: %w", err))
	}
	var env envelope
	if err := json.Unmarshal(line, &env); err != nil {
		return fmt.Errorf("read the reply: %w", err)
	}
	if env.Error != "" {
		return &RemoteError{Msg: env.Error}
	}
	if reply != nil && len(env.Result) > 0 {
		if err := json.Unmarshal(env.Result, reply); err != nil {
			return fmt.Errorf("decode the reply: %w", err)
		}
	}
	return nil
}

// ctxErr names the context's end as the cause of the closed connection or
// the passed deadline (the context's own) that it caused: the connection's
// deadline may pass a moment before the context says so.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w (%w)", cerr, err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
	}
	return err
}

// withTimeout bounds ctx by callTimeout unless it has a deadline already.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, callTimeout)
}
