// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Model, type ModelData, setValidateFunc, createTypeMetaGuard } from "@kubernetes-models/base";
import type { ValidateFunc } from "@kubernetes-models/validate";
import { validate } from "../../_schemas/AgoraDevV1alpha1Maintenance.js";

/**
 * A Maintenance is a window (Mesos's maintenance schedule) during which nodes are unavailable. As soon as it exists, every framework with tasks on those nodes gets an InverseOffer in its namespace asking it to give them back by spec.start; from spec.start for durationSeconds nothing is offered on the nodes (they are treated as cordoned; the Node objects are not changed) and outstanding offers there are rescinded; afterwards offers resume. Deleting it ends the window and removes its InverseOffers.
 */
export interface IMaintenance {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  "apiVersion": "agora.dev/v1alpha1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  "kind": "Maintenance";
  "metadata"?: IObjectMeta;
  "spec": {
    /**
     * The names of the nodes under maintenance.
     */
    "nodes": Array<string>;
    /**
     * When the nodes become unavailable (RFC 3339).
     */
    "start": string;
    /**
     * How long they stay unavailable.
     */
    "durationSeconds": number;
    /**
     * Why, for the frameworks' operators (copied into each InverseOffer).
     */
    "reason"?: string;
  };
}

/**
 * A Maintenance is a window (Mesos's maintenance schedule) during which nodes are unavailable. As soon as it exists, every framework with tasks on those nodes gets an InverseOffer in its namespace asking it to give them back by spec.start; from spec.start for durationSeconds nothing is offered on the nodes (they are treated as cordoned; the Node objects are not changed) and outstanding offers there are rescinded; afterwards offers resume. Deleting it ends the window and removes its InverseOffers.
 */
export class Maintenance extends Model<IMaintenance> implements IMaintenance {
  "apiVersion": IMaintenance["apiVersion"];
  "kind": IMaintenance["kind"];
  "metadata"?: IMaintenance["metadata"];
  "spec": IMaintenance["spec"];

static apiVersion: IMaintenance["apiVersion"] = "agora.dev/v1alpha1";
static kind: IMaintenance["kind"] = "Maintenance";
static is = createTypeMetaGuard<IMaintenance>(Maintenance);

constructor(data?: ModelData<IMaintenance>) {
  super();

  this.setDefinedProps({
    apiVersion: Maintenance.apiVersion,
    kind: Maintenance.kind,
    ...data
  } as IMaintenance);
}
}


setValidateFunc(Maintenance, validate as ValidateFunc<IMaintenance>);
