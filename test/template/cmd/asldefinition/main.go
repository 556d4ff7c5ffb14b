// Command asldefinition prints the state machine definition of a
// synthesized template, with CDK's intrinsic functions resolved to fake
// values, for asl-validator:
//
//	go run ./test/template/cmd/asldefinition cdk.out/Casefile.template.json > cdk.out/statemachine.asl.json
package main

import (
	"fmt"
	"os"

	"github.com/casefile-forensics/casefile/test/template/asl"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "asldefinition:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: asldefinition TEMPLATE.json")
	}
	template, err := os.ReadFile(args[0])
	if err != nil {
		return fmt.Errorf("read template: %w", err)
	}
	def, err := asl.Definition(template)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if _, err := os.Stdout.Write(append(def, '\n')); err != nil {
		return fmt.Errorf("write definition: %w", err)
	}
	return nil
}
