package serve

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"steward/metrics"
	"steward/serve/servetest"
	"steward/store"
	"steward/store/demo"
)

// The team server's targets (README, "Serve your team"), measured on the
// real `steward serve` process with real SSH clients: a portfolio of
// STEWARD_BENCH_ACCOUNTS accounts (default 100,000; STEWARD_BENCH_DB names
// an existing file instead) and benchSessions sessions.
//
//	go test ./serve -run '^$' -bench TeamServer -benchtime 20x
//
// It reports (a) change-to-visible in the other sessions, p50 and p99,
// (b) the server's resident memory (VmRSS, what ps shows) with one
// session and with all of them, and their ratio, (c) session open to
// first frame with the server warm.
const benchSessions = 30

var benchAccounts = func() int {
	if n, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_ACCOUNTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}()

var (
	benchOnce sync.Once
	benchDB   string
)

// BenchmarkTeamServer has every session on the review (the Monday
// meeting), then every session on the accounts view (each has built its
// own sort orders and filter index).
func BenchmarkTeamServer(b *testing.B) {
	benchOnce.Do(func() {
		if benchDB = os.Getenv("STEWARD_BENCH_DB"); benchDB != "" {
			return
		}
		dir, err := os.MkdirTemp("", "steward-serve-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDB = filepath.Join(dir, "bench.db")
		start := time.Now()
		if _, err := demo.Write(benchDB, demo.Options{Accounts: benchAccounts, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d accounts in %s", benchAccounts, time.Since(start).Round(time.Millisecond))
	})
	for _, view := range []string{"review", "accounts"} {
		b.Run(view, func(b *testing.B) { benchTeam(b, benchDB, view) })
	}
}

func benchTeam(b *testing.B, db, view string) {
	dir := b.TempDir()
	key := servetest.NewKey(b)
	var manager store.Member
	var green uint64
	err := store.Update(db, store.Options{}, func(tx *store.Tx) error {
		members, err := tx.Members()
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.Active && m.Role == store.RoleManager {
				manager = m
				break
			}
		}
		accts, err := tx.Accounts()
		if err != nil {
			return err
		}
		green = accts[len(accts)/2].ID
		if _, err := tx.MemberKey(key.Fingerprint); err == nil {
			return nil
		}
		_, err = tx.AddMemberKey(manager.ID, key.Line, store.Actor{}, time.Now())
		return err
	})
	if err != nil {
		b.Fatal(err)
	}

	srv := exec.Command(binary, "--db", db, "serve", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "host_key"), "--max-sessions", "100")
	logs, err := srv.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		re := regexp.MustCompile(`addr=(\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil && strings.Contains(sc.Text(), "listening") {
				addr <- m[1]
			}
		}
	}()
	var where string
	select {
	case where = <-addr:
	case <-time.After(2 * time.Minute):
		b.Fatal("the server did not start")
	}

	open := func() (*servetest.Term, time.Duration) {
		start := time.Now()
		c, err := servetest.Dial(where, gossh.PublicKeys(key.Signer))
		if err != nil {
			b.Fatal(err)
		}
		tm, err := servetest.Open(c, 200, 40)
		if err != nil {
			b.Fatal(err)
		}
		tm.WaitFor(b, 0, "Signed in as", time.Minute)
		took := time.Since(start)
		if view == "accounts" {
			m := tm.Mark()
			tm.Keys("3")
			tm.WaitFor(b, m, "accounts · sort", time.Minute)
		}
		return tm, took
	}
	// The first session warms the server (its first look at the shared
	// portfolio); the rest open on a warm server.
	first, _ := open()
	defer first.Close()
	time.Sleep(3 * time.Second) // the first frame's garbage released (tui: releaseSoon)
	rss1 := rssMB(b, srv.Process.Pid)
	terms := []*servetest.Term{first}
	var opens []time.Duration
	for len(terms) < benchSessions {
		tm, took := open()
		defer tm.Close()
		terms = append(terms, tm)
		opens = append(opens, took)
	}
	time.Sleep(3 * time.Second)
	rssN := rssMB(b, srv.Process.Pid)

	// Each round bands one account red or clears it again, from outside
	// (as a shell import would), and waits until every session's header
	// shows the new red count.
	redCount := regexp.MustCompile(`■ (\d+) red`)
	reds := func(tm *servetest.Term) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(tm.Find(0, redCount), "■ "), " red"))
		return n
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := reds(first)
		marks := make([]int, len(terms))
		for k, tm := range terms {
			marks[k] = tm.Mark()
		}
		err := store.Update(db, store.Options{}, func(tx *store.Tx) error {
			a, err := tx.Account(green)
			if err != nil {
				return err
			}
			if a.Override != nil {
				_, err = tx.ClearOverride(green, store.Actor{}, time.Now())
				return err
			}
			_, err = tx.SetOverride(green, metrics.Red, "benchmark", metrics.DateOf(time.Now()).AddDays(30), store.Actor{}, time.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for k, tm := range terms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				deadline := committed.Add(30 * time.Second)
				for {
					if m := tm.Find(marks[k], redCount); m != "" && m != fmt.Sprintf("■ %d red", before) {
						mu.Lock()
						lat = append(lat, time.Since(committed))
						mu.Unlock()
						return
					}
					if time.Now().After(deadline) {
						b.Errorf("session %d did not show the change", k)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(opens)
	pct := func(d []time.Duration, p float64) float64 {
		if len(d) == 0 {
			return 0
		}
		return float64(d[min(len(d)-1, int(float64(len(d))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(lat, 0.50), "change-p50-ms")
	b.ReportMetric(pct(lat, 0.99), "change-p99-ms")
	b.ReportMetric(pct(opens, 0.50), "open-p50-ms")
	b.ReportMetric(pct(opens, 0.99), "open-p99-ms")
	b.ReportMetric(rss1, "rss-1-MB")
	b.ReportMetric(rssN, fmt.Sprintf("rss-%d-MB", benchSessions))
	b.ReportMetric(rssN/rss1, "rss-ratio")
	b.ReportMetric(0, "ns/op")
}

// rssMB is the process's resident memory, as ps shows it.
func rssMB(b *testing.B, pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
