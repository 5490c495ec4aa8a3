package tui

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/store/demo"
)

const benchAccounts = 100_000

var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
)

// benchDB generates the 100,000-account database once per process: it
// takes seconds, and every benchmark only reads it.
func benchDB(b *testing.B) string {
	benchOnce.Do(func() {
		var err error
		if benchDir, err = os.MkdirTemp("", "steward-bench-"); err != nil {
			b.Fatal(err)
		}
		benchPath = filepath.Join(benchDir, "bench.db")
		start := time.Now()
		if _, err := demo.Write(benchPath, demo.Options{Accounts: benchAccounts, Seed: 1, Today: fixAsOf, Now: fixNow}); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d accounts in %s", benchAccounts, time.Since(start).Round(time.Millisecond))
	})
	return benchPath
}

func benchModel(b *testing.B) *Model {
	m := loaded(b, benchDB(b), 120, 40)
	press(m, "3")
	m.View()
	return m
}

// (a) One cursor move in the accounts view, Update and View.
func BenchmarkCursorMove(b *testing.B) {
	m := benchModel(b)
	down, up := keyOf("j"), keyOf("k")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if i%40 >= 20 {
			k = up
		}
		m.Update(k)
		_ = m.View()
	}
}

// (b) One filter keystroke, from the key to the filtered rows rendered.
// "typing" averages the keystrokes of a word (each narrows the previous
// result); "first-char" is the worst case, a full pass over every account.
func BenchmarkFilterKeystroke(b *testing.B) {
	m := benchModel(b)
	b.Run("typing", func(b *testing.B) {
		word := []rune("globex 1")
		press(m, "/")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			j := i % (len(word) + 1)
			if j == len(word) {
				m.Update(keyOf("ctrl+u")) // clear the field: a keystroke too
			} else {
				m.Update(keyOf(string(word[j])))
			}
			_ = m.View()
		}
		b.StopTimer()
		press(m, "esc")
	})
	b.Run("first-char", func(b *testing.B) {
		press(m, "/")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m.Update(keyOf("g"))
			_ = m.View()
			b.StopTimer()
			m.Update(keyOf("backspace"))
			b.StartTimer()
		}
		b.StopTimer()
		press(m, "esc")
	})
}

// (c) Open to first frame: read the bbolt file, compute health and KPIs,
// lay out and render. Also reports the heap in use after the load.
func BenchmarkOpenToFirstFrame(b *testing.B) {
	path := benchDB(b)
	run := func(b *testing.B, path string) *Model {
		m := New(testOptions(path))
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		// The week's automatic snapshot is a follow-up command that runs
		// after the first frame; it is not part of this measure.
		m.Update(m.load(true)())
		if m.fatal != nil {
			b.Fatal(m.fatal)
		}
		_ = m.View()
		return m
	}
	b.Run("100k", func(b *testing.B) {
		var m *Model
		for i := 0; i < b.N; i++ {
			m = nil // one portfolio alive at a time, as in the program
			m = run(b, path)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		runtime.KeepAlive(m)
	})
}

// One keystroke in the account picker of a new escalation (100,000
// options), from the key to the form rendered; "typing" averages the
// keystrokes of a word, "first-char" is a full pass.
func BenchmarkPickerKeystroke(b *testing.B) {
	m := benchModel(b)
	press(m, "4", "c")
	if _, ok := m.modal.(*form); !ok {
		b.Fatal("no form")
	}
	b.Run("typing", func(b *testing.B) {
		word := []rune("globex 1")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			j := i % (len(word) + 1)
			if j == len(word) {
				b.StopTimer()
				for range word {
					m.Update(keyOf("backspace"))
				}
				b.StartTimer()
				continue
			}
			m.Update(keyOf(string(word[j])))
			_ = m.View()
		}
	})
	b.Run("first-char", func(b *testing.B) {
		for range 20 {
			m.Update(keyOf("backspace"))
		}
		if q := openForm(b, m).fields[0].pick.query; q != "" {
			b.Fatalf("query %q left over", q)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m.Update(keyOf("g"))
			_ = m.View()
			b.StopTimer()
			m.Update(keyOf("backspace"))
			b.StartTimer()
		}
	})
}

// One press of `s` that lands on each sort column (the sort itself, the
// re-filter and the first View), at 100,000 accounts.
func BenchmarkSort(b *testing.B) {
	m := benchModel(b)
	for col := 0; col < numSorts; col++ {
		b.Run(accountCols[col].title, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v := m.accounts
				v.sortCol = (col + numSorts - 1) % numSorts
				m.Update(keyOf("s"))
				if v.sortCol != col {
					b.Fatalf("s landed on %d, want %d", v.sortCol, col)
				}
				_ = m.View()
			}
		})
	}
}

// The matching alone of a filter query over 100,000 accounts, from
// scratch (a full pass, the worst case): 1, 2 and 6 letters.
func BenchmarkFilterMatch(b *testing.B) {
	m := benchModel(b)
	v := m.accounts
	for _, q := range []string{"g", "gl", "globex", "zq", "tr 1"} {
		b.Run(strconv.Itoa(len(q))+"-"+strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v.query, v.applied = q, ""
				v.filter()
			}
			b.ReportMetric(float64(len(v.rows)), "hits")
		})
	}
	v.query, v.applied = "", ""
	v.filter()
}
