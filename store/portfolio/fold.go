package portfolio

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FoldText is the one folding every filter and picker applies to both the
// text and the query (README, "Pickers and filters"): lower case, accents
// dropped ("Krüger" and "kruger" match), and the letters that do not
// decompose spelled the way people type them without the key (ß → ss,
// ø → o, æ → ae, ł → l). ASCII text, the common case, takes a fast path.
func FoldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= 'A' && c <= 'Z' {
				return strings.ToLower(s)
			}
		}
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent: dropped
		case r < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(r))
		default:
			if sp, ok := spelled[unicode.ToLower(r)]; ok {
				b.WriteString(sp)
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

// spelled are letters with no decomposition, as typed on a plain keyboard.
var spelled = map[rune]string{
	'ß': "ss", 'ø': "o", 'æ': "ae", 'œ': "oe", 'ł': "l", 'đ': "d", 'ð': "d",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t",
}
