package tui

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"steward/store/portfolio"
)

// One matcher serves every `/` filter (review, team, accounts, queue) and
// every picker (README, "Pickers and filters"). Both sides are folded with
// portfolio.FoldText (case and accents), the query is split into terms,
// and each candidate gets a tier, best first. Filters keep their own order
// (the table's sort) within a tier; pickers rank by tier, then tightness.
type matchTier uint8

const (
	tierExact     matchTier = iota // the whole name (or the option's code) is the query
	tierPrefix                     // the name (or the code) starts with the query
	tierWord                       // every term starts a word
	tierSubstring                  // every term occurs somewhere
	tierFuzzy                      // every term occurs as a tight subsequence
	tierNone
)

// maxGap bounds a fuzzy hit: between two letters of a term at most this
// many characters may be skipped ("mgr" in "manager", "lgl" in "legal",
// "acmcorp" in "acme corp"), so a hit spans at most about four times the
// term, and "ravi" does not match "Ravenswood Industries". A gap bound,
// unlike a bound on the whole span, holds for every prefix of a term: a
// growing query can narrow the previous result and still find every hit.
const maxGap = 3

// query is a compiled filter or picker text.
type query struct {
	text  string   // folded and trimmed
	terms []string // text split on spaces
}

func compileQuery(q string) query {
	t := strings.TrimSpace(portfolio.FoldText(q))
	terms := strings.Fields(t)
	// Every term must match and the worst decides, so their order is
	// free: the cheapest and most selective go first (one letter or digit,
	// which the masks answer alone; then the longest), and a row that
	// fails one is not read for the rest.
	slices.SortStableFunc(terms, func(a, b string) int {
		ea, eb := len(a) == 1 && exactBit(a[0]), len(b) == 1 && exactBit(b[0])
		switch {
		case ea != eb:
			if ea {
				return -1
			}
			return 1
		}
		return len(b) - len(a)
	})
	return query{text: t, terms: terms}
}

func (q *query) empty() bool { return len(q.terms) == 0 }

// tier ranks fold (folded text) against every term: the worst term decides.
func (q *query) tier(fold string) matchTier {
	tier := tierWord
	for _, t := range q.terms {
		if tt := termTier(fold, t); tt > tier {
			if tt == tierNone {
				return tierNone
			}
			tier = tt
		}
	}
	return tier
}

// rank is tier with the name and code hits pickers need: name is the
// folded primary text (an account's name, an option's label), code an
// optional folded machine value ("director").
func (q *query) rank(name, code, fold string) matchTier {
	switch {
	case q.empty():
		return tierExact
	case name == q.text || (code != "" && code == q.text):
		return tierExact
	case strings.HasPrefix(name, q.text) || (code != "" && strings.HasPrefix(code, q.text)):
		return tierPrefix
	}
	return q.tier(fold)
}

// span is how tight a fuzzy hit is: the sum over terms of the shortest
// window holding the term (smaller is tighter).
func (q *query) span(fold string) int {
	total := 0
	for _, t := range q.terms {
		if strings.Contains(fold, t) {
			total += len(t)
		} else if w, ok := fuzzySpan(fold, t); ok {
			total += w
		}
	}
	return total
}

// termTier is how one term sits in s.
func termTier(s, t string) matchTier {
	i := strings.Index(s, t)
	if i < 0 {
		// One letter that is not there is not there: no fuzzy one-letter hits.
		if len(t) > 1 {
			if _, ok := fuzzySpan(s, t); ok {
				return tierFuzzy
			}
		}
		return tierNone
	}
	for {
		if i == 0 || !wordChar(s, i) {
			return tierWord
		}
		j := strings.Index(s[i+1:], t)
		if j < 0 {
			return tierSubstring
		}
		i += 1 + j
	}
}

// wordChar reports whether the character before byte i of s is a letter
// or a digit (so a hit at i does not start a word).
func wordChar(s string, i int) bool {
	c := s[i-1]
	if c < utf8.RuneSelf {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// fuzzySpan finds t in s as a subsequence whose letters are at most maxGap
// characters apart, and returns the shortest window found. Each start
// takes the nearest next letter, so the search is linear in practice; the
// windows are a few bytes, so plain loops beat calls to IndexByte.
func fuzzySpan(s, t string) (int, bool) {
	best := -1
	first := t[0]
	for start := 0; start < len(s); start++ {
		if s[start] != first {
			continue
		}
		pos, j := start, 1
		for ; j < len(t); j++ {
			hi := min(len(s), pos+2+maxGap)
			k := pos + 1
			for k < hi && s[k] != t[j] {
				k++
			}
			if k >= hi {
				break
			}
			pos = k
		}
		if j == len(t) {
			if w := pos - start + 1; best < 0 || w < best {
				best = w
				if w == len(t) {
					break
				}
			}
		}
	}
	return best, best >= 0
}

// byteMask is the set of bytes in s, folded into 64 bits (letters and
// digits exactly, other bytes by their value): a term can only occur in a
// text, as a substring or a subsequence, when every byte of it does, so
// a row whose mask lacks a term's bytes is skipped without reading it.
func byteMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		m |= 1 << maskBit(s[i])
	}
	return m
}

func maskBit(c byte) uint {
	switch {
	case c >= 'a' && c <= 'z':
		return uint(c - 'a')
	case c >= '0' && c <= '9':
		return 26 + uint(c-'0')
	}
	return 36 + uint(c)%28
}

// exactBit: the byte has a mask bit of its own (a letter or a digit).
func exactBit(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// wordStartMask is the set of bytes that start a word of s (see
// wordChar), so a one-letter query needs no reading of the text.
func wordStartMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		if i == 0 || !wordChar(s, i) {
			m |= 1 << maskBit(s[i])
		}
	}
	return m
}

// group is the filter order of a tier: word and prefix hits, then
// substrings, then fuzzy hits.
func (t matchTier) group() uint8 {
	switch {
	case t <= tierWord:
		return 0
	case t == tierSubstring:
		return 1
	}
	return 2
}

// filterOrder keeps the indexes 0..n-1 whose text matches q, grouped by
// tier and in their own order within a group (the views' natural order).
// Views with a few hundred rows use it; the accounts table has its own
// pass over a packed arena.
func filterOrder(q *query, n int, fold func(i int) string) []int {
	var groups [3][]int
	for i := 0; i < n; i++ {
		if t := q.tier(fold(i)); t != tierNone {
			g := t.group()
			groups[g] = append(groups[g], i)
		}
	}
	return append(append(groups[0], groups[1]...), groups[2]...)
}

// pairMask is a 256-bit set of the byte pairs a name holds at most
// maxGap+1 bytes apart: every consecutive pair of a term found in the name
// as a substring or as a fuzzy hit is among them. A term with a pair
// the name lacks is not in it, so the matcher skips reading the name; at
// 100,000 accounts that spares most of the substring and subsequence
// searches of a query of two or more letters (README, "Performance").
type pairMask [4]uint64

func pairBit(a, b byte) uint32 {
	return (uint32(a)<<8 | uint32(b)) * 2654435761 >> 24 // Fibonacci hashing: 0-255
}

func (m *pairMask) set(a, b byte) {
	bit := pairBit(a, b)
	m[bit>>6] |= 1 << (bit & 63)
}

// holds reports whether m has every pair of need.
func (m *pairMask) holds(need *pairMask) bool {
	return m[0]&need[0] == need[0] && m[1]&need[1] == need[1] &&
		m[2]&need[2] == need[2] && m[3]&need[3] == need[3]
}

// namePairs is the pairMask of a folded name.
func namePairs(s string) pairMask {
	var m pairMask
	for i := 0; i < len(s); i++ {
		for j := i + 1; j < len(s) && j <= i+1+maxGap; j++ {
			m.set(s[i], s[j])
		}
	}
	return m
}

// termPairs is the pairs a folded term needs: each letter with the next.
func termPairs(t string) pairMask {
	var m pairMask
	for i := 0; i+1 < len(t); i++ {
		m.set(t[i], t[i+1])
	}
	return m
}
