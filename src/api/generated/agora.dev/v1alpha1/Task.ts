// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Model, type ModelData, setValidateFunc, createTypeMetaGuard } from "@kubernetes-models/base";
import type { ValidateFunc } from "@kubernetes-models/validate";
import { validate } from "../../_schemas/AgoraDevV1alpha1Task.js";

/**
 * A Task is one accepted task: Agora runs it as a Pod bound to the offered node and mirrors the Pod's progress into status.state (TASK_STAGING … TASK_FINISHED). Only spec.kill may change after creation.
 */
export interface ITask {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   */
  "apiVersion": "agora.dev/v1alpha1";
  /**
   * Kind is a string value representing the REST resource this object represents.
   */
  "kind": "Task";
  "metadata"?: IObjectMeta;
  /**
   * The task as accepted (immutable but for spec.kill).
   */
  "spec": {
    /**
     * The Framework (in this namespace) that launched the task.
     */
    "framework": string;
    /**
     * The Offer whose accept launched the task.
     */
    "offer"?: string;
    /**
     * The role the task is charged to: its offer's spec.role (set by Agora). Unset on tasks from before multi-role frameworks: they count to the framework's first role.
     */
    "role"?: string;
    /**
     * Launched from a revocable offer (set by Agora): it runs on resources held back for others and is the first revoked when they want them back. Its Pod is labelled agora.dev/revocable=true.
     */
    "revocable"?: boolean;
    /**
     * The node the task runs on (its Pod's spec.nodeName).
     */
    "nodeName": string;
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
    /**
     * KILL — set to true to ask Agora to kill the task (TASK_KILLED).
     */
    "kill"?: boolean;
  };
  /**
   * The task's state, mirrored from its Pod by Agora.
   */
  "status"?: {
    /**
     * The Mesos task state.
     */
    "state"?: "TASK_STAGING" | "TASK_STARTING" | "TASK_RUNNING" | "TASK_FINISHED" | "TASK_FAILED" | "TASK_KILLED" | "TASK_LOST" | "TASK_ERROR";
    /**
     * A CamelCase reason for the state (e.g. PodFailed, NodeLost, KillRequested), or NodeNotReady while the task's node is not Ready (the state is kept until the node is Ready again or is given up).
     */
    "reason"?: string;
    /**
     * A human-readable explanation of the state.
     */
    "message"?: string;
    /**
     * The Pod running the task.
     */
    "podName"?: string;
    /**
     * The exit code of the first container that terminated with a non-zero code (or 0).
     */
    "exitCode"?: number;
    /**
     * When the state last changed.
     */
    "lastTransitionTime"?: string;
    /**
     * When the task reached TASK_RUNNING.
     */
    "startedAt"?: string;
    /**
     * When the task reached a terminal state.
     */
    "finishedAt"?: string;
    /**
     * The spec generation this status reflects.
     */
    "observedGeneration"?: number;
    /**
     * Set when the controller revokes the task: why, for whom and when its Pod is deleted (the task then ends TASK_KILLED with reason Revoked). In dry-run mode (dryRun true) it only says what would be revoked.
     */
    "revocation"?: {
      /**
       * FairShare (its framework is over its fair share and another is below), Priority (higher-priority demand of the same role) or Revocable (it runs on revocable resources that their owner now wants back).
       */
      "reason": "FairShare" | "Priority" | "Revocable";
      /**
       * The waiting framework (in namespace/name form) the resources are freed for.
       */
      "for"?: string;
      /**
       * The waiting framework's role.
       */
      "forRole"?: string;
      /**
       * A human-readable explanation, with the shares involved.
       */
      "message"?: string;
      /**
       * When the task was told.
       */
      "noticedAt": string;
      /**
       * When its Pod is deleted (noticedAt + the framework's revocation grace period).
       */
      "deadline": string;
      /**
       * Only reported; the task is not killed.
       */
      "dryRun"?: boolean;
    };
  };
}

/**
 * A Task is one accepted task: Agora runs it as a Pod bound to the offered node and mirrors the Pod's progress into status.state (TASK_STAGING … TASK_FINISHED). Only spec.kill may change after creation.
 */
export class Task extends Model<ITask> implements ITask {
  "apiVersion": ITask["apiVersion"];
  "kind": ITask["kind"];
  "metadata"?: ITask["metadata"];
  "spec": ITask["spec"];
  "status"?: ITask["status"];

static apiVersion: ITask["apiVersion"] = "agora.dev/v1alpha1";
static kind: ITask["kind"] = "Task";
static is = createTypeMetaGuard<ITask>(Task);

constructor(data?: ModelData<ITask>) {
  super();

  this.setDefinedProps({
    apiVersion: Task.apiVersion,
    kind: Task.kind,
    ...data
  } as ITask);
}
}


setValidateFunc(Task, validate as ValidateFunc<ITask>);
