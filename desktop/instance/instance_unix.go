//go:build unix

package instance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/gofrs/flock"
)

// maxSocketPath is the longest socket path every unix takes (macOS: 104).
const maxSocketPath = 103

// Server is the running instance's end of the socket.
type Server struct {
	ln    *net.UnixListener
	lock  *flock.Flock
	path  string
	close sync.Once
}

// Listen makes this process the running instance called name, or fails with
// ErrRunning when another process is. A socket file left by a crashed
// instance is removed and taken over. Requests are answered once Serve runs.
func Listen(name string) (*Server, error) {
	dir, err := socketDir(true)
	if err != nil {
		return nil, err
	}
	path, err := socketPath(dir, name)
	if err != nil {
		return nil, err
	}
	// The lock, not the socket, decides who runs: the kernel drops it when
	// its process dies, however it dies. It is never removed, so that two
	// processes cannot lock two different files of the same name.
	lock := flock.New(filepath.Join(dir, name+".lock"), flock.SetPermissions(0o600))
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", lock.Path(), err)
	}
	if !locked {
		return nil, fmt.Errorf("%s: %w", name, ErrRunning)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		lock.Close()
		return nil, fmt.Errorf("remove the stale socket %s: %w", path, err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	// The directory is the user's alone, so the moment before this chmod
	// exposes nothing.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		lock.Close()
		return nil, fmt.Errorf("chmod %s: %w", path, err)
	}
	return &Server{ln: ln, lock: lock, path: path}, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers requests with h until ctx ends or Close, then waits for the
// requests in flight. It returns nil when stopped so.
func (s *Server) Serve(ctx context.Context, h Handler) error {
	if err := serve(ctx, s.ln, h); err != nil {
		return fmt.Errorf("instance socket %s: %w", s.path, err)
	}
	return nil
}

// Close stops listening, removes the socket and lets another instance run.
func (s *Server) Close() error {
	var err error
	s.close.Do(func() {
		err = s.ln.Close() // removes the socket file
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		if lerr := s.lock.Close(); err == nil {
			err = lerr
		}
	})
	return err
}

// Call sends req, a JSON object with "cmd", to the running instance called
// name and decodes its reply's result into reply (unless nil), all within
// ctx (5 s when ctx has no deadline). It fails with ErrNotRunning when no
// instance listens, and with a *RemoteError when the instance answered one.
func Call(ctx context.Context, name string, req, reply any) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	dir, err := socketDir(false)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", name, ErrNotRunning)
	}
	if err != nil {
		return err
	}
	path, err := socketPath(dir, name)
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%s: %w", name, ErrNotRunning)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", path, err)
	}
	if err := call(ctx, conn, req, reply); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func socketPath(dir, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+".sock")
	if len(path) > maxSocketPath {
		return "", fmt.Errorf("socket path %s is longer than %d bytes", path, maxSocketPath)
	}
	return path, nil
}

// socketDir is $XDG_RUNTIME_DIR/runwatch, or without XDG_RUNTIME_DIR
// os.TempDir()/runwatch-<uid>, made (when create) and checked to be a
// directory of this user's that nobody else may enter. Another user can
// make the temp one first (a directory of theirs, a symlink): it is then
// passed over for os.UserCacheDir()/runwatch, which is the user's own.
func socketDir(create bool) (string, error) {
	if xdg := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(xdg) {
		return privateDir(filepath.Join(xdg, "runwatch"), create)
	}
	tmp := filepath.Join(os.TempDir(), fmt.Sprintf("runwatch-%d", os.Getuid()))
	dir, err := privateDir(tmp, create)
	if !errors.Is(err, errForeign) && !(errors.Is(err, fs.ErrNotExist) && !create) {
		return dir, err
	}
	cache, cerr := os.UserCacheDir()
	if cerr != nil {
		return "", fmt.Errorf("%w; and no cache directory to fall back on: %w", err, cerr)
	}
	if create {
		if err := os.MkdirAll(cache, 0o700); err != nil {
			return "", fmt.Errorf("make the cache directory for the socket: %w", err)
		}
	}
	dir, cerr = privateDir(filepath.Join(cache, "runwatch"), create)
	if cerr != nil && errors.Is(err, errForeign) {
		return "", fmt.Errorf("%w; and %w", err, cerr)
	}
	return dir, cerr
}

// errForeign: a socket directory is not this user's to use.
var errForeign = errors.New("not this user's")

// privateDir makes dir (when create) and checks that it is a directory of
// this user's that nobody else may enter, making it so when only its mode
// is wrong.
func privateDir(dir string, create bool) (string, error) {
	if create {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("make the socket directory: %w", err)
		}
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("socket directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return "", fmt.Errorf("socket directory %s is not a directory (%s): %w", dir, fi.Mode().Type(), errForeign)
	case !ok || int(st.Uid) != os.Getuid():
		return "", fmt.Errorf("socket directory %s belongs to another user: %w", dir, errForeign)
	case fi.Mode().Perm() != 0o700:
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("socket directory %s: %w", dir, err)
		}
	}
	return dir, nil
}
