// Package cdktest holds the helpers Casefile's CDK tests share: a fresh
// stack, template matchers, the cdk-nag findings of a stack, and a walk
// over the IAM policies of a synthesized template.
//
// It is test support only; no construct or Lambda imports it.
package cdktest
