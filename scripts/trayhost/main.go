//go:build ignore

// Command trayhost stands in for a desktop's tray host on the session bus,
// as the end-to-end tests do: it owns org.kde.StatusNotifierWatcher, accepts
// every item, and swallows notifications. It prints "ready" once it owns the
// names and runs until killed.
package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName = "org.kde.StatusNotifierWatcher"
	watcherPath = "/StatusNotifierWatcher"
)

type watcher struct{}

func (watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	log.Printf("trayhost: item %s%s registered", sender, service)
	return nil
}

func (watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

type notifications struct{ n uint32 }

func (s *notifications) Notify(_ string, _ uint32, _ string, summary, _ string,
	_ []string, _ map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	s.n++
	log.Printf("trayhost: notification %q", summary)
	return s.n, nil
}

func (*notifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "body-markup"}, nil
}

func (*notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "trayhost", "runwatch", "1", "1.2", nil
}

func (*notifications) CloseNotification(uint32) *dbus.Error { return nil }

func main() {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		log.Fatalf("trayhost: %v", err)
	}
	must(conn.Export(watcher{}, watcherPath, watcherName))
	_, err = prop.Export(conn, watcherPath, map[string]map[string]*prop.Prop{watcherName: {
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
	}})
	must(err)
	must(conn.Export(&notifications{}, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"))
	for _, name := range []string{watcherName, "org.freedesktop.Notifications"} {
		reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
		if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
			log.Fatalf("trayhost: own %s: reply %v, err %v", name, reply, err)
		}
	}
	fmt.Println("ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}

func must(err error) {
	if err != nil {
		log.Fatalf("trayhost: %v", err)
	}
}
