// The request option that makes a @kubernetes/client-node patch call send a JSON merge patch
// (its patch calls default to a JSON patch): one definition for the controller and the SDK.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** A JSON merge patch (RFC 7386): keys it does not mention are kept; a null value removes one. */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
