package transfer

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestNULAnywhereInACellIsARowError(t *testing.T) {
	var b strings.Builder
	b.WriteString("Account ID,Account Name,Notes\n")
	for i := 0; b.Len() < 3*sniffSize; i++ {
		fmt.Fprintf(&b, "P%04d,Padding account number %d,nothing to see here\n", i, i)
	}
	lines := strings.Count(b.String(), "\n")
	b.WriteString("X1,Bad\x00Name,ok\n")    // a field steward reads
	b.WriteString("X2,Fine,no\x00te\n")     // an ignored column
	b.WriteString("X3,\"Quoted\x00\",ok\n") // quoted
	cases := []struct{ name, file, content string }{
		{"after the first 8 KiB", "a.csv", b.String()},
		{"near the top", "a.csv", "Account ID,Account Name\nA1,Ac\x00me\n"},
		{"JSON", "a.json", `[{"Account Name": "A"}, {"Account Name": "B\u0000"}]`},
	}
	want := [][]string{
		{fmt.Sprintf(`a.csv:%d: column "Account Name": contains a NUL byte`, lines+1), fmt.Sprintf(`a.csv:%d: column "Notes": contains a NUL byte`, lines+2),
			fmt.Sprintf(`a.csv:%d: column "Account Name": contains a NUL byte`, lines+3)},
		{`a.csv:2: column "Account Name": contains a NUL byte`},
		{`a.json: record 2: column "Account Name": contains a NUL byte`},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := fixtureDB(t)
			sum := fileSum(t, db)
			path := writeFile(t, c.file, c.content)
			res, err := Import(db, testOpt, path, opts(ImportOptions{}))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != len(want[i]) {
				t.Fatalf("errors:\n%s", errList(res.Errors))
			}
			for j, w := range want[i] {
				if w = strings.ReplaceAll(w, "a.csv", path); !strings.HasPrefix(res.Errors[j].Error(), strings.ReplaceAll(w, "a.json", path)) {
					t.Errorf("error %d: %s\nwant %s…", j, res.Errors[j].Error(), w)
				}
			}
			if fileSum(t, db) != sum {
				t.Error("the database changed")
			}
		})
	}
}

func utf16Bytes(s string, bigEndian bool) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

func TestUTF16WithoutBOMIsNamed(t *testing.T) {
	text := "Account Name,ARR\nAcme Café,1000\nGlobex,2000\n"
	for _, c := range []struct {
		name, content, want string
	}{
		{"LE", utf16Bytes(text, false), "iconv -f UTF-16LE -t UTF-8"},
		{"BE", utf16Bytes(text, true), "iconv -f UTF-16BE -t UTF-8"},
		{"LE with BOM", "\xff\xfe" + utf16Bytes(text, false), "iconv -f UTF-16 -t UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := fixtureDB(t)
			path := writeFile(t, "export.csv", c.content)
			_, err := Import(db, testOpt, path, opts(ImportOptions{}))
			if err == nil || !strings.Contains(err.Error(), "is UTF-16 text") || !strings.Contains(err.Error(), c.want) ||
				!strings.Contains(err.Error(), path+".utf8.csv") || strings.Contains(err.Error(), "binary") {
				t.Errorf("error = %v", err)
			}
		})
	}
}
