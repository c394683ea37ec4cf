/**
 * Nodes and Pods sized so the cluster's headroom is exactly what the spec asks for: the Running
 * pods' cpu/memory requests sum to requestedFraction of the nodes' allocatable (integer millicores
 * and bytes, the remainder spread one unit at a time so the sums are exact).
 */
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import { apiVersionOf, NODE, POD } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export interface PodPlacement {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  container: string;
  image: string;
}

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `node-${i + 1}`);
}

export function buildNode(name: string, nodes: ClusterSpec['nodes']): KubeObject {
  const resources = { cpu: `${nodes.cpuMillis}m`, memory: String(nodes.memoryBytes), pods: '110' };
  return {
    apiVersion: apiVersionOf(NODE),
    kind: NODE.kind,
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/worker': '',
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      nodeInfo: { kubeletVersion: 'v1.28.8', osImage: 'Ubuntu 22.04.4 LTS', architecture: 'amd64' },
    },
  };
}

/** total split into `parts` integers that differ by at most one and sum to total exactly. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Pods placed round-robin on the nodes, their requests summing to requestedFraction of allocatable. */
export function buildPods(placements: PodPlacement[], spec: ClusterSpec): KubeObject[] {
  const nodes = nodeNames(spec.nodes.count);
  if (placements.length === 0 || nodes.length === 0) return [];
  const fraction = Math.max(0, spec.requestedFraction);
  const cpu = split(Math.round(fraction * spec.nodes.count * spec.nodes.cpuMillis), placements.length);
  const memory = split(Math.round(fraction * spec.nodes.count * spec.nodes.memoryBytes), placements.length);
  return placements.map((p, i) => ({
    apiVersion: apiVersionOf(POD),
    kind: POD.kind,
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: {
      nodeName: nodes[i % nodes.length],
      containers: [
        {
          name: p.container,
          image: p.image,
          resources: { requests: { cpu: `${cpu[i]}m`, memory: String(memory[i]) } },
        },
      ],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  }));
}
