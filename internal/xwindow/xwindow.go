// Package xwindow closes an X window as a window manager's close button
// does (a WM_DELETE_WINDOW client message), speaking the X11 protocol
// directly. The end-to-end tests and scripts/idle-usage.sh need it: they
// run under Xvfb without a window manager, and xdotool's windowclose
// destroys a window under its owner instead.
package xwindow

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Close asks the window (a decimal id, as xdotool prints it) on $DISPLAY
// to close; it returns once the X server has handled the request.
func Close(windowID string) error {
	win, err := strconv.ParseUint(windowID, 10, 32)
	if err != nil {
		return fmt.Errorf("window id %q: %w", windowID, err)
	}
	display := strings.TrimPrefix(os.Getenv("DISPLAY"), ":")
	display, _, _ = strings.Cut(display, ".")
	conn, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+display, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))

	// Connection setup, little-endian, with the display's cookie if any.
	authName, authData := xauthCookie(display)
	setup := []byte{'l', 0}
	setup = binary.LittleEndian.AppendUint16(setup, 11)
	setup = binary.LittleEndian.AppendUint16(setup, 0)
	setup = binary.LittleEndian.AppendUint16(setup, uint16(len(authName)))
	setup = binary.LittleEndian.AppendUint16(setup, uint16(len(authData)))
	setup = append(setup, 0, 0)
	setup = append(setup, pad4([]byte(authName))...)
	setup = append(setup, pad4(authData)...)
	if _, err := conn.Write(setup); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		return fmt.Errorf("X setup: %w", err)
	}
	if _, err := io.CopyN(io.Discard, conn, int64(binary.LittleEndian.Uint16(head[6:]))*4); err != nil {
		return fmt.Errorf("X setup: %w", err)
	}
	if head[0] != 1 {
		return fmt.Errorf("X setup refused (status %d)", head[0])
	}

	protocols, err := internAtom(conn, "WM_PROTOCOLS")
	if err != nil {
		return err
	}
	deleteWindow, err := internAtom(conn, "WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	// SendEvent of a ClientMessage to the window's owner.
	req := []byte{25, 0}
	req = binary.LittleEndian.AppendUint16(req, 11)
	req = binary.LittleEndian.AppendUint32(req, uint32(win))
	req = binary.LittleEndian.AppendUint32(req, 0) // event mask: the owner
	event := []byte{33, 32, 0, 0}                  // ClientMessage, format 32
	event = binary.LittleEndian.AppendUint32(event, uint32(win))
	event = binary.LittleEndian.AppendUint32(event, protocols)
	event = binary.LittleEndian.AppendUint32(event, deleteWindow)
	event = append(event, make([]byte, 16)...) // time CurrentTime, the rest unused
	if _, err := conn.Write(append(req, event...)); err != nil {
		return err
	}
	// GetInputFocus: its reply says the request before it was handled.
	if _, err := conn.Write([]byte{43, 0, 1, 0}); err != nil {
		return err
	}
	_, err = xReply(conn)
	return err
}

func internAtom(conn net.Conn, name string) (uint32, error) {
	body := pad4([]byte(name))
	req := []byte{16, 0}
	req = binary.LittleEndian.AppendUint16(req, uint16(2+len(body)/4))
	req = binary.LittleEndian.AppendUint16(req, uint16(len(name)))
	req = append(req, 0, 0)
	if _, err := conn.Write(append(req, body...)); err != nil {
		return 0, err
	}
	reply, err := xReply(conn)
	if err != nil {
		return 0, fmt.Errorf("intern %s: %w", name, err)
	}
	return binary.LittleEndian.Uint32(reply[8:]), nil
}

// xReply reads the next reply, skipping events; an error packet fails.
func xReply(conn net.Conn) ([]byte, error) {
	for {
		packet := make([]byte, 32)
		if _, err := io.ReadFull(conn, packet); err != nil {
			return nil, err
		}
		switch packet[0] {
		case 0:
			return nil, fmt.Errorf("X error %d", packet[1])
		case 1:
			if extra := binary.LittleEndian.Uint32(packet[4:]); extra > 0 {
				if _, err := io.CopyN(io.Discard, conn, int64(extra)*4); err != nil {
					return nil, err
				}
			}
			return packet, nil
		}
	}
}

// xauthCookie is the MIT-MAGIC-COOKIE-1 for display in $XAUTHORITY, if any.
func xauthCookie(display string) (name string, data []byte) {
	b, err := os.ReadFile(os.Getenv("XAUTHORITY"))
	if err != nil {
		return "", nil
	}
	r := bytes.NewReader(b)
	field := func() ([]byte, bool) {
		var n uint16
		if binary.Read(r, binary.BigEndian, &n) != nil {
			return nil, false
		}
		f := make([]byte, n)
		_, err := io.ReadFull(r, f)
		return f, err == nil
	}
	for {
		var family uint16
		if binary.Read(r, binary.BigEndian, &family) != nil {
			return "", nil
		}
		_, ok1 := field() // address
		number, ok2 := field()
		n, ok3 := field()
		d, ok4 := field()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return "", nil
		}
		if string(number) == display && string(n) == "MIT-MAGIC-COOKIE-1" {
			return string(n), d
		}
	}
}

func pad4(b []byte) []byte {
	return append(b, make([]byte, (4-len(b)%4)%4)...)
}
