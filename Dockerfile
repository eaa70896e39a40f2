# Production image: Node 20 slim, non-root, production dependencies only.
# Untested here (no Docker engine on the development machines); kept plain on purpose.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY web ./web
RUN npm run build:web

FROM node:20-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=web /app/web/dist ./web/dist
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY db ./db
COPY data ./data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Production sets DATABASE_URL; the embedded PostgreSQL is for local use only.
CMD ["node", "bin/replywatch.js", "start"]
