package report

import (
	"context"
	"time"

	"runwatch/ui/view"
)

// Follow prints a status-bar line for each status that comes on updates,
// and again when the clock alone changes what it says (view.NextTick: an
// age reaching its next minute, the status turning stale), each only when
// it differs from the last line printed. It returns when ctx ends or
// updates is closed (nil), or with the printer's error (the bar closed the
// pipe).
func Follow(ctx context.Context, updates <-chan view.Status, now func() time.Time, p *LinePrinter) error {
	var st view.Status
	have := false
	tick := time.NewTimer(time.Hour)
	defer tick.Stop()
	tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case next, ok := <-updates:
			if !ok {
				return nil
			}
			st, have = next, true
		case <-tick.C:
		}
		if !have {
			continue
		}
		at := now()
		if _, err := p.Print(Waybar(st, at)); err != nil {
			return err
		}
		tick.Reset(view.NextTick(st, at).Sub(at))
	}
}
