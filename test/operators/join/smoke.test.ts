import { it } from 'vitest';
import { runPipe } from '../run-pipe.js';
import { joinProgram, windowJoinProgram, s } from './join-pipes.js';
it('smoke', async () => {
  const sources = { orders: [[1, 'a', 10, s(1)], [2, 'b', 20, s(2)], [3, null, 5, s(3)]], payments: [[1, 10, s(4)], [1, 11, s(30)], [2, 5, s(2)]] };
  for (const text of [joinProgram('LEFT JOIN', 'o.id = p.order_id'), joinProgram('LEFT JOIN', "o.id = p.order_id AND p.ts BETWEEN o.ts AND o.ts + INTERVAL '10' SECOND"), windowJoinProgram('LEFT JOIN')]) {
    const run = await runPipe(text, { sources });
    console.log(run.graph.operators.find(o => o.uid === 'j')!.spec.kind, JSON.stringify(run.sinks['out']));
  }
});
