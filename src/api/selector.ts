// A Kubernetes label selector and whether labels match it: a framework's offer constraints (over
// node labels) and a ResourceRole's namespaceSelector (over namespace labels).

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * Returns undefined when `labels` match `selector`, else the key of the first requirement
 * that fails (so a refusal can say which label).
 */
export function selectorMismatch(selector: LabelSelector | undefined, labels: Record<string, string>): string | undefined {
  if (selector === undefined) return undefined;
  if (selector.matchLabels !== undefined) {
    for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return k;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    let ok: boolean;
    switch (req.operator) {
      case 'In':
        ok = has && (req.values ?? []).includes(value!);
        break;
      case 'NotIn':
        ok = !has || !(req.values ?? []).includes(value!);
        break;
      case 'Exists':
        ok = has;
        break;
      case 'DoesNotExist':
        ok = !has;
        break;
      default:
        throw new Error(`label selector: unknown operator ${JSON.stringify((req as { operator: unknown }).operator)}`);
    }
    if (!ok) return req.key;
  }
  return undefined;
}
