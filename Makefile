# The whole set-up on a fresh Debian/Ubuntu machine: `make demo` runs the app,
# `make test` runs every check. Both install what they need first.

SHELL := /bin/bash
GO ?= go
BIN := runwatch

# Debian packages to build a cgo Fyne app (GLFW 3.4 wants the Wayland ones too)
# and to test it headless (desktop-file-utils checks the launcher).
DEB_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev wayland-protocols \
	xvfb xauth dbus imagemagick x11-utils xdotool dbus-x11 procps desktop-file-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"
# The config of the session bus `make test` runs the tests on: no service dirs.
TEST_BUS_CONFIG := $(CURDIR)/internal/dbustest/session.conf
# Where `make install` puts runwatch; DESTDIR, if given, is prepended (staging).
PREFIX ?= $(HOME)/.local
# The launcher's name, Name, icon and ID come from FyneApp.toml.
DESKTOPFILE = $(GO) run ./scripts/desktopfile

.PHONY: deps deps-windows build windows demo test bench install uninstall

## deps: install the missing Debian packages (quietly; nothing when all are there)
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is needed: https://go.dev/doc/install"; exit 1; }

## build: the runwatch binary (the first cgo build of Fyne takes minutes)
build: deps
	$(GO) build -o $(BIN) .

## deps-windows: the MinGW-w64 cross compiler for `make windows` (not part of deps)
deps-windows:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES=gcc-mingw-w64-x86-64

## windows: runwatch.exe for 64-bit Windows, cross-compiled with cgo
windows: deps-windows
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -o $(BIN).exe .

## demo: run the app; with --demo (a simulated Cloud Run) unless Google Cloud is configured
demo: build
	@project="$${GOOGLE_CLOUD_PROJECT:-$$(gcloud config get-value project 2>/dev/null || true)}"; \
	adc="$${GOOGLE_APPLICATION_CREDENTIALS:-$$HOME/.config/gcloud/application_default_credentials.json}"; \
	if [ -n "$$project" ] && [ -f "$$adc" ]; then flags="--project $$project"; else flags="--demo"; echo "no Google Cloud config: running with --demo"; fi; \
	if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "no display: running under Xvfb (screenshots: DISPLAY=... import -window root shot.png)"; \
		$(XVFB) dbus-run-session -- ./$(BIN) $$flags; \
	else \
		./$(BIN) $$flags; \
	fi

## install: the binary, its launcher and its icon under $(DESTDIR)$(PREFIX) (default ~/.local)
install: build
	@set -e; id=$$($(DESKTOPFILE) -get id FyneApp.toml); icon=$$($(DESKTOPFILE) -get icon FyneApp.toml); \
	root="$(DESTDIR)$(PREFIX)"; \
	install -Dm755 $(BIN) "$$root/bin/$(BIN)"; \
	install -d "$$root/share/applications"; \
	$(DESKTOPFILE) -exec "$(PREFIX)/bin/$(BIN)" -o "$$root/share/applications/$$id.desktop" FyneApp.toml; \
	install -Dm644 "$$icon" "$$root/share/icons/hicolor/256x256/apps/$$id.png"; \
	echo "installed $$root/bin/$(BIN), $$root/share/applications/$$id.desktop and its icon"

## uninstall: remove what install put there, and a login entry that starts this binary
uninstall:
	@set -e; id=$$($(DESKTOPFILE) -get id FyneApp.toml); root="$(DESTDIR)$(PREFIX)"; \
	rm -f "$$root/bin/$(BIN)" "$$root/share/applications/$$id.desktop" \
		"$$root/share/icons/hicolor/256x256/apps/$$id.png"; \
	login="$${XDG_CONFIG_HOME:-$$HOME/.config}/autostart/$$id.desktop"; \
	if [ -z "$(DESTDIR)" ] && grep -qF "$(PREFIX)/bin/$(BIN)" "$$login" 2>/dev/null; then rm -f "$$login"; echo "removed $$login"; fi; \
	echo "removed runwatch from $$root"

## test: formatting, a tidy go.mod, vet and every test, headless under Xvfb and a private D-Bus session
# (TEST_BUS_CONFIG: a session bus that activates no service, so an installed
# notification daemon such as dunst never answers in place of a test's own)
test: deps
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod is not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	$(XVFB) dbus-run-session --config-file=$(TEST_BUS_CONFIG) -- $(GO) test -race -count=1 -timeout 30m ./...

## bench: benchmarks with their figures
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
