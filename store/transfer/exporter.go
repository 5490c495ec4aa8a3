package transfer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// expCol is one exported column: its CSV header, its JSON key, and the
// import field it feeds ("" for computed columns the importer skips).
type expCol struct {
	csv, json, field string
}

var exportCols = map[Kind][]expCol{
	Accounts: {
		{"Account ID", "account_id", fExt},
		{"Account Name", "account_name", fName},
		{"Account Owner", "account_owner", fOwner},
		{"Owner Email", "owner_email", fOwnerEmail},
		{"Segment", "segment", fSegment},
		{"Lifecycle", "lifecycle", fLifecycle},
		{"Plan", "plan", fPlan},
		{"ARR", "arr", fARR},
		{"Contract Start", "contract_start", fStart},
		{"Renewal Date", "renewal_date", fRenewal},
		{"Seats", "seats", fSeats},
		{"Active Users", "active_users", fActiveUsers},
		{"Tickets (30d)", "tickets_30d", fTickets},
		{"Open Critical Tickets", "open_critical_tickets", fCritical},
		{"Champion", "champion", fChampion},
		{"Champion Email", "champion_email", fChampionEmail},
		{"Champion Changed", "champion_changed", fChampionChanged},
		{"Last Touch", "last_touch", fLastTouch},
		{"Last QBR", "last_qbr", fLastQBR},
		{"NPS", "nps", fNPS},
		{"CSAT", "csat", fCSAT},
		{"Expansion Pipeline", "expansion_pipeline", fPipeline},
		{"Pipeline Stage", "pipeline_stage", fPipelineStage},
		{"Success Plan", "success_plan", fSuccessPlan},
		{"Override Band", "override_band", fOvBand},
		{"Override Reason", "override_reason", fOvReason},
		{"Override Author", "override_author", fOvAuthor},
		{"Override Expires", "override_expires", fOvExpires},
		{"Health Score", "health_score", ""},
		{"Band", "band", ""},
		{"Effective Segment", "effective_segment", ""},
		{"Flags", "flags", ""},
	},
	Members: {
		{"Name", "name", fName},
		{"Email", "email", fEmail},
		{"Role", "role", fRole},
		{"Capacity", "capacity", fCapacity},
		{"Last 1:1", "last_one_on_one", fOneOnOne},
		{"Active", "active", fActive},
	},
	Escalations: {
		{"Escalation ID", "escalation_id", fEscID},
		{"Account ID", "account_id", fAccountExt},
		{"Account", "account", fAccountName},
		{"Title", "title", fTitle},
		{"Description", "description", fDescription},
		{"Severity", "severity", fSeverity},
		{"Status", "status", fStatus},
		{"Owner", "owner", fOwner},
		{"Raised By", "raised_by", fRaisedBy},
		{"Decision", "decision", fDecision},
		{"Created At", "created_at", fCreatedAt},
		{"Updated At", "updated_at", ""},
		{"Resolved At", "resolved_at", fResolvedAt},
		{"SLA Due", "sla_due", fSLADue},
		{"Breached", "breached", ""},
		{"Timeline Events", "timeline", ""}, // CSV: the count; JSON: the events
	},
	Activities: {
		{"Account ID", "account_id", fAccountExt},
		{"Account", "account", fAccountName},
		{"At", "at", fAt},
		{"Author", "author", fAuthor},
		{"Kind", "kind", fKind},
		{"Text", "text", fText},
	},
	Ledger: {
		{"Account ID", "account_id", ""},
		{"Account", "account", ""},
		{"Date", "date", ""},
		{"ARR", "arr", ""},
		{"Kind", "kind", ""},
		{"Author", "author", ""},
		{"Note", "note", ""},
	},
}

func exportColumns(k Kind) []expCol { return exportCols[k] }

// jv is one exported value with its JSON type.
type jv struct {
	s string
	t byte // 's' text, 'n' number, 'b' boolean, 'z' null, 'r' raw JSON
}

func str(s string) jv { return jv{s: s, t: 's'} }
func num(n int64) jv  { return jv{s: strconv.FormatInt(n, 10), t: 'n'} }
func money(c int64) jv {
	return jv{s: formatCents(c), t: 'n'}
}
func boolean(b bool) jv { return jv{s: strconv.FormatBool(b), t: 'b'} }
func optional(o metrics.Opt) jv {
	if !o.Set {
		return jv{t: 'z'}
	}
	return num(int64(o.V))
}
func day(d metrics.Date) jv {
	if d.IsZero() {
		return jv{t: 'z'}
	}
	return str(d.String())
}
func instant(t time.Time) jv {
	if t.IsZero() {
		return jv{t: 'z'}
	}
	return str(formatInstant(t))
}

// table collects the rows of one export in memory in their final encoding,
// so the database is closed before anything is written to w (a slow reader
// of the output never holds the file lock).
type table struct {
	kind  Kind
	json  bool
	cols  []expCol
	buf   bytes.Buffer
	cw    *csv.Writer
	rows  int
	cells []string
}

func newTable(k Kind, asJSON bool) *table {
	t := &table{kind: k, json: asJSON, cols: exportCols[k]}
	if asJSON {
		t.buf.WriteString("[")
		return t
	}
	t.cw = csv.NewWriter(&t.buf)
	head := make([]string, len(t.cols))
	for i, c := range t.cols {
		head[i] = c.csv
	}
	t.cw.Write(head)
	return t
}

// add writes one row; csvOnly/jsonOnly values differ only for columns whose
// CSV and JSON forms differ (flags, timeline).
func (t *table) add(vals []jv) {
	t.rows++
	if !t.json {
		t.cells = t.cells[:0]
		for _, v := range vals {
			switch v.t {
			case 's':
				t.cells = append(t.cells, portfolio.CSVSafe(v.s))
			case 'z':
				t.cells = append(t.cells, "")
			default:
				t.cells = append(t.cells, v.s)
			}
		}
		t.cw.Write(t.cells)
		return
	}
	if t.rows > 1 {
		t.buf.WriteString(",")
	}
	t.buf.WriteString("\n  {")
	for i, v := range vals {
		if i > 0 {
			t.buf.WriteString(", ")
		}
		writeJSONString(&t.buf, t.cols[i].json)
		t.buf.WriteString(": ")
		switch v.t {
		case 's':
			writeJSONString(&t.buf, v.s)
		case 'z':
			t.buf.WriteString("null")
		default:
			t.buf.WriteString(v.s)
		}
	}
	t.buf.WriteString("}")
}

func (t *table) finish() error {
	if t.json {
		if t.rows > 0 {
			t.buf.WriteString("\n")
		}
		t.buf.WriteString("]\n")
		return nil
	}
	t.cw.Flush()
	return t.cw.Error()
}

// writeJSONString writes s as a JSON string, unescaped beyond what JSON
// requires (no \u003c for <, as encoding/json would write).
func writeJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xF])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}

// Export writes every record of one kind to w as CSV or JSON, reading the
// database in one read-only transaction. Accounts carry their computed
// health score, band, effective segment and risk flags as extra columns
// (computed for eo.AsOf, SLAs judged at eo.Now); escalations carry their
// timeline (JSON) or its length (CSV).
func Export(dbPath string, opt store.Options, w io.Writer, eo ExportOptions) error {
	asJSON := false
	switch strings.ToLower(eo.Format) {
	case "", "csv":
	case "json":
		asJSON = true
	default:
		return fmt.Errorf("unknown export format %q: use csv or json", eo.Format)
	}
	if _, ok := exportCols[eo.Kind]; !ok {
		return fmt.Errorf("unknown kind %q: export accounts, members, escalations, activities or ledger", eo.Kind)
	}
	if eo.Now.IsZero() {
		eo.Now = time.Now().UTC()
	}
	if eo.AsOf.IsZero() {
		eo.AsOf = metrics.DateOf(eo.Now.Local())
	}
	t := newTable(eo.Kind, asJSON)
	err := store.View(dbPath, opt, func(tx *store.Tx) error {
		switch eo.Kind {
		case Accounts:
			return exportAccounts(tx, t, eo)
		case Members:
			return exportMembers(tx, t)
		case Escalations:
			return exportEscalations(tx, t, eo)
		case Activities:
			return exportActivities(tx, t)
		default:
			return exportLedger(tx, t)
		}
	})
	if err != nil {
		return err
	}
	if err := t.finish(); err != nil {
		return err
	}
	_, err = w.Write(t.buf.Bytes())
	return err
}

func exportAccounts(tx *store.Tx, t *table, eo ExportOptions) error {
	raw, err := portfolio.ReadRaw(tx, eo.AsOf)
	if err != nil {
		return err
	}
	p := portfolio.Build(raw, eo.AsOf, eo.Now)
	// Name order, for people; external ID and ID break ties, so the order
	// does not depend on the IDs an import happened to assign and an
	// export imported into an empty database exports identically.
	order := make([]int, len(p.Accounts))
	folded := make([]string, len(p.Accounts))
	for i := range order {
		order[i] = i
		folded[i] = strings.ToLower(p.Accounts[i].Name)
	}
	sort.Slice(order, func(x, y int) bool {
		a, b := &p.Accounts[order[x]], &p.Accounts[order[y]]
		if fa, fb := folded[order[x]], folded[order[y]]; fa != fb {
			return fa < fb
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.ExternalID != b.ExternalID {
			return a.ExternalID < b.ExternalID
		}
		return a.ID < b.ID
	})
	vals := make([]jv, 0, len(t.cols))
	for _, i := range order {
		a := &p.Accounts[i]
		var ownerEmail string
		if m := p.Member(a.OwnerID); m != nil && a.OwnerID != 0 {
			ownerEmail = m.Email
		}
		var ov metrics.Override
		if a.Override != nil {
			ov = *a.Override
		}
		score := jv{t: 'z'}
		if a.Health.HasScore {
			score = num(int64(a.Health.Score))
		}
		flags := str(a.Flags.String())
		if t.json {
			names := a.Flags.Names()
			var b bytes.Buffer
			b.WriteString("[")
			for i, n := range names {
				if i > 0 {
					b.WriteString(", ")
				}
				writeJSONString(&b, n)
			}
			b.WriteString("]")
			flags = jv{s: b.String(), t: 'r'}
		}
		vals = append(vals[:0],
			str(a.ExternalID), str(a.Name), str(a.OwnerName), str(ownerEmail), str(string(a.Account.Segment)),
			str(string(a.Lifecycle)), str(a.Plan), money(a.ARRCents), day(a.ContractStart), day(a.RenewalDate), num(int64(a.Seats)),
			optional(a.ActiveUsers), optional(a.Tickets30d), num(int64(a.OpenCritical)), str(a.ChampionName),
			str(a.ChampionEmail), boolean(a.ChampionChanged), day(a.LastTouch), day(a.LastQBR), optional(a.NPS),
			optional(a.CSAT), money(a.PipelineCents), str(a.PipelineStage), str(a.SuccessPlan),
			str(string(ov.Band)), str(ov.Reason), str(ov.Author), day(ov.Expires),
			score, str(string(a.Health.Band)), str(string(a.Segment)), flags)
		t.add(vals)
	}
	return nil
}

func exportMembers(tx *store.Tx, t *table) error {
	ms, err := tx.Members()
	if err != nil {
		return err
	}
	for _, m := range ms {
		t.add([]jv{str(m.Name), str(m.Email), str(string(m.Role)), num(int64(m.Capacity)), day(m.LastOneOnOne), boolean(m.Active)})
	}
	return nil
}

// accountNames maps account IDs to their external ID and name.
func accountNames(tx *store.Tx) (map[uint64][2]string, error) {
	accts, err := tx.Accounts()
	if err != nil {
		return nil, err
	}
	out := make(map[uint64][2]string, len(accts))
	for _, a := range accts {
		out[a.ID] = [2]string{a.ExternalID, a.Name}
	}
	return out, nil
}

func exportEscalations(tx *store.Tx, t *table, eo ExportOptions) error {
	names, err := accountNames(tx)
	if err != nil {
		return err
	}
	ms, err := tx.Members()
	if err != nil {
		return err
	}
	member := map[uint64]string{}
	for _, m := range ms {
		member[m.ID] = m.Name
	}
	escs, err := tx.Escalations()
	if err != nil {
		return err
	}
	for _, e := range escs {
		events, err := tx.Timeline(e.ID)
		if err != nil {
			return err
		}
		timeline := num(int64(len(events)))
		if t.json {
			var b bytes.Buffer
			b.WriteString("[")
			for i, ev := range events {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(`{"at": `)
				writeJSONString(&b, formatInstant(ev.At))
				b.WriteString(`, "author": `)
				writeJSONString(&b, ev.Author)
				b.WriteString(`, "kind": `)
				writeJSONString(&b, ev.Kind)
				b.WriteString(`, "text": `)
				writeJSONString(&b, ev.Text)
				b.WriteString("}")
			}
			b.WriteString("]")
			timeline = jv{s: b.String(), t: 'r'}
		}
		acct := names[e.AccountID]
		t.add([]jv{num(int64(e.ID)), str(acct[0]), str(acct[1]), str(e.Title), str(e.Description), str(e.Severity),
			str(e.Status), str(member[e.OwnerID]), str(member[e.RaisedBy]), str(e.Decision), instant(e.CreatedAt),
			instant(e.UpdatedAt), instant(e.ResolvedAt), instant(e.SLADue), boolean(e.Breached(eo.Now)), timeline})
	}
	return nil
}

func exportActivities(tx *store.Tx, t *table) error {
	names, err := accountNames(tx)
	if err != nil {
		return err
	}
	return tx.ForEachActivity(func(a *store.Activity) error {
		acct := names[a.AccountID]
		t.add([]jv{str(acct[0]), str(acct[1]), instant(a.At), str(a.Author), str(a.Kind), str(a.Text)})
		return nil
	})
}

func exportLedger(tx *store.Tx, t *table) error {
	names, err := accountNames(tx)
	if err != nil {
		return err
	}
	return tx.ForEachLedger(func(l *store.LedgerEntry) error {
		acct := names[l.AccountID]
		t.add([]jv{str(acct[0]), str(acct[1]), day(l.Date), money(l.ARRCents), str(string(l.Kind)), str(l.Author), str(l.Note)})
		return nil
	})
}
