package tui

import (
	"reflect"
	"testing"

	"steward/store/portfolio"
)

// A small book's scores are looked up account by account (bookLookups);
// the member page's "since the last 1:1" is the same as from the whole
// week read in one pass, for every member and the Unassigned pool.
func TestMemberSinceByLookupAgrees(t *testing.T) {
	path := fixturePath(t, 60)
	m := loaded(t, path, 120, 40)
	day := m.p.AsOf
	rows := 0
	for _, r := range m.p.Team {
		id := r.Member.ID
		ids := m.p.ScopeIDs(portfolio.Scope{Owner: &id})
		if ids == nil {
			ids = []uint64{}
		}
		whole := memberSinceCmd(0, path, m.opt.Store, id, day, nil)().(memberSinceMsg)
		looked := memberSinceCmd(0, path, m.opt.Store, id, day, ids)().(memberSinceMsg)
		if whole.err != nil || looked.err != nil {
			t.Fatal(whole.err, looked.err)
		}
		a := m.p.BookSince(id, r.Unassigned, day, whole.scores)
		b := m.p.BookSince(id, r.Unassigned, day, looked.scores)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: since the last 1:1 from the whole week\n%+v\nby lookup\n%+v", r.Member.Name, a, b)
		}
		if len(looked.scores) > len(ids) || (len(ids) > 0 && len(looked.scores) == 0) {
			t.Fatalf("%s: %d scores looked up for %d accounts", r.Member.Name, len(looked.scores), len(ids))
		}
		rows++
	}
	if rows < 3 {
		t.Fatalf("only %d team rows: the fixture proves little", rows)
	}
}
