package view

import (
	"fmt"
	"strings"
	"time"

	"runwatch/poller"
)

// MenuAction is what choosing a tray menu item does.
type MenuAction int

// The tray menu's actions.
const (
	ActNone          MenuAction = iota // a line that only says something
	ActDetails                         // open Resource's details
	ActAcknowledge                     // acknowledge Resource's error
	ActSnoozeHour                      // snooze notifications for an hour
	ActSnoozeMorning                   // snooze them until tomorrow 08:00
	ActResume                          // end the snooze
	ActShow                            // show the executions window
	ActRefresh                         // refresh now
	ActPause                           // pause or unpause notifications
	ActSettings                        // open the settings window
	ActQuit                            // quit runwatch
	ActRunAgain                        // open Resource's details asking to run its job again
	ActCancel                          // open Resource's details asking to cancel it
)

// MenuLine is one tray menu item as decided from the status; a toolkit
// (Fyne's tray, or fyne.io/systray directly) only displays it.
type MenuLine struct {
	Label    string
	Action   MenuAction
	Resource string // of ActDetails, ActAcknowledge, ActRunAgain and ActCancel
	Disabled bool
	Checked  bool // ActPause: notifications are paused
	// Mnemonic: the label's first letter is its access key (Alt+S), where
	// the toolkit has them (dbusmenu).
	Mnemonic  bool
	Separator bool
	Children  []MenuLine
}

// TrayMenuOf decides the tray menu: the summary, the newest executions,
// what can be done about the newest failure, snoozing, and the app's actions.
func TrayMenuOf(st Status, now time.Time, paused bool) []MenuLine {
	sep := MenuLine{Separator: true}
	lines := []MenuLine{{Label: TraySummary(st, now), Disabled: true}}
	switch n := st.Undelivered; {
	case n == 1:
		lines = append(lines, MenuLine{Label: "1 notification not delivered (no notification server)", Disabled: true})
	case n > 1:
		lines = append(lines, MenuLine{Label: fmt.Sprintf("%d notifications not delivered (no notification server)", n), Disabled: true})
	}
	lines = append(lines, sep)
	for _, entry := range MenuEntries(st.Snapshot, now) {
		lines = append(lines, MenuLine{Label: entry.Label, Action: ActDetails, Resource: entry.Resource})
	}
	if len(st.Snapshot.Executions) > 0 {
		lines = append(lines, sep)
	}
	lines = append(lines, actionLines(st, now)...)
	if until := st.Snapshot.SnoozedUntil; !until.IsZero() {
		lines = append(lines, MenuLine{Label: "Resume notifications (snoozed until " + until.Local().Format("Mon 15:04") + ")", Action: ActResume})
	} else {
		lines = append(lines, MenuLine{Label: "Snooze notifications", Children: []MenuLine{
			{Label: "For 1 hour", Action: ActSnoozeHour},
			{Label: "Until tomorrow 08:00", Action: ActSnoozeMorning},
		}})
	}
	return append(lines,
		MenuLine{Label: "Show executions", Action: ActShow, Mnemonic: true},
		MenuLine{Label: "Refresh now", Action: ActRefresh},
		MenuLine{Label: "Pause notifications", Action: ActPause, Checked: paused},
		MenuLine{Label: "Settings…", Action: ActSettings},
		sep,
		MenuLine{Label: "Quit", Action: ActQuit},
	)
}

// actionLines are what the menu offers to do about executions: acknowledge
// the failure that colours the icon and run its job again, and cancel the
// newest execution while it runs. Run again and Cancel open the
// execution's details with the confirmation: the menu never acts on Cloud
// Run unasked.
func actionLines(st Status, now time.Time) []MenuLine {
	var lines []MenuLine
	colouring := Colouring(st, now)
	for _, f := range colouring {
		if !f.Acknowledged {
			lines = append(lines, MenuLine{Label: "Acknowledge " + f.Name + "'s error", Action: ActAcknowledge, Resource: f.Resource})
			colouring = []poller.Execution{f} // the one run again, too
			break
		}
	}
	if len(colouring) > 0 {
		n := nameOf(colouring[0])
		lines = append(lines, MenuLine{Label: "Run " + n.Job + " again in " + n.Region + "…", Action: ActRunAgain, Resource: colouring[0].Resource})
	}
	if execs := st.Snapshot.Executions; len(execs) > 0 && Offered(execs[0], ConfirmCancel) && trusted(st, execs[0], now) {
		lines = append(lines, MenuLine{Label: "Cancel " + execs[0].Name + "…", Action: ActCancel, Resource: execs[0].Resource})
	}
	return lines
}

// SnoozeUntil is when a snooze action ends (zero for ActResume).
func SnoozeUntil(a MenuAction, now time.Time) time.Time {
	switch a {
	case ActSnoozeHour:
		return now.Add(time.Hour)
	case ActSnoozeMorning:
		return TomorrowMorning(now)
	}
	return time.Time{}
}

// Take records a refresh's snapshot: LastSuccess moves when a region
// answered, and starts over for another project or job.
func (st *Status) Take(snap poller.Snapshot) {
	if prev := st.Snapshot; prev.Project != snap.Project || prev.Job != snap.Job {
		st.LastSuccess = time.Time{} // another project or job: its own refreshes count
	}
	st.Snapshot, st.HasSnapshot, st.Problem = snap, true, ""
	if !allRegionsFailed(snap) {
		st.LastSuccess = snap.TakenAt
	}
}

// TomorrowMorning is 08:00 local time on the day after now.
func TomorrowMorning(now time.Time) time.Time {
	now = now.Local()
	return time.Date(now.Year(), now.Month(), now.Day()+1, 8, 0, 0, 0, now.Location())
}

// MenuKey sums a menu up: two menus with the same key look and act the
// same, so a tray need not resend it (resending resets a menu a person has
// open).
func MenuKey(lines []MenuLine) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s|%d|%s|%t|%t|%t|%t[%s]\n", l.Label, l.Action, l.Resource, l.Disabled, l.Checked, l.Mnemonic, l.Separator, MenuKey(l.Children))
	}
	return b.String()
}

// WindowAtStart decides whether the executions window opens at start: for
// --demo, and where no tray host would show the icon; forced, it goes when
// a tray host comes unless a person used it.
func WindowAtStart(demo, trayHost bool) (show, forced bool) {
	switch {
	case demo:
		return true, false
	case !trayHost:
		return true, true
	}
	return false, false
}
