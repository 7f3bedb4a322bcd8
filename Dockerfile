# One image for every service in docker-compose.yml: the compiled service (`npm run build`) on
# Node 22 LTS, run by node itself under tini, so SIGTERM reaches it and it drains before exiting
# (docs/operations.md "Production runtime"). Demo mode runs from the same build when no configuration is given.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 normally downloads a prebuilt binary; the toolchain is only the fallback build.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

FROM node:22-bookworm-slim
# tini as PID 1 forwards signals to node and reaps zombies; `docker run --init` is not needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Production by default: demo mode and `mode: development` are refused unless a deployment says
# otherwise (the compose demo service sets NODE_ENV=development and REDSHIFT_SSO_DEMO=1).
ENV NODE_ENV=production
# package.json carries "type": "module" for dist/ and marks the project root where views/ is found.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY views ./views
COPY certs/README.md ./certs/
# data/ holds the SQLite store; certs/dev/ is where demo mode writes its development keys.
RUN mkdir -p data certs/dev && chown -R node:node data certs
USER node
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
