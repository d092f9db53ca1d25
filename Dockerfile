# Multi-stage build of the production image: PostgreSQL backend with TLS to the database.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
# The bundled SQLite's build flags (query-planner stability, no global memory mutex) live here.
COPY .cargo .cargo
COPY src src
COPY migrations migrations
COPY openapi openapi
RUN cargo build --release --locked --features postgres-tls

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/safeguards --create-home safeguards
COPY --from=build /src/target/release/safeguards /usr/local/bin/safeguards
USER safeguards
WORKDIR /var/lib/safeguards
ENV SAFEGUARDS_BIND=0.0.0.0:8080 SAFEGUARDS_LOG=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /health/ready HTTP/1.0\r\n\r\n" >&3 && head -n1 <&3 | grep -q " 200 "'
ENTRYPOINT ["safeguards"]
CMD ["serve"]
