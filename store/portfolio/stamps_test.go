package portfolio

import (
	"os"
	"testing"

	"steward/store/storetest"
)

func TestMain(m *testing.M) {
	done := storetest.IsolateStamps()
	code := m.Run()
	done()
	os.Exit(code)
}
