package assets

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

type iconCase struct {
	name   string // base name of the PNG and of its SVG source
	svg    string // SVG source in svg/
	res    Icon
	size   int
	hollow bool        // ring with a transparent inside (only for state icons)
	colour color.NRGBA // expected colour of the disc/ring near its top edge
}

var states = []iconCase{
	{"running", "running", Running, 64, false, hex(0x1a73e8)},
	{"succeeded", "succeeded", Succeeded, 64, false, hex(0x188038)},
	{"failed", "failed", Failed, 64, false, hex(0xd93025)},
	{"acknowledged", "acknowledged", Acknowledged, 64, true, hex(0xd93025)},
	{"cancelled", "cancelled", Cancelled, 64, false, hex(0xf29900)},
	{"pending", "pending", Pending, 64, false, hex(0x80868b)},
	{"stale", "stale", Stale, 64, true, hex(0x80868b)},
	{"offline", "offline", Offline, 64, true, hex(0x80868b)},
	{"credentials", "credentials", Credentials, 64, false, hex(0xe8630a)},
}

func hex(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

func allIcons() []iconCase {
	return append(append([]iconCase(nil), states...),
		iconCase{name: "icon", svg: "app", res: AppIcon, size: 256})
}

func decode(t *testing.T, c iconCase) image.Image {
	t.Helper()
	if c.res.Name() == "" {
		t.Fatalf("%s: resource is nil", c.name)
	}
	if len(c.res.Content()) == 0 {
		t.Fatalf("%s: resource is empty", c.name)
	}
	img, err := png.Decode(bytes.NewReader(c.res.Content()))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", c.name, err)
	}
	return img
}

func nrgba(img image.Image, x, y int) color.NRGBA {
	return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
}

// stats describes an icon: its alpha-weighted average colour, the fraction
// of visible pixels overall, and the fraction of visible pixels in the
// annulus between radii 0.45 and 0.75 of the icon's half-size (inside a
// filled disc, but between the glyph and the ring of a hollow icon).
type stats struct {
	r, g, b  float64
	coverage float64
	inside   float64
	alpha    []float64 // per-pixel alpha in [0,1], row-major
}

func measure(img image.Image) stats {
	bounds := img.Bounds()
	w, h := bounds.Dx(), bounds.Dy()
	cx, cy := float64(w)/2, float64(h)/2
	half := math.Min(cx, cy)
	var s stats
	var sumA, visible, inN, inVisible float64
	s.alpha = make([]float64, 0, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := nrgba(img, bounds.Min.X+x, bounds.Min.Y+y)
			a := float64(c.A) / 255
			s.alpha = append(s.alpha, a)
			s.r += float64(c.R) * a
			s.g += float64(c.G) * a
			s.b += float64(c.B) * a
			sumA += a
			if c.A >= 128 {
				visible++
			}
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy) / half
			if d > 0.45 && d < 0.75 {
				inN++
				if c.A >= 128 {
					inVisible++
				}
			}
		}
	}
	if sumA > 0 {
		s.r, s.g, s.b = s.r/sumA, s.g/sumA, s.b/sumA
	}
	s.coverage = visible / float64(w*h)
	s.inside = inVisible / inN
	return s
}

func TestIcons(t *testing.T) {
	for _, c := range allIcons() {
		t.Run(c.name, func(t *testing.T) {
			if c.res.Name() != c.name+".png" {
				t.Errorf("resource name = %q, want %q", c.res.Name(), c.name+".png")
			}
			img := decode(t, c)
			if b := img.Bounds(); b.Dx() != c.size || b.Dy() != c.size {
				t.Fatalf("size = %dx%d, want %dx%d", b.Dx(), b.Dy(), c.size, c.size)
			}
			s := measure(img)
			if s.coverage < 0.05 {
				t.Errorf("icon is (almost) fully transparent: %.1f%% visible", 100*s.coverage)
			}
			// Icons are transparent in their corners so they sit on any panel.
			if a := nrgba(img, 0, 0).A; a != 0 {
				t.Errorf("top-left corner alpha = %d, want 0", a)
			}
			if _, err := os.Stat("svg/" + c.svg + ".svg"); err != nil {
				t.Errorf("SVG source missing: %v", err)
			}
		})
	}
}

func TestStateColoursAndShapes(t *testing.T) {
	for _, c := range states {
		t.Run(c.name, func(t *testing.T) {
			img := decode(t, c)
			// Just below the top edge: the disc fill (inside its thin
			// outline) or the ring of a hollow icon.
			y := 8
			if c.hollow {
				y = 6
			}
			got := nrgba(img, 32, y)
			if got.A != 0xff || colourDist(got, c.colour) > 12 {
				t.Errorf("colour at (32,%d) = %v, want about %v", y, got, c.colour)
			}
			s := measure(img)
			if c.hollow && s.inside > 0.5 {
				t.Errorf("hollow icon is %.0f%% opaque inside the ring, want a transparent centre", 100*s.inside)
			}
			if !c.hollow && s.inside < 0.99 {
				t.Errorf("filled icon is only %.0f%% opaque inside the disc", 100*s.inside)
			}
		})
	}
}

func colourDist(a, b color.NRGBA) float64 {
	return math.Sqrt(sq(float64(a.R)-float64(b.R)) + sq(float64(a.G)-float64(b.G)) + sq(float64(a.B)-float64(b.B)))
}

func sq(v float64) float64 { return v * v }

// glyph returns the mask of the icon's glyph inside 0.7 of its half-size:
// the near-white pixels of a filled disc, or the opaque pixels of a hollow
// ring's glyph.
func glyph(img image.Image, hollow bool) []bool {
	bounds := img.Bounds()
	w, h := bounds.Dx(), bounds.Dy()
	cx, cy := float64(w)/2, float64(h)/2
	half := math.Min(cx, cy)
	mask := make([]bool, 0, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := nrgba(img, bounds.Min.X+x, bounds.Min.Y+y)
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy) / half
			ink := c.A >= 128 && (hollow || min(c.R, c.G, c.B) >= 200)
			mask = append(mask, d < 0.7 && ink)
		}
	}
	return mask
}

// TestStatesPairwiseDistinct checks that no two state icons can be confused,
// not even by colour-blind users: every pair has clearly different glyphs,
// and differs noticeably in average colour or in being filled vs hollow
// (stale and offline are both grey hollow rings by design; their glyphs
// tell them apart).
func TestStatesPairwiseDistinct(t *testing.T) {
	ms := make([]stats, len(states))
	gs := make([][]bool, len(states))
	for i, c := range states {
		img := decode(t, c)
		ms[i] = measure(img)
		gs[i] = glyph(img, c.hollow)
	}
	for i := range states {
		for j := i + 1; j < len(states); j++ {
			a, b := ms[i], ms[j]
			colour := math.Sqrt(sq(a.r-b.r) + sq(a.g-b.g) + sq(a.b-b.b))
			var union, differ float64
			for k := range gs[i] {
				if gs[i][k] || gs[j][k] {
					union++
				}
				if gs[i][k] != gs[j][k] {
					differ++
				}
			}
			shape := differ / union // Jaccard distance of the glyphs
			t.Logf("%-11s vs %-11s colour distance %5.1f, glyph distance %.2f",
				states[i].name, states[j].name, colour, shape)
			if shape < 0.3 {
				t.Errorf("%s and %s have too similar glyphs: distance %.2f", states[i].name, states[j].name, shape)
			}
			filledVsHollow := states[i].hollow != states[j].hollow
			bothHollow := states[i].hollow && states[j].hollow
			if colour < 30 && !filledVsHollow && !bothHollow {
				t.Errorf("%s and %s have too similar colours: distance %.1f", states[i].name, states[j].name, colour)
			}
		}
	}
}

// The running mark sits on the state's icon: inside the mark is the running
// blue, outside its corner the icon is its base pixel for pixel.
func TestRunningMarkKeepsTheStatesIconAndAddsBlue(t *testing.T) {
	for _, c := range []struct{ marked, base Icon }{
		{FailedRunning, Failed}, {SucceededRunning, Succeeded}, {CancelledRunning, Cancelled}, {AcknowledgedRunning, Acknowledged},
	} {
		img, err := png.Decode(bytes.NewReader(c.marked.Content()))
		if err != nil {
			t.Fatalf("%s: %v", c.marked.Name(), err)
		}
		base, err := png.Decode(bytes.NewReader(c.base.Content()))
		if err != nil {
			t.Fatal(err)
		}
		if c.marked.Name() == c.base.Name() {
			t.Errorf("%s has its base's name", c.marked.Name())
		}
		if got := color.NRGBAModel.Convert(img.At(42, 50)).(color.NRGBA); colourDist(got, runningBlue) > 30 {
			t.Errorf("%s: inside the mark %v, want the running blue", c.marked.Name(), got)
		}
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if x >= 34 && y >= 34 {
					continue
				}
				if color.NRGBAModel.Convert(img.At(x, y)) != color.NRGBAModel.Convert(base.At(x, y)) {
					t.Fatalf("%s differs from %s at (%d, %d), away from the mark", c.marked.Name(), c.base.Name(), x, y)
				}
			}
		}
	}
}
