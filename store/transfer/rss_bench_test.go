package transfer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"steward/store/storetest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Resident memory of the real steward binary at 100,000 accounts (SPEC
// section 9, README "Performance"). Each benchmark builds steward, makes a
// demo portfolio with it (`steward demo --accounts 100000 --no-tui`) and
// reports the peak resident set (what ps shows, VmHWM: Go heap, runtime and
// the pages of the database file mapped while a transaction reads them) of
// one export or import process as peak-RSS-MB. A figure over the README's
// target fails the benchmark.
//
// Before each run the database file leaves the page cache (storetest.Evict), so the
// figure counts the file pages the process touches. Otherwise it depends on
// how the file was last written: Linux 6 keeps a file written in large
// chunks in large folios and maps a whole folio (up to 2 MB) on one page
// fault, which put 60 MB more into an import's resident set here.
//
//	go test ./store/transfer -run '^$' -bench RSS -benchtime 1x

const (
	rssAccounts     = 100_000
	exportRSSTarget = 100 // MB
	importRSSTarget = 200 // MB
)

var (
	rssOnce sync.Once
	rssDir  string
	rssBin  string
	rssDB   string
	rssErr  error
)

// TestMain removes what rssSetup made once every benchmark is done.
func TestMain(m *testing.M) {
	doneStamps := storetest.IsolateStamps()
	code := m.Run()
	if rssDir != "" {
		os.RemoveAll(rssDir)
	}
	doneStamps()
	os.Exit(code)
}

// rssSetup builds steward and the 100,000-account demo once per process.
func rssSetup(b *testing.B) {
	b.Helper()
	if runtime.GOOS != "linux" {
		b.Skip("peak resident memory is read from Linux's rusage")
	}
	rssOnce.Do(func() {
		if rssDir, rssErr = os.MkdirTemp("", "steward-rss-"); rssErr != nil {
			return
		}
		rssBin = filepath.Join(rssDir, "steward")
		if out, err := exec.Command("go", "build", "-o", rssBin, "steward").CombinedOutput(); err != nil {
			rssErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		rssDB = filepath.Join(rssDir, "demo.db")
		if out, err := exec.Command(rssBin, "demo", "--db", rssDB, "--accounts", strconv.Itoa(rssAccounts), "--no-tui").CombinedOutput(); err != nil {
			rssErr = fmt.Errorf("steward demo: %v\n%s", err, out)
		}
	})
	if rssErr != nil {
		b.Fatal(rssErr)
	}
}

// peakRSS runs steward with args, its standard output going to stdout (a
// file path, or os.DevNull), and returns the process's peak resident set
// in MB. The run goes through a small child (TestRSSChild): Linux counts
// the resident set of the process that starts a program with vfork, as Go
// does, in that program's peak, and this benchmark process is large.
func peakRSS(b *testing.B, stdout string, args ...string) float64 {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRSSChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "STEWARD_RSS_ARGS="+strings.Join(append([]string{rssBin}, args...), "\x1f"), "STEWARD_RSS_STDOUT="+stdout)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("steward %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if kb, ok := strings.CutPrefix(sc.Text(), "maxrss-kB "); ok {
			n, err := strconv.Atoi(kb)
			if err != nil {
				b.Fatal(err)
			}
			return float64(n) / 1024
		}
	}
	b.Fatalf("no peak reported:\n%s", out)
	return 0
}

// TestRSSChild runs one steward command for peakRSS and prints its peak
// resident set, from the rusage wait4 returns.
func TestRSSChild(t *testing.T) {
	spec := os.Getenv("STEWARD_RSS_ARGS")
	if spec == "" {
		t.Skip("only run as a child of the resident-memory benchmarks")
	}
	args := strings.Split(spec, "\x1f")
	out, err := os.OpenFile(os.Getenv("STEWARD_RSS_STDOUT"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v", args[1:], err)
	}
	fmt.Printf("maxrss-kB %d\n", cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
}

func reportRSS(b *testing.B, peaks []float64, target float64) {
	b.Helper()
	m := median(peaks)
	b.ReportMetric(m, "peak-RSS-MB")
	if m > target {
		b.Errorf("peak resident memory %.0f MB (runs: %.0f), target < %.0f MB", m, peaks, target)
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2]
}

// BenchmarkExportRSS exports the 100,000 accounts (with their computed
// health) to /dev/null; the figure is the median peak of b.N runs.
func BenchmarkExportRSS(b *testing.B) {
	rssSetup(b)
	for _, format := range []string{"csv", "json"} {
		b.Run(format, func(b *testing.B) {
			var peaks []float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				storetest.Evict(b, rssDB)
				b.StartTimer()
				peaks = append(peaks, peakRSS(b, os.DevNull, "--db", rssDB, "export", "accounts", "--format", format))
			}
			reportRSS(b, peaks, exportRSSTarget)
		})
	}
}

// BenchmarkImportRSS imports the demo's 100,000 accounts (its own CSV
// export): "new" into a database holding only its team (100,000 created),
// "refreshed" back into the demo itself (the export states health inputs,
// so every row dates them: 100,000 refreshed; README, data freshness), and
// "updated" into the demo with one more seat on every row (100,000
// updated).
func BenchmarkImportRSS(b *testing.B) {
	rssSetup(b)
	dir := b.TempDir()
	members, accounts := filepath.Join(dir, "members.csv"), filepath.Join(dir, "accounts.csv")
	for file, kind := range map[string]string{members: "members", accounts: "accounts"} {
		if out, err := exec.Command(rssBin, "--db", rssDB, "export", kind, "--out", file).CombinedOutput(); err != nil {
			b.Fatalf("export %s: %v\n%s", kind, err, out)
		}
	}
	steward := func(args ...string) {
		b.Helper()
		if out, err := exec.Command(rssBin, args...).CombinedOutput(); err != nil {
			b.Fatalf("steward %v: %v\n%s", args, err, out)
		}
	}
	b.Run("new", func(b *testing.B) {
		var peaks []float64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db := filepath.Join(b.TempDir(), "team.db")
			steward("--db", db, "import", members)
			storetest.Evict(b, db)
			b.StartTimer()
			peaks = append(peaks, peakRSS(b, os.DevNull, "--db", db, "import", accounts))
		}
		reportRSS(b, peaks, importRSSTarget)
	})
	updated := filepath.Join(dir, "updated.csv")
	moreSeats(b, accounts, updated)
	for name, file := range map[string]string{"refreshed": accounts, "updated": updated} {
		b.Run(name, func(b *testing.B) {
			var peaks []float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := filepath.Join(b.TempDir(), "demo.db")
				copyFile(b, rssDB, db)
				storetest.Evict(b, db)
				b.StartTimer()
				peaks = append(peaks, peakRSS(b, os.DevNull, "--db", db, "import", file))
			}
			reportRSS(b, peaks, importRSSTarget)
		})
	}
}

// moreSeats copies an accounts CSV with one more seat on every row.
func moreSeats(b *testing.B, src, dst string) {
	b.Helper()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	r, w := csv.NewReader(in), csv.NewWriter(out)
	col := -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		if col < 0 {
			col = slices.Index(rec, "Seats")
		} else {
			n, _ := strconv.Atoi(rec[col])
			rec[col] = strconv.Itoa(n + 1)
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
}
