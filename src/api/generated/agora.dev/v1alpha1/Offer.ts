// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Model, type ModelData, setValidateFunc, createTypeMetaGuard } from "@kubernetes-models/base";
import type { ValidateFunc } from "@kubernetes-models/validate";
import { validate } from "../../_schemas/AgoraDevV1alpha1Offer.js";

/**
 * An Offer is one node's free resources offered to one framework. The framework answers once, by setting spec.accept (tasks to launch on the node) or spec.decline. Resources in an outstanding offer are offered to no one else.
 */
export interface IOffer {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  "apiVersion": "agora.dev/v1alpha1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  "kind": "Offer";
  "metadata"?: IObjectMeta;
  /**
   * The offer (written by Agora) and the framework's answer (accept or decline).
   */
  "spec": {
    /**
     * The Framework (in this namespace) the offer is made to.
     */
    "framework": string;
    /**
     * The node whose resources are offered.
     */
    "nodeName": string;
    /**
     * The offered resources, as Kubernetes quantities.
     */
    "resources": {
      [key: string]: any;
    };
    /**
     * How many more Pods the node takes for this offer (its allocatable pods less the Pods and offers already there): each accepted task is one Pod, so an accept launches at most this many tasks. Absent on offers made before it existed.
     */
    "podSlots"?: number;
    /**
     * The node's labels at the time of the offer (the agent's attributes).
     */
    "attributes"?: {
      [key: string]: string;
    };
    /**
     * The role the offer is made for (one of the framework's roles): the tasks launched from it are charged to this role (Task spec.role).
     */
    "role"?: string;
    /**
     * Which parts of spec.resources are reserved, and for whom (Mesos marks reserved resources in an offer): for the offer's role or an ancestor of it, by the operator (Static: a ResourceRole's spec.reservations) or by a framework (Dynamic: a Reservation). The rest is unreserved. Absent when nothing is reserved.
     */
    "reserved"?: Array<{
      /**
       * The role the part is reserved for.
       */
      "role": string;
      /**
       * Static (the operator's) or Dynamic (a framework's; what spec.accept.unreserve may give back).
       */
      "type": "Static" | "Dynamic";
      /**
       * The reserved part.
       */
      "resources": {
        [key: string]: any;
      };
    }>;
    /**
     * The offer lends resources held back for others (another role's idle reservation, quota headroom kept for an unmet guarantee); made only to a framework with the REVOCABLE_RESOURCES capability. Every task launched from it is revocable (Task spec.revocable): the first revoked when the owner's demand arrives. Absent on ordinary offers.
     */
    "revocable"?: boolean;
    /**
     * When the offer is withdrawn (phase Expired) if not answered.
     */
    "expiresAt"?: string;
    /**
     * ACCEPT — launch these tasks on the node, and/or reserve part of the offer for the offer's role, or unreserve part of its dynamic reservation (Mesos's LAUNCH, RESERVE and UNRESERVE; reservations are applied first, so tasks may launch into what they reserve). Unused resources return to the pool at once.
     */
    "accept"?: {
      /**
       * RESERVE — set these resources of the offer's unreserved part aside for the offer's role (spec.role) on this node: a Reservation, offered afterwards only to that role and its subroles, counted in its quota. Needs the "reserve" verb on the role's ResourceRole (resourceroles, name: the role with `.` for `/`).
       */
      "reserve"?: Array<{
        /**
         * What to reserve.
         */
        "resources": {
          [key: string]: any;
        };
      }>;
      /**
       * UNRESERVE — give back these resources of the role's dynamic reservation on this node (at most the offer's Dynamic part for spec.role). Needs the "unreserve" verb on the role's ResourceRole.
       */
      "unreserve"?: Array<{
        /**
         * What to unreserve.
         */
        "resources": {
          [key: string]: any;
        };
      }>;
      /**
       * The tasks to launch (empty when the accept only reserves or unreserves). Names are unique in the offer.
       */
      "tasks": Array<{
        /**
         * The task's name (a DNS label), unique among the framework's tasks; the Task object's name.
         */
        "name": string;
        /**
         * What the task uses; the Pod's requests and limits.
         */
        "resources": {
          [key: string]: any;
        };
        /**
         * Labels added to the task's Pod.
         */
        "labels"?: {
          [key: string]: string;
        };
        /**
         * Annotations added to the task's Pod.
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
      }>;
      /**
       * Seconds the unused remainder of the node is withheld from this framework (default 0).
       */
      "refuseSeconds"?: number;
    };
    /**
     * DECLINE — the framework does not want this node for refuseSeconds.
     */
    "decline"?: {
      /**
       * Seconds the node is not re-offered to this framework unless its free resources grow (default 5).
       */
      "refuseSeconds"?: number;
    };
  };
  /**
   * The offer's lifecycle, written by Agora.
   */
  "status"?: {
    /**
     * Outstanding until answered, rescinded (node lost, framework removed) or expired.
     */
    "phase"?: "Outstanding" | "Accepted" | "Declined" | "Rescinded" | "Expired";
    /**
     * A CamelCase reason for the phase.
     */
    "reason"?: string;
    /**
     * A human-readable explanation of the phase.
     */
    "message"?: string;
    /**
     * The Task objects an accept created.
     */
    "tasks"?: Array<string>;
    /**
     * When Agora processed the answer, rescind or expiry.
     */
    "respondedAt"?: string;
  };
}

/**
 * An Offer is one node's free resources offered to one framework. The framework answers once, by setting spec.accept (tasks to launch on the node) or spec.decline. Resources in an outstanding offer are offered to no one else.
 */
export class Offer extends Model<IOffer> implements IOffer {
  "apiVersion": IOffer["apiVersion"];
  "kind": IOffer["kind"];
  "metadata"?: IOffer["metadata"];
  "spec": IOffer["spec"];
  "status"?: IOffer["status"];

static apiVersion: IOffer["apiVersion"] = "agora.dev/v1alpha1";
static kind: IOffer["kind"] = "Offer";
static is = createTypeMetaGuard<IOffer>(Offer);

constructor(data?: ModelData<IOffer>) {
  super();

  this.setDefinedProps({
    apiVersion: Offer.apiVersion,
    kind: Offer.kind,
    ...data
  } as IOffer);
}
}


setValidateFunc(Offer, validate as ValidateFunc<IOffer>);
