// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Model, type ModelData, setValidateFunc, createTypeMetaGuard } from "@kubernetes-models/base";
import type { ValidateFunc } from "@kubernetes-models/validate";
import { validate } from "../../_schemas/AgoraDevV1alpha1InverseOffer.js";

/**
 * An InverseOffer (Mesos's term) asks a framework to give back what its tasks hold on a node by spec.start, because of the Maintenance named in spec.maintenance. Agora creates it; the framework answers once by setting spec.answer to Accept (it will move its tasks off the node) or Decline (it keeps them; they are not killed by Agora, but the node is offered to no one during the window). Unanswered, it is pending until the window ends.
 */
export interface IInverseOffer {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  "apiVersion": "agora.dev/v1alpha1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  "kind": "InverseOffer";
  "metadata"?: IObjectMeta;
  "spec": {
    /**
     * The Framework (in this namespace) asked to give the node back.
     */
    "framework": string;
    "nodeName": string;
    /**
     * The Maintenance (cluster-scoped) that asks for it.
     */
    "maintenance": string;
    /**
     * When the node becomes unavailable — give it back before.
     */
    "start": string;
    /**
     * When it is available again (offers resume).
     */
    "end": string;
    "reason"?: string;
    /**
     * What the framework's tasks held on the node when it was asked.
     */
    "resources"?: {
      [key: string]: any;
    };
    /**
     * The framework's tasks on the node when it was asked.
     */
    "tasks"?: Array<string>;
    /**
     * The framework's answer, set once.
     */
    "answer"?: "Accept" | "Decline";
    /**
     * The framework's note with its answer.
     */
    "message"?: string;
  };
}

/**
 * An InverseOffer (Mesos's term) asks a framework to give back what its tasks hold on a node by spec.start, because of the Maintenance named in spec.maintenance. Agora creates it; the framework answers once by setting spec.answer to Accept (it will move its tasks off the node) or Decline (it keeps them; they are not killed by Agora, but the node is offered to no one during the window). Unanswered, it is pending until the window ends.
 */
export class InverseOffer extends Model<IInverseOffer> implements IInverseOffer {
  "apiVersion": IInverseOffer["apiVersion"];
  "kind": IInverseOffer["kind"];
  "metadata"?: IInverseOffer["metadata"];
  "spec": IInverseOffer["spec"];

static apiVersion: IInverseOffer["apiVersion"] = "agora.dev/v1alpha1";
static kind: IInverseOffer["kind"] = "InverseOffer";
static is = createTypeMetaGuard<IInverseOffer>(InverseOffer);

constructor(data?: ModelData<IInverseOffer>) {
  super();

  this.setDefinedProps({
    apiVersion: InverseOffer.apiVersion,
    kind: InverseOffer.kind,
    ...data
  } as IInverseOffer);
}
}


setValidateFunc(InverseOffer, validate as ValidateFunc<IInverseOffer>);
