// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
export * as agoraDev from "./agora.dev/index.ts";
