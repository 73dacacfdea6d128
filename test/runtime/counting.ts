/** A small counting topology used by the runtime's own tests. */
import { TopologyBuilder, record, type ProcessorContext } from '../../src/runtime/api/index.ts';
import type { KeyValueStore } from '../../src/stores/keyValueStore.ts';

export function countingTopology(input: string, output: string) {
  return new TopologyBuilder()
    .addTopic({ name: input, compacted: false })
    .addTopic({ name: output, compacted: false })
    .addStateStore('counts')
    .addSource('in', [input])
    .addProcessor('count', () => {
      let ctx: ProcessorContext;
      let store: KeyValueStore<number>;
      return {
        init(c) { ctx = c; store = c.getStateStore<number>('counts'); },
        async process(r) {
          if ((r.value as { fail?: boolean } | null)?.fail) throw new Error('bad input');
          const n = ((await store.get(r.key)) ?? 0) + 1;
          store.put(r.key, n);
          ctx.forward(record(r.key, { count: n }, r.timestamp));
        },
      };
    }, ['in'], ['counts'])
    .addSink('out', output, ['count'])
    .build();
}
