package policy

import (
	"reflect"

	"github.com/casefile-forensics/casefile/lambdas/strictjson"
)

// policyShape is the JSON form of a Policy, read from its json tags so
// that it cannot drift from the type. It is never changed.
var policyShape = strictjson.ShapeOf(reflect.TypeFor[Policy](), strictjson.Options{})

// checkShape returns the first place where raw is not the JSON form of a
// Policy (strictjson): a key that is not the exact name of a field there,
// a key given twice, a value of the wrong kind (null included), or data
// after the object. encoding/json alone would match keys without regard
// to case and keep the last of duplicates.
func checkShape(raw []byte) *Error {
	if p := policyShape.Check(raw, Field); p != nil {
		return invalid(p.Path, "%s", p.Detail)
	}
	return nil
}
