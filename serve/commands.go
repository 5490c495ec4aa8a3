package serve

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

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
// disk first (the import reads it twice).
const maxImport = 1 << 30

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
		dry := slices.Contains(args[1:], "--dry-run") || slices.Contains(args[1:], "-dry-run")
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

// spool copies r to a new file at path, up to maxImport bytes.
func spool(path string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, io.LimitReader(r, maxImport+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxImport {
		err = fmt.Errorf("more than %d MB: import it at the server's shell instead", maxImport>>20)
	}
	return n, err
}
