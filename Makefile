# galeraflow — build, test and the lab. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin/galeraflow
LAB := bash examples/lab/lab.sh
LAB_INVENTORY := examples/lab/inventory.yml
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
FUZZTIME ?= 5s

.PHONY: help build test test-unit test-lab test-faults fuzz lab-up lab-down demo vet clean bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/galeraflow
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/galeraflow

vet:
	$(GO) vet ./...
	$(GO) vet -tags lab ./...

test: ## every test: unit, short fuzz, then end-to-end against a fresh lab cluster
	$(MAKE) vet
	$(MAKE) test-unit
	$(MAKE) fuzz
	$(MAKE) lab-up
	$(MAKE) test-lab
	$(MAKE) lab-down

test-unit: ## fast tests (no lab needed)
	$(GO) test -count=1 ./...

test-lab: build ## end-to-end tests against the running lab, fault suite included (make lab-up first)
	$(GO) test -count=1 -tags lab -p 1 -timeout 25m -run '^TestLab' ./...

test-faults: build ## only the fault-injection suite against the running lab
	$(GO) test -count=1 -tags lab -p 1 -timeout 20m -run '^TestLabFaults$$' ./cmd/galeraflow/

# A run that ends with a bare "context deadline exceeded" and writes no
# failing input is Go 1.26's fuzz coordinator racing its own -fuzztime
# deadline (golang/go#75804, fixed in Go 1.27), not a finding: that target
# runs again (up to 3 times). A real finding writes its input and fails at once.
fuzz: ## run every fuzz target briefly (FUZZTIME=5s)
	@set -e; log=$$(mktemp); trap 'rm -f $$log' EXIT; \
	for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | cut -c6-); do \
	    echo "fuzz $$pkg $$f"; \
	    for try in 1 2 3; do \
	      if $(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$(FUZZTIME) $$pkg >$$log 2>&1; then break; fi; \
	      if [ $$try -lt 3 ] && grep -q 'context deadline exceeded' $$log && ! grep -q 'Failing input written' $$log; then \
	        echo "fuzz $$f: the fuzz coordinator's deadline race (golang/go#75804), no input found: once more"; continue; \
	      fi; \
	      cat $$log; exit 1; \
	    done; \
	  done; \
	done

lab-up: ## install packages and start the 3-node lab cluster (idempotent)
	$(LAB) up

lab-down: ## stop the lab and remove its namespaces
	$(LAB) down

demo: build lab-up ## the main job: enable TLS (SST, replication, clients) on the lab cluster
	$(BIN) check $(LAB_INVENTORY)
	$(BIN) run $(LAB_INVENTORY)
	$(BIN) status $(LAB_INVENTORY)

bench: ## galeraflow vs parallel-ssh vs Ansible on a loopback sshd fleet (root; minutes; not part of test)
	bash examples/bench/bench.sh

clean:
	rm -rf bin
