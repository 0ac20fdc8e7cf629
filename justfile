# Shortcuts for the commands in README.md and .ci/run; nothing here is needed to build or test.

# Start the service (private PostgreSQL cluster in ./.tenancy unless DATABASE_URL is set).
run *ARGS:
    cargo run --release --bin tenancy -- serve {{ARGS}}

# Run every test (unit, contract, HTTP, Waldur SDK).
test:
    cargo test

# Formatting, lints and layering.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    ../shared/tools/arch-check

# Regenerate openapi/openapi.json.
openapi:
    cargo run --quiet --bin tenancy -- openapi > openapi/openapi.json

# What CI runs.
ci:
    bash .ci/run
