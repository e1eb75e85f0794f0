// Hierarchical roles (Mesos's nested roles; names in src/api/role-names.ts): DRF runs level by
// level — the top-level roles in order of their subtree's weighted dominant share, then, inside
// the first, its children in the same way, down to a role's own frameworks. A role with
// frameworks of its own and child roles too takes part among its children as one more child
// (SELF) of weight 1 holding what its own frameworks hold — Mesos's virtual leaf "." — so its
// own weight counts only among its siblings. The books (subtree holdings and consumption, the
// sorters) are kept in state.ts; the walk is in cycle.ts; quota over the tree in quota.ts.

/** The id of a role's own frameworks in the sorter of its children. */
export const SELF = -1;
