package tray

import "runwatch/ui/view"

// Menu is the tray as the loop draws it: fyne.io/systray in the app
// (systrayMenu), a fake in tests. Only the loop calls it.
type Menu interface {
	// Reset removes every item; clicks on them are no longer delivered.
	Reset()
	// AddItem adds line to the menu (parent nil) or to the submenu of
	// parent, an item AddItem returned, and returns the new item. A click
	// on it delivers line on Clicks.
	AddItem(parent Item, line view.MenuLine) Item
	// AddSeparator adds a separator to the menu or to parent's submenu.
	AddSeparator(parent Item)
	// SetIcon shows a PNG as the tray icon.
	SetIcon(png []byte)
	// SetTooltip sets the text shown on hovering the icon.
	SetTooltip(text string)
	// Clicks delivers the line of each item a person chose.
	Clicks() <-chan view.MenuLine
}

// Item is a menu item a Menu made; nil stands for the menu itself.
type Item any

// addLines adds lines, and their submenus, to menu under parent.
func addLines(menu Menu, parent Item, lines []view.MenuLine) {
	for _, l := range lines {
		if l.Separator {
			menu.AddSeparator(parent)
			continue
		}
		item := menu.AddItem(parent, l)
		if len(l.Children) > 0 {
			addLines(menu, item, l.Children)
		}
	}
}
