# The Agora controller image: Node.js 24 runs the TypeScript sources directly (type stripping), so
# there is no compile step — only the production dependencies are installed.
#
#   docker build -t agora:dev .
#   kind load docker-image agora:dev --name agora      # or: hack/kind-up.sh
#
# Build stage: a full Node image with npm, to install the runtime dependencies.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY crds/ crds/
COPY src/ src/

# Runtime stage: distroless Node.js 24 (no shell, no package manager), as the nonroot user.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
COPY --from=build --chown=65532:65532 /app /app
ENV NODE_ENV=production
USER 65532:65532
EXPOSE 8080 8081 9443
# The image's entrypoint is the node binary; `agora controller` is the default command, and the
# chart passes `controller --flag…` as args.
ENTRYPOINT ["/nodejs/bin/node", "/app/src/cli/main.ts"]
CMD ["controller"]
