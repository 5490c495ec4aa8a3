package main

import (
	"bytes"
	"context"
	enc "encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
	"steward/store"
)

// TestBadFileSweep is the bad-file sweep of issue 8 as a test: every kind
// of bad file a person can point steward at, times every command that
// opens a database, the dashboard included. For every run: no panic, no
// fatal error, no hang; a failure is one line on stderr that names the
// file and says how to fix it; and a file that `steward check` calls
// damaged is byte for byte the same after every command (sha256).
//
// Random flips are not all detectable: a flip in free space, in a page's
// unused tail, in a meta page's padding or inside a name's bytes leaves a
// file that is, as far as any check can tell, sound (it reads, it
// verifies). Those copies are still run through every command for the
// no-crash, no-hang and one-line rules; only the ones check calls damaged
// are held to "never modified".
func TestBadFileSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("the bad-file sweep runs every command on ~50 bad files")
	}
	dir, err := os.MkdirTemp("", "sweep")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	base := sweepBase(t, dir)
	shapes := sweepShapes(t, dir, base)

	csv := filepath.Join(dir, "rows.csv")
	os.WriteFile(csv, []byte("Account ID,Account Name,ARR\nSWEEP-1,Sweep Co,1000\n"), 0o600)

	var tm func(args ...string) string
	if _, err := exec.LookPath("tmux"); err == nil {
		tm, _ = tmuxServer(t, "sweep")
		tm("new-session", "-d", "-s", "idle", "sleep", "600")
	} else {
		t.Log("tmux is not installed: the dashboard is left out of the sweep (CI installs it)")
	}

	var (
		mu       sync.Mutex
		damaged  int
		readable int
	)
	work := make(chan sweepShape)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sh := range work {
				d, r := sweepOne(t, dir, sh, csv, tm)
				mu.Lock()
				if d {
					damaged++
				}
				if r {
					readable++
				}
				mu.Unlock()
			}
		}()
	}
	for _, sh := range shapes {
		work <- sh
	}
	close(work)
	wg.Wait()
	t.Logf("%d shapes: %d called damaged by check (all but the undetectable flips), %d opened by the dashboard", len(shapes), damaged, readable)
}

type sweepShape struct {
	name string
	path string
	file bool // a regular file whose bytes must not change when damaged
}

// sweepBase is a 300-account demo database without this week's snapshots,
// so that the dashboard takes its automatic snapshot (a write) on open.
func sweepBase(t *testing.T, dir string) string {
	t.Helper()
	db := filepath.Join(dir, "base.db")
	r := steward(t, "demo", "--accounts", "300", "--db", db, "--no-tui")
	if r.code != 0 {
		t.Fatalf("demo: %s", r.stderr)
	}
	week := uint32(metrics.WeekOf(metrics.DateOf(time.Now())))
	b, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(func(tx *bolt.Tx) error {
		snaps, idx := tx.Bucket([]byte("snapshots")), tx.Bucket([]byte("snapshots_by_week"))
		var drop [][]byte
		snaps.ForEach(func(k, _ []byte) error {
			if len(k) == 12 && enc.BigEndian.Uint32(k[8:]) >= week {
				drop = append(drop, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range drop {
			if err := snaps.Delete(k); err != nil {
				return err
			}
			if err := idx.Delete(append(bytes.Clone(k[8:12]), k[:8]...)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func sweepShapes(t *testing.T, dir, base string) []sweepShape {
	t.Helper()
	good, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var shapes []sweepShape
	add := func(name string, b []byte) {
		p := filepath.Join(dir, name+".db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		shapes = append(shapes, sweepShape{name: name, path: p, file: true})
	}
	r := rand.New(rand.NewSource(9))
	random := make([]byte, 64<<10)
	r.Read(random)
	add("random", random)
	add("empty", nil)
	add("text", []byte("Account,ARR\nAcme,100\nthis is a CSV, not a database\n"))
	os.Mkdir(filepath.Join(dir, "folder.db"), 0o700)
	shapes = append(shapes, sweepShape{name: "directory", path: filepath.Join(dir, "folder.db")})
	shapes = append(shapes, sweepShape{name: "devnull", path: os.DevNull})
	fifo := filepath.Join(dir, "fifo.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	shapes = append(shapes, sweepShape{name: "fifo", path: fifo})
	for name, size := range map[string]int{
		"cut-4k": 4096, "cut-10pct": len(good) / 10, "cut-50pct": len(good) / 2, "cut-last-4k": len(good) - 4096,
	} {
		add(name, good[:size])
	}

	ps := int(enc.LittleEndian.Uint32(good[16+8:]))
	hwm := int(enc.LittleEndian.Uint64(good[16+40:]))
	if m1 := good[ps+16:]; enc.LittleEndian.Uint64(m1[48:]) > enc.LittleEndian.Uint64(good[16+48:]) {
		hwm = int(enc.LittleEndian.Uint64(m1[40:]))
	}
	for i := 0; i < 40; i++ {
		b := bytes.Clone(good)
		for j := 0; j < 1+r.Intn(3); j++ {
			var off int
			if i%2 == 0 {
				off = r.Intn(8192)
			} else {
				off = 2*ps + r.Intn((hwm-2)*ps)
			}
			b[off] ^= byte(1 + r.Intn(255))
		}
		add(fmt.Sprintf("flip%02d", i), b)
	}

	// A zeroed leaf page and a zeroed branch page, found by walking the
	// pages' headers: flags 0x02 leaf, 0x01 branch. A freed page keeps
	// its old header, and zeroing it harms nothing: bbolt's freelist
	// tells them apart.
	inUse := func(id int) bool {
		db, err := bolt.Open(base, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		used := false
		db.View(func(tx *bolt.Tx) error {
			info, err := tx.Page(id)
			used = err == nil && info != nil && info.Type != "free"
			return nil
		})
		return used
	}
	zeroed := map[uint16]bool{}
	for id := 2; id < hwm && len(zeroed) < 2; id++ {
		p := good[id*ps:]
		flags := enc.LittleEndian.Uint16(p[8:])
		if enc.LittleEndian.Uint64(p) != uint64(id) || zeroed[flags] || (flags != 1 && flags != 2) || !inUse(id) {
			continue
		}
		b := bytes.Clone(good)
		clear(b[id*ps : (id+1)*ps])
		add(map[uint16]string{1: "zeroed-branch", 2: "zeroed-leaf"}[flags], b)
		zeroed[flags] = true
	}
	if len(zeroed) != 2 {
		t.Fatalf("the base database has no branch page or no leaf page to zero: %v", zeroed)
	}
	return shapes
}

// sweepOne runs every command on one bad file and checks every rule. It
// reports whether check called the file damaged, and whether the
// dashboard opened it.
func sweepOne(t *testing.T, dir string, sh sweepShape, csv string, tm func(args ...string) string) (damaged, opened bool) {
	var before []byte
	if sh.file {
		before, _ = os.ReadFile(sh.path)
	}
	run := func(args ...string) result {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, append([]string{"--db", sh.path, "--lock-timeout", "2s"}, args...)...)
		cmd.Env = append(os.Environ(), "STEWARD_DB=", "NO_COLOR=1")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		r := result{stdout: out.String(), stderr: errb.String()}
		var ee *exec.ExitError
		switch {
		case ctx.Err() != nil:
			t.Errorf("%s: steward %v hung (killed after 20 s)", sh.name, args)
			r.code = -1
		case errors.As(err, &ee):
			r.code = ee.ExitCode()
		case err != nil:
			t.Errorf("%s: steward %v: %v", sh.name, args, err)
		}
		return r
	}

	check := run("check")
	damaged = check.code != 0
	// Cutting the last 4 KiB may cut only the unused tail bbolt grows files by.
	if !damaged && !strings.HasPrefix(sh.name, "flip") && sh.name != "cut-last-4k" {
		t.Errorf("%s: check calls it sound: %q", sh.name, check.stdout)
	}
	sweepLine(t, sh, "check", check, damaged)
	// The dashboard first: on a file nothing has written to yet, this
	// week has no snapshot, so it tries to take one.
	if tm != nil {
		opened = sweepDashboard(t, dir, sh, tm, damaged)
	}
	for i, args := range [][]string{
		{"report"},
		{"export", "accounts"},
		{"settings", "get"},
		{"backup", filepath.Join(dir, fmt.Sprintf("bak-%s-%d.db", sh.name, 0))},
		{"snapshot"},
		{"settings", "set", "weights.adoption", "40"},
		{"import", csv},
	} {
		r := run(args...)
		sweepLine(t, sh, strings.Join(args[:1], " "), r, damaged)
		if damaged && i >= 3 && r.code == 0 {
			t.Errorf("%s: %v succeeded on a file check calls damaged", sh.name, args)
		}
	}
	if sh.file && damaged {
		if after, _ := os.ReadFile(sh.path); !bytes.Equal(before, after) {
			t.Errorf("%s: the damaged file was modified (%d bytes before, %d after)", sh.name, len(before), len(after))
		}
	}
	return damaged, opened
}

// crashWords are what a crash leaves on stderr.
var crashWords = []string{"panic", "goroutine ", "fatal error", "SIGSEGV", "SIGBUS", "unexpected fault", "internal error", ".go:"}

// fixWords are the ways a message says how to get out of it.
var fixWords = []string{"restore it from a backup", "restore it from an earlier backup", "give --db the path of a database file", "free some space"}

// sweepLine applies the one-line rule to one run: a failure is exactly one
// line naming the file and a fix; a success prints at most one line, the
// damage warning, and only on a damaged file.
func sweepLine(t *testing.T, sh sweepShape, what string, r result, damaged bool) {
	t.Helper()
	for _, w := range crashWords {
		if strings.Contains(r.stderr, w) {
			t.Errorf("%s: %s crashed (%q on stderr): %.400q", sh.name, what, w, r.stderr)
			return
		}
	}
	text := strings.TrimRight(r.stderr, "\n")
	lines := strings.Split(text, "\n")
	switch {
	case r.code == 0 && text == "":
		return
	case r.code == 0 && damaged && len(lines) == 1 && strings.Contains(text, "warning:") && strings.Contains(text, "is damaged"):
	case r.code == 0:
		t.Errorf("%s: %s succeeded but printed %q", sh.name, what, text)
		return
	case len(lines) != 1:
		t.Errorf("%s: %s: %d lines on stderr, want one: %.400q", sh.name, what, len(lines), text)
		return
	}
	if !strings.Contains(text, sh.path) {
		t.Errorf("%s: %s: the message does not name the file: %q", sh.name, what, text)
	}
	fix := false
	for _, w := range fixWords {
		fix = fix || strings.Contains(text, w)
	}
	if !fix {
		t.Errorf("%s: %s: the message says no fix: %q", sh.name, what, text)
	}
	if strings.Contains(text, "delete it") && !sh.file {
		t.Errorf("%s: %s: advice to delete something that is not a regular file: %q", sh.name, what, text)
	}
}

// sweepDashboard opens the dashboard on the file in tmux. On a file it
// cannot read it must exit 1 with one line; on a file it can read it
// opens, tries this week's snapshot (refused on a damaged file: the status
// line says so) and quits cleanly with q.
func sweepDashboard(t *testing.T, dir string, sh sweepShape, tm func(args ...string) string, damaged bool) bool {
	session := "d-" + sh.name
	errf, codef := filepath.Join(dir, session+".err"), filepath.Join(dir, session+".code")
	// timeout: a dashboard this test could not quit (the test died) must
	// not linger in a tmux server nobody kills.
	script := fmt.Sprintf("NO_COLOR=1 STEWARD_DB= timeout --foreground 90 %q --db %q --lock-timeout 2s 2>%q; echo $? >%q; sleep 30", binary, sh.path, errf, codef)
	tm("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "sh", "-c", script)
	defer tm("kill-session", "-t", session)
	code := func() (string, bool) {
		b, err := os.ReadFile(codef)
		return strings.TrimSpace(string(b)), err == nil && len(b) > 0
	}
	opened, quitSent, unseen := false, false, false
	var openedAt time.Time
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, ok := code(); ok {
			stderr, _ := os.ReadFile(errf)
			r := result{stderr: string(stderr)}
			fmt.Sscan(c, &r.code)
			if opened && r.code != 0 {
				t.Errorf("%s: the dashboard opened, then exited %d: %s", sh.name, r.code, r.stderr)
			}
			sweepLine(t, sh, "dashboard", r, damaged)
			if unseen && !damaged {
				// The outcome on disk instead: a sound file has this
				// week's snapshot (a damaged one is held to "unchanged"
				// by the sha256 check).
				week := metrics.WeekOf(metrics.DateOf(time.Now()))
				var has bool
				if err := store.View(sh.path, store.Options{ReadOnly: true}, func(tx *store.Tx) error { has = tx.HasWeek(week); return nil }); err != nil || !has {
					t.Errorf("%s: the dashboard opened a sound file but took no snapshot of %s (%v)", sh.name, week, err)
				}
			}
			return opened
		}
		screen := tm("capture-pane", "-p", "-t", session)
		// The tabs are drawn while the first load runs; the review title
		// only once it has loaded.
		if strings.Contains(screen, "Monday review") && !opened {
			opened, openedAt = true, time.Now()
		}
		if opened && !quitSent {
			// Wait for the automatic snapshot's outcome, then quit.
			took := strings.Contains(screen, "Snapshot of")
			refused := strings.Contains(screen, "snapshot was not taken")
			if took && damaged {
				t.Errorf("%s: the dashboard took a snapshot of a damaged file", sh.name)
			}
			// 15 s: a loaded CI machine once needed more than 5 for the
			// snapshot (a full check, then a write of every account).
			if took || refused || time.Since(openedAt) > 15*time.Second {
				if !took && !refused {
					// Seen twice in nine CI runs, on different shapes, with
					// every package's tests running at once: the outcome is
					// checked on disk once the dashboard has quit instead
					// (README, "A damaged file" says what the user sees).
					unseen = true
					t.Logf("%s: the automatic snapshot's status was not seen within 15 s:\n%s", sh.name, screen)
				}
				tm("send-keys", "-t", session, "q")
				quitSent = true
			}
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: the dashboard neither opened nor exited within 20 s:\n%s", sh.name, screen)
			return opened
		}
		time.Sleep(100 * time.Millisecond)
	}
}
