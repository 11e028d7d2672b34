package busconn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

func TestOpenReturnsTheConnectError(t *testing.T) {
	refused := errors.New("refused")
	_, err := Open(context.Background(), func(...dbus.ConnOption) (*dbus.Conn, error) { return nil, refused })
	if !errors.Is(err, refused) {
		t.Errorf("err %v, want %v", err, refused)
	}
}

func TestOpenGivesUpWhenTheContextEnds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Open(ctx, func(...dbus.ConnOption) (*dbus.Conn, error) {
		<-release
		return nil, errors.New("too late")
	})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("err %v after %v, want the deadline after about 100 ms", err, time.Since(start))
	}
}
