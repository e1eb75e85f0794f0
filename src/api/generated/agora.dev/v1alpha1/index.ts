// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
export * from "./Framework.ts";
export * from "./InverseOffer.ts";
export * from "./Maintenance.ts";
export * from "./Offer.ts";
export * from "./Reservation.ts";
export * from "./ResourceRole.ts";
export * from "./Task.ts";
