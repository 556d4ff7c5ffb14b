package cdktest

import "testing"

// Check runs a template assertion, which panics on a mismatch, and reports
// the mismatch (the assertions library prints got and want) as a test
// error, so that the test goes on to its other checks.
func Check(t testing.TB, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}
