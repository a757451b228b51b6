# threadlint GitHub App. tree-sitter runs as WebAssembly (web-tree-sitter), so no
# native toolchain is needed; install scripts are skipped for that reason.

# ---- build: compile TypeScript
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- run: production dependencies and the compiled app only
FROM node:24-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
COPY rules ./rules
USER node
ENV PORT=3000
EXPOSE 3000
CMD ["npm", "start"]
