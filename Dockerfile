# Multi-stage image of ledgerbridge: build with the Rust toolchain, run on a slim Debian as a
# non-root user. Build: docker build -t ledgerbridge . (see docs/deploy.md).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --workspace --bins \
    && install -m 0755 target/release/ledgerbridge /usr/local/bin/ledgerbridge

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ledgerbridge \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/ledgerbridge --shell /usr/sbin/nologin ledgerbridge \
    && install -d -o ledgerbridge -g ledgerbridge -m 0700 /var/lib/ledgerbridge
COPY --from=build /usr/local/bin/ledgerbridge /usr/local/bin/ledgerbridge
USER 10001:10001
ENV LEDGERBRIDGE_DATA_DIR=/var/lib/ledgerbridge \
    LEDGERBRIDGE_ADDR=0.0.0.0:8080
VOLUME ["/var/lib/ledgerbridge"]
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ledgerbridge"]
CMD ["serve"]
