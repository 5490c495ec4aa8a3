package store

import (
	"strconv"
	"unicode/utf8"
)

// quoteLimit is how much of a user's input an error message echoes: enough
// to recognise it, never a screenful (a 100 KB --as, a pasted document as a
// setting's value, a generated path).
const quoteLimit = 80

// Quote is the one way an error message echoes something a person typed or
// a file holds: Go-quoted (so control characters and escape sequences are
// shown, not obeyed by the terminal), cut to its first 80 characters with
// the full length said when it is longer. The command line uses it too.
func Quote(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= quoteLimit {
		return strconv.Quote(s)
	}
	cut, runes := s, 0
	for i := range s {
		if runes == quoteLimit {
			cut = s[:i]
			break
		}
		runes++
	}
	return strconv.Quote(cut) + "… (" + strconv.Itoa(n) + " characters)"
}

// QuotePath shows a path in a message: as it is when it is short and
// plain, else Go-quoted and, past 80 characters, cut to its end (the file's
// name is the part that tells).
func QuotePath(p string) string {
	n := utf8.RuneCountInString(p)
	if n <= quoteLimit {
		for _, r := range p {
			if r < 0x20 || r == 0x7f || r == '"' || r == utf8.RuneError {
				return strconv.Quote(p)
			}
		}
		return p
	}
	skip := n - quoteLimit
	for i := range p {
		if skip == 0 {
			return `"…` + strconv.Quote(p[i:])[1:]
		}
		skip--
	}
	return strconv.Quote(p)
}
