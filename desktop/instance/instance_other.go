//go:build !unix

package instance

import "context"

// Server is unavailable here: Listen reports ErrUnsupported.
type Server struct{}

// Listen reports ErrUnsupported: the caller runs alone.
func Listen(name string) (*Server, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return nil, ErrUnsupported
}

// Path is empty.
func (*Server) Path() string { return "" }

// Serve reports ErrUnsupported.
func (*Server) Serve(context.Context, Handler) error { return ErrUnsupported }

// Close does nothing.
func (*Server) Close() error { return nil }

// Call reports ErrUnsupported.
func Call(context.Context, string, any, any) error { return ErrUnsupported }
