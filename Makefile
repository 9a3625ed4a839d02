# pushguard — see README.md. Every target works on a fresh machine with Go and git.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 10s

.PHONY: all build test test-gitea lint demo bench fuzz clean

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/pushguard ./cmd/pushguard

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' ':!:*testdata/*' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: lint build
	$(GO) test -count=1 -timeout 45m ./...
	./bin/pushguard rules test --no-default-rules rules/

# The real-server suite: a pinned Gitea built once (cached outside the clone,
# ~15 min cold on 2 cores), started on 127.0.0.1; see test/gitea and docs/install.md.
test-gitea:
	GO=$(GO) ./scripts/gitea-test.sh

demo: build
	./scripts/demo.sh

bench:
	./scripts/bench.sh

# Every fuzz target of every package, FUZZTIME each: make fuzz FUZZTIME=60s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

clean:
	rm -rf bin
