# The API and worker image used by docker-compose.yml.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.console.json ./
COPY src ./src
COPY dev ./dev
COPY workers ./workers
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
# The server, then the console (type-checked with DOM types, bundled by esbuild into dist/console).
RUN npx tsc -p tsconfig.json && npx tsc -p tsconfig.console.json && node scripts/build-console.mjs

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY cypher ./cypher
USER node
CMD ["node", "bin/acctnet.js", "serve"]
