// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Model, type ModelData, setValidateFunc, createTypeMetaGuard } from "@kubernetes-models/base";
import type { ValidateFunc } from "@kubernetes-models/validate";
import { validate } from "../../_schemas/AgoraDevV1alpha1Framework.js";

/**
 * A Framework is a two-level scheduler: Agora offers it node resources in Dominant Resource Fairness order and it answers with tasks to launch. Its scheduler is either an external program (the SDK) or, when spec.builtin is set, Agora's built-in scheduler.
 */
export interface IFramework {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  "apiVersion": "agora.dev/v1alpha1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  "kind": "Framework";
  "metadata"?: IObjectMeta;
  /**
   * What the framework wants from the cluster.
   */
  "spec": {
    /**
     * The resource role the framework's allocation is charged to: lowercase DNS labels joined by `/`, a path in the role tree (Mesos's nested roles), e.g. `default`, `analytics` or `eng/ml/training` — a child of `eng/ml`, itself a child of `eng`. DRF runs level by level (a role's subtree among its siblings, then frameworks within the role); a parent's weight counts among its siblings, its guarantee and limit bound the sum of its subtree, and its reservations may be used by its descendants. The role's ResourceRole (weight, quota, reservations) is named with `.` for `/` (`eng.ml.training`); a role with no ResourceRole has weight 1 and no quota of its own. Unset (and spec.roles unset): `default`, filled in by the admission webhook. Mutually exclusive with spec.roles.
     */
    "role"?: string;
    /**
     * Mesos's MULTI_ROLE: the roles the framework is in, instead of one spec.role (mutually exclusive with it; a one-element list means the same as spec.role). The framework takes part in each role's DRF separately: every Offer is made for one of them (Offer spec.role), the tasks launched from it are charged to that role (Task spec.role) — its quota, limit, guarantee and share — and its share in a role counts only what it holds in that role. Decline filters, minimum offers (spec.offerFilters) and suppression (spec.suppressedRoles) are per role; spec.demand is one list for all of them. Tasks without a role (launched before this field existed) count to the first role. Each role must be allowed in the framework's namespace (ResourceRole namespaceSelector, checked per element).
     */
    "roles"?: Array<string>;
    /**
     * SUPPRESS: when true the framework receives no offers, in any of its roles. Setting it back to false (REVIVE) clears the framework's decline filters.
     */
    "suppressed"?: boolean;
    /**
     * SUPPRESS for some roles only (Mesos's suppressOffers(roles)): the framework receives no offers for these roles; its other roles are unaffected. Taking a role off the list is a REVIVE of that role (its decline filters are cleared). Each must be one of the framework's roles.
     */
    "suppressedRoles"?: Array<string>;
    /**
     * Optional framework capabilities, as in Mesos. GPU_RESOURCES: offered nodes with scarce resources (GPUs). REVOCABLE_RESOURCES: offered revocable resources — other roles' idle reservations and quota headroom held back for unmet guarantees — in Offers marked spec.revocable, whose tasks are the first revoked when the owner wants them back.
     */
    "capabilities"?: Array<"GPU_RESOURCES" | "REVOCABLE_RESOURCES">;
    /**
     * The ServiceAccount (in the framework's namespace) that the framework's scheduler runs as. Only this identity (and cluster administrators) may answer the framework's offers, and the Pods of its tasks are created with the permissions it has.
     */
    "serviceAccountName"?: string;
    /**
     * When one of this framework's tasks is revoked (it is over its fair share and another framework is waiting, or a higher-priority framework of its role needs room), how long after the notice (Task status.revocation, an Event, the SDK's 'revoking' event) its Pod is deleted. Default 30; bounded by the controller's --max-revocation-grace-period. The Pod's own terminationGracePeriodSeconds applies after that (SIGTERM, then SIGKILL).
     */
    "revocationGracePeriodSeconds"?: number;
    /**
     * Priority of the framework's demand and tasks (default 0; with spec.priorityClassName, that class's value, which it must equal). Within one role, demand of a higher priority may revoke tasks of a lower priority regardless of shares; across roles only fair shares and guarantees decide.
     */
    "priority"?: number;
    /**
     * A Kubernetes PriorityClass (scheduling.k8s.io) that the framework's priority maps to: the Pods of its tasks name it (the API server gives them its value as spec.priority, which kubelet eviction and kube-scheduler preemption of other Pods use), and spec.priority is filled from its value when omitted. It must exist; the system-\* classes are refused.
     */
    "priorityClassName"?: string;
    /**
     * How long an external scheduler may stop heartbeating (renewing its Lease) before its tasks are killed and its offers rescinded. Unset means the framework never fails over (its tasks outlive its scheduler). Ignored for built-in frameworks.
     */
    "failoverTimeoutSeconds"?: number;
    /**
     * Seconds a declined offer's node is withheld when a decline does not say.
     */
    "defaultRefuseSeconds"?: number;
    /**
     * Mesos's FrameworkInfo.offer_filters, keyed by role (spec.role, or each of spec.roles): minAllocatableResources is the smallest offer the framework is interested in — a node whose free part contains none of these lists in full is not offered to it, and its refusal reason says BelowFrameworkMinimum. Omitted (the default): only the cluster's minimum (10m cpu or 32Mi memory) applies.
     */
    "offerFilters"?: Array<{
      /**
       * The role it applies to; one of the framework's roles.
       */
      "role": string;
      /**
       * Resource lists, any one of which an offer must contain in full, e.g. [{cpu: "4"}, {memory: 16Gi}].
       */
      "minAllocatableResources": Array<{
        [key: string]: any;
      }>;
    }>;
    /**
     * Only nodes whose labels match are offered to this framework.
     */
    "offerConstraints"?: {
      /**
       * A label selector over node labels (the agent's attributes).
       */
      "nodeSelector"?: {
        /**
         * Labels that must all be present with these values.
         */
        "matchLabels"?: {
          [key: string]: string;
        };
        /**
         * Label requirements, all of which must hold.
         */
        "matchExpressions"?: Array<{
          /**
           * The label key.
           */
          "key": string;
          /**
           * How the key relates to the values.
           */
          "operator": "In" | "NotIn" | "Exists" | "DoesNotExist";
          /**
           * Values for In and NotIn.
           */
          "values"?: Array<string>;
        }>;
      };
    };
    /**
     * What the framework still wants to launch: task shapes with counts (set by its scheduler, e.g. the SDK's setDemand()). Agora offers a framework that publishes demand only about what that demand can use, and nothing when the list is empty, without the framework having to suppress. Unset: Mesos's push model (every eligible node is offered). Ignored for built-in frameworks, whose demand is their remaining tasks. Information for the allocator and for users, never a promise.
     */
    "demand"?: Array<{
      /**
       * What one such task uses, as Kubernetes quantities.
       */
      "resources": {
        [key: string]: any;
      };
      /**
       * How many tasks of this shape are still wanted.
       */
      "count": number;
      /**
       * The most of these the framework launches from one offer (default no limit).
       */
      "perOffer"?: number;
    }>;
    /**
     * Run this framework with Agora's built-in scheduler: it answers offers by launching copies of the template until `tasks` are running or finished.
     */
    "builtin"?: {
      /**
       * How many tasks to run in total.
       */
      "tasks"?: number;
      /**
       * The most tasks launched from a single offer (an accept holds at most 256).
       */
      "tasksPerOffer"?: number;
      /**
       * Seconds to refuse a node whose offer fits no task (defaults to spec.defaultRefuseSeconds).
       */
      "refuseSeconds"?: number;
      /**
       * Whether a failed or lost task is replaced by a new one.
       */
      "restartPolicy"?: "Never" | "OnFailure";
      /**
       * How many replacement tasks may be launched for failures, in total.
       */
      "maxRetries"?: number;
      /**
       * Base delay before a replacement task (doubles per failure, capped at 5 minutes).
       */
      "backoffSeconds"?: number;
      /**
       * Dynamic reservations (Mesos's RESERVE, then LAUNCH): each accept also reserves, for the offer's role, what its tasks use beyond the reserved resources the offer already carries, so that the role keeps that capacity on the node when the tasks end. The reservations are the role's (Reservation objects) and stay until unreserved or deleted. Whoever sets it must hold the "reserve" verb on the ResourceRole of each of the framework's roles. Default false.
       */
      "reserve"?: boolean;
      /**
       * The task every launch copies.
       */
      "template"?: {
        /**
         * What one task uses (cpu, memory, ephemeral-storage, extended resources such as nvidia.com/gpu), as Kubernetes quantities. The Pod's requests and limits.
         */
        "resources": {
          [key: string]: any;
        };
        /**
         * Labels added to each task's Pod.
         */
        "labels"?: {
          [key: string]: string;
        };
        /**
         * Annotations added to each task's Pod.
         */
        "annotations"?: {
          [key: string]: string;
        };
        /**
         * The task's containers, as in a Pod (resources are set by Agora).
         */
        "containers": Array<{
          /**
           * The container name, a DNS label.
           */
          "name": string;
          /**
           * The container image.
           */
          "image": string;
        }>;
      };
    };
  };
  /**
   * What Agora observed and decided for the framework.
   */
  "status"?: {
    /**
     * The spec generation this status reflects.
     */
    "observedGeneration"?: number;
    /**
     * A one-word summary of the framework's state.
     */
    "phase"?: "Pending" | "Active" | "Suppressed" | "Completed" | "Failed" | "Disconnected" | "Terminating";
    /**
     * Resources of the framework's non-terminal tasks, as Kubernetes quantities.
     */
    "allocated"?: {
      [key: string]: any;
    };
    /**
     * The framework's DRF dominant share, 0..1 (its largest fraction of any cluster resource), all of its roles together.
     */
    "dominantShare"?: number;
    /**
     * Per role the framework is in (or still has tasks in): what its tasks there hold, and its dominant share there — its key in that role's DRF order.
     */
    "roles"?: Array<{
      /**
       * The role.
       */
      "role"?: string;
      /**
       * Resources of its non-terminal tasks launched for this role.
       */
      "allocated"?: {
        [key: string]: any;
      };
      /**
       * Its dominant share in this role (tasks and outstanding offers).
       */
      "dominantShare"?: number;
      /**
       * Whether offers for this role are suppressed.
       */
      "suppressed"?: boolean;
    }>;
    /**
     * The demand the allocator works with: spec.demand, or for a built-in framework its tasks still to launch. Absent when the framework publishes none.
     */
    "demand"?: Array<{
      /**
       * What one such task uses.
       */
      "resources"?: {
        [key: string]: any;
      };
      /**
       * How many are wanted.
       */
      "count"?: number;
      /**
       * The most launched from one offer.
       */
      "perOffer"?: number;
    }>;
    /**
     * Offers made to the framework and not yet answered.
     */
    "outstandingOffers"?: number;
    /**
     * How many of the framework's tasks are in each state.
     */
    "tasks"?: {
      /**
       * Tasks in TASK_STAGING.
       */
      "staging"?: number;
      /**
       * Tasks in TASK_STARTING.
       */
      "starting"?: number;
      /**
       * Tasks in TASK_RUNNING.
       */
      "running"?: number;
      /**
       * Tasks in TASK_FINISHED.
       */
      "finished"?: number;
      /**
       * Tasks in TASK_FAILED.
       */
      "failed"?: number;
      /**
       * Tasks in TASK_KILLED.
       */
      "killed"?: number;
      /**
       * Tasks in TASK_LOST.
       */
      "lost"?: number;
      /**
       * Tasks in TASK_ERROR.
       */
      "error"?: number;
    };
    /**
     * Tasks the built-in scheduler has launched in total.
     */
    "launched"?: number;
    /**
     * When the framework's scheduler last renewed its Lease.
     */
    "lastHeartbeatTime"?: string;
    /**
     * Standard conditions (Ready, Complete, Disconnected, Refused).
     */
    "conditions"?: Array<{
      /**
       * The condition type.
       */
      "type": string;
      /**
       * The condition status.
       */
      "status": "True" | "False" | "Unknown";
      /**
       * The generation the condition was computed from.
       */
      "observedGeneration"?: number;
      /**
       * When the status last changed.
       */
      "lastTransitionTime": string;
      /**
       * A CamelCase reason.
       */
      "reason": string;
      /**
       * A human-readable message.
       */
      "message": string;
    }>;
  };
}

/**
 * A Framework is a two-level scheduler: Agora offers it node resources in Dominant Resource Fairness order and it answers with tasks to launch. Its scheduler is either an external program (the SDK) or, when spec.builtin is set, Agora's built-in scheduler.
 */
export class Framework extends Model<IFramework> implements IFramework {
  "apiVersion": IFramework["apiVersion"];
  "kind": IFramework["kind"];
  "metadata"?: IFramework["metadata"];
  "spec": IFramework["spec"];
  "status"?: IFramework["status"];

static apiVersion: IFramework["apiVersion"] = "agora.dev/v1alpha1";
static kind: IFramework["kind"] = "Framework";
static is = createTypeMetaGuard<IFramework>(Framework);

constructor(data?: ModelData<IFramework>) {
  super();

  this.setDefinedProps({
    apiVersion: Framework.apiVersion,
    kind: Framework.kind,
    ...data
  } as IFramework);
}
}


setValidateFunc(Framework, validate as ValidateFunc<IFramework>);
