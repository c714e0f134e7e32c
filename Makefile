# Convenience targets; each is a script under scripts/ so a fresh machine needs only bash.
.PHONY: demo test build bench verify-deployment clean

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

build:
	swift build

bench:
	bash scripts/bench.sh

verify-deployment:
	bash scripts/verify-deployment.sh

clean:
	rm -rf .build demo-run

.PHONY: fuzz bench-at
fuzz:
	bash scripts/fuzz.sh

bench-at:
	bash scripts/bench-at.sh

# Kill -9 the daemon at random points during provisionings, N times (default 1000), and check the money invariants.
N ?= 1000
.PHONY: crash-test
crash-test:
	bash scripts/crash-test.sh $(N)

.PHONY: install
# The release binaries, man pages and shell completion under PREFIX (default /usr/local).
install:
	bash scripts/install.sh
