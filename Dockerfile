# One image for every Revline app; docker-compose.yml picks the app with the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts ./scripts
# The Salesforce and NetSuite metadata: the sandbox loads Revline's custom fields from it at start.
COPY --from=build /app/vendor ./vendor
USER node
CMD ["node", "dist/apps/process-q2c/main.js"]
