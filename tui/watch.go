package tui

import (
	"path/filepath"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/fsnotify/fsnotify"
)

// How the dashboard learns that the file changed (README, "Performance",
// idle): the kernel tells it (inotify through fsnotify), so a change made
// elsewhere is read at once and an idle dashboard sleeps. A slow stat
// still runs every watchedPoll, in case a notice is lost (an overflowing
// event queue, a file system that sends none for writes made on another
// machine); where no watch can be set up, the stat runs every
// pollInterval as before.
const watchedPoll = 2 * time.Second

// fileWatch wakes the dashboard when its database file may have changed.
type fileWatch struct {
	w    *fsnotify.Watcher
	name string // the file's base name: the watch is on its folder, so a
	// file replaced by a rename (a restore) is still seen
	mu sync.Mutex // one wait at a time takes the events
}

// watchFile watches path's folder, or returns nil when it cannot (then
// the dashboard polls).
func watchFile(path string) *fileWatch {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err == nil {
		err = w.Add(filepath.Dir(abs))
	}
	if err != nil {
		w.Close()
		return nil
	}
	return &fileWatch{w: w, name: filepath.Base(abs)}
}

func (f *fileWatch) Close() {
	if f != nil {
		f.w.Close()
	}
}

// wait returns when the file may have changed, or after d, or when done
// is closed (nil: never).
func (f *fileWatch) wait(d time.Duration, done <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case ev, ok := <-f.w.Events:
			if !ok {
				select { // closed: behave like a poll
				case <-t.C:
				case <-done:
				}
				return
			}
			if filepath.Base(ev.Name) == f.name {
				return
			}
		case _, ok := <-f.w.Errors:
			if ok {
				return // a lost event (queue overflow): look now
			}
		case <-t.C:
			return
		case <-done:
			return
		}
	}
}

// nextPoll is the command that sends the next pollMsg: when the watch says
// the file moved, or at the slow stat; without a watch, at pollInterval.
func (m *Model) nextPoll() tea.Cmd {
	if m.watch == nil {
		return pollTick()
	}
	w := m.watch
	return func() tea.Msg {
		w.wait(watchedPoll, nil)
		return pollMsg{}
	}
}
