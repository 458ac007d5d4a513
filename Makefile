# Targets for building, testing and trying emailgend. `make help` lists them.

GO        ?= go
BIN       ?= bin/emailgend
PKGS      := ./...
# -p 1: the packages share one Docker engine, and the command's tests run
# the real daemon, which delivers to whatever mail decky it finds there.
TESTFLAGS ?= -race -count=1 -p 1 -timeout 20m

.PHONY: help build test lint bench demo demo-clean clean verify-unit

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/emailgend
	$(GO) build -trimpath -o $(BIN) ./cmd/emailgend

# install needs the binary as a file, so that `make build && sudo make
# install` builds as the user and only copies as root.
SOURCES := $(shell find cmd internal -name '*.go' -o -name '*.json') go.mod go.sum
$(BIN): $(SOURCES)
	$(GO) build -trimpath -o $(BIN) ./cmd/emailgend

test: ## run every test with the race detector (needs Docker and busybox-static)
	$(GO) test $(TESTFLAGS) $(PKGS)

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# systemd-analyze verify exits 0 on directives it ignores, so any output
# counts as a failure.
verify-unit: build ## check the systemd unit with systemd-analyze verify
	@dir=$$(mktemp -d) && \
	sed 's|^ExecStart=/usr/local/bin/emailgend |ExecStart=$(CURDIR)/$(BIN) |' deploy/systemd/emailgend.service > $$dir/emailgend.service && \
	out=$$(systemd-analyze verify $$dir/emailgend.service 2>&1); status=$$?; rm -rf $$dir; \
	if [ $$status -ne 0 ] || [ -n "$$out" ]; then echo "$$out"; exit 1; fi

bench: ## run the benchmarks (delivery against the docker CLI, pool, generation)
	$(GO) test -run '^$$' -bench . -benchtime=100x ./internal/driver/
	$(GO) test -run '^$$' -bench . -benchmem ./internal/pool/ ./internal/generator/ ./internal/topology/

demo: build ## start a demo mail decky and deliver a few messages into it
	./scripts/demo.sh

demo-clean: ## remove the demo decky containers and image
	./scripts/demo.sh clean

clean: ## remove build output
	rm -rf bin

# install: PREFIX, UNITDIR and DESTDIR follow the GNU conventions; DESTDIR
# stages the files under another root, for packaging. The unit's ExecStart=
# is rewritten to $(PREFIX)/bin. install -D creates missing folders and
# leaves the modes of existing ones, such as /etc/decnet, alone.
PREFIX  ?= /usr/local
UNITDIR ?= /lib/systemd/system

.PHONY: install
install: $(BIN) ## install the binary, the systemd unit and the example settings (PREFIX, UNITDIR, DESTDIR)
	sed 's|^ExecStart=/usr/local/bin/emailgend |ExecStart=$(PREFIX)/bin/emailgend |' deploy/systemd/emailgend.service > $(BIN).service
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/emailgend
	install -D -m 0644 $(BIN).service $(DESTDIR)$(UNITDIR)/emailgend.service
	install -D -m 0644 deploy/systemd/emailgend.env.example $(DESTDIR)/etc/decnet/emailgend.env.example
