package serve

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/ssh"

	"steward/store"
)

// The commands a member may run over SSH, and the flags they may not
// pass: the server names the database and the author, and a file on the
// server is not theirs to write.
var (
	sshCommands = []string{"report", "export", "import"}
	serverFlags = []string{"db", "as", "lock-timeout", "out"}
)

// maxImport bounds what an SSH import may send: the file is spooled to
// disk first (the import reads it twice). importSlots bounds how many
// spool at once, and spoolTimeout how long a client may take to send one.
const (
	maxImport    = 1 << 30
	spoolTimeout = 10 * time.Minute
)

var importSlots = make(chan struct{}, 2)

// sshUsage is the help over SSH: the shell's --help would print the
// server's own paths as flag defaults.
const sshUsage = `steward over SSH runs, as you:
  report [--format md|csv|json] [--as-of YYYY-MM-DD]
  export accounts|members|escalations|activities|ledger [--format csv|json]
  import [--kind accounts|members|escalations|activities] [--dry-run]
         [--create-members] [--date-format m/d/yyyy] [--delimiter C] < FILE
Without a command, with a terminal: the dashboard.
`

// command runs one of sshCommands as the member, with the session's
// input and output, and returns its exit status.
func (s *Server) command(sess ssh.Session, member store.Member, fp string) int {
	args := sess.Command()
	if s.cfg.Exe == "" || !slices.Contains(sshCommands, args[0]) {
		fmt.Fprintf(sess.Stderr(), "steward: %s: over SSH you can run report, export and import (or connect with a terminal for the dashboard)\n", store.Quote(args[0]))
		return 2
	}
	for _, a := range args[1:] {
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		if strings.HasPrefix(a, "-") && (name == "h" || name == "help") {
			io.WriteString(sess, sshUsage)
			return 0
		}
		if strings.HasPrefix(a, "-") && slices.Contains(serverFlags, name) {
			fmt.Fprintf(sess.Stderr(), "steward: %s is set by the server over SSH: leave it out (export writes to your side: ssh … export accounts > FILE)\n", a)
			return 2
		}
	}
	dir, err := os.MkdirTemp("", "steward-ssh-")
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "steward: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	db, err := filepath.Abs(s.cfg.DB)
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "steward: %v\n", err)
		return 1
	}
	as := member.Email
	if as == "" {
		as = member.Name
	}
	argv := []string{"--db", db, "--as", as}
	var stdin io.Reader
	if args[0] == "import" {
		dry, err := dryRun(args[1:])
		if err != nil {
			fmt.Fprintf(sess.Stderr(), "steward: %v\n", err)
			return 2
		}
		if err := store.ImportAllowed(member, dry); err != nil {
			fmt.Fprintf(sess.Stderr(), "steward: %v\n", err)
			return 1
		}
		if a := fileArg(args[1:]); a != "" {
			fmt.Fprintf(sess.Stderr(), "steward: import over SSH reads the file from standard input: ssh … import [flags] < FILE (leave %s out)\n", store.Quote(a))
			return 2
		}
		// The import reads a named file, twice: spool the input, and name
		// it "stdin" in the messages (the child runs in dir).
		select {
		case importSlots <- struct{}{}:
			defer func() { <-importSlots }()
		default:
			fmt.Fprint(sess.Stderr(), "steward: two imports are already being sent to the server: try again in a moment\n")
			return 1
		}
		n, err := spool(filepath.Join(dir, "stdin"), sess)
		if err != nil {
			fmt.Fprintf(sess.Stderr(), "steward: reading the file from standard input: %v\n", err)
			return 1
		}
		if n == 0 {
			fmt.Fprint(sess.Stderr(), "steward: import over SSH reads the file from standard input, and it was empty: ssh … import [flags] < FILE\n")
			return 2
		}
		argv = append(append(argv, "import", "stdin"), args[1:]...)
		if dry {
			argv = append(argv, "--dry-run") // last: it decides, whatever came before
		}
	} else {
		argv = append(argv, args...)
		stdin = strings.NewReader("")
	}
	cmd := exec.Command(s.cfg.Exe, argv...)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, sess, sess.Stderr()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir}
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintf(sess.Stderr(), "steward: %v\n", err)
		return 1
	}
	return 0
}

// fileArg is the first argument of import's that is neither a flag nor
// a flag's value: a file name, which over SSH comes on standard input.
func fileArg(args []string) string {
	valued := []string{"kind", "date-format", "delimiter"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a
		}
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && slices.Contains(valued, name) {
			i++ // its value
		}
	}
	return ""
}

// dryRun is what import's --dry-run will be once the child parses args
// as the flag package does: the last mention wins, with or without a
// value (--dry-run, -dry-run=false).
func dryRun(args []string) (bool, error) {
	dry := false
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "dry-run" {
			continue
		}
		dry = true
		if hasValue {
			v, err := strconv.ParseBool(value)
			if err != nil {
				return false, fmt.Errorf("%s: give --dry-run alone", a)
			}
			dry = v
		}
	}
	return dry, nil
}

// spool copies r to a new file at path, up to maxImport bytes, within
// spoolTimeout (a client that never ends its input does not hold the
// server's shutdown).
func spool(path string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := io.Copy(f, io.LimitReader(r, maxImport+1))
		done <- result{n, err}
	}()
	var n int64
	select {
	case res := <-done:
		n, err = res.n, res.err
	case <-time.After(spoolTimeout):
		err = fmt.Errorf("no end of the file after %s: send it with < FILE", spoolTimeout)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxImport {
		err = fmt.Errorf("more than %d MB: import it at the server's shell instead", maxImport>>20)
	}
	return n, err
}
