package assets

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
)

// The last finished result with a running mark on top (CCMenu's
// failure+building): the state's icon with a small blue disc holding a
// white play triangle in its lower right corner, drawn from the PNGs at
// start so the mark looks the same on each.
var (
	FailedRunning       = withRunningMark(Failed)
	AcknowledgedRunning = withRunningMark(Acknowledged)
	SucceededRunning    = withRunningMark(Succeeded)
	CancelledRunning    = withRunningMark(Cancelled)
)

// runningBlue is the blue of the running icon.
var runningBlue = color.NRGBA{0x1a, 0x73, 0xe8, 0xff}

// withRunningMark returns base with the running mark drawn over its lower
// right corner: a disc of 40% of the icon's width, ringed in white so it
// stands apart from the state's colour.
func withRunningMark(base Icon) Icon {
	src, err := png.Decode(bytes.NewReader(base.png))
	if err != nil {
		panic("assets: " + base.name + ": " + err.Error())
	}
	b := src.Bounds()
	img := image.NewNRGBA(b)
	draw.Draw(img, b, src, b.Min, draw.Src)
	size := float64(b.Dx())
	r := size * 0.2
	cx, cy := size-r-1, size-r-1
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			d := math.Hypot(px-cx, py-cy)
			switch {
			case d <= r && inPlayTriangle(px-cx, py-cy, r):
				img.SetNRGBA(x, y, white)
			case d <= r:
				img.SetNRGBA(x, y, runningBlue)
			case d <= r+size/32:
				img.SetNRGBA(x, y, white)
			}
		}
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		panic("assets: " + base.name + ": " + err.Error())
	}
	return Icon{name: base.name[:len(base.name)-len(".png")] + "-running.png", png: out.Bytes()}
}

// inPlayTriangle reports whether (dx, dy), relative to the disc's centre,
// lies in the play triangle of a disc of radius r.
func inPlayTriangle(dx, dy, r float64) bool {
	left, right, half := -0.35*r, 0.5*r, 0.45*r
	if dx < left || dx > right {
		return false
	}
	// The triangle narrows from half at left to 0 at right.
	return math.Abs(dy) <= half*(right-dx)/(right-left)
}
