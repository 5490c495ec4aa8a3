package transfer

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"steward/store"
)

// bigAccountsCSV writes n account rows (plus an ARR change of the fixture's
// 001A) to a file, owners taken from the fixture's team.
func bigAccountsCSV(t testing.TB, n int) string { return genAccountsCSV(t, n, false) }

// genAccountsCSV is bigAccountsCSV; with randomIDs the external IDs look
// like Salesforce IDs in no particular order (as in an export sorted by
// name).
func genAccountsCSV(t testing.TB, n int, randomIDs bool) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	owners := []string{"Omar Haddad", "lena@example.com", "Maya Chen", ""}
	segs := []string{"Enterprise", "Mid-Market", "SMB", ""}
	fmt.Fprintln(w, "Account ID,Account Name,Account Owner,ARR,Renewal Date,Seats,Active Users,NPS,Segment,Last Touch,Type,Industry")
	fmt.Fprintln(w, "001A,Acme Corp,Omar Haddad,\"$150,000.00\",2026-04-15,100,70,9,,2026-02-28,Customer,Tech")
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("B%07d", i)
		if randomIDs {
			id = fmt.Sprintf("0015g%010X", uint64(i)*0x9E3779B97F4A7C15>>24)
		}
		fmt.Fprintf(w, "%s,\"Generated Account %d, Ltd\",%s,\"%d.%02d\",2026-%02d-%02d,%d,%d,%d,%s,2026-02-%02d,Customer,Retail\n",
			id, i, owners[i%len(owners)], 1000+i%200000, i%100, 1+i%12, 1+i%28, 10+i%500, i%400, i%11, segs[i%len(segs)], 1+i%28)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKillChild is the child half of TestSIGKILLLeavesBeforeOrAfter: it
// imports a file and says when the write pass begins.
func TestKillChild(t *testing.T) {
	db, file := os.Getenv("TRANSFER_KILL_DB"), os.Getenv("TRANSFER_KILL_CSV")
	if db == "" {
		t.Skip("only run as a child of TestSIGKILLLeavesBeforeOrAfter")
	}
	last := 0
	_, err := Import(db, testOpt, file, opts(ImportOptions{Progress: func(rows int, _ int64) {
		if rows < last {
			fmt.Println("WRITING")
		}
		last = rows
	}}))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("DONE")
}

// A SIGKILL at any moment of an import leaves the database exactly as before
// or exactly as after: a child process imports 10,000 rows and is killed at
// random moments, half of them inside the write transaction.
func TestSIGKILLLeavesBeforeOrAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	base := fixtureDB(t)
	file := bigAccountsCSV(t, 10_000)
	before := export(t, base, Accounts, "csv")
	afterDB := filepath.Join(t.TempDir(), "after.db")
	copyFile(t, base, afterDB)
	mustImport(t, afterDB, file, ImportOptions{})
	after := export(t, afterDB, Accounts, "csv")
	if before == after {
		t.Fatal("the import changes nothing")
	}

	// One child runs to the end, to learn how long the passes take here.
	run := func(db string) (*exec.Cmd, chan string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "TRANSFER_KILL_DB="+db, "TRANSFER_KILL_CSV="+file)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 64)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		return cmd, lines
	}
	waitFor := func(lines chan string, what string) bool {
		for l := range lines {
			if strings.Contains(l, what) {
				return true
			}
		}
		return false
	}
	probe := filepath.Join(t.TempDir(), "probe.db")
	copyFile(t, base, probe)
	start := time.Now()
	cmd, lines := run(probe)
	if !waitFor(lines, "WRITING") {
		t.Fatal("the child never reached the write pass")
	}
	writeAt := time.Since(start)
	if !waitFor(lines, "DONE") {
		t.Fatal("the child did not finish")
	}
	total := time.Since(start)
	cmd.Wait()
	if got := export(t, probe, Accounts, "csv"); got != after {
		t.Fatal("an uninterrupted child import differs from the in-process one")
	}

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	counts := map[string]int{}
	const attempts = 6
	for attempt := 0; attempt < attempts; attempt++ {
		db := filepath.Join(t.TempDir(), "kill.db")
		copyFile(t, base, db)
		cmd, lines := run(db)
		phase := "reading"
		if attempt%2 == 1 {
			// Kill somewhere inside the write transaction (or its commit).
			if waitFor(lines, "WRITING") {
				phase = "writing"
			}
			time.Sleep(time.Duration(rng.Int63n(int64(total-writeAt) + 1)))
		} else {
			// Kill at a moment spread over the whole run, and past it.
			time.Sleep(time.Duration(float64(total) * (float64(attempt) + rng.Float64()) / attempts * 1.2))
		}
		for done := false; !done; {
			select {
			case l, ok := <-lines:
				if !ok || strings.Contains(l, "DONE") {
					phase, done = "done", true
				} else if strings.Contains(l, "WRITING") {
					phase = "writing"
				}
			default:
				done = true
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		for range lines {
		}

		rep, err := store.Check(db, testOpt)
		if err != nil || len(rep.Problems) > 0 {
			t.Fatalf("attempt %d: check after SIGKILL: %v %v", attempt, err, rep.Problems)
		}
		state := ""
		switch got := export(t, db, Accounts, "csv"); got {
		case before:
			state = "before"
		case after:
			state = "after"
		default:
			t.Fatalf("attempt %d (killed while %s): the database is neither as before nor as after the import (%d vs %d/%d bytes)", attempt, phase, len(got), len(before), len(after))
		}
		counts["killed while "+phase+", found "+state]++
	}
	t.Logf("child run: write pass from %v, done at %v", writeAt, total)
	t.Logf("after SIGKILL: %v", counts)
	inWrite := 0
	for k, n := range counts {
		if strings.HasPrefix(k, "killed while writing") {
			inWrite += n
		}
	}
	if inWrite == 0 {
		t.Errorf("no child was killed inside the write transaction: %v", counts)
	}
}
