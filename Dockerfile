# Signet's image: the compiled service on Node 20 (Debian bookworm), with SoftHSM 2 installed so the
# default pkcs11 module path (/usr/lib/softhsm/libsofthsm2.so) exists; runs as the unprivileged node user.
FROM node:20-bookworm-slim AS build
# pkcs11js and better-sqlite3 are native addons, compiled at npm ci.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY proto ./proto
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends softhsm2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY proto ./proto
RUN mkdir -p /var/lib/signet /var/lib/signet-softhsm \
 && chown node:node /var/lib/signet /var/lib/signet-softhsm
USER node
ENV NODE_ENV=production \
    SIGNET_DATA_DIR=/var/lib/signet
EXPOSE 7443
# grpc.health.v1 against 127.0.0.1:7443; for a TLS deployment set SIGNET_HEALTH_ADDR and
# SIGNET_HEALTH_TLS_CA / _CERT / _KEY / _SERVER_NAME (docker-compose.yml does).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/signet.cjs", "health"]
# The launcher sizes libuv's threadpool (UV_THREADPOOL_SIZE, default 24) before the CLI loads.
ENTRYPOINT ["node", "bin/signet.cjs"]
CMD ["serve"]
