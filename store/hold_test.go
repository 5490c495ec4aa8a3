package store

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// mappedResident is the resident size of the mapping that starts at
// addr, from /proc/self/smaps.
func mappedResident(t *testing.T, addr uintptr) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if r, _, ok := strings.Cut(line, " "); ok && strings.Contains(r, "-") && !strings.HasSuffix(r, ":") {
			start, _, _ := strings.Cut(r, "-")
			a, err := strconv.ParseUint(start, 16, 64)
			in = err == nil && uintptr(a) == addr
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return kb << 10
		}
	}
	t.Fatalf("no mapping at %#x", addr)
	return 0
}

// A walk over a bucket larger than the transaction's map budget hands
// the pieces it read back as it goes: the map's resident size stays near
// the budget, however the file lays out its pages.
func TestWalksHandTheMapBack(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("resident memory is read from Linux's /proc")
	}
	db := newDB(t)
	plan := strings.Repeat("a long success plan that fills the page ", 50) // 2 kB a record
	for batch := range 12 {
		mustUpdate(t, db, func(tx *Tx) error {
			for i := range 1000 {
				a := &Account{Name: fmt.Sprintf("Account %d-%d", batch, i), SuccessPlan: plan}
				if err := tx.PutAccount(a); err != nil {
					return err
				}
			}
			return nil
		})
	}
	const budget = 4 << 20
	walk := func(limit int) (resident, seen int) {
		mustView(t, db, func(tx *Tx) error {
			tx.LimitMapped(limit)
			tx.releaseMapped() // what earlier reads of this process mapped
			err := tx.ForEachAccountView(func(*Account) error { seen++; return nil })
			resident = mappedResident(t, tx.tx.DB().Info().Data)
			return err
		})
		return resident, seen
	}
	// Without a budget to speak of the walk keeps the bucket's pages; the
	// bucket must be well over the budget for the check to mean anything.
	all, seen := walk(1 << 40)
	if seen != 12000 || all < 4*budget {
		t.Fatalf("an unlimited walk over %d accounts left %d kB of the map resident; the test needs more than %d kB", seen, all>>10, 4*budget>>10)
	}
	held, _ := walk(budget)
	if held > budget+mapPiece {
		t.Fatalf("a walk with a %d kB budget left %d kB of the map resident (%d kB unlimited)", budget>>10, held>>10, all>>10)
	}
}
