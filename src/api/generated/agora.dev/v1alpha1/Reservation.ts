// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Model, type ModelData, setValidateFunc, createTypeMetaGuard } from "@kubernetes-models/base";
import type { ValidateFunc } from "@kubernetes-models/validate";
import { validate } from "../../_schemas/AgoraDevV1alpha1Reservation.js";

/**
 * A dynamic reservation (Mesos's RESERVE): part of one node set aside for one role — and its subroles — made by a framework answering an offer (spec.accept.reserve), and given back by spec.accept.unreserve on a later offer, or by deleting this object. Offered only to the role's subtree and counted in its quota, as a ResourceRole's static reservations are. Agora writes one per role and node (its name a hash of the two), owned by the Node: it goes when the node does.
 */
export interface IReservation {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  "apiVersion": "agora.dev/v1alpha1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  "kind": "Reservation";
  "metadata"?: IObjectMeta;
  /**
   * The role, the node and the reserved resources.
   */
  "spec": {
    /**
     * The role the resources are reserved for (`eng/ml` for a nested role).
     */
    "role": string;
    /**
     * The node.
     */
    "nodeName": string;
    /**
     * The reserved resources, as Kubernetes quantities.
     */
    "resources": {
      [key: string]: any;
    };
  };
}

/**
 * A dynamic reservation (Mesos's RESERVE): part of one node set aside for one role — and its subroles — made by a framework answering an offer (spec.accept.reserve), and given back by spec.accept.unreserve on a later offer, or by deleting this object. Offered only to the role's subtree and counted in its quota, as a ResourceRole's static reservations are. Agora writes one per role and node (its name a hash of the two), owned by the Node: it goes when the node does.
 */
export class Reservation extends Model<IReservation> implements IReservation {
  "apiVersion": IReservation["apiVersion"];
  "kind": IReservation["kind"];
  "metadata"?: IReservation["metadata"];
  "spec": IReservation["spec"];

static apiVersion: IReservation["apiVersion"] = "agora.dev/v1alpha1";
static kind: IReservation["kind"] = "Reservation";
static is = createTypeMetaGuard<IReservation>(Reservation);

constructor(data?: ModelData<IReservation>) {
  super();

  this.setDefinedProps({
    apiVersion: Reservation.apiVersion,
    kind: Reservation.kind,
    ...data
  } as IReservation);
}
}


setValidateFunc(Reservation, validate as ValidateFunc<IReservation>);
