// A ResourceRole's status, of its role's whole subtree (the role and its descendants, for
// nested roles): what the allocator counts for it (its frameworks' tasks and outstanding
// offers; its unused reservations apart), its weighted DRF share among its siblings, and how
// many frameworks are in it — written through the status subresource only when it changed.
//
// A controller scoped to some namespaces sees only part of a role, so it writes the status of
// the roles its own frameworks use (and once more when they leave): two scoped controllers
// sharing the cluster's ResourceRoles then never overwrite each other's.
import type { Logger } from 'pino';
import { offerResources } from './allocation-loop.ts';
import type { Context } from './context.ts';
import { isForbidden, isNotFound } from '../api/errors.ts';
import type { RoleObject } from '../api/objects.ts';
import { nullMissing, sameJson } from './status-json.ts';
import { frameworkRoles, inSubtree, roleOfObject } from '../api/role-names.ts';

export type RoleStatus = NonNullable<RoleObject['status']>;

export class RoleReconciler {
  private readonly ctx: Context;
  private readonly log: Logger;
  /** Roles this controller wrote while leading (a scoped controller zeroes them once its frameworks leave). */
  private readonly written = new Set<string>();
  private forbidden = false;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'roles' });
  }

  async reconcile(name: string): Promise<void> {
    const { ctx } = this;
    if (this.forbidden) return;
    const role = ctx.state.c.roles.get(name);
    if (role === undefined) {
      this.written.delete(name);
      return;
    }
    const want = this.desiredStatus(name);
    if (!this.concerns(name, want) || sameJson(want, role.status ?? {})) return;
    // Status waits in the low lane and is recomputed when its turn comes.
    await ctx.kube.acquire('low');
    const current = ctx.state.c.roles.get(name);
    const fresh = this.desiredStatus(name);
    if (current === undefined || current.metadata.deletionTimestamp !== undefined || sameJson(fresh, current.status ?? {})) {
      ctx.kube.giveBack('low');
      return;
    }
    try {
      // A merge patch: resources (and unusedReserved) no longer there are written as null.
      const prevUnused = current.status?.unusedReserved as Record<string, unknown> | undefined;
      const body = {
        status: {
          ...fresh,
          allocated: nullMissing(current.status?.allocated as Record<string, unknown> | undefined, fresh.allocated),
          unusedReserved:
            fresh.unusedReserved === undefined
              ? prevUnused === undefined
                ? undefined
                : null
              : nullMissing(prevUnused, fresh.unusedReserved),
        },
      };
      await ctx.kube.patchClusterCustomStatus('ResourceRole', name, body, 'held');
      // The zeroed status is written once; after that the role is no longer this controller's.
      if (holdsAny(fresh)) this.written.add(name);
      else this.written.delete(name);
    } catch (err) {
      if (isNotFound(err)) return;
      if (isForbidden(err)) {
        // Not retried until the next leadership: a missing RBAC rule must not cost a write per cycle.
        this.forbidden = true;
        this.log.warn({ role: name }, 'not allowed to write ResourceRole status (resourceroles/status patch); role status is left alone');
        return;
      }
      throw err;
    }
  }

  /** The status the ResourceRole `name` should have now: of its role's whole subtree. */
  desiredStatus(name: string): RoleStatus {
    const { ctx } = this;
    const role = roleOfObject(name);
    const st = ctx.allocator.roleStatus(role);
    let frameworks = 0;
    for (const f of ctx.state.c.frameworks.list()) {
      if (
        ctx.manages(f.metadata.namespace) &&
        f.metadata.deletionTimestamp === undefined &&
        frameworkRoles(f.spec).some((r) => inSubtree(r, role))
      )
        frameworks++;
    }
    const unusedReserved = offerResources(st?.unusedReserved ?? {});
    return {
      allocated: offerResources(st?.allocated ?? {}),
      ...(Object.keys(unusedReserved).length > 0 ? { unusedReserved } : {}),
      dominantShare: Math.round((st?.share ?? 0) * 10_000) / 10_000,
      frameworks,
    };
  }

  private concerns(name: string, want: RoleStatus): boolean {
    const scoped = (this.ctx.options.namespaces ?? []).length > 0;
    return !scoped || holdsAny(want) || this.written.has(name);
  }
}

/** The role has frameworks here, or its frameworks (or reservations) still hold something. */
function holdsAny(s: RoleStatus): boolean {
  return (
    (s.frameworks ?? 0) > 0 ||
    (s.dominantShare ?? 0) > 0 ||
    Object.keys(s.allocated ?? {}).length > 0 ||
    Object.keys(s.unusedReserved ?? {}).length > 0
  );
}
