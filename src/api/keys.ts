// Cache and queue keys: `namespace/name` for a namespaced object, `name` for a cluster-scoped
// one — the form client-go's MetaNamespaceKeyFunc uses, and the only one used here.

interface Named {
  metadata?: { namespace?: string; name?: string };
}

/** The key of a namespace and a name (no namespace: a cluster-scoped object). */
export function namespacedKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The key of an object. */
export function keyOf(obj: Named): string {
  return namespacedKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

/** The key of the Framework an Offer or a Task belongs to (it lives in the same namespace). */
export function frameworkKeyOf(obj: Named & { spec: { framework: string } }): string {
  return namespacedKey(obj.metadata?.namespace, obj.spec.framework);
}

export function splitKey(k: string): { namespace: string; name: string } {
  const i = k.indexOf('/');
  return i < 0 ? { namespace: '', name: k } : { namespace: k.slice(0, i), name: k.slice(i + 1) };
}
