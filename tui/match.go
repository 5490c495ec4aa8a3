package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// How well a query matches a text, best first. A picker ranks its options
// by tier, so "manager" picks "manager takes it" (prefix) over "coach the
// account manager" (a later word), and a subsequence hit only counts when
// its letters sit close together (README, "Pickers and filters").
type matchTier int

const (
	tierExact     matchTier = iota // the whole name (or the option's code) is the query
	tierPrefix                     // the name (or the code) starts with the query
	tierWord                       // every term starts a word
	tierSubstring                  // every term occurs somewhere
	tierFuzzy                      // every term occurs as a tight subsequence
	tierNone
)

// maxSpan bounds a fuzzy hit: a term's letters must fit in a window about
// twice the term's length ("mgr" in "manager", "lgl" in "legal"), or
// "ravi" would match "Ravenswood Industries" and a third of any portfolio.
func maxSpan(n int) int { return 2*n + 2 }

// rankMatch ranks a query against an option. name is the folded primary
// text (an account's or member's name, an option's label), code an
// optional folded machine value typed by people who know it ("director"),
// fold the folded text every term is searched in (name plus owner,
// segment, email...). q is the folded, trimmed query; terms its fields.
// span is the fuzzy tightness (smaller is tighter), 0 for other tiers.
func rankMatch(name, code, fold, q string, terms []string) (matchTier, int) {
	switch {
	case q == "":
		return tierExact, 0
	case name == q || (code != "" && code == q):
		return tierExact, 0
	case strings.HasPrefix(name, q) || (code != "" && strings.HasPrefix(code, q)):
		return tierPrefix, 0
	}
	tier := tierWord
	for _, t := range terms {
		switch {
		case startsWord(fold, t):
		case strings.Contains(fold, t):
			tier = max(tier, tierSubstring)
		default:
			tier = tierFuzzy
		}
	}
	if tier < tierFuzzy {
		return tier, 0
	}
	span := matchSpan(fold, terms)
	if span < 0 {
		return tierNone, 0
	}
	return tierFuzzy, span
}

// startsWord reports whether t occurs in s at the start of a word: at the
// beginning or after a character that is neither a letter nor a digit.
func startsWord(s, t string) bool {
	for off := 0; off <= len(s)-len(t); {
		i := strings.Index(s[off:], t)
		if i < 0 {
			return false
		}
		i += off
		if i == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		off = i + 1
	}
	return false
}

// matchSpan is how spread out the terms' letters are in s: the sum over
// terms of the shortest window holding the term as a subsequence (a term
// that is a substring costs its own length). It is -1 when a term is not a
// subsequence at all or only a loose one (wider than maxSpan allows).
func matchSpan(s string, terms []string) int {
	total := 0
	for _, t := range terms {
		best := -1
		for start := strings.IndexByte(s, t[0]); start >= 0 && start < len(s); {
			j, end := 0, start
			for ; end < len(s) && j < len(t); end++ {
				if s[end] == t[j] {
					j++
				}
			}
			if j < len(t) {
				break // no later start can match either
			}
			if w := end - start; best < 0 || w < best {
				best = w
			}
			next := strings.IndexByte(s[start+1:], t[0])
			if next < 0 {
				break
			}
			start += 1 + next
		}
		if best < 0 || best > maxSpan(len(t)) {
			return -1
		}
		total += best
	}
	return total
}

// foldText is the one folding every matcher applies to both sides.
func foldText(s string) string { return strings.ToLower(s) }
