//go:build unix

package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "RUNWATCH_INSTANCE_HELPER" // "1": this process is a running instance

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		s, err := Listen("runwatch")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("listening")
		_ = s.Serve(context.Background(), show)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runtimeDir gives the test an empty $XDG_RUNTIME_DIR of its own.
func runtimeDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	return dir
}

// show answers "show" with the window it showed, "echo" with its argument,
// "wait" when released; anything else is an error.
func show(ctx context.Context, req Request) (any, error) {
	switch req.Cmd {
	case "show":
		return map[string]string{"shown": "executions"}, nil
	case "echo":
		var args struct{ Text string }
		if err := req.Decode(&args); err != nil {
			return nil, err
		}
		return args.Text, nil
	case "wait":
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("unknown command %q", req.Cmd)
}

// listen makes the test the running instance, serving show until cleanup.
func listen(t *testing.T, name string) *Server {
	t.Helper()
	s, err := Listen(name)
	if err != nil {
		t.Fatalf("Listen(%q): %v", name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, show) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		s.Close()
	})
	return s
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSecondListenGetsErrRunning(t *testing.T) {
	runtimeDir(t)
	listen(t, "runwatch")
	if s, err := Listen("runwatch"); !errors.Is(err, ErrRunning) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("second Listen: %v, want ErrRunning", err)
	}
	other := listen(t, "runwatch-demo") // another name is another instance
	if filepath.Base(other.Path()) != "runwatch-demo.sock" {
		t.Errorf("socket %s", other.Path())
	}
}

func TestClosedInstanceLetsTheNextOneRun(t *testing.T) {
	runtimeDir(t)
	s, err := Listen("runwatch")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket still there after Close: %v", err)
	}
	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Call after Close: %v, want ErrNotRunning", err)
	}
	listen(t, "runwatch")
}

func TestStaleSocketIsTakenOver(t *testing.T) {
	dir := filepath.Join(runtimeDir(t), "runwatch")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A socket file nobody listens on, as a crashed instance leaves it.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, "runwatch.sock"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()

	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Call to the stale socket: %v, want ErrNotRunning", err)
	}
	listen(t, "runwatch")
	var reply map[string]string
	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, &reply); err != nil || reply["shown"] != "executions" {
		t.Errorf("Call to the new instance: %v, reply %v", err, reply)
	}
}

func TestKilledInstanceIsTakenOver(t *testing.T) {
	runtimeDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "listening\n" {
		t.Fatalf("the other instance said %q", line)
	}

	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); err != nil {
		t.Fatalf("Call to the other process: %v", err)
	}
	if _, err := Listen("runwatch"); !errors.Is(err, ErrRunning) {
		t.Fatalf("Listen beside the other process: %v, want ErrRunning", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	s := listen(t, "runwatch") // its socket file is still there
	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); err != nil {
		t.Errorf("Call after the takeover of %s: %v", s.Path(), err)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func TestOnlyTheUserCanReachTheSocket(t *testing.T) {
	xdg := runtimeDir(t)
	dir := filepath.Join(xdg, "runwatch")
	if err := os.Mkdir(dir, 0o755); err != nil { // made too open by someone
		t.Fatal(err)
	}
	s := listen(t, "runwatch")
	if s.Path() != filepath.Join(dir, "runwatch.sock") {
		t.Errorf("socket at %s, want in %s", s.Path(), dir)
	}
	if m := mode(t, dir); m.Perm() != 0o700 || !m.IsDir() {
		t.Errorf("directory mode %v, want drwx------", m)
	}
	if m := mode(t, s.Path()); m.Perm() != 0o600 || m.Type() != fs.ModeSocket {
		t.Errorf("socket mode %v, want Srw-------", m)
	}
	if m := mode(t, filepath.Join(dir, "runwatch.lock")); m.Perm() != 0o600 {
		t.Errorf("lock mode %v, want -rw-------", m)
	}
}

func TestWithoutXDGRuntimeDirTheSocketIsInAPrivateTempDir(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := listen(t, "runwatch")
	dir := filepath.Join(tmp, fmt.Sprintf("runwatch-%d", os.Getuid()))
	if s.Path() != filepath.Join(dir, "runwatch.sock") {
		t.Errorf("socket at %s, want in %s", s.Path(), dir)
	}
	if m := mode(t, dir); m.Perm() != 0o700 {
		t.Errorf("directory mode %v, want drwx------", m)
	}
	if m := mode(t, s.Path()); m.Perm() != 0o600 {
		t.Errorf("socket mode %v, want Srw-------", m)
	}
	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); err != nil {
		t.Errorf("Call: %v", err)
	}
}

// Without XDG_RUNTIME_DIR, another local user can make
// $TMPDIR/runwatch-<uid> before runwatch does (a symlink, or as root here a
// directory of theirs): runwatch still starts and answers, in a directory of
// the user's own under the cache directory, and puts nothing in theirs.
func TestADirectoryPlantedByOthersIsPassedOverForTheCacheDir(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(cache, "runwatch")
	dir := filepath.Join(tmp, fmt.Sprintf("runwatch-%d", os.Getuid()))
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, dir); err != nil {
		t.Fatal(err)
	}
	planted := func(name string) {
		t.Helper()
		s := listen(t, "runwatch")
		if s.Path() != filepath.Join(want, "runwatch.sock") {
			t.Errorf("%s: socket at %s, want in %s", name, s.Path(), want)
		}
		if m := mode(t, want); m.Perm() != 0o700 || !m.IsDir() {
			t.Errorf("%s: directory mode %v, want drwx------", name, m)
		}
		if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); err != nil {
			t.Errorf("%s: Call: %v", name, err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
		for _, d := range []string{elsewhere, dir} {
			if entries, _ := os.ReadDir(d); len(entries) > 0 {
				t.Errorf("%s: runwatch wrote %d files in the planted directory %s", name, len(entries), d)
			}
		}
	}
	planted("symlink")
	if os.Getuid() != 0 {
		t.Log("not root: cannot make a directory of another user's")
		return
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	planted("another user's directory")
}

// $XDG_RUNTIME_DIR is the user's alone: a runwatch directory there that is
// not theirs is refused, not passed over.
func TestAForeignDirectoryInTheRuntimeDirIsRefused(t *testing.T) {
	xdg := runtimeDir(t)
	if err := os.Symlink(t.TempDir(), filepath.Join(xdg, "runwatch")); err != nil {
		t.Fatal(err)
	}
	if s, err := Listen("runwatch"); err == nil {
		s.Close()
		t.Error("Listen accepted a symlink for its directory")
	}
	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); err == nil || errors.Is(err, ErrNotRunning) {
		t.Errorf("Call through a symlinked directory: %v, want a refusal", err)
	}
}

func TestCallRoundTrips(t *testing.T) {
	runtimeDir(t)
	listen(t, "runwatch")
	ctx := callCtx(t)

	var shown map[string]string
	if err := Call(ctx, "runwatch", map[string]string{"cmd": "show"}, &shown); err != nil || shown["shown"] != "executions" {
		t.Errorf("show: %v, reply %v", err, shown)
	}
	var text string
	req := struct {
		Cmd  string `json:"cmd"`
		Text string `json:"text"`
	}{"echo", "line one\nline two"}
	if err := Call(ctx, "runwatch", req, &text); err != nil || text != req.Text {
		t.Errorf("echo: %v, reply %q", err, text)
	}
	err := Call(ctx, "runwatch", map[string]string{"cmd": "explode"}, nil)
	var remote *RemoteError
	if !errors.As(err, &remote) || remote.Msg != `unknown command "explode"` {
		t.Errorf("unknown command: %v, want a RemoteError", err)
	}
	if err := Call(ctx, "runwatch", "show", nil); err == nil {
		t.Error("a request that is not an object was sent")
	}
	if err := Call(ctx, "nobody", map[string]string{"cmd": "show"}, nil); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Call to a name nobody listens on: %v, want ErrNotRunning", err)
	}
}

// rawExchange sends raw on a fresh connection and returns all the server
// said before closing it.
func rawExchange(t *testing.T, path string, raw string) string {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	if uc, ok := conn.(*net.UnixConn); ok {
		_ = uc.CloseWrite()
	}
	b, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("read after %.20q: %v", raw, err)
	}
	return string(b)
}

func TestGarbageGetsAnErrorAndTheServerGoesOn(t *testing.T) {
	runtimeDir(t)
	s := listen(t, "runwatch")
	for _, raw := range []string{
		"hello\n",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"{}\n",
		`{"cmd":"show"` + "\n",
		"\x00\x01\x02\n",
		strings.Repeat("x", maxLine+10),
	} {
		got := rawExchange(t, s.Path(), raw)
		var env envelope
		if err := json.Unmarshal([]byte(got), &env); err != nil || !strings.HasPrefix(env.Error, "bad request: ") {
			t.Errorf("after %.20q the server said %q, want one error reply", raw, got)
		}
	}
	// Several requests on one connection, the last without its newline.
	got := rawExchange(t, s.Path(), `{"cmd":"show"}`+"\n"+`{"cmd":"echo","text":"hi"}`)
	if want := `{"result":{"shown":"executions"}}` + "\n" + `{"result":"hi"}` + "\n"; got != want {
		t.Errorf("two requests: %q, want %q", got, want)
	}
	if err := Call(callCtx(t), "runwatch", map[string]string{"cmd": "show"}, nil); err != nil {
		t.Errorf("Call after the garbage: %v", err)
	}
}

func TestCallGivesUpWhenItsContextEnds(t *testing.T) {
	runtimeDir(t)
	listen(t, "runwatch")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Call(ctx, "runwatch", map[string]string{"cmd": "wait"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("Call: %v after %v, want the deadline after about 200 ms", err, time.Since(start))
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Call(cancelled, "runwatch", map[string]string{"cmd": "show"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Call with a cancelled context: %v", err)
	}
}

func TestServeEndsWithItsContextAndWaitsForRequests(t *testing.T) {
	runtimeDir(t)
	s, err := Listen("runwatch")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var handled sync.WaitGroup
	handled.Add(1)
	inHandler := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- s.Serve(ctx, func(ctx context.Context, req Request) (any, error) {
			defer handled.Done()
			close(inHandler)
			<-ctx.Done()
			return nil, ctx.Err()
		})
	}()
	go Call(context.Background(), "runwatch", map[string]string{"cmd": "wait"}, nil)
	<-inHandler
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
		handled.Wait() // returned only after the handler did
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still running 5 s after its context ended")
	}
}
