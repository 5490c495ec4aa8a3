package store

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"time"
	"unsafe"

	"steward/metrics"
)

// The hot records (accounts, ledger entries, snapshots) are stored in a
// small hand-written binary form: the dashboard decodes every account on open,
// and at 100,000 accounts encoding/json alone would eat most of the 1.5 s
// open-to-first-frame budget. Each record starts with a format byte so a
// later schema can add fields; decoding is strict and fails with
// errCorrupt rather than panicking on a short or garbled value.

var errCorrupt = errors.New("record is damaged")

type enc struct{ b []byte }

func (e *enc) u8(v byte)           { e.b = append(e.b, v) }
func (e *enc) uv(v uint64)         { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) iv(v int64)          { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) str(s string)        { e.uv(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) date(d metrics.Date) { e.iv(int64(d)) }
func (e *enc) opt(o metrics.Opt) {
	if !o.Set {
		e.u8(0)
		return
	}
	e.u8(1)
	e.iv(int64(o.V))
}
func (e *enc) boolean(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}
func (e *enc) instant(t time.Time) {
	if t.IsZero() {
		e.iv(math.MinInt64)
		return
	}
	e.iv(t.UnixNano())
}

type dec struct {
	b   []byte
	err error
	// view: b is a copy the caller keeps for the strings' lifetime (an
	// arena), so strings are views into it instead of copies: a load of
	// 100,000 accounts then makes no string allocations at all.
	view bool
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (d *dec) u8() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) uv() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) iv() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string {
	n := d.uv()
	if uint64(len(d.b)) < n {
		d.fail()
		return ""
	}
	var s string
	switch {
	case n == 0:
	case d.view:
		s = unsafe.String(&d.b[0], int(n))
	default:
		s = string(d.b[:n])
	}
	d.b = d.b[n:]
	return s
}

func (d *dec) date() metrics.Date { return metrics.Date(d.iv()) }

func (d *dec) opt() metrics.Opt {
	if d.u8() == 0 {
		return metrics.Opt{}
	}
	return metrics.Opt{V: int32(d.iv()), Set: true}
}

func (d *dec) boolean() bool { return d.u8() != 0 }

func (d *dec) instant() time.Time {
	v := d.iv()
	if v == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

// Account formats: 1 is the original; 2 appends the plan; 3 appends the
// plan, then when the health inputs were last updated (InputsAt). Each
// account is written in the oldest format that holds it: without an
// InputsAt in format 2 when it has a plan, else in format 1, byte for
// byte as before, so a steward from before these fields (which refuses a
// format it does not know) reads every account that does not use them.
// All three decode.
const (
	accountFormat1 = 1
	accountFormat2 = 2
	accountFormat3 = 3
	accountFormat  = accountFormat3 // the newest
)

// accountFormatOf is the format a is written in.
func accountFormatOf(a *Account) byte {
	switch {
	case !a.InputsAt.IsZero():
		return accountFormat3
	case a.Plan != "":
		return accountFormat2
	}
	return accountFormat1
}

func encodeAccount(a *Account) []byte {
	e := enc{b: make([]byte, 0, 170+len(a.Name)+len(a.SuccessPlan)+len(a.Plan))}
	format := accountFormatOf(a)
	e.u8(format)
	e.str(a.Name)
	e.str(a.ExternalID)
	e.uv(a.OwnerID)
	e.str(string(a.Segment))
	e.str(string(a.Lifecycle))
	e.iv(a.ARRCents)
	e.date(a.ContractStart)
	e.date(a.RenewalDate)
	e.iv(int64(a.Seats))
	e.opt(a.ActiveUsers)
	e.opt(a.Tickets30d)
	e.iv(int64(a.OpenCritical))
	e.str(a.ChampionName)
	e.str(a.ChampionEmail)
	e.boolean(a.ChampionChanged)
	e.date(a.LastTouch)
	e.date(a.LastQBR)
	e.opt(a.NPS)
	e.opt(a.CSAT)
	e.iv(a.PipelineCents)
	e.str(a.PipelineStage)
	e.str(a.SuccessPlan)
	if o := a.Override; o != nil {
		e.u8(1)
		e.str(string(o.Band))
		e.str(o.Reason)
		e.str(o.Author)
		e.date(o.Expires)
	} else {
		e.u8(0)
	}
	e.instant(a.CreatedAt)
	e.instant(a.UpdatedAt)
	if format >= accountFormat2 {
		e.str(a.Plan)
	}
	if format >= accountFormat3 {
		e.instant(a.InputsAt)
	}
	return e.b
}

func decodeAccount(id uint64, b []byte, a *Account) error {
	d := dec{b: b}
	return decodeAccountFrom(id, &d, a)
}

func decodeAccountFrom(id uint64, d *dec, a *Account) error {
	format := d.u8()
	if format < accountFormat1 || format > accountFormat {
		return errCorrupt
	}
	a.ID = id
	a.Name = d.str()
	a.ExternalID = d.str()
	a.OwnerID = d.uv()
	a.Segment = metrics.Segment(d.str())
	a.Lifecycle = Lifecycle(d.str())
	a.ARRCents = d.iv()
	a.ContractStart = d.date()
	a.RenewalDate = d.date()
	a.Seats = int(d.iv())
	a.ActiveUsers = d.opt()
	a.Tickets30d = d.opt()
	a.OpenCritical = int(d.iv())
	a.ChampionName = d.str()
	a.ChampionEmail = d.str()
	a.ChampionChanged = d.boolean()
	a.LastTouch = d.date()
	a.LastQBR = d.date()
	a.NPS = d.opt()
	a.CSAT = d.opt()
	a.PipelineCents = d.iv()
	a.PipelineStage = d.str()
	a.SuccessPlan = d.str()
	a.Override = nil
	if d.u8() == 1 {
		a.Override = &metrics.Override{
			Band:   metrics.Band(d.str()),
			Reason: d.str(),
			Author: d.str(),
		}
		a.Override.Expires = d.date()
	}
	a.CreatedAt = d.instant()
	a.UpdatedAt = d.instant()
	a.Plan = ""
	if format >= accountFormat2 {
		a.Plan = d.str()
	}
	a.InputsAt = time.Time{}
	if format >= accountFormat3 {
		a.InputsAt = d.instant()
	}
	return d.err
}

const ledgerFormat = 1

func encodeLedger(l *LedgerEntry) []byte {
	e := enc{b: make([]byte, 0, 24+len(l.Author)+len(l.Note))}
	e.u8(ledgerFormat)
	e.iv(l.ARRCents)
	e.str(string(l.Kind))
	e.str(l.Author)
	e.str(l.Note)
	return e.b
}

func decodeLedger(b []byte, l *LedgerEntry) error {
	d := dec{b: b}
	if d.u8() != ledgerFormat {
		return errCorrupt
	}
	l.ARRCents = d.iv()
	l.Kind = metrics.LedgerKind(d.str())
	l.Author = d.str()
	l.Note = d.str()
	return d.err
}

// decodeLedgerFigures decodes what the KPIs read of a ledger value: ARR
// and kind, the kind one of the known constants (no allocation) when it
// is one.
func decodeLedgerFigures(b []byte) (metrics.LedgerEntry, error) {
	d := dec{b: b, view: true}
	if d.u8() != ledgerFormat {
		return metrics.LedgerEntry{}, errCorrupt
	}
	e := metrics.LedgerEntry{ARRCents: d.iv()}
	kind := d.str()
	for _, k := range metrics.LedgerKinds {
		if string(k) == kind {
			e.Kind = k
			break
		}
	}
	if e.Kind == "" && kind != "" {
		e.Kind = metrics.LedgerKind(strings.Clone(kind))
	}
	d.str() // author
	d.str() // note
	return e, d.err
}

// Snapshot formats: 1 holds the four components of the health model;
// 2 adds execution's, written only when it has data (the component is
// on: README, "The execution component"), so a file that never turned it
// on keeps its snapshots byte for byte.
const (
	snapshotFormat     = 1
	snapshotFormatExec = 2
)

func encodeSnapshot(s *Snapshot) []byte {
	e := enc{b: make([]byte, 0, 24)}
	comps := s.Components[:metrics.Execution]
	if s.Components[metrics.Execution] >= 0 {
		e.u8(snapshotFormatExec)
		comps = s.Components[:]
	} else {
		e.u8(snapshotFormat)
	}
	e.iv(int64(s.Score))
	e.str(string(s.Band))
	for _, c := range comps {
		e.iv(int64(c))
	}
	e.iv(s.ARRCents)
	return e.b
}

// snapshotComponents is how many components a snapshot of format f
// holds, 0 for a format this build does not know.
func snapshotComponents(f byte) int {
	switch f {
	case snapshotFormat:
		return int(metrics.Execution)
	case snapshotFormatExec:
		return int(metrics.NumComponents)
	}
	return 0
}

func decodeSnapshot(b []byte, s *Snapshot) error {
	d := dec{b: b}
	n := snapshotComponents(d.u8())
	if n == 0 {
		return errCorrupt
	}
	s.Score = int(d.iv())
	s.Band = metrics.Band(d.str())
	for i := range s.Components {
		s.Components[i] = -1
		if i < n {
			s.Components[i] = int8(d.iv())
		}
	}
	s.ARRCents = d.iv()
	return d.err
}

// Week index values: score as int8 (-1 unknown) and the band's first byte.
func encodeWeekScore(s *Snapshot) []byte {
	return []byte{byte(int8(s.Score)), bandByte(s.Band)}
}

func decodeWeekScore(b []byte) (WeekScore, error) {
	if len(b) != 2 {
		return WeekScore{}, errCorrupt
	}
	return WeekScore{Score: int(int8(b[0])), Band: byteBand(b[1])}, nil
}

func bandByte(b metrics.Band) byte {
	switch b {
	case metrics.Green:
		return 'g'
	case metrics.Yellow:
		return 'y'
	case metrics.Red:
		return 'r'
	}
	return 'u'
}

func byteBand(c byte) metrics.Band {
	switch c {
	case 'g':
		return metrics.Green
	case 'y':
		return metrics.Yellow
	case 'r':
		return metrics.Red
	}
	return metrics.Unknown
}

// Keys: big-endian so byte order is numeric order, which makes an account's
// ledger or snapshot history one ordered prefix scan.

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func key(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func u32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}

// dateKey shifts the signed day count into an unsigned, ordered key.
func dateKey(d metrics.Date) []byte { return u32(uint32(int32(d)) ^ 0x80000000) }

func keyDate(b []byte) metrics.Date {
	return metrics.Date(int32(binary.BigEndian.Uint32(b) ^ 0x80000000))
}
