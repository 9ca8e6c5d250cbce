# One image for the five Revline apps (the command picks the app); the sandbox has an image of its own.
#   docker build .                          # production (the last stage): no sandbox, no vendor/ metadata
#   docker build --target sandbox .         # adds the sandbox app and vendor/ (docker-compose.yml's sandbox)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev \
  && mkdir -p /out && cp -a dist /out/dist && mv /out/dist/apps/sandbox /out/sandbox

# What every image holds: the apps, their dependencies and the scripts (`node scripts/migrate.mjs`).
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /out/dist ./dist
COPY --from=build /app/scripts ./scripts
USER node
CMD ["node", "dist/apps/process-q2c/main.js"]

# The vendor sandbox (Salesforce, Stripe, NetSuite) for local runs and demos, never deployed to production. It
# loads Revline's custom fields from the Salesforce and NetSuite metadata in vendor/ at start.
FROM runtime AS sandbox
COPY --from=build /out/sandbox ./dist/apps/sandbox
COPY --from=build /app/vendor ./vendor
ENV REVLINE_VENDOR_DIR=/app/vendor
CMD ["node", "dist/apps/sandbox/main.js"]

# Production (the default target): the runtime as it is.
FROM runtime AS production
