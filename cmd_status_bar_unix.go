//go:build unix

package main

import (
	"context"
	"os"

	"golang.org/x/sys/unix"
)

// whenReaderGone calls gone once the reader of out, a pipe or a socket (a
// status bar), has gone away, even while nothing is written to it: a bar
// that restarted leaves no --follow behind polling Cloud Run. It blocks in
// poll(2), costing nothing, and returns when ctx ends (at the next wake-up
// of its poll, within 5 s). Out that is no pipe or socket (a file, a
// terminal) is not watched.
func whenReaderGone(ctx context.Context, out *os.File, gone func()) {
	info, err := out.Stat()
	if err != nil || info.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return
	}
	fd := int(out.Fd())
	for ctx.Err() == nil {
		// No events asked: poll reports only POLLERR and POLLHUP, which a
		// pipe's write end gets when its reader closes.
		fds := []unix.PollFd{{Fd: int32(fd), Events: 0}}
		n, err := unix.Poll(fds, 5000)
		if err != nil && err != unix.EINTR {
			return
		}
		if n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			gone()
			return
		}
	}
}
