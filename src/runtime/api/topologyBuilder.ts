/**
 * Declares a topology: sources (topics → processor), processors, sinks (processor → topic) and
 * state stores. `build()` splits it into sub-topologies (connected parts); each runs as one task
 * per input partition. Inputs of one sub-topology must be co-partitioned.
 */
import type { ProcessorSupplier } from './processor.ts';
import { jsonSerde, type Serde } from './serde.ts';

export interface SourceNode { kind: 'source'; name: string; topics: string[]; serde: Serde<unknown>; children: string[] }
export interface ProcessorNode { kind: 'processor'; name: string; supplier: ProcessorSupplier<any>; stores: string[]; children: string[] }
export interface SinkNode { kind: 'sink'; name: string; topic: string; serde: Serde<unknown>; children: string[] }
export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

export interface StoreSpec { name: string; /** false for stores that need no changelog (none today). */ changelog: boolean }

/** A topic the runtime must create: repartition topics and the sources/sinks it owns. */
export interface TopicSpec { name: string; compacted: boolean; retentionMs?: number }

export interface SubTopology {
  id: number;
  sourceTopics: string[];
  nodes: Map<string, TopologyNode>;
  stores: StoreSpec[];
}

export interface BuiltTopology {
  subTopologies: SubTopology[];
  /** Topics every instance needs before starting (created when missing). */
  topics: TopicSpec[];
}

export class TopologyBuilder {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly stores = new Map<string, StoreSpec>();
  private readonly topics = new Map<string, TopicSpec>();

  addSource(name: string, topics: string[], serde: Serde<any> = jsonSerde()): this {
    return this.add({ kind: 'source', name, topics, serde, children: [] });
  }

  addProcessor(name: string, supplier: ProcessorSupplier<any>, parents: string[], stores: string[] = []): this {
    this.add({ kind: 'processor', name, supplier, stores, children: [] });
    for (const s of stores) if (!this.stores.has(s)) throw new Error(`store ${s} used by ${name} is not declared`);
    return this.link(name, parents);
  }

  addSink(name: string, topic: string, parents: string[], serde: Serde<any> = jsonSerde()): this {
    this.add({ kind: 'sink', name, topic, serde, children: [] });
    return this.link(name, parents);
  }

  addStateStore(name: string, changelog = true): this {
    this.stores.set(name, { name, changelog });
    return this;
  }

  /** Declares a topic the runtime creates when missing. */
  addTopic(spec: TopicSpec): this {
    this.topics.set(spec.name, spec);
    return this;
  }

  build(): BuiltTopology {
    const parent = new Map<string, string>();
    const find = (n: string): string => (parent.get(n) === n ? n : find(parent.get(n)!));
    for (const n of this.nodes.keys()) parent.set(n, n);
    for (const node of this.nodes.values()) for (const c of node.children) parent.set(find(c), find(node.name));
    // Processors that share a store belong together.
    const storeOwner = new Map<string, string>();
    for (const node of this.nodes.values()) {
      if (node.kind !== 'processor') continue;
      for (const s of node.stores) {
        const owner = storeOwner.get(s);
        if (owner) parent.set(find(node.name), find(owner));
        else storeOwner.set(s, node.name);
      }
    }
    const groups = new Map<string, TopologyNode[]>();
    for (const node of this.nodes.values()) {
      const root = find(node.name);
      groups.set(root, [...(groups.get(root) ?? []), node]);
    }
    const subTopologies = [...groups.values()].map((nodes, id): SubTopology => {
      const storeNames = new Set(nodes.flatMap((n) => (n.kind === 'processor' ? n.stores : [])));
      return {
        id,
        sourceTopics: nodes.flatMap((n) => (n.kind === 'source' ? n.topics : [])),
        nodes: new Map(nodes.map((n) => [n.name, n])),
        stores: [...storeNames].map((s) => this.stores.get(s)!),
      };
    });
    return { subTopologies, topics: [...this.topics.values()] };
  }

  private add(node: TopologyNode): this {
    if (this.nodes.has(node.name)) throw new Error(`duplicate node name ${node.name}`);
    this.nodes.set(node.name, node);
    return this;
  }

  private link(child: string, parents: string[]): this {
    for (const p of parents) {
      const node = this.nodes.get(p);
      if (!node) throw new Error(`parent ${p} of ${child} is not declared`);
      if (node.kind === 'sink') throw new Error(`sink ${p} cannot have children`);
      node.children.push(child);
    }
    return this;
  }
}

export function changelogTopic(appId: string, store: string): string {
  return `${appId}-${store}-changelog`;
}
