// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Model, type ModelData, setValidateFunc, createTypeMetaGuard } from "@kubernetes-models/base";
import type { ValidateFunc } from "@kubernetes-models/validate";
import { validate } from "../../_schemas/AgoraDevV1alpha1ResourceRole.js";

/**
 * A ResourceRole (a Mesos role) groups frameworks for fair sharing: its weight scales its DRF share, its guarantee is quota satisfied before other roles, its limit is never exceeded, and its reservations set part of a node aside for it. Frameworks name it in spec.role; a role with no ResourceRole has weight 1 and no quota. Roles nest (Mesos's hierarchical roles): role `eng/ml` is a child of `eng`, and its ResourceRole is named with `.` for `/` — `eng.ml`. A parent's weight counts among its siblings, its guarantee and limit bound its whole subtree, its reservations may be used by its descendants, and its status is of its subtree.
 */
export interface IResourceRole {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  "apiVersion": "agora.dev/v1alpha1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  "kind": "ResourceRole";
  "metadata"?: IObjectMeta;
  /**
   * The role's weight, quota and reservations.
   */
  "spec"?: {
    /**
     * Allow (default): tasks of this role's frameworks may be revoked when they are over their fair share (never below the role's guarantee) or preempted by higher-priority demand of the role. Never: no task of this role is revoked.
     */
    "revocation"?: "Allow" | "Never";
    /**
     * The role's DRF weight; a role of weight 2 is entitled to twice the share of a role of weight 1.
     */
    "weight"?: number;
    /**
     * Quota guarantee — resources the role is offered before roles without unmet guarantees.
     */
    "guarantee"?: {
      [key: string]: any;
    };
    /**
     * Quota limit — the most the role may be allocated, per resource.
     */
    "limit"?: {
      [key: string]: any;
    };
    /**
     * Which namespaces' Frameworks may name this role in spec.role, as a label selector over namespace labels (kubernetes.io/metadata.name is the namespace's name). Omitted: every namespace. Enforced when a Framework is created or its role changed.
     */
    "namespaceSelector"?: {
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
    /**
     * Static reservations — part of a node offered only to this role.
     */
    "reservations"?: Array<{
      /**
       * The node.
       */
      "nodeName": string;
      /**
       * The reserved resources.
       */
      "resources": {
        [key: string]: any;
      };
    }>;
  };
  /**
   * The role's current allocation, written by Agora.
   */
  "status"?: {
    /**
     * Resources held by the role's frameworks: their tasks and outstanding offers.
     */
    "allocated"?: {
      [key: string]: any;
    };
    /**
     * The role's reservations not in use (absent when none). Quota counts them as consumed (allocated + unusedReserved never exceeds the limit); the DRF share does not.
     */
    "unusedReserved"?: {
      [key: string]: any;
    };
    /**
     * The role's weighted DRF share: the dominant share of `allocated` (idle reservations and resources excluded from fair sharing not counted) divided by the weight.
     */
    "dominantShare"?: number;
    /**
     * How many frameworks are in the role and its subroles.
     */
    "frameworks"?: number;
  };
}

/**
 * A ResourceRole (a Mesos role) groups frameworks for fair sharing: its weight scales its DRF share, its guarantee is quota satisfied before other roles, its limit is never exceeded, and its reservations set part of a node aside for it. Frameworks name it in spec.role; a role with no ResourceRole has weight 1 and no quota. Roles nest (Mesos's hierarchical roles): role `eng/ml` is a child of `eng`, and its ResourceRole is named with `.` for `/` — `eng.ml`. A parent's weight counts among its siblings, its guarantee and limit bound its whole subtree, its reservations may be used by its descendants, and its status is of its subtree.
 */
export class ResourceRole extends Model<IResourceRole> implements IResourceRole {
  "apiVersion": IResourceRole["apiVersion"];
  "kind": IResourceRole["kind"];
  "metadata"?: IResourceRole["metadata"];
  "spec"?: IResourceRole["spec"];
  "status"?: IResourceRole["status"];

static apiVersion: IResourceRole["apiVersion"] = "agora.dev/v1alpha1";
static kind: IResourceRole["kind"] = "ResourceRole";
static is = createTypeMetaGuard<IResourceRole>(ResourceRole);

constructor(data?: ModelData<IResourceRole>) {
  super();

  this.setDefinedProps({
    apiVersion: ResourceRole.apiVersion,
    kind: ResourceRole.kind,
    ...data
  } as IResourceRole);
}
}


setValidateFunc(ResourceRole, validate as ValidateFunc<IResourceRole>);
