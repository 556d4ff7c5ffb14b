package cdktest

import "github.com/aws/aws-cdk-go/awscdk/v2/assertions"

// Like matches an object that has at least the keys of pattern, with
// matching values.
func Like(pattern map[string]any) assertions.Matcher { return assertions.Match_ObjectLike(&pattern) }

// ArrayWith matches an array that holds items, in that order, among others.
func ArrayWith(items ...any) assertions.Matcher { return assertions.Match_ArrayWith(&items) }
