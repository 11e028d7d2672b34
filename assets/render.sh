#!/bin/sh
# render.sh — developer tool: regenerate the committed PNG icons from the
# hand-authored SVG sources in svg/.
#
# The Go build does NOT run this script; the PNGs are committed and embedded
# by assets.go. Run it only after editing an SVG, then commit the PNGs:
#
#     sh assets/render.sh            # from the module root, or
#     ./render.sh                    # from assets/
#
# Requires rsvg-convert (Debian/Ubuntu: apt-get install librsvg2-bin).
# ImageMagick's own SVG renderer is not used because it is missing or poor on
# many installs. With PREVIEW=1 it also writes preview.png (needs ImageMagick):
# every icon at 16, 22 and 24 px on a white and on a dark (#2b2b2b) panel,
# enlarged 4x with nearest-neighbour so the pixels stay visible.
set -eu

cd "$(dirname "$0")"

command -v rsvg-convert >/dev/null 2>&1 || {
	echo "render.sh: rsvg-convert not found (apt-get install librsvg2-bin)" >&2
	exit 1
}

# Tray/state icons: 64x64 (StatusNotifierItem on Linux wants PNG).
for name in running succeeded failed acknowledged cancelled pending stale offline credentials; do
	rsvg-convert -w 64 -h 64 -o "$name.png" "svg/$name.svg"
	echo "wrote $name.png"
done

# Application icon (FyneApp.toml Icon, window icon): 256x256.
rsvg-convert -w 256 -h 256 -o icon.png svg/app.svg
echo "wrote icon.png"

if [ "${PREVIEW:-0}" = 1 ]; then
	# Preview sheet: each icon downscaled from its PNG to 16, 22 and 24 px
	# (as a tray would), on a light and a dark panel background.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for bg in white '#2b2b2b'; do
		tag=$(echo "$bg" | tr -d '#')
		for size in 16 22 24; do
			for name in running succeeded failed acknowledged cancelled pending stale offline credentials icon; do
				convert "$name.png" -resize "${size}x${size}" \
					-background "$bg" -gravity center -extent 28x28 +repage \
					"$tmp/$tag-$size-$name.png"
			done
		done
	done
	# One row per background and size, columns in a fixed order.
	for bg in white 2b2b2b; do
		for size in 16 22 24; do
			convert $(for name in running succeeded failed acknowledged cancelled pending stale offline credentials icon; do
				printf '%s ' "$tmp/$bg-$size-$name.png"; done) +append "$tmp/row-$bg-$size.png"
		done
	done
	convert "$tmp"/row-white-16.png "$tmp"/row-white-22.png "$tmp"/row-white-24.png \
		"$tmp"/row-2b2b2b-16.png "$tmp"/row-2b2b2b-22.png "$tmp"/row-2b2b2b-24.png \
		-append -filter point -resize 400% preview.png
	echo "wrote preview.png"
fi
