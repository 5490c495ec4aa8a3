// Command steward is a keyboard-first terminal dashboard for managers who own
// a book of B2B client accounts. See README.md.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/log"
	"golang.org/x/term"

	"steward/metrics"
	"steward/serve"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
	"steward/store/transfer"
	"steward/tui"
)

// usageError is a mistake on the command line: exit code 2, with a hint.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// started is when this process began, as near as Go lets us see it: the
// dashboard's first-frame time counts from here (in the parent, which
// passes it to the dashboard's child).
var started = time.Now()

// clockEnv sets the clock steward runs by: a day (YYYY-MM-DD, at 09:00
// local) or an RFC 3339 instant, from which time then runs on. It is for
// end-to-end tests and for showing a future day (README, "Command line"):
// the SLA clock, task due dates, the review's day and an import's dates
// all follow it.
const clockEnv = "STEWARD_CLOCK"

// clockBase is the instant clockEnv set (zero: the real clock).
var clockBase time.Time

// now is the time by steward's clock.
func now() time.Time {
	if clockBase.IsZero() {
		return time.Now()
	}
	return clockBase.Add(time.Since(started))
}

// readClock reads clockEnv once, at the start of the process.
func readClock() error {
	v := strings.TrimSpace(os.Getenv(clockEnv))
	if v == "" {
		return nil
	}
	if d, err := metrics.ParseDate(v); err == nil {
		t := d.Time()
		clockBase = time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, time.Local)
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return usageError{fmt.Sprintf("%s=%s: use a day (2026-12-24) or an RFC 3339 instant (2026-12-24T09:00:00Z), or unset it for the real clock", clockEnv, store.Quote(v))}
	}
	clockBase = t
	return nil
}

// firstFrameEnv names a file the dashboard appends the milliseconds from
// starting steward to its first loaded frame to (README, "Performance":
// BenchmarkTerminalFirstFrame reads it). startedEnv passes the parent's
// start to the dashboard's child.
const (
	firstFrameEnv = "STEWARD_FIRST_FRAME_LOG"
	startedEnv    = "STEWARD_STARTED_NS"
)

func main() {
	// STEWARD_CPUPROFILE=FILE writes a CPU profile of the command, for
	// performance work on the real process (README, "Performance").
	if path := os.Getenv("STEWARD_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	pprof.StopCPUProfile() // os.Exit below skips the deferred stop
	if err == nil {
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	var code exitCode
	if errors.As(err, &code) {
		os.Exit(int(code))
	}
	// One line, no stack trace: the message says what, where and how to fix.
	fmt.Fprintln(os.Stderr, "steward: "+oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

// oneLine keeps a message on one line whatever it quotes.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ").Replace(s)
}

// globals are the flags every command accepts, before or after its name.
type globals struct {
	db          string
	as          string
	lockTimeout time.Duration

	mu      sync.Mutex
	warning *store.DamagedError // damage a successful read ran into
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.db, "db", g.db, "database file (env STEWARD_DB)")
	fs.StringVar(&g.as, "as", g.as, "member NAME_OR_EMAIL recorded as the author of changes (env STEWARD_USER)")
	fs.DurationVar(&g.lockTimeout, "lock-timeout", g.lockTimeout, "how long to wait for another steward process to release the file")
}

// storeOptions creates missing folders only for the default location: a
// mistyped --db must not quietly become a new database in a new folder.
// A read that succeeded on a damaged file reports it through warn.
func (g *globals) storeOptions() store.Options {
	return store.Options{LockTimeout: g.lockTimeout, CreateDirs: g.db == defaultDB(), Warn: g.warn}
}

func (g *globals) warn(d *store.DamagedError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.warning == nil {
		g.warning = d
	}
}

// finish prints the one warning line of a command whose reads went through
// on a damaged file, unless the command failed with the damage already.
func (g *globals) finish(err error, stderr io.Writer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.warning != nil && !store.IsDamaged(err) {
		fmt.Fprintln(stderr, "steward: "+g.warning.Warning())
	}
}

// needDB refuses early, with the way out, when the database file is missing.
func (g *globals) needDB() error {
	if _, err := os.Stat(g.db); errors.Is(err, os.ErrNotExist) {
		p := store.QuotePath(g.db)
		return fmt.Errorf("no database at %s: create one with `steward demo --db %s --no-tui` or `steward import FILE`, or pass --db", p, p)
	}
	return nil
}

// defaultDB is $STEWARD_DB, else steward.db in the XDG data directory.
func defaultDB() string {
	if p := os.Getenv("STEWARD_DB"); p != "" {
		return p
	}
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "steward", "steward.db")
}

const usage = `steward: the Monday dashboard for a book of B2B client accounts

Usage:
  steward [global flags]               open the dashboard on the database
  steward demo [--accounts N] [--seed S] [--no-tui] [--force]
                                       write a realistic demo portfolio and open it
  steward report [--format md|csv|json] [--as-of YYYY-MM-DD]
                                       leadership report on stdout
  steward import FILE [--kind accounts|members|escalations|activities] [--dry-run]
                 [--create-members] [--date-format m/d/yyyy] [--delimiter C]
                                       import a CRM export (CSV or JSON): all rows or none
  steward export KIND [--format csv|json] [--out FILE]
                                       accounts, members, escalations, activities or ledger
  steward settings [get KEY | set KEY VALUE]
                                       health weights, thresholds, cadences, SLA hours
  steward members keys add MEMBER KEY | keys list [MEMBER] | keys remove MEMBER FINGERPRINT
                                       members' SSH public keys (managers change them)
  steward playbooks list | show NAME | export [--out FILE] | import FILE.json
                                       task playbooks and their triggers (managers change them)
  steward snapshot [--as-of YYYY-MM-DD]
                                       take this week's health snapshot (for cron)
  steward backup FILE                  consistent copy of the live database
  steward check                        integrity check of the database file
  steward serve [--listen ADDR] [--host-key FILE] [--idle-timeout D] [--max-sessions N]
                [--log-format text|json]
                                       serve the dashboard to the team over SSH

Global flags (before or after the command):
  --db PATH            database file (env STEWARD_DB; default %s)
  --as NAME_OR_EMAIL   author of changes (env STEWARD_USER)
  --lock-timeout D     wait at most D for another steward process (default 5s)

Run 'steward COMMAND --help' for a command's flags.
`

func run(args []string, stdout, stderr io.Writer) (err error) {
	g := &globals{db: defaultDB(), as: os.Getenv("STEWARD_USER"), lockTimeout: store.DefaultLockTimeout}
	defer func() { g.finish(err, stderr) }()
	if err := readClock(); err != nil {
		return err
	}
	top := flag.NewFlagSet("steward", flag.ContinueOnError)
	// The flag package would print its error and the whole usage; we print
	// one line, and the usage only when asked for.
	top.SetOutput(io.Discard)
	g.register(top)
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, usage, defaultDB())
			return err
		}
		return usageError{flagError(err) + " (see steward --help)"}
	}
	if g.lockTimeout <= 0 {
		return usageError{"--lock-timeout must be positive, e.g. 5s"}
	}
	rest := top.Args()
	if len(rest) == 0 {
		return cmdTUI(g)
	}
	cmd, rest := rest[0], rest[1:]
	switch cmd {
	case "demo":
		return cmdDemo(g, rest, stdout, stderr)
	case "report":
		return cmdReport(g, rest, stdout, stderr)
	case "snapshot":
		return cmdSnapshot(g, rest, stdout, stderr)
	case "import":
		return cmdImport(g, rest, stdout, stderr)
	case "export":
		return cmdExport(g, rest, stdout, stderr)
	case "settings":
		return cmdSettings(g, rest, stdout, stderr)
	case "members":
		return cmdMembers(g, rest, stdout, stderr)
	case "playbooks":
		return cmdPlaybooks(g, rest, stdout, stderr)
	case "backup":
		return cmdBackup(g, rest, stdout, stderr)
	case "check":
		return cmdCheck(g, rest, stdout, stderr)
	case "serve":
		return cmdServe(g, rest, stdout, stderr)
	case "help":
		fmt.Fprintf(stderr, usage, defaultDB())
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %s: run steward --help for the list", store.Quote(cmd))}
}

// parse parses a command's flags, with the global flags accepted too, and
// returns its positional arguments; flags may follow them
// (steward import FILE --dry-run), which the flag package alone stops at.
func parse(g *globals, name, synopsis string, args []string, stderr io.Writer, setup func(*flag.FlagSet)) (*flag.FlagSet, []string, error) {
	fs := flag.NewFlagSet("steward "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.register(fs)
	if setup != nil {
		setup(fs)
	}
	var pos []string
	for {
		// A negative number is a value (settings set KEY -5), not a flag.
		if len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && (args[0][1] >= '0' && args[0][1] <= '9' || args[0][1] == '.') {
			pos, args = append(pos, args[0]), args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stderr, "Usage: steward %s %s\n\nFlags:\n", name, synopsis)
				fs.SetOutput(stderr)
				fs.PrintDefaults()
				return nil, nil, err
			}
			return nil, nil, usageError{fmt.Sprintf("%s: %s (see steward %s --help)", name, flagError(err), name)}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if g.lockTimeout <= 0 {
		return nil, nil, usageError{"--lock-timeout must be positive, e.g. 5s"}
	}
	return fs, pos, nil
}

// flagError is the flag package's message, which quotes the flag and its
// value in full: a pasted document as a value is cut to its start.
func flagError(err error) string {
	msg := err.Error()
	if len(msg) <= 120 {
		return msg
	}
	return "bad flag " + store.Quote(msg)
}

func noArgs(pos []string, name string) error {
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("%s takes no arguments, got %s (see steward %s --help)", name, store.Quote(pos[0]), name)}
	}
	return nil
}

func asOfFlag(fs *flag.FlagSet, dst *string) {
	fs.StringVar(dst, "as-of", "", "compute as of this day, YYYY-MM-DD (default today)")
}

func parseAsOf(s string, now time.Time) (metrics.Date, error) {
	if s == "" {
		return portfolio.Today(now), nil
	}
	d, err := metrics.ParseDate(s)
	if err != nil {
		if len(s) > 10 { // no date is longer; do not echo a screenful
			return 0, usageError{fmt.Sprintf("--as-of %s is not a date in the form YYYY-MM-DD", store.Quote(s))}
		}
		return 0, usageError{"--as-of: " + err.Error()}
	}
	return d, nil
}

func cmdTUI(g *globals) error {
	if err := g.needDB(); err != nil {
		return err
	}
	return runDashboard(g, g.db)
}

// dashboardChild marks the process that runs the dashboard itself (see
// runDashboard).
const dashboardChild = "STEWARD_DASHBOARD_CHILD"

// exitCode ends the process with a code and no message of its own: the
// dashboard's child process has said what there was to say.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// runDashboard runs the dashboard on path in a child process of this
// binary and waits for it. The dashboard turns every panic and fault into
// an orderly exit itself (tui.Run), but a process cannot outlive a fatal
// runtime error or a SIGKILL: when the child dies that way, this parent,
// which never touched the terminal's modes, puts the terminal back as it
// was (modes, alternate screen, cursor) and says so in one line, instead
// of leaving a shell in raw mode. The child's one-line errors pass
// through; a crash dump is not shown.
func runDashboard(g *globals, path string) error {
	tty := int(os.Stdin.Fd())
	opt := tui.Options{Path: path, Store: g.storeOptions(), As: g.as, Started: started, FirstFrameLog: os.Getenv(firstFrameEnv)}
	if !clockBase.IsZero() {
		opt.Now = now
	}
	if ns, err := strconv.ParseInt(os.Getenv(startedEnv), 10, 64); err == nil {
		opt.Started = time.Unix(0, ns)
	}
	if os.Getenv(dashboardChild) != "" || !term.IsTerminal(tty) {
		return tui.Run(opt)
	}
	state, err := term.GetState(tty)
	if err != nil {
		return tui.Run(opt)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot start the dashboard: %w", err)
	}
	args := []string{"--db", path, "--lock-timeout", g.lockTimeout.String()}
	if g.as != "" {
		args = append(args, "--as", g.as)
	}
	child := exec.Command(exe, args...)
	child.Env = append(os.Environ(), dashboardChild+"=1", fmt.Sprintf("%s=%d", startedEnv, started.UnixNano()))
	child.Stdin, child.Stdout = os.Stdin, os.Stdout
	var errs bytes.Buffer
	child.Stderr = &errs
	// The terminal's ctrl+c goes to the child (raw mode makes it a key);
	// a kill meant for steward is passed on.
	signal.Ignore(syscall.SIGINT, syscall.SIGQUIT)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := child.Start(); err != nil {
		return fmt.Errorf("cannot start the dashboard: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()
	for {
		select {
		case s := <-sigs:
			_ = child.Process.Signal(s)
			continue
		case err = <-done:
		}
		break
	}
	st := child.ProcessState
	dump := bytes.Contains(errs.Bytes(), []byte("goroutine ")) || bytes.HasPrefix(errs.Bytes(), []byte("fatal error"))
	if st != nil && st.Exited() && !dump {
		os.Stderr.Write(errs.Bytes()) // the child's own line, if any
		if st.ExitCode() != 0 {
			return exitCode(st.ExitCode())
		}
		return nil
	}
	// Killed, or a fatal runtime error (exit status 2, with a dump on
	// stderr): the terminal is as the child left it.
	_ = term.Restore(tty, state)
	os.Stdout.WriteString("\x1b[?2004l\x1b[?1049l\x1b[?25h\r\n")
	how := "it crashed"
	if st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			switch sig := ws.Signal(); sig {
			case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP:
				// Interrupted before it took the keyboard, or told to stop:
				// no crash, nothing more to say.
				return exitCode(128 + int(sig))
			default:
				how = fmt.Sprintf("killed by signal %d, %s", int(sig), sig)
			}
		}
	} else if err != nil {
		how = err.Error()
	}
	return fmt.Errorf("the dashboard stopped unexpectedly (%s); the terminal was restored, and every change saved before is kept in %s", how, store.QuotePath(path))
}

func cmdDemo(g *globals, args []string, stdout, stderr io.Writer) error {
	var accounts int
	var seed int64
	var noTUI, force bool
	dbSet := false
	fs, pos, err := parse(g, "demo", "[--db FILE] [--accounts N] [--seed S] [--no-tui] [--force]", args, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&accounts, "accounts", 0, "number of accounts (default about 150)")
		fs.Int64Var(&seed, "seed", 1, "random seed: the same seed gives the same portfolio")
		fs.BoolVar(&noTUI, "no-tui", false, "only write the database and print its path")
		fs.BoolVar(&force, "force", false, "overwrite an existing database file")
	})
	if err != nil {
		return err
	}
	if err := noArgs(pos, "demo"); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { dbSet = dbSet || f.Name == "db" })
	if accounts < 0 || accounts > 2_000_000 {
		return usageError{fmt.Sprintf("--accounts %d: choose between 1 and 2000000", accounts)}
	}
	path := g.db
	if !dbSet {
		// A demo never touches the user's real database: without --db it
		// goes to a fresh temporary file.
		dir, err := os.MkdirTemp("", "steward-demo-")
		if err != nil {
			return fmt.Errorf("cannot create a temporary folder for the demo: %w", err)
		}
		path = filepath.Join(dir, "demo.db")
	}
	if _, err := os.Stat(path); err == nil {
		if !force {
			return fmt.Errorf("%s already exists: pass --force to overwrite it, or choose another --db", store.QuotePath(path))
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("cannot remove %s: %v", store.QuotePath(path), errors.Unwrap(err))
		}
	}
	start := time.Now()
	sum, err := demo.Write(path, demo.Options{Accounts: accounts, Seed: seed})
	if err != nil {
		os.Remove(path) // never leave a half-written demo behind
		return fmt.Errorf("writing the demo portfolio: %w", err)
	}
	if noTUI {
		fmt.Fprintln(stdout, path)
		fmt.Fprintf(stderr, "demo portfolio: %d members, %d accounts, %d ledger entries, %d snapshots, %d escalations, %d tasks in %s\n",
			sum.Members, sum.Accounts, sum.LedgerEntries, sum.Snapshots, sum.Escalations, sum.Tasks, time.Since(start).Round(time.Millisecond))
		return nil
	}
	err = runDashboard(g, path)
	fmt.Fprintf(stderr, "demo database: %s (reopen it with: steward --db %s)\n", path, path)
	return err
}

func cmdReport(g *globals, args []string, stdout, stderr io.Writer) error {
	var format, asOfS, periodS string
	_, pos, err := parse(g, "report", "[--format md|csv|json] [--as-of YYYY-MM-DD] [--period quarter|month|trailing-12]", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "md", "md (Markdown), csv or json")
		asOfFlag(fs, &asOfS)
		fs.StringVar(&periodS, "period", "quarter", "the comparison: quarter, month or trailing-12 to the day against the one before")
	})
	if err != nil {
		return err
	}
	if err := noArgs(pos, "report"); err != nil {
		return err
	}
	format = strings.ToLower(format)
	if format == "markdown" {
		format = "md"
	}
	if format != "md" && format != "csv" && format != "json" {
		return usageError{fmt.Sprintf("--format %s: choose md, csv or json", store.Quote(format))}
	}
	period, err := portfolio.ParsePeriod(periodS)
	if err != nil {
		return usageError{err.Error()}
	}
	opts := portfolio.ReportOptions{Period: period}
	now := now()
	asOf, err := parseAsOf(asOfS, now)
	if err != nil {
		return err
	}
	today := portfolio.Today(now)
	if asOf > today {
		return usageError{fmt.Sprintf("--as-of %s is after today (%s): a report shows a day that has happened; omit --as-of for today", asOf, today)}
	}
	var r portfolio.Report
	if asOf == today {
		// The report streams the accounts: it never holds the portfolio.
		if r, err = portfolio.LoadReportWith(g.db, g.storeOptions(), asOf, now.UTC(), opts); err != nil {
			return err
		}
	} else {
		// A past day is rebuilt from the ledger, the snapshots and the
		// timelines, not scored from today's records (README, "Report JSON").
		p, err := portfolio.LoadPast(g.db, g.storeOptions(), asOf)
		if err != nil {
			return err
		}
		r = p.ReportWith(opts)
	}
	switch format {
	case "json":
		return r.WriteJSON(stdout)
	case "csv":
		return r.WriteCSV(stdout)
	}
	return r.WriteMarkdown(stdout)
}

func cmdSnapshot(g *globals, args []string, stdout, stderr io.Writer) error {
	var asOfS string
	_, pos, err := parse(g, "snapshot", "[--as-of YYYY-MM-DD]", args, stderr, func(fs *flag.FlagSet) { asOfFlag(fs, &asOfS) })
	if err != nil {
		return err
	}
	if err := noArgs(pos, "snapshot"); err != nil {
		return err
	}
	now := now()
	asOf, err := parseAsOf(asOfS, now)
	if err != nil {
		return err
	}
	// A snapshot scores today's data: dating it far from today would put
	// today's scores into another week's history.
	if today := portfolio.Today(now); asOf > today || asOf < today.AddDays(-7) {
		return usageError{fmt.Sprintf("--as-of %s: a snapshot records today's scores, so its day must be within the last 7 days", asOf)}
	}
	if err := g.needDB(); err != nil {
		return err
	}
	res, err := portfolio.TakeSnapshot(g.db, g.storeOptions(), asOf, false)
	if err != nil {
		return err
	}
	verb := "took"
	if res.Replaced {
		verb = "retook"
	}
	fmt.Fprintf(stdout, "%s the %s snapshot of %d accounts in %s\n", verb, res.Week, res.Accounts, g.db)
	return nil
}

func cmdBackup(g *globals, args []string, stdout, stderr io.Writer) error {
	_, pos, err := parse(g, "backup", "FILE", args, stderr, nil)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"backup needs exactly one argument, the new file to write: steward backup FILE"}
	}
	dest := pos[0]
	if err := store.Backup(g.db, dest, g.storeOptions()); err != nil {
		return err
	}
	st, err := os.Stat(dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%s bytes)\n", g.db, dest, strconv.FormatInt(st.Size(), 10))
	return nil
}

func cmdCheck(g *globals, args []string, stdout, stderr io.Writer) error {
	_, pos, err := parse(g, "check", "", args, stderr, nil)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "check"); err != nil {
		return err
	}
	if err := g.needDB(); err != nil {
		return err
	}
	rep, err := store.Check(g.db, g.storeOptions())
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "problem: "+oneLine(p))
	}
	if len(rep.Problems) > 0 {
		return &store.DamagedError{Path: g.db, Cause: fmt.Sprintf("%d problem(s), listed above", len(rep.Problems)), Refused: "check"}
	}
	fmt.Fprintf(stdout, "%s: ok (schema %d; %d members, %d accounts, %d ledger entries, %d snapshots, %d activities, %d escalations, %d timeline events)\n",
		g.db, rep.Schema, rep.Counts["members"], rep.Counts["accounts"], rep.Counts["ledger"], rep.Counts["snapshots"],
		rep.Counts["activities"], rep.Counts["escalations"], rep.Counts["timeline"])
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func cmdImport(g *globals, args []string, stdout, stderr io.Writer) error {
	var kind, dateFormat, delim string
	var dryRun, createMembers bool
	_, pos, err := parse(g, "import", "FILE [--kind accounts|members|escalations|activities] [--dry-run] [--create-members] [--date-format LAYOUT] [--delimiter C]", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "what the file holds: accounts, members, escalations or activities (default: from the headers)")
		fs.BoolVar(&dryRun, "dry-run", false, "validate and say what would change, write nothing")
		fs.BoolVar(&createMembers, "create-members", false, "create unknown owners as account managers instead of refusing the rows")
		fs.StringVar(&dateFormat, "date-format", "", "layout of non-ISO dates, e.g. m/d/yyyy or d.m.yyyy")
		fs.StringVar(&delim, "delimiter", "", "field separator: a single character, or 'tab' (default: comma; ; or tab when the header has no comma)")
	})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"import needs exactly one file: steward import FILE (see steward import --help)"}
	}
	opt := transfer.ImportOptions{DryRun: dryRun, CreateMembers: createMembers, DateFormat: dateFormat, Author: g.as, Now: now()}
	if kind != "" {
		k, err := transfer.ParseKind(kind)
		if err != nil || k == transfer.Ledger {
			return usageError{fmt.Sprintf("--kind %s: choose accounts, members, escalations or activities", store.Quote(kind))}
		}
		opt.Kind = k
	}
	switch {
	case delim == "":
	case strings.EqualFold(delim, "tab") || delim == `\t`:
		opt.Delimiter = '\t'
	case utf8.RuneCountInString(delim) == 1 && delim != `"` && delim != "\n" && delim != "\r":
		opt.Delimiter, _ = utf8.DecodeRuneInString(delim)
	default:
		return usageError{fmt.Sprintf("--delimiter %s: give one character such as ; or the word tab", store.Quote(delim))}
	}
	file := pos[0]
	var prog *transfer.Progress
	if isTerminal(stderr) {
		var size int64
		if st, err := os.Stat(file); err == nil {
			size = st.Size()
		}
		prog = transfer.NewProgress(stderr, size)
		opt.Progress = prog.Update
	}
	res, err := transfer.Import(g.db, g.storeOptions(), file, opt)
	if prog != nil {
		prog.Done()
	}
	if err != nil {
		return err
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(stderr, "%s: ignored columns: %s\n", file, strings.Join(res.Ignored, ", "))
	}
	for _, e := range res.Errors {
		fmt.Fprintln(stderr, e.Error())
	}
	if len(res.MembersCreated) > 0 {
		verb := "created"
		if res.DryRun {
			verb = "would create"
		}
		fmt.Fprintf(stdout, "%s members: %s\n", verb, strings.Join(res.MembersCreated, ", "))
	}
	if len(res.Errors) > 0 {
		return errors.New(res.Summary(file))
	}
	fmt.Fprintln(stdout, res.Summary(file))
	return nil
}

func cmdExport(g *globals, args []string, stdout, stderr io.Writer) error {
	var format, out, asOfS string
	_, pos, err := parse(g, "export", "KIND [--format csv|json] [--out FILE]   (KIND: accounts, members, escalations, activities, ledger)", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "csv", "csv or json")
		fs.StringVar(&out, "out", "", "write to FILE instead of stdout (never overwrites an existing file)")
		asOfFlag(fs, &asOfS)
	})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"export needs one kind: accounts, members, escalations, activities or ledger"}
	}
	k, err := transfer.ParseKind(pos[0])
	if err != nil {
		return usageError{fmt.Sprintf("unknown kind %s: use accounts, members, escalations, activities or ledger", store.Quote(pos[0]))}
	}
	format = strings.ToLower(format)
	if format != "csv" && format != "json" {
		return usageError{fmt.Sprintf("--format %s: choose csv or json", store.Quote(format))}
	}
	now := now()
	asOf, err := parseAsOf(asOfS, now)
	if err != nil {
		return err
	}
	eo := transfer.ExportOptions{Kind: k, Format: format, AsOf: asOf, Now: now.UTC()}
	if out == "" {
		return transfer.Export(g.db, g.storeOptions(), stdout, eo)
	}
	return writeBeside(out, stderr, func(w io.Writer) error { return transfer.Export(g.db, g.storeOptions(), w, eo) })
}

// writeBeside writes a new file out with write: beside it first, then
// renamed, so a failed write never leaves half a file behind, and never
// over a file that exists.
func writeBeside(out string, stderr io.Writer, write func(io.Writer) error) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists: choose a new file for --out", store.QuotePath(out))
	}
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: the folder %s does not exist", store.QuotePath(out), store.QuotePath(filepath.Dir(out)))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".steward-export-*")
	if err != nil {
		return fmt.Errorf("cannot write beside %s: %v", store.QuotePath(out), errors.Unwrap(err))
	}
	defer os.Remove(tmp.Name())
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", out)
	return nil
}

func cmdSettings(g *globals, args []string, stdout, stderr io.Writer) error {
	_, pos, err := parse(g, "settings", "[get KEY | set KEY VALUE]", args, stderr, nil)
	if err != nil {
		return err
	}
	if err := g.needDB(); err != nil {
		return err
	}
	switch {
	case len(pos) == 0 || (len(pos) == 1 && pos[0] == "get"):
		var set store.Settings
		var log []store.SettingChange
		err := store.View(g.db, g.storeOptions(), func(tx *store.Tx) error {
			var err error
			if set, err = tx.Settings(); err != nil {
				return err
			}
			log, err = tx.SettingsLog(5)
			return err
		})
		if err != nil {
			return err
		}
		for _, s := range store.SettingList(set) {
			fmt.Fprintf(stdout, "%-26s %-10s %s\n", s.Key, s.Value, s.Help)
		}
		if len(log) > 0 {
			fmt.Fprintln(stdout, "\nlatest changes:")
			for _, c := range log {
				fmt.Fprintf(stdout, "  %s  %s set %s from %s to %s\n", c.At.Local().Format("2006-01-02 15:04"), c.Author, c.Key, c.Old, c.New)
			}
		}
		return nil
	case len(pos) == 2 && pos[0] == "get":
		var v string
		err := store.View(g.db, g.storeOptions(), func(tx *store.Tx) error {
			set, err := tx.Settings()
			if err != nil {
				return err
			}
			v, err = store.GetSetting(set, pos[1])
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, v)
		return nil
	case len(pos) == 3 && pos[0] == "set":
		var old, now string
		err := store.Update(g.db, g.storeOptions(), func(tx *store.Tx) error {
			_, actor, err := actingMember(tx, g.as)
			if err != nil {
				return err
			}
			set, err := tx.Settings()
			if err != nil {
				return err
			}
			if old, err = store.GetSetting(set, pos[1]); err != nil {
				return err
			}
			set, err = tx.SetSetting(pos[1], pos[2], actor, time.Now())
			if err != nil {
				return err
			}
			now, _ = store.GetSetting(set, pos[1])
			return nil
		})
		if errors.Is(err, store.ErrUnchanged) {
			// Not a failure: the value is what was asked for, and no change
			// is logged.
			fmt.Fprintf(stdout, "%s\n", err)
			return nil
		}
		if err != nil {
			return err
		}
		effect := "every score now uses it"
		switch {
		case pos[1] == "currency":
			effect = "amounts are now shown in " + now
		case strings.HasPrefix(pos[1], "sla."):
			effect = "SLA due times use it from the next severity change or new escalation"
		case strings.HasPrefix(pos[1], "targets."):
			effect = "the report sets the KPI beside it"
		}
		fmt.Fprintf(stdout, "%s: %s → %s (%s)\n", pos[1], old, now, effect)
		return nil
	}
	return usageError{"usage: steward settings [get [KEY] | set KEY VALUE]"}
}

const membersUsage = "usage: steward members keys add MEMBER 'ssh-ed25519 AAAA… comment' | members keys list [MEMBER] | members keys remove MEMBER FINGERPRINT"

// cmdMembers manages members' SSH public keys, the identity a team
// server signs them in by (README, "Members' SSH keys"). Adding and
// removing are roster changes: the acting member (--as, else the first
// active manager) must be a manager.
func cmdMembers(g *globals, args []string, stdout, stderr io.Writer) error {
	_, pos, err := parse(g, "members", "keys add MEMBER KEY | keys list [MEMBER] | keys remove MEMBER FINGERPRINT", args, stderr, nil)
	if err != nil {
		return err
	}
	if len(pos) < 2 || pos[0] != "keys" {
		return usageError{membersUsage}
	}
	if err := g.needDB(); err != nil {
		return err
	}
	verb, rest := pos[1], pos[2:]
	switch {
	case verb == "list" && len(rest) <= 1:
		var keys []store.MemberKey
		var members []store.Member
		err := store.View(g.db, g.storeOptions(), func(tx *store.Tx) error {
			var err error
			if members, err = tx.Members(); err != nil {
				return err
			}
			var id uint64
			if len(rest) == 1 {
				m, err := findMember(members, rest[0])
				if err != nil {
					return err
				}
				id = m.ID
			}
			keys, err = tx.MemberKeys(id)
			return err
		})
		if err != nil {
			return err
		}
		names := map[uint64]string{}
		for _, m := range members {
			names[m.ID] = m.Name
		}
		if len(keys) == 0 {
			fmt.Fprintln(stdout, "no SSH keys: add one with steward members keys add MEMBER 'ssh-ed25519 AAAA… comment'")
		}
		for _, k := range keys {
			fmt.Fprintf(stdout, "%-20s %s %s  added %s by %s\n", names[k.MemberID], k.Fingerprint, strings.Join(strings.Fields(k.Key)[2:], " "), k.AddedAt.Local().Format("2006-01-02"), k.AddedBy)
		}
		return nil
	case (verb == "add" || verb == "remove") && len(rest) == 2:
		var done string
		err := store.Update(g.db, g.storeOptions(), func(tx *store.Tx) error {
			members, actor, err := actingMember(tx, g.as)
			if err != nil {
				return err
			}
			m, err := findMember(members, rest[0])
			if err != nil {
				return err
			}
			if verb == "add" {
				k, err := tx.AddMemberKey(m.ID, rest[1], actor, time.Now())
				done = fmt.Sprintf("added key %s to %s", k.Fingerprint, m.Name)
				return err
			}
			done = fmt.Sprintf("removed key %s from %s", strings.TrimSpace(rest[1]), m.Name)
			return tx.RemoveMemberKey(m.ID, rest[1], actor, time.Now())
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, done)
		return nil
	}
	return usageError{membersUsage}
}

// actingMember reads the roster in tx and picks the member who acts:
// --as, else the first active manager (store.FindActor).
func actingMember(tx *store.Tx, as string) ([]store.Member, store.Actor, error) {
	members, err := tx.Members()
	if err != nil {
		return nil, store.Actor{}, err
	}
	actor, err := store.FindActor(members, as)
	return members, actor, err
}

// findMember is the member whose name or email is who (any case), active
// or not.
func findMember(members []store.Member, who string) (store.Member, error) {
	who = strings.TrimSpace(who)
	for _, m := range members {
		if strings.EqualFold(m.Name, who) || (m.Email != "" && strings.EqualFold(m.Email, who)) {
			return m, nil
		}
	}
	var names []string
	for _, m := range members {
		names = append(names, m.Name)
	}
	return store.Member{}, fmt.Errorf("no member is named %s (the roster: %s)", store.Quote(who), strings.Join(names, ", "))
}

// cmdServe runs the team server until SIGTERM or SIGINT (README, "Serve
// your team").
func cmdServe(g *globals, args []string, stdout, stderr io.Writer) error {
	var listen, hostKey, format string
	var idle time.Duration
	var maxSessions int
	_, pos, err := parse(g, "serve", "[--listen ADDR] [--host-key FILE] [--idle-timeout D] [--max-sessions N] [--log-format text|json]", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&listen, "listen", "127.0.0.1:2222", "address to listen on; 0.0.0.0:2222 serves every interface")
		fs.StringVar(&hostKey, "host-key", "", "the server's private key, made once when missing (default: beside the database)")
		fs.DurationVar(&idle, "idle-timeout", 8*time.Hour, "end a session no key was pressed in for this long (0: never)")
		fs.IntVar(&maxSessions, "max-sessions", 64, "dashboards open at once; more are turned away with a message")
		fs.StringVar(&format, "log-format", "text", "text (logfmt) or json")
	})
	if err != nil {
		return err
	}
	if err := noArgs(pos, "serve"); err != nil {
		return err
	}
	switch {
	case idle < 0:
		return usageError{"--idle-timeout must be 0 (never) or positive, e.g. 8h"}
	case maxSessions < 1:
		return usageError{"--max-sessions must be at least 1"}
	case format != "text" && format != "json":
		return usageError{fmt.Sprintf("--log-format %s: choose text or json", store.Quote(format))}
	}
	if err := g.needDB(); err != nil {
		return err
	}
	logger := log.NewWithOptions(stderr, log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339, Formatter: log.LogfmtFormatter, Prefix: "steward"})
	if format == "json" {
		logger.SetFormatter(log.JSONFormatter)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the steward binary for SSH commands: %w", err)
	}
	// Signals are taken before anything else: an early SIGTERM must not
	// kill the process half-started.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	srv, err := serve.New(serve.Config{DB: g.db, Store: g.storeOptions(), HostKey: hostKey, IdleTimeout: idle, MaxSessions: maxSessions, Exe: exe, Log: logger})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		stopNow, cancel := context.WithTimeout(context.Background(), time.Second)
		srv.Shutdown(stopNow)
		cancel()
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: the address is in use (another steward serve?): choose another with --listen", listen)
		}
		return fmt.Errorf("cannot listen on %s: %v", listen, errors.Unwrap(err))
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	logger.Info("listening", "addr", l.Addr().String(), "db", g.db, "accounts", srv.Hub().Accounts(), "host_key", srv.HostKeyFingerprint(),
		"connect", "ssh -p "+port+" "+strings.Replace(host, "0.0.0.0", "HOST", 1))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		stopNow, cancel := context.WithTimeout(context.Background(), time.Second)
		srv.Shutdown(stopNow)
		cancel()
		return err
	case sig := <-sigs:
		logger.Info("stopping", "signal", sig.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4500*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		logger.Error("stopped with sessions still closing", "err", err)
	}
	logger.Info("stopped")
	return nil
}
