# One image for every service in docker-compose.yml: the TypeScript sources run with tsx.
# Demo mode needs the dev dependencies (pg provisions the demo logins), so `npm ci` installs all.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 normally downloads a prebuilt binary; the toolchain is only the fallback build.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci

FROM node:20-bookworm-slim
WORKDIR /app
# Production by default: demo mode and `mode: development` are refused unless a deployment says
# otherwise (the compose demo service sets NODE_ENV=development and REDSHIFT_SSO_DEMO=1).
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# data/ holds the SQLite store; certs/dev/ is where demo mode writes its development keys.
RUN mkdir -p data certs/dev && chown -R node:node data certs
USER node
EXPOSE 3000
CMD ["npx","tsx","src/main.ts"]
