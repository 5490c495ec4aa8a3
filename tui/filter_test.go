package tui

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"steward/store"
)

// renameAccounts gives the first accounts of a fixture the names given.
func renameAccounts(t *testing.T, path string, names ...string) []uint64 {
	t.Helper()
	var ids []uint64
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		as, err := tx.Accounts()
		if err != nil {
			return err
		}
		for i, n := range names {
			a := as[i]
			a.Name = n
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func rowNames(m *Model) []string {
	var out []string
	for _, r := range m.accounts.rows {
		out = append(out, m.p.Accounts[r].Name)
	}
	return out
}

// One matcher: accents and case folded on both sides, word and prefix
// hits before substrings before tight subsequences, loose subsequences
// dropped, the match count shown while typing.
func TestFilterFoldsRanksAndCounts(t *testing.T) {
	path := fixturePath(t, 40)
	renameAccounts(t, path, "Krüger GmbH", "Ravenswood Industries", "Bravia Ltd", "Ravi Patel Consulting", "Ærø Shipping", "ZZ Ravine Holdings")
	m := loaded(t, path, 140, 40)
	press(m, "3", "/")
	typeText(m, "kruger")
	if got := rowNames(m); len(got) != 1 || got[0] != "Krüger GmbH" {
		t.Fatalf("kruger found %v", got)
	}
	mustContain(t, screen(m), "· 1 match")
	press(m, "esc", "/")
	typeText(m, "KRÜGER")
	if got := rowNames(m); len(got) != 1 {
		t.Fatalf("KRÜGER found %v", got)
	}
	press(m, "esc", "/")
	typeText(m, "aero")
	if got := rowNames(m); len(got) != 1 || got[0] != "Ærø Shipping" {
		t.Fatalf("aero found %v", got)
	}
	press(m, "esc", "/")
	typeText(m, "ravi")
	got := rowNames(m)
	// Word starts (Ravi, Ravine) before the substring (Bravia); Ravenswood
	// Industries holds r-a-v-i only spread out: no hit.
	if len(got) != 3 || got[2] != "Bravia Ltd" || !(got[0] == "Ravi Patel Consulting" || got[1] == "Ravi Patel Consulting") {
		t.Fatalf("ravi found %v", got)
	}
	for _, n := range got {
		if strings.HasPrefix(n, "Ravenswood") {
			t.Fatalf("a loose subsequence matched: %v", got)
		}
	}
	mustContain(t, screen(m), "· 3 matches")

	// Enter keeps the filter; `/` reopens it selected, and typing replaces it.
	press(m, "enter", "/")
	mustContain(t, screen(m), "typing replaces")
	typeText(m, "bra")
	if q := m.accounts.Query(); q != "bra" {
		t.Fatalf("typing over a kept filter gave %q", q)
	}
	press(m, "enter", "/", "end")
	typeText(m, "v")
	if q := m.accounts.Query(); q != "brav" {
		t.Fatalf("end then v gave %q", q)
	}
	press(m, "esc")
}

// The team view, the queue and the pickers use the same matcher.
func TestEveryViewUsesTheMatcher(t *testing.T) {
	m, _ := triage(t)
	press(m, "2", "/")
	typeText(m, "chen")
	if len(m.team.rows) != 1 || !strings.Contains(m.p.Team[m.team.rows[0]].Member.Name, "Chen") {
		t.Fatalf("team filter chen: %v", m.team.rows)
	}
	press(m, "esc", "esc", "4", "/")
	e := m.p.Escalations[m.escs.rows[0]]
	word := strings.Fields(e.Title)[0]
	typeText(m, strings.ToUpper(word))
	if len(m.escs.rows) == 0 || !strings.HasPrefix(strings.ToLower(m.p.Escalations[m.escs.rows[0]].Title+" "), strings.ToLower(word)) &&
		!strings.Contains(strings.ToLower(m.p.Escalations[m.escs.rows[0]].Title), " "+strings.ToLower(word)) {
		t.Fatalf("queue filter %q: first row %q", word, m.p.Escalations[m.escs.rows[0]].Title)
	}
	press(m, "esc", "esc")
}

// Sorting keeps the selected account selected; a band filter that hides
// it goes to the top.
func TestSortKeepsTheSelection(t *testing.T) {
	m, _ := triage(t)
	press(m, "3", "j", "j", "j", "j", "j")
	id := m.accounts.selectedID()
	for col := 0; col < numSorts+1; col++ {
		press(m, "s")
		if got := m.accounts.selectedID(); got != id {
			t.Fatalf("sort %d moved the selection to %d, want %d", m.accounts.sortCol, got, id)
		}
	}
	press(m, "S")
	if got := m.accounts.selectedID(); got != id {
		t.Fatal("reverse lost the selection")
	}
	band := m.p.Account(id).Health.Band
	for i := 0; i < len(bandFilters); i++ {
		press(m, "b")
		if m.accounts.band == "" || m.accounts.band == band {
			continue
		}
		if m.accounts.tbl.cursor != 0 {
			t.Fatalf("a band filter hiding the selection left the cursor at %d", m.accounts.tbl.cursor)
		}
		return
	}
	t.Fatal("no band filter hid the selected account")
}

// Sorting agrees with the column and breaks ties by name, on one core or
// in pieces (keys, pairs and the radix passes), either way round: exactly
// a stable sort of the name order by the column's key.
func TestSortOrderIsRight(t *testing.T) {
	m := loaded(t, fixturePath(t, 3000), 120, 40)
	press(m, "3")
	v := m.accounts
	defer func(n int) { minPiece = n }(minPiece)
	for _, piece := range []int{1 << 20, 64} {
		minPiece = piece
		for col := 0; col < numSorts; col++ {
			for _, desc := range []bool{false, true} {
				v.sortCol, v.desc = col, desc
				v.changedRows() // sorted now, not from an order made ahead
				v.resort()
				key := sortKey(col, func() func(uint64) uint64 { return ownerRanks(m.p) })
				want := slices.Clone(v.byName)
				if desc {
					slices.Reverse(want)
				}
				slices.SortStableFunc(want, func(x, y int32) int {
					kx, ky := key(&m.p.Accounts[x]), key(&m.p.Accounts[y])
					if desc {
						kx, ky = ky, kx
					}
					return cmp.Compare(kx, ky)
				})
				if !slices.Equal(sortedOrder(v), want) {
					t.Fatalf("column %s (desc %v, pieces of %d): the order differs from a stable sort by the key", accountCols[col].title, desc, piece)
				}
			}
		}
	}
	// And in words: by the key, ties by name.
	v.sortCol, v.desc, minPiece = sortARR, false, 64
	v.resort()
	key := sortKey(sortARR, nil) // not the owner column
	sorted := sortedOrder(v)
	for k := 1; k < len(sorted); k++ {
		a, b := &m.p.Accounts[sorted[k-1]], &m.p.Accounts[sorted[k]]
		if ka, kb := key(a), key(b); ka > kb || ka == kb && foldName(a) > foldName(b) {
			t.Fatalf("%q before %q", a.Name, b.Name)
		}
	}
}

// The filter's shortcuts (byte, word-start and pair masks, per-group
// tiers, one letter answered by masks, pieces matched in parallel, a
// growing query narrowing the last hits, a shorter one restored from its
// pass, a re-sort that only collects again) find exactly what ranking every
// account's folded text against the query finds, in the same order.
func TestFilterShortcutsMatchTheRanking(t *testing.T) {
	defer func(n int) { minPiece = n }(minPiece)
	minPiece = 64
	m := loaded(t, fixturePath(t, 3000), 120, 40)
	press(m, "3")
	v := m.accounts
	rng := rand.New(rand.NewPCG(1, 2))
	queries := []string{"g", "gl", "globex", "zq", "tr 1", "a", "ac", "acme", "1", "smb", "mid", "ent", "ü"}
	for len(queries) < 400 {
		// Pieces of real names, with letters dropped (fuzzy hits) and
		// owners' words mixed in.
		a := &m.p.Accounts[rng.IntN(len(m.p.Accounts))]
		f := a.Fold
		i := rng.IntN(len(f))
		j := min(len(f), i+1+rng.IntN(6))
		q := f[i:j]
		if rng.IntN(3) == 0 && len(q) > 2 {
			k := 1 + rng.IntN(len(q)-2)
			q = q[:k] + q[k+1:]
		}
		if !utf8.ValidString(q) {
			continue
		}
		queries = append(queries, q)
	}
	check := func(q string) {
		t.Helper()
		cq := compileQuery(q)
		var want [3][]int32
		for _, i := range v.base {
			a := &m.p.Accounts[i]
			name, rest := a.Fold[:a.NameLen], a.Fold[min(len(a.Fold), a.NameLen+1):]
			worst := tierExact
			for _, term := range cq.terms {
				worst = max(worst, min(termTier(name, term), termTier(rest, term)))
			}
			if worst != tierNone {
				want[worst.group()] = append(want[worst.group()], i)
			}
		}
		all := append(append(append([]int32{}, want[0]...), want[1]...), want[2]...)
		if !slices.Equal(v.rows, all) {
			t.Fatalf("query %q: the filter found %d rows, the ranking %d", q, len(v.rows), len(all))
		}
	}
	prev := ""
	for n, q := range queries {
		switch {
		case n%5 == 4:
			// Typed a letter at a time, then backspaced to nothing: the
			// shorter queries come back from their passes.
			v.forget()
			for k := 1; k <= len(q); k++ {
				v.query = q[:k]
				v.filter()
				check(q[:k])
			}
			for k := len(q) - 1; k > 0; k-- {
				v.query = q[:k]
				v.filter()
				check(q[:k])
			}
			v.query = q
		case rng.IntN(2) == 0 && prev != "" && strings.HasPrefix(q, prev):
			v.query = q // narrowing from the last hits
		default:
			v.query = q
			v.forget()
		}
		v.filter()
		check(q)
		if n%7 == 6 {
			// A sort or a band filter collects the same hits again in a
			// new order, without matching again.
			v.sortCol, v.desc = rng.IntN(numSorts), rng.IntN(2) == 0
			v.band = bandFilters[rng.IntN(len(bandFilters))]
			v.resort()
			check(q)
		}
		prev = q
	}
}

// sortedOrder is the view's sort order, either way round.
func sortedOrder(v *accountsView) []int32 {
	out := slices.Clone(v.asc)
	if v.desc {
		slices.Reverse(out)
	}
	return out
}
