# The README's commands: `make test` and `make demo`. Each installs what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# The release wasm gets its own target dir: its std is rebuilt with other flags (see build).
WASM_TARGET_DIR := target/wasm-release
WASM_DIR := $(WASM_TARGET_DIR)/wasm32-unknown-unknown/release
# The two wasm modules, by their crates' library names (wasm/core, wasm/policy).
MODULES := tailscale_wasm tailscale_wasm_policy
BIN := node_modules/.bin
VERSION := $(shell awk -F'"' '/^version/ {print $$2; exit}' Cargo.toml)
TARBALL := target/pack/tailscale-wasm-$(VERSION).tgz

.PHONY: setup build pack test lint supply-chain test-rust js-install test-js test-js-only test-types test-e2e test-conformance conformance docs bench demo spec-update fuzz fuzz-canary live test-stress soak reliability clean

setup:
	@scripts/setup.sh

## build: the two wasm modules (the core, and the policy tools loaded when used), their JS glue
## for browsers and Node, the TypeScript models, the package.
build: setup
	# std is rebuilt with panics as immediate traps, which drops its panic-message formatting
	# (8 KB gzip, BENCHMARKS.md). Both are unstable flags, which RUSTC_BOOTSTRAP allows on the
	# stable toolchain; only this build uses them (CONTRIBUTING.md, "How the wasm is built").
	# Without reference types and multi-value, every export takes and returns plain numbers,
	# which V8 calls through its one generic wrapper instead of compiling one per signature.
	RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Ctarget-feature=-reference-types,-multivalue" \
	  cargo build --locked --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size \
	  --target-dir $(WASM_TARGET_DIR) --quiet $(foreach m,$(MODULES),-p $(subst _,-,$(m)))
	rm -rf pkg/dist && mkdir -p pkg/dist
	for m in $(MODULES); do \
	  wasm-bindgen --target web --omit-default-module-path --encode-into always --out-dir pkg/dist/web $(WASM_DIR)/$$m.wasm && \
	  wasm-bindgen --target nodejs --encode-into always --out-dir pkg/dist/node $(WASM_DIR)/$$m.wasm || exit 1; \
	done
	echo '{ "type": "commonjs" }' > pkg/dist/node/package.json
	# The hand-written declarations of each module's options and results (pkg/types/).
	for d in web node; do \
	  cat pkg/types/core.d.ts >> pkg/dist/$$d/tailscale_wasm.d.ts && \
	  cat pkg/types/policy.d.ts >> pkg/dist/$$d/tailscale_wasm_policy.d.ts || exit 1; \
	done
	# `[Symbol.dispose]` needs TypeScript's esnext lib; drop it so default configs type-check.
	sed -i '/\[Symbol.dispose\]/d' pkg/dist/*/*.d.ts
	# wasm-bindgen's free() carries no doc comment; give it one.
	sed -i 's#^\( *\)free(): void;#\1/** Frees the wasm memory now rather than at garbage collection; the object is unusable afterwards. */\n\1free(): void;#' pkg/dist/*/*.d.ts
	# wasm-opt -Oz, and short import/export names in the wasm and its glue.
	for d in pkg/dist/web pkg/dist/node; do for m in $(MODULES); do \
	  node scripts/optimize-wasm.mjs $$d $$m || exit 1; rm -f $$d/$${m}_bg.wasm.d.ts; \
	done; done
	# Node's entries, each one ES module (pkg/index.node.src.js says why), the error classes
	# included (errors.js shares them with the policy entry's copy); the policy module they
	# import on first use stays its own.
	for e in index.node index.node-legacy; do \
	  $(BIN)/esbuild pkg/$$e.src.js --bundle --format=esm --platform=node --log-level=warning \
	    --external:./policy.node.js --external:./dist/web/tailscale_wasm_policy.js \
	    --banner:js="// Built from $$e.src.js by make build; edit that file." --outfile=pkg/$$e.js || exit 1; \
	done
	$(BIN)/esbuild pkg/errors.js --format=cjs --log-level=warning --outfile=pkg/dist/errors.cjs
	$(BIN)/esbuild pkg/answers.js --format=cjs --log-level=warning --outfile=pkg/dist/answers.cjs
	rm -rf target/ts-models
	TS_RS_EXPORT_DIR=$(CURDIR)/target/ts-models cargo test --locked --quiet -p tailscale-wire -p tailscale-api \
	  --features tailscale-wire/ts,tailscale-api/ts --lib export_bindings >/dev/null
	node scripts/models.mjs target/ts-models pkg/dist/models.d.ts
	# CommonJS twins of the declarations (dist/node is a CommonJS scope), for `require` users.
	cp pkg/dist/models.d.ts pkg/dist/node/models.d.ts
	sed -i 's#"\.\./models\.js"#"./models.js"#' pkg/dist/node/*.d.ts
	sed 's#"\./dist/models\.js"#"./node/models.js"#' pkg/errors.d.ts > pkg/dist/errors.d.cts

## pack: the npm tarball, exactly what users install.
pack: build
	mkdir -p target/pack && rm -f target/pack/*.tgz
	cd pkg && npm pack --silent --pack-destination ../target/pack >/dev/null
	@ls -l $(TARBALL)

lint: setup
	cargo fmt --check
	cargo clippy --locked --all-targets --quiet -- -D warnings
	cargo clippy --locked --target wasm32-unknown-unknown --quiet -- -D warnings

## supply-chain: the crate's licenses, bans and sources (deny.toml); advisories need the network.
supply-chain: setup
	cargo deny --locked check --hide-inclusion-graph licenses bans sources
	@echo "SKIPPED cargo deny check advisories: RustSec's database is fetched from GitHub, which this machine cannot reach (README, \"Supply chain\")"

## test-rust: the native tests, the drift checks against spec/ (or $TAILSCALE_OPENAPI) included.
test-rust: setup
	ORACLE_REQUIRED=1 cargo test --locked --quiet

## js-install: the tarball installed into tests/js, like a user would.
js-install: pack
	rm -rf tests/js/node_modules
	cd tests/js && npm install --no-save --no-audit --no-fund --loglevel=error ../../$(TARBALL)

## test-js: the JS tests against the installed tarball (live.test.mjs runs `make live`'s script
## against a demo tailnet).
test-js: js-install
	node --test --test-reporter=spec tests/js/

## test-js-only: the JS tests against the tarball already installed (no rebuild).
test-js-only:
	node --test --test-reporter=spec tests/js/

## test-types: the strict consumers and the expect-type checks (tests/js/types) against the
## installed tarball, in both Node module modes.
test-types: test-js
	$(BIN)/tsc -p tests/js/types/tsconfig.json
	$(BIN)/tsc -p tests/js/types/tsconfig.json --module node16 --moduleResolution node16

## docs: the API reference from the TypeScript declarations (docs/api, git-ignored).
docs: build
	$(BIN)/typedoc --options typedoc.json

## test-e2e: the demo page and the consumer matrix: Debian's Chromium (via playwright-core), and
## the runtimes and bundlers of tests/consumers/tools, each installed when missing. The browser
## rows and the runtime rows run side by side.
test-e2e: pack
	@scripts/setup.sh browser consumers
	node --test --test-concurrency=2 --test-reporter=spec tests/e2e/

## test-conformance: a short schemathesis pass against the demo tailnet (the spec in spec/).
test-conformance:
	@scripts/setup.sh conformance
	MAX_EXAMPLES=25 node scripts/schemathesis.mjs

## conformance: a long schemathesis pass.
conformance:
	@scripts/setup.sh conformance
	MAX_EXAMPLES=$${MAX_EXAMPLES:-500} node scripts/schemathesis.mjs

test: lint supply-chain test-rust test-js test-types test-e2e test-conformance docs

## fuzz: every fuzz target (crates/fuzz-targets, fuzz/) for FUZZ_SECONDS each (default 300),
## coverage-guided by libFuzzer through cargo-fuzz on the stable toolchain; figures to
## RELIABILITY.md, findings too (the run fails on one). `make test` replays the corpora instead.
fuzz: setup
	@scripts/setup.sh fuzz
	rm -rf target/fuzz-figures
	node scripts/fuzz.mjs run; status=$$?; node scripts/reliability-figures.mjs fuzz && exit $$status

## fuzz-canary: each planted bug (`#[cfg(fuzz_canary)]` blocks, --cfg fuzz_canary) found by its fuzz target
## within FUZZ_SECONDS (default 300); times to find to RELIABILITY.md.
fuzz-canary: setup
	@scripts/setup.sh fuzz
	rm -f target/fuzz-figures/canary.json
	node scripts/fuzz.mjs canary; status=$$?; node scripts/reliability-figures.mjs fuzz-canary && exit $$status

## live: the acceptance run against a real tailnet (tests/js/live.mjs; CONTRIBUTING.md says when):
## TAILSCALE_API_KEY or TS_OAUTH_CLIENT_ID/TS_OAUTH_CLIENT_SECRET, and TAILSCALE_TAILNET.
## Without them it says what it needs and exits 0, before building anything.
live:
	@if node tests/js/live.mjs --preflight; then $(MAKE) --no-print-directory js-install && node tests/js/live.mjs; fi

## test-stress: the JS suites STRESS_RUNS times (default 5) beside a busy loop per core;
## figures to RELIABILITY.md.
test-stress: js-install
	node scripts/stress.mjs; status=$$?; node scripts/reliability-figures.mjs stress && exit $$status

## bench: the package against raw fetch, cold starts, what each bundler ships of the core-only
## and the policy app, the policy file and the access engine; writes BENCHMARKS.md (not a test).
bench: test-js
	@scripts/setup.sh bench consumers
	node --expose-gc scripts/bench.mjs

## soak: 100,000 sequential calls; checks that memory stays flat, figures to RELIABILITY.md.
soak: test-js
	node --expose-gc scripts/soak.mjs
	node scripts/reliability-figures.mjs soak

## reliability: rewrites RELIABILITY.md's fault matrix from a fresh run.
reliability: test-js
	UPDATE_RELIABILITY=1 node --test tests/js/fault-matrix.test.mjs

## spec-update: replaces spec/tailscale-openapi.json with a downloaded copy (SPEC=path), once it
## parses as OpenAPI 3 (spec/README.md).
spec-update:
	node scripts/spec-update.mjs "$(SPEC)"

demo: build
	node www/server.mjs

clean:
	rm -rf target/pack target/ts-models pkg/dist pkg/index.node.js pkg/index.node-legacy.js tests/js/node_modules
