package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"steward/metrics"
	"steward/store"
)

// steward playbooks list | show NAME | export [--out FILE] | import FILE
// (README, "Playbooks"). The JSON names members by name, not by ID, so a
// file moves between databases.

type playbookJSON struct {
	Name        string     `json:"name"`
	Trigger     string     `json:"trigger"`
	TriggerDays int        `json:"trigger_days,omitempty"`
	Active      bool       `json:"active"`
	Steps       []stepJSON `json:"steps"`
}

type stepJSON struct {
	Title      string `json:"title"`
	OffsetDays int    `json:"offset_days"`
	Owner      string `json:"owner"`
	Member     string `json:"member,omitempty"` // name or email, for owner "member"
}

const playbooksSynopsis = "list | show NAME | export [--out FILE] | import FILE.json"

func cmdPlaybooks(g *globals, args []string, stdout, stderr io.Writer) error {
	var out string
	_, pos, err := parse(g, "playbooks", playbooksSynopsis, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "export: write to FILE instead of stdout (never overwrites an existing file)")
	})
	if err != nil {
		return err
	}
	if err := g.needDB(); err != nil {
		return err
	}
	usage := usageError{"usage: steward playbooks " + playbooksSynopsis}
	if len(pos) == 0 {
		pos = []string{"list"}
	}
	if out != "" && pos[0] != "export" {
		return usageError{"--out goes with playbooks export"}
	}
	switch {
	case pos[0] == "list" && len(pos) == 1:
		list, _, err := readPlaybooks(g)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-32s %-20s %5s  %s\n", "NAME", "TRIGGER", "STEPS", "ACTIVE")
		for _, p := range list {
			fmt.Fprintf(stdout, "%-32s %-20s %5d  %s\n", p.Name, p.Trig(), len(p.Steps), yesNo(p.Active))
		}
		return nil
	case pos[0] == "show" && len(pos) == 2:
		var p store.Playbook
		var members []store.Member
		err := store.View(g.db, g.storeOptions(), func(tx *store.Tx) (err error) {
			if p, err = tx.PlaybookNamed(pos[1]); err != nil {
				return err
			}
			members, err = tx.Members()
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\ntrigger  %s\nactive   %s\n", p.Name, p.Trig(), yesNo(p.Active))
		if p.UpdatedBy != "" && !p.UpdatedAt.IsZero() {
			fmt.Fprintf(stdout, "changed  %s by %s\n", p.UpdatedAt.Local().Format("2006-01-02 15:04"), p.UpdatedBy)
		}
		fmt.Fprintln(stdout, "steps:")
		for i, s := range p.Steps {
			fmt.Fprintf(stdout, "  %d. %-48s %+4dd  %s\n", i+1, s.Title, s.OffsetDays, ownerText(s, members))
		}
		return nil
	case pos[0] == "export" && len(pos) == 1:
		list, members, err := readPlaybooks(g)
		if err != nil {
			return err
		}
		doc := make([]playbookJSON, 0, len(list))
		for _, p := range list {
			doc = append(doc, toJSON(p, members))
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if out == "" {
			_, err = stdout.Write(b)
			return err
		}
		return writeNewFile(out, b, stderr)
	case pos[0] == "import" && len(pos) == 2:
		return importPlaybooks(g, pos[1], stdout)
	}
	return usage
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func readPlaybooks(g *globals) ([]store.Playbook, []store.Member, error) {
	var list []store.Playbook
	var members []store.Member
	err := store.View(g.db, g.storeOptions(), func(tx *store.Tx) (err error) {
		if list, err = tx.Playbooks(); err != nil {
			return err
		}
		members, err = tx.Members()
		return err
	})
	return list, members, err
}

func memberName(members []store.Member, id uint64) string {
	for _, m := range members {
		if m.ID == id {
			return m.Name
		}
	}
	return fmt.Sprintf("member #%d", id)
}

func ownerText(s store.Step, members []store.Member) string {
	switch s.Owner {
	case store.OwnerAccount:
		return "the account's owner"
	case store.OwnerManager:
		return "the owner's manager"
	}
	return memberName(members, s.MemberID)
}

func toJSON(p store.Playbook, members []store.Member) playbookJSON {
	j := playbookJSON{Name: p.Name, Trigger: string(p.Trigger), TriggerDays: p.TriggerDays, Active: p.Active}
	for _, s := range p.Steps {
		sj := stepJSON{Title: s.Title, OffsetDays: s.OffsetDays, Owner: string(s.Owner)}
		if s.Owner == store.OwnerMember {
			sj.Member = memberName(members, s.MemberID)
		}
		j.Steps = append(j.Steps, sj)
	}
	return j
}

// importPlaybooks reads FILE (as playbooks export writes it) and creates
// or replaces each playbook by name, in one transaction, as the acting
// member (a manager: the store checks). Playbooks the file does not name
// are kept. A bad file writes nothing and says which playbook and step
// is wrong, and how to fix it.
func importPlaybooks(g *globals, file string, stdout io.Writer) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: cannot read it: %v", store.QuotePath(file), errors.Unwrap(err))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var doc []playbookJSON
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%s: not a playbooks file (%v): it holds a JSON array of playbooks as `steward playbooks export` writes", store.QuotePath(file), err)
	}
	if len(doc) == 0 {
		return fmt.Errorf("%s: holds no playbooks", store.QuotePath(file))
	}
	created, updated := 0, 0
	err = store.Update(g.db, g.storeOptions(), func(tx *store.Tx) error {
		members, actor, err := actingMember(tx, g.as)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, j := range doc {
			where := fmt.Sprintf("%s: playbook %d (%s)", store.QuotePath(file), i+1, store.Quote(j.Name))
			key := strings.ToLower(strings.TrimSpace(j.Name))
			if seen[key] {
				return fmt.Errorf("%s: named twice in the file; keep one", where)
			}
			seen[key] = true
			p := store.Playbook{Name: j.Name, Trigger: metrics.TriggerKind(j.Trigger), TriggerDays: j.TriggerDays, Active: j.Active}
			if old, err := tx.PlaybookNamed(j.Name); err == nil && old.ID != 0 {
				p.ID = old.ID
			}
			for k, sj := range j.Steps {
				s := store.Step{Title: sj.Title, OffsetDays: sj.OffsetDays, Owner: store.OwnerRule(sj.Owner)}
				switch {
				case s.Owner == store.OwnerMember:
					m, err := findMember(members, sj.Member)
					if err != nil {
						return fmt.Errorf("%s, step %d: %v", where, k+1, err)
					}
					s.MemberID = m.ID
				case sj.Member != "":
					return fmt.Errorf("%s, step %d: a member is named only with owner \"member\" (owner is %s)", where, k+1, store.Quote(sj.Owner))
				}
				p.Steps = append(p.Steps, s)
			}
			if p.ID == 0 {
				created++
			} else {
				updated++
			}
			if _, err := tx.PutPlaybook(p, actor, time.Now()); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d playbooks: %d created, %d updated\n", filepath.Base(file), len(doc), created, updated)
	return nil
}

// writeNewFile writes b to a new file atomically (beside it, then
// renamed), never over an existing one, as export --out does.
func writeNewFile(out string, b []byte, stderr io.Writer) error {
	return writeBeside(out, stderr, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
