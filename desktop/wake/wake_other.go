//go:build !linux

package wake

import "context"

// listenLogind finds no logind here: the clock check serves.
func listenLogind(context.Context, Options) (<-chan bool, func()) { return nil, nil }
