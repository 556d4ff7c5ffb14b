# Casefile's set-up, test and demo commands. Each target installs what it
# needs (Debian packages, the pinned npm tools in .tools/, Go modules) and the
# tests start and stop their own moto server.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

TOOLS_BIN := $(CURDIR)/.tools/node_modules/.bin
export PATH := $(TOOLS_BIN):$(PATH)
# jsii's node process and the CDK CLI must not reach out to the network.
export CDK_DISABLE_VERSION_CHECK := 1
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

# Debian packages: the forensic tools the SSM scripts run in the tests and the
# demo, and shellcheck for linting them.
DEBIAN_PACKAGES := shellcheck openssl sleuthkit e2fsprogs xfsprogs ntfs-3g dosfstools lvm2 libhivex-bin jq xz-utils fdisk util-linux binutils file python3-snappy python3-crc32c chromium

GO_TEST_FLAGS ?= -timeout 45m

.PHONY: all deps debian-deps npm-deps go-deps synth lint test fuzz demo bench deploy clean

all: test

deps: debian-deps npm-deps go-deps

debian-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

npm-deps: .tools/node_modules/.package-lock.json

.tools/node_modules/.package-lock.json: .tools/package.json .tools/package-lock.json
	cd .tools && npm ci --no-audit --no-fund --loglevel=error

go-deps:
	go mod download

# CDK_ARGS adds context, for example the application account stack (README).
synth: npm-deps go-deps
	rm -rf cdk.out
	cdk synth -q -o cdk.out $(CDK_ARGS)

lint: deps synth
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	shellcheck -x -P ssm-documents/scripts ssm-documents/scripts/*.sh test/localaws/forensichost/vol-standin.sh .ci/run
	cfn-lint cdk.out/*.template.json
	go run ./test/template/cmd/asldefinition cdk.out/Casefile.template.json > cdk.out/statemachine.asl.json
	asl-validator --json-path cdk.out/statemachine.asl.json

# The set-up above installs every prerequisite, so here a test that finds
# one missing fails instead of skipping (internal/testenv).
# The reliability tests write their tables and counts to out/reliability/,
# which go test would not show for a passing package: they are printed
# after the tests.
test: lint
	rm -rf out/reliability
	CASEFILE_REQUIRE_TOOLS=1 go test $(GO_TEST_FLAGS) ./...
	@for f in out/reliability/*.txt; do [ -e "$$f" ] || continue; printf '\n== %s\n' "$$f"; cat "$$f"; done

# Fuzzes the request parser and the dump URI splitter, FUZZTIME each. The
# seeds are the fixture requests, the bad-input corpus and the inputs under
# lambdas/investigation/testdata/fuzz; an input that fails is written there
# (commit it as a seed once fixed). Not part of make test.
# Minimizing each new input may take 60 s by default, during which the
# fuzzer runs nothing else (execs stall at 0/sec on two cores); a failing
# input is still minimized for FUZZMINIMIZETIME before it is written.
FUZZTIME ?= 60s
FUZZMINIMIZETIME ?= 5s
FUZZ_TARGETS := FuzzParseRequest FuzzSplitS3URI

fuzz: go-deps
	for target in $(FUZZ_TARGETS); do \
		go test ./lambdas/investigation -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) || exit 1; \
	done

demo: deps
	go run ./test/demo

# Measures the disk pass against one sequential read of a generated
# evidence image and the naive pass, the Lambda binaries and their start-up,
# and the state transitions of an investigation (out/bench.json). A
# benchmark, not a test: make test does not run it. Needs root.
bench: deps
	go run ./test/bench $(BENCH_ARGS)

# Deploys into the account of the current AWS credentials, for example:
# make deploy CDK_ARGS="-c forensicAmiId=ami-0abc1234def567890"
deploy: npm-deps go-deps
	cdk deploy Casefile $(CDK_ARGS)

clean:
	rm -rf cdk.out out
