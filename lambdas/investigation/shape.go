package investigation

import (
	"reflect"

	"github.com/casefile-forensics/casefile/lambdas/strictjson"
)

// requestShape is the JSON form of a Request, read once from its json tags
// so that it cannot drift from the type. null leaves a field unset, for
// Validate to judge. It is never changed.
var requestShape = strictjson.ShapeOf(reflect.TypeFor[Request](), strictjson.Options{NullIsUnset: true})

// checkShape returns the first place where raw is not the JSON form of a
// Request (strictjson): a key that is not the exact (case-sensitive) name
// of a field at that place, a key given twice, a value of the wrong kind,
// an integer that does not fit its field, or anything after the request
// object. encoding/json would accept the first two, so that a request
// could mean one thing to a reader and another to the workflow.
func checkShape(raw []byte) *ValidationError {
	p := requestShape.Check(raw, "")
	if p == nil {
		return nil
	}
	field := p.Path
	if field == "" {
		field = RequestField
	}
	return invalid(field, "%s", p.Detail)
}
